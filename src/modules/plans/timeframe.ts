// "Thời gian thực hiện" of a CCHC plan appendix, as offices write it, turned into due dates. Pure.
// Every date is the last day the task may be completed: the end of the month, quarter, half-year or year named,
// or the day itself when one is given ("chậm nhất ngày 10/12/2022").

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 };

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const monthEnd = (y: number, m: number) => `${y}-${pad(m)}-${pad(lastDay(y, m))}`;
const quarterEnd = (y: number, q: number) => monthEnd(y, q * 3);
const yearEnd = (y: number) => `${y}-12-31`;

function validDay(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > lastDay(y, m)) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

function quarterNumber(s: string): number | null {
  const t = s.toLowerCase();
  if (ROMAN[t]) return ROMAN[t]!;
  const n = Number(t);
  return n >= 1 && n <= 4 ? n : null;
}

export interface ParsedTimeframe {
  /** Ascending, unique; empty when nothing could be read. */
  dueDates: string[];
}

/**
 * Reads a timeframe in the context of the plan's year (used where the text names no year: "Hàng quý",
 * "Thường xuyên"). Returns no dates when the text says nothing it can read; the caller reports the line.
 */
export function parseTimeframe(text: string, planYear: number): ParsedTimeframe {
  const s = text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  const dates = new Set<string>();
  const yearIn = (rest: string | undefined) => (rest ? Number(rest) : planYear);
  let m: RegExpExecArray | null;

  // A day: "ngày 10/12/2022", "10/12/2022", "10-12-2022". Read first and blanked out so "12/2022" is not read again.
  let rest = s;
  const dayRe = /(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d{2})/g;
  while ((m = dayRe.exec(s))) {
    const d = validDay(Number(m[3]), Number(m[2]), Number(m[1]));
    if (d) dates.add(d);
  }
  rest = rest.replace(dayRe, ' ');

  // Quarters: "quý ii/2022", "quý 4/2022", "quý i năm 2022", "quý iv" (the plan's year).
  const quarterRe = /quý\s*(iv|iii|ii|i|[1-4])(?:\s*(?:\/|năm)\s*((?:19|20)\d{2}))?/g;
  while ((m = quarterRe.exec(rest))) {
    const q = quarterNumber(m[1]!);
    if (q) dates.add(quarterEnd(yearIn(m[2]), q));
  }
  rest = rest.replace(quarterRe, ' ');

  // "6 tháng đầu năm", "6 tháng" → 30 June; "6 tháng cuối năm" → year end.
  if (/6 tháng cuối năm/.test(rest)) dates.add(yearEnd(planYear));
  else if (/6 tháng/.test(rest)) dates.add(monthEnd(planYear, 6));
  rest = rest.replace(/6 tháng( đầu năm| cuối năm)?/g, ' ');

  // Months: "tháng 12/2022", "tháng 01/2023", "tháng 12 năm 2022", "tháng 3" (the plan's year).
  const monthRe = /tháng\s*(\d{1,2})(?:\s*(?:\/|năm)\s*((?:19|20)\d{2}))?/g;
  while ((m = monthRe.exec(rest))) {
    const month = Number(m[1]);
    if (month >= 1 && month <= 12) dates.add(monthEnd(yearIn(m[2]), month));
  }
  rest = rest.replace(monthRe, ' ');

  // Recurring: every quarter, every month (of the plan's year).
  if (/hàng quý|hằng quý|định kỳ quý/.test(rest)) for (let q = 1; q <= 4; q++) dates.add(quarterEnd(planYear, q));
  if (/hàng tháng|hằng tháng/.test(rest)) for (let mo = 1; mo <= 12; mo++) dates.add(monthEnd(planYear, mo));

  // The whole year: "trong năm 2022", "năm 2022", "cả năm", "thường xuyên", "liên tục".
  const yearRe = /năm\s*((?:19|20)\d{2})/g;
  while ((m = yearRe.exec(rest))) dates.add(yearEnd(Number(m[1])));
  if (/thường xuyên|liên tục|cả năm|trong năm/.test(rest)) dates.add(yearEnd(planYear));

  return { dueDates: [...dates].sort() };
}
