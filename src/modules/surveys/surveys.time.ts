// Submission time stamps of survey exports, read with each tool's convention and never in the server's time zone:
// KoboToolbox `_submission_time` is UTC without an offset; ODK Central `SubmissionDate` carries its offset (UTC when
// it does not); LimeSurvey `submitdate` is the wall-clock time of the survey server, without an offset.

/** 'utc': no offset means UTC; otherwise an IANA zone (e.g. Asia/Ho_Chi_Minh) for wall-clock times. */
export type TimeConvention = 'utc' | { zone: string };

export const DEFAULT_SURVEY_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** True for a time zone name Intl knows (IANA, e.g. Asia/Ho_Chi_Minh, or UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `zone` from UTC at the instant `t` (ms), in ms (Asia/Ho_Chi_Minh: +7 h). */
function offsetAt(t: number, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

// 2025-03-01, 2025-03-01T08:05:10, 2025-03-01 08:05:10.123, …+07:00 / Z / +0700.
const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * The instant a time stamp of an export means: its own offset when it has one, otherwise the convention's (UTC, or
 * the wall-clock time in a zone). Null when it is not an ISO-like date-time.
 */
export function parseTimestamp(raw: string, convention: TimeConvention): Date | null {
  const m = STAMP.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', sec = '0', frac = ''] = m.slice(1, 8) as string[];
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  if (Number.isNaN(wall)) return null;
  const off = m[8];
  let t: number;
  if (off) {
    if (off.toUpperCase() === 'Z') t = wall;
    else {
      const digits = off.slice(1).replace(':', '');
      const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
      t = wall - (off[0] === '-' ? -1 : 1) * minutes * 60_000;
    }
  } else if (convention === 'utc') t = wall;
  else {
    // Wall-clock time in a zone: subtract the zone's offset, checked again at the result (daylight saving).
    const first = offsetAt(wall, convention.zone);
    t = wall - first;
    const second = offsetAt(t, convention.zone);
    if (second !== first) t = wall - second;
  }
  const out = new Date(t);
  return Number.isNaN(out.getTime()) ? null : out;
}
