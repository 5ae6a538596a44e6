// CSV in two flavours (issue 15 item 8). The default is for offices: Excel with a Vietnamese locale splits on ";",
// reads "," as the decimal mark and dd/mm/yyyy dates, and needs a UTF-8 BOM to show diacritics. `?format=plain`
// is for machines: "," separator, "." decimals, ISO dates, no BOM. Both have exactly one header row and no title
// lines, so the file is a table every tool can load. Output is a pure function of the rows (no clock, no locale
// of the server): a publication's CSV bytes are part of its ETag and cache.
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';

export type CsvFlavour = 'excel' | 'plain';

/** Query string of every CSV download: `format=plain` for machines; default (or `excel`) for Excel. */
export const csvQuery = z.object({
  format: z
    .enum(['excel', 'plain'])
    .optional()
    .describe('excel (default): ";" separator, "," decimals, dd/mm/yyyy, UTF-8 BOM — opens in Excel with a Vietnamese locale. plain: "," separator, "." decimals, ISO 8601 dates, no BOM'),
});

export const csvFlavourOf = (q: { format?: CsvFlavour | undefined } | undefined): CsvFlavour => (q?.format === 'plain' ? 'plain' : 'excel');

/** A number with exactly 2 decimals (points, indices). */
export interface DecimalCell {
  dec: number | null | undefined;
}
/** A calendar date "YYYY-MM-DD" or an instant (ISO 8601 with time). */
export interface DateCell {
  date: string | null | undefined;
}
export type CsvCell = string | number | null | undefined | DecimalCell | DateCell;

export const dec = (x: number | null | undefined): DecimalCell => ({ dec: x });
export const date = (x: string | Date | null | undefined): DateCell => ({ date: x instanceof Date ? x.toISOString() : x });

/** x with exactly 2 decimals from its integer hundredths (no float noise), with the given decimal mark. */
function decimal2(x: number, mark: string): string {
  const h = Math.round(x * 100);
  const abs = Math.abs(h);
  return `${h < 0 ? '-' : ''}${Math.floor(abs / 100)}${mark}${String(abs % 100).padStart(2, '0')}`;
}

const VN_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "2025-11-03" → "03/11/2025"; an instant → "03/11/2025 17:30" in Vietnam's time. */
function vnDate(iso: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (day) return `${day[3]}/${day[2]}/${day[1]}`;
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const p = Object.fromEntries(VN_TIME.formatToParts(t).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

function cellText(c: CsvCell, flavour: CsvFlavour): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'string') return c;
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : decimal2(c, flavour === 'excel' ? ',' : '.');
  if ('dec' in c) return c.dec === null || c.dec === undefined ? '' : decimal2(c.dec, flavour === 'excel' ? ',' : '.');
  if (!c.date) return '';
  return flavour === 'excel' ? vnDate(c.date) : c.date;
}

/** One table as CSV text: a single header row, then the rows. */
export function csvText(header: string[], rows: CsvCell[][], flavour: CsvFlavour): string {
  const records = [header, ...rows.map((r) => r.map((c) => cellText(c, flavour)))];
  if (flavour === 'plain') return stringify(records);
  return '\uFEFF' + stringify(records, { delimiter: ';', record_delimiter: 'windows' });
}
