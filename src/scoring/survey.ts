// Survey math (SPEC §5), pure and exact: question scores and indices are exact fractions; only the 95%
// intervals involve a square root, computed with 40-digit decimal arithmetic and rounded half-up.

import { Decimal } from 'decimal.js';
import { ScoringInputError } from './errors.js';
import { Fraction } from './fraction.js';

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
const HUNDRED = Fraction.of(100n);

/** A question score / index given as a Fraction, a number (its decimal meaning) or a string "3/4" / "0.75". */
export type ExactValue = Fraction | number | string;

function toFraction(v: ExactValue, field: string): Fraction {
  const f = Fraction.parse(v);
  if (f === null) throw new ScoringInputError(field, 'invalid_type', `${field} must be a number, a fraction "p/q" or a decimal string`);
  return f;
}

/** One response's answer value: a number, or an exact Fraction (the mean of a multiple-choice answer, e.g. 1/3). */
export type AnswerValue = number | Fraction;

function answerValue(v: unknown, i: number): Fraction {
  if (v instanceof Fraction) {
    if (v.num < 0n || v.num > v.den) throw new ScoringInputError(`values[${i}]`, 'out_of_range', `values[${i}] must be between 0 and 1 (got ${v.toString()})`);
    return v;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ScoringInputError(`values[${i}]`, 'invalid_type', `values[${i}] must be a number in [0, 1] or null`);
  }
  if (v < 0 || v > 1) throw new ScoringInputError(`values[${i}]`, 'out_of_range', `values[${i}] must be between 0 and 1 (got ${v})`);
  return Fraction.parse(v) as Fraction;
}

/**
 * Score of one question for one unit: the exact mean of the response values that are not null (null answers,
 * e.g. "không biết", are excluded). Null when no response has a value.
 */
export function questionScore(values: readonly (AnswerValue | null | undefined)[]): Fraction | null {
  let sum = Fraction.ZERO;
  let n = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    sum = sum.add(answerValue(v, i));
    n++;
  });
  return n === 0 ? null : sum.div(Fraction.of(n));
}

/** How a multiple-choice answer scores from the values of the options chosen. */
export type MultipleChoiceScore = 'mean' | 'max' | 'min';

/**
 * Value of one multiple-choice (select_multiple) answer: the mean, highest or lowest value of the chosen options,
 * exact. Options valued null ("không biết") are left out; null when every chosen option is null (the answer is
 * excluded from the question score, as a single null answer is).
 */
export function multipleChoiceValue(optionValues: readonly (number | null | undefined)[], score: MultipleChoiceScore): AnswerValue | null {
  const xs: Fraction[] = [];
  optionValues.forEach((v, i) => {
    if (v === null || v === undefined) return;
    xs.push(answerValue(v, i));
  });
  if (xs.length === 0) return null;
  if (score === 'mean') {
    const m = xs.reduce((a, b) => a.add(b), Fraction.ZERO).div(Fraction.of(xs.length));
    // A whole or plain decimal mean stays a number, so 0/1 answers keep counting as Wilson successes.
    return m.den === 1n ? Number(m.num) : m;
  }
  let best = 0;
  for (let i = 1; i < xs.length; i++) {
    const c = xs[i]!.cmp(xs[best]!);
    if (score === 'max' ? c > 0 : c < 0) best = i;
  }
  const chosen = optionValues.filter((v) => v !== null && v !== undefined)[best]!;
  return chosen;
}

/** Number of responses with a non-null value (the `n` reported per question). */
export function responseCount(values: readonly (AnswerValue | null | undefined)[]): number {
  let n = 0;
  for (const v of values) if (v !== null && v !== undefined) n++;
  return n;
}

function meanOf(scores: readonly (ExactValue | null | undefined)[], field: string): Fraction | null {
  let sum = Fraction.ZERO;
  let n = 0;
  scores.forEach((s, i) => {
    if (s === null || s === undefined) return;
    sum = sum.add(toFraction(s, `${field}[${i}]`));
    n++;
  });
  return n === 0 ? null : sum.div(Fraction.of(n));
}

/**
 * Score of a `survey` leaf: the mean of its mapped questions' scores (each in [0, 1]); questions without any
 * valued response are left out; null when none has one (→ the leaf has no survey score).
 */
export function surveyLeafScore(questionScores: readonly (ExactValue | null | undefined)[]): Fraction | null {
  return meanOf(questionScores, 'questionScores');
}

/**
 * Dimension index = mean of its questions' scores × 100 (exact; round with `.round(2)` for display).
 * Questions without any valued response are left out; null when none has one.
 */
export function dimensionIndex(questionScores: readonly (ExactValue | null | undefined)[]): Fraction | null {
  const m = meanOf(questionScores, 'questionScores');
  return m === null ? null : m.mul(HUNDRED);
}

export interface WeightedIndex {
  index: ExactValue | null | undefined;
  /** Weight from the survey definition; default 1 (equal weights). */
  weight?: number;
}

/**
 * Overall index = weighted mean of the dimension indices (default equal weights). Dimensions without an index
 * (no responses) are left out and the remaining weights re-normalised; null when no weighted dimension has one.
 */
export function overallIndex(dimensions: readonly WeightedIndex[]): Fraction | null {
  let sum = Fraction.ZERO;
  let wsum = Fraction.ZERO;
  dimensions.forEach((d, i) => {
    const w = d.weight ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new ScoringInputError(`dimensions[${i}].weight`, 'out_of_range', `dimensions[${i}].weight must be a non-negative number`);
    }
    if (d.index === null || d.index === undefined) return;
    const wf = Fraction.parse(w) as Fraction;
    sum = sum.add(toFraction(d.index, `dimensions[${i}].index`).mul(wf));
    wsum = wsum.add(wf);
  });
  return wsum.num === 0n ? null : sum.div(wsum);
}

export interface Interval {
  lower: number;
  upper: number;
}

function round4(x: Decimal, decimals: number): number {
  const v = Number(x.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP).toFixed(decimals));
  return v + 0;
}

function checkZ(z: number): void {
  if (typeof z !== 'number' || !Number.isFinite(z) || z <= 0) throw new ScoringInputError('z', 'out_of_range', 'z must be a positive number');
}

/**
 * Wilson score interval for a proportion (0/1 questions): successes out of n, z = 1.96 for 95%.
 *   centre = (p + z²/2n) / (1 + z²/n),  half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)
 * Bounds rounded half-up to `decimals` (default 4). Null when n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = 1.96, decimals = 4): Interval | null {
  if (!Number.isSafeInteger(n) || n < 0) throw new ScoringInputError('n', 'not_integer', 'n must be a non-negative whole number');
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > n) {
    throw new ScoringInputError('successes', 'out_of_range', `successes must be a whole number between 0 and n (${n})`);
  }
  checkZ(z);
  if (n === 0) return null;
  const dn = new D(n);
  const dz = new D(String(z));
  const z2 = dz.mul(dz);
  const p = new D(successes).div(dn);
  const denom = z2.div(dn).plus(1);
  const centre = p.plus(z2.div(dn.mul(2))).div(denom);
  const half = dz
    .mul(p.mul(new D(1).minus(p)).div(dn).plus(z2.div(dn.mul(dn).mul(4))).sqrt())
    .div(denom);
  const lo = D.max(centre.minus(half), 0);
  const hi = D.min(centre.plus(half), 1);
  return { lower: round4(lo, decimals), upper: round4(hi, decimals) };
}

export interface NormalInterval extends Interval {
  mean: number;
  n: number;
}

/**
 * Normal-approximation interval for the mean of values in [0, 1] (non-0/1 questions): mean ± z·s/√n with s the
 * sample standard deviation (n − 1). Null values are excluded; null when fewer than 2 values. Bounds are
 * truncated to [0, 1] (the range of the values) and rounded half-up to `decimals` (default 4).
 */
export function normalInterval(values: readonly (AnswerValue | null | undefined)[], z = 1.96, decimals = 4): NormalInterval | null {
  checkZ(z);
  const xs: Decimal[] = [];
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const f = answerValue(v, i);
    xs.push(v instanceof Fraction ? new D(f.num.toString()).div(new D(f.den.toString())) : new D(String(v)));
  });
  const n = xs.length;
  if (n < 2) return null;
  const dn = new D(n);
  const mean = xs.reduce((a, b) => a.plus(b), new D(0)).div(dn);
  const ss = xs.reduce((a, x) => a.plus(x.minus(mean).pow(2)), new D(0));
  const se = ss.div(n - 1).div(dn).sqrt();
  const half = new D(String(z)).mul(se);
  return {
    mean: round4(mean, decimals),
    lower: round4(D.max(mean.minus(half), 0), decimals),
    upper: round4(D.min(mean.plus(half), 1), decimals),
    n,
  };
}
