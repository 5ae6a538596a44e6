// Vietnamese presentation: dates dd/mm/yyyy (Asia/Ho_Chi_Minh), numbers with a decimal comma (85,25) and a dot
// between thousands (1.234,5), and the parsing of numbers typed either way.

const TZ = 'Asia/Ho_Chi_Minh';

const fixed2 = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const upTo2 = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 0, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });

/** 85.25 → "85,25"; 90 → "90,00" (indices and totals always show two decimals). */
export function fmtIndex(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : fixed2.format(x);
}

/** Points as written in Vietnamese tables: 0.75 → "0,75", 1 → "1", 0.5 → "0,5". */
export function fmtPoints(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : upTo2.format(x);
}

export function fmtInt(x: number): string {
  return integer.format(x);
}

/** "2025-11-03" (or an ISO instant) → "03/11/2025"; instants are read in Vietnam time. */
export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '–';
  const day = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso : vnParts(new Date(iso)).day;
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}

/** An instant → "03/11/2025 14:05" in Vietnam time. */
export function fmtDateTime(iso: string | Date | null | undefined): string {
  if (!iso) return '–';
  const p = vnParts(typeof iso === 'string' ? new Date(iso) : iso);
  return `${fmtDate(p.day)} ${p.time}`;
}

// Built once, not per call (issue 14).
const VN_PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

function vnParts(d: Date) {
  const parts = Object.fromEntries(
    VN_PARTS.formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${hour}:${parts.minute}` };
}

/** "03/11/2025" or "2025-11-03" → "2025-11-03"; anything else → null. */
export function parseDate(s: string | undefined): string | null {
  if (!s) return null;
  const t = s.trim();
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  const iso = m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : t;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) ? iso : null;
}

/**
 * A number typed by a Vietnamese user: "92,5" or "92.5" → 92.5, "-1" → -1. Thousands separators are not
 * accepted (inputs here are small); empty → undefined; anything else → NaN so the rule reports it.
 */
export function parseDecimal(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim().replace(/\s+/g, '');
  if (t === '') return undefined;
  if (!/^-?\d+([.,]\d+)?$/.test(t)) return Number.NaN;
  return Number(t.replace(',', '.'));
}

/** Days from today to a deadline, as a phrase: "còn 5 ngày", "hôm nay là hạn cuối", "quá hạn 2 ngày". */
export function daysLeftText(days: number): string {
  if (days > 0) return `còn ${days} ngày`;
  if (days === 0) return 'hôm nay là hạn cuối';
  return `quá hạn ${-days} ngày`;
}
