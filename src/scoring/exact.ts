// Exact arithmetic helpers. No binary floating point is used for any result: every JS number that enters
// is read as the decimal it denotes (its shortest round-trip representation, e.g. 12.345 is 12345/1000),
// and every computation is done on integers — JS numbers while they stay below 2^53 (fast path), BigInt
// otherwise (same semantics, slower). Points are carried as integer hundredths.
//
// Why comparing two JS numbers with < is exact on their decimal meanings: the map decimal → nearest double
// is monotone and each double has exactly one shortest representation, so for decimals a, b denoted by
// doubles da, db we have a < b ⇔ da < db.

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** 10^k as exact doubles (exact up to 10^22). */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Integers up to this bound are far enough from 2^53 that a k-decimal value of them is unique per double. */
const FAST_LIMIT = 2 ** 50;
/** Largest number of fraction digits tried on the fast path. */
const FAST_MAX_SCALE = 9;

/** Exact rational n/d (d > 0) with BigInt parts, used on the slow path and for display. */
export interface BigRational {
  n: bigint;
  d: bigint;
}

/**
 * Fast path: a k in 0..9 such that x is exactly n / 10^k (in decimal meaning) with |n| ≤ 2^50,
 * n = Math.round(x · 10^k). Returns -1 when there is none (use {@link bigRationalOfNumber}).
 *
 * Correctness: if n/10^k rounds to the double x and |n| ≤ 2^50, the spacing of doubles near x is below
 * 10^-k/4, so n/10^k is the only decimal with at most k fraction digits that rounds to x; x's shortest
 * representation rounds to x and (having at most k fraction digits, or else n/10^k would be shorter) is
 * therefore that same value. `n / 10^k === x` is a correctly rounded division, so the test is exact, and
 * Math.round(x · 10^k) finds n because x · 10^k is within 1/4 of it.
 */
export function fastScale(x: number): number {
  // One probe at 6 decimals covers percents, scores and points in practice (any k with x = n/10^k exactly
  // serves the arithmetic; it need not be the smallest).
  const n6 = Math.round(x * 1e6);
  if (n6 / 1e6 === x && n6 <= FAST_LIMIT && n6 >= -FAST_LIMIT) return 6;
  return minimalScale(x);
}

/** Like {@link fastScale} but returns the smallest such k (fewest digits; slower). */
export function minimalScale(x: number): number {
  for (let k = 0; k <= FAST_MAX_SCALE; k++) {
    const p = POW10[k] as number;
    const n = Math.round(x * p);
    if (n / p === x) return Math.abs(n) <= FAST_LIMIT ? k : -1;
  }
  return -1;
}

const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Exact decimal meaning of a finite JS number, or of a plain decimal string ("12.5", "1e-7"). */
export function bigRationalOfDecimal(s: string): BigRational | null {
  const m = DECIMAL_RE.exec(s);
  if (!m) return null;
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] as string;
  const frac = m[3] ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) return null;
  let n = BigInt(intPart + frac) * sign;
  let scale = frac.length - exp;
  if (scale < 0) {
    n *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { n, d: 10n ** BigInt(scale) };
}

/** Exact decimal meaning of a finite JS number as n / 10^k. */
export function bigRationalOfNumber(x: number): BigRational {
  const q = bigRationalOfDecimal(String(x));
  /* c8 ignore next */
  if (q === null) throw new RangeError(`not a finite number: ${x}`);
  return q;
}

/** round(a / b) half-up, for safe integers a ≥ 0, b > 0 with 2a + b ≤ 2^53 − 1 (checked by callers). */
export function roundDiv(a: number, b: number): number {
  const t = 2 * a + b;
  const d = 2 * b;
  // floor(t / d) on integers: the division is correctly rounded, so the floor can only be one too high (when
  // t/d is just below an integer and rounds up to it), never too low; q·d is an exact integer product.
  let q = Math.floor(t / d);
  if (q * d > t) q--;
  return q;
}

/** round(a / b) half-up (ties away from zero), any sign of a, b > 0. */
export function roundDivBig(a: bigint, b: bigint): bigint {
  if (a >= 0n) return (2n * a + b) / (2n * b);
  return -((-2n * a + b) / (2n * b));
}

/**
 * round(m · n / d) half-up for non-negative integers given as JS numbers (safe integers), d > 0.
 * Uses numbers while every intermediate is a safe integer, BigInt otherwise; the result must be a safe integer.
 */
export function mulDivRound(m: number, n: number, d: number): number {
  const a = m * n;
  if (a <= MAX_SAFE && 2 * a + d <= MAX_SAFE) return roundDiv(a, d);
  const q = roundDivBig(BigInt(m) * BigInt(n), BigInt(d));
  if (q > BigInt(MAX_SAFE)) throw new RangeError(`result ${q} is beyond the exact integer range`);
  return Number(q);
}

/** Integer hundredths of x when x has at most two decimals (and is not huge); NaN otherwise. */
export function hundredthsOfNumber(x: number): number {
  const h = Math.round(x * 100);
  if (h / 100 === x && Math.abs(h) <= FAST_LIMIT) return h + 0; // + 0 turns -0 into 0
  return NaN;
}

const H_STRING_RE = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/** Integer hundredths of a decimal string with at most two significant decimals ("1.5", "1.50", "2.000"). */
export function hundredthsOfString(s: string): number {
  const m = H_STRING_RE.exec(s.trim());
  if (!m) return NaN;
  const frac = m[3] ?? '';
  if (frac.length > 2 && !/^0*$/.test(frac.slice(2))) return NaN;
  const h = Number(m[2]) * 100 + Number((frac + '00').slice(0, 2));
  if (!(h <= FAST_LIMIT)) return NaN;
  return m[1] === '-' ? -h + 0 : h;
}

/** Display of integer hundredths as a plain decimal ("1.5", "0.25", "12"). */
export function formatHundredths(h: number): string {
  const neg = h < 0;
  const a = neg ? -h : h;
  const q = Math.floor(a / 100);
  const r = a - q * 100;
  const body = r === 0 ? String(q) : r % 10 === 0 ? `${q}.${r / 10}` : `${q}.${r < 10 ? '0' : ''}${r}`;
  return neg ? `-${body}` : body;
}

/** Decimal display of n/d: exact when it terminates within `maxDecimals`, else "≈" + half-up rounding. */
export function formatRational(n: bigint, d: bigint, maxDecimals = 4): string {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const scale = 10n ** BigInt(maxDecimals);
  const exact = (n * scale) % d === 0n;
  const scaled = exact ? (n * scale) / d : roundDivBig(n * scale, d);
  const neg = scaled < 0n;
  const abs = neg ? -scaled : scaled;
  const intPart = abs / scale;
  let frac = (abs % scale).toString().padStart(maxDecimals, '0').replace(/0+$/, '');
  if (maxDecimals === 0) frac = '';
  const body = `${neg ? '-' : ''}${intPart}${frac ? '.' + frac : ''}`;
  return exact ? body : `≈${body}`;
}

/**
 * {@link formatRational} for non-negative safe-integer n and positive d, on plain numbers while n · 10^maxDecimals
 * stays a safe integer (no BigInt allocation); BigInt otherwise. Same output.
 */
export function formatQuotient(n: number, d: number, maxDecimals = 4): string {
  const scale = POW10[maxDecimals] as number;
  const ns = n * scale;
  if (!(n >= 0 && d > 0 && 2 * ns + d <= MAX_SAFE && Number.isSafeInteger(n) && Number.isSafeInteger(d))) {
    return formatRational(BigInt(n), BigInt(d), maxDecimals);
  }
  let q = Math.floor(ns / d);
  if (q * d > ns) q--;
  const exact = q * d === ns;
  const r = exact ? q : roundDiv(ns, d);
  const intPart = Math.floor(r / scale);
  let frac = r - intPart * scale;
  let digits = maxDecimals;
  while (digits > 0 && frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  const body = digits === 0 ? String(intPart) : `${intPart}.${String(frac).padStart(digits, '0')}`;
  return exact ? body : `≈${body}`;
}

/** Greatest common divisor of non-negative BigInts. */
export function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}
