// Leaf rules (SPEC §4): validation of a leaf definition ("compile"), validation of an input, and the exact
// computation of its points. Points are integer hundredths internally; half-up rounding to 2 decimals.

import { ScoringFrameworkError, ScoringInputError } from './errors.js';
import {
  bigRationalOfNumber,
  fastScale,
  formatHundredths,
  formatQuotient,
  formatRational,
  hundredthsOfNumber,
  minimalScale,
  MAX_SAFE,
  mulDivRound,
  POW10,
  roundDiv,
  roundDivBig,
} from './exact.js';
import { Fraction } from './fraction.js';
import type { LeafContext, LeafDef, LeafInput, LeafResult, Rule, SurveyScore, Tier } from './types.js';

/** Result of the lean evaluators meaning "not applicable" (denominator 0 with naAllowed, or no survey responses). */
export const NOT_APPLICABLE = -1;

const K_MANUAL = 0;
const K_BINARY = 1;
const K_OPTIONS = 2;
const K_TIERED = 3;
const K_PROPORTIONAL = 4;
const K_SURVEY = 5;

const IN_PERCENT = 0;
const IN_RATIO = 1;
const IN_COUNT = 2;

// Tier operators by index in OP_KEYS (3 = lt is the fall-through case in comparisons).
const OP_GTE = 0;
const OP_GT = 1;
const OP_LTE = 2;
const OP_KEYS = ['gte', 'gt', 'lte', 'lt'] as const;
const OP_SYMBOLS = ['≥', '>', '≤', '<'] as const;

const TIER_OTHERWISE = -1;
const TIER_NA = -2;

/**
 * A validated rule in a single monomorphic shape (keeps the hot path fast). Fields that do not apply to the
 * rule's kind hold neutral values.
 */
class CompiledRule {
  constructor(
    readonly def: Rule,
    readonly kind: number,
    /** manual: step in hundredths. */
    readonly stepH: number,
    /** options. */
    readonly optCodes: readonly string[],
    readonly optH: readonly number[],
    /** tiered / proportional: IN_PERCENT | IN_RATIO | IN_COUNT. */
    readonly input: number,
    /** tiered: operator, bound (as number), bound as boundN / boundP when it fits the fast path (else NaN). */
    readonly ops: readonly number[],
    readonly bounds: readonly number[],
    readonly boundN: readonly number[],
    readonly boundP: readonly number[],
    readonly tierH: readonly number[],
    readonly otherwiseH: number,
    /** proportional: direction "lower". */
    readonly lower: boolean,
  ) {}
}

type LeafEvaluator = (input: LeafInput, surveyScore: SurveyScore) => number;

/** A leaf whose definition has been validated; reuse it to evaluate many inputs. */
export class CompiledLeaf {
  /**
   * Specialised evaluator for the common case (a well-formed input on the fast integer path). Anything else —
   * a missing or out-of-domain field, a number beyond the fast range — is handed to the reference evaluator
   * {@link referenceHundredths}, which computes the same value or throws the error. The two are tested equal.
   */
  readonly fast: LeafEvaluator;

  constructor(
    readonly code: string,
    readonly maxPoints: number,
    /** maxPoints in integer hundredths. */
    readonly maxH: number,
    readonly naAllowed: boolean,
    /** null for a leaf without a rule (only final points are aggregated). */
    readonly rule: CompiledRule | null,
  ) {
    this.fast = makeFastEvaluator(this);
  }
}

// ---------------------------------------------------------------------------------------------- compile

function pointsH(value: unknown, path: string, maxH: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ScoringFrameworkError(path, `${what} must be a finite number`);
  }
  const h = hundredthsOfNumber(value);
  if (Number.isNaN(h)) throw new ScoringFrameworkError(path, `${what} ${value} has more than 2 decimals`);
  if (h < 0) throw new ScoringFrameworkError(path, `${what} ${value} is negative`);
  if (h > maxH) throw new ScoringFrameworkError(path, `${what} ${value} exceeds the leaf's maxPoints ${maxH / 100}`);
  return h;
}

/** Validates maxPoints of any criterion node and returns it in hundredths. */
export function maxPointsH(value: unknown, path: string): number {
  return pointsH(value, path, Number.MAX_SAFE_INTEGER, 'maxPoints');
}

const NO_STRINGS: readonly string[] = [];
const NO_NUMBERS: readonly number[] = [];

function compileRule(rule: Rule, maxH: number, path: string): CompiledRule {
  if (rule === null || typeof rule !== 'object') throw new ScoringFrameworkError(path, 'rule must be an object');
  switch (rule.type) {
    case 'manual': {
      const step = rule.step ?? 0.25;
      if (typeof step !== 'number' || !Number.isFinite(step) || step <= 0) {
        throw new ScoringFrameworkError(`${path}.step`, 'step must be a positive number');
      }
      const stepH = hundredthsOfNumber(step);
      if (Number.isNaN(stepH)) {
        throw new ScoringFrameworkError(`${path}.step`, `step ${step} must be a multiple of 0.01 (points have 2 decimals)`);
      }
      return new CompiledRule(rule, K_MANUAL, stepH, NO_STRINGS, NO_NUMBERS, 0, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, 0, false);
    }
    case 'binary':
      return new CompiledRule(rule, K_BINARY, 0, NO_STRINGS, NO_NUMBERS, 0, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, 0, false);
    case 'options': {
      if (!Array.isArray(rule.options) || rule.options.length === 0) {
        throw new ScoringFrameworkError(`${path}.options`, 'options must be a non-empty array');
      }
      const codes: string[] = [];
      const hs: number[] = [];
      rule.options.forEach((o, i) => {
        const p = `${path}.options[${i}]`;
        if (typeof o?.code !== 'string' || o.code === '') throw new ScoringFrameworkError(`${p}.code`, 'option code must be a non-empty string');
        if (codes.includes(o.code)) throw new ScoringFrameworkError(`${p}.code`, `duplicate option code "${o.code}"`);
        codes.push(o.code);
        hs.push(pointsH(o.points, `${p}.points`, maxH, 'option points'));
      });
      return new CompiledRule(rule, K_OPTIONS, 0, codes, hs, 0, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, 0, false);
    }
    case 'tiered': {
      const input = rule.input === 'percent' ? IN_PERCENT : rule.input === 'ratio' ? IN_RATIO : rule.input === 'count' ? IN_COUNT : -1;
      if (input < 0) throw new ScoringFrameworkError(`${path}.input`, 'input must be "percent", "ratio" or "count"');
      if (!Array.isArray(rule.tiers) || rule.tiers.length === 0) {
        throw new ScoringFrameworkError(`${path}.tiers`, 'tiers must be a non-empty array');
      }
      const ops: number[] = [];
      const bounds: number[] = [];
      const boundN: number[] = [];
      const boundP: number[] = [];
      const tierH: number[] = [];
      rule.tiers.forEach((t: Tier, i) => {
        const p = `${path}.tiers[${i}]`;
        if (t === null || typeof t !== 'object') throw new ScoringFrameworkError(p, 'tier must be an object');
        const present = OP_KEYS.filter((k) => t[k] !== undefined);
        if (present.length !== 1) {
          throw new ScoringFrameworkError(p, `a tier needs exactly one bound of gte, gt, lte, lt (found ${present.length})`);
        }
        const key = present[0] as (typeof OP_KEYS)[number];
        const b = t[key];
        if (typeof b !== 'number' || !Number.isFinite(b)) throw new ScoringFrameworkError(`${p}.${key}`, 'bound must be a finite number');
        ops.push(OP_KEYS.indexOf(key));
        bounds.push(b + 0);
        const k = minimalScale(b);
        boundN.push(k < 0 ? NaN : Math.round(b * (POW10[k] as number)) + 0);
        boundP.push(k < 0 ? NaN : (POW10[k] as number));
        tierH.push(pointsH(t.points, `${p}.points`, maxH, 'tier points'));
      });
      const otherwiseH = rule.otherwise === undefined ? 0 : pointsH(rule.otherwise, `${path}.otherwise`, maxH, 'otherwise');
      return new CompiledRule(rule, K_TIERED, 0, NO_STRINGS, NO_NUMBERS, input, ops, bounds, boundN, boundP, tierH, otherwiseH, false);
    }
    case 'proportional': {
      const input = rule.input === 'percent' ? IN_PERCENT : rule.input === 'ratio' ? IN_RATIO : -1;
      if (input < 0) throw new ScoringFrameworkError(`${path}.input`, 'input must be "percent" or "ratio"');
      if (rule.direction !== 'higher' && rule.direction !== 'lower') {
        throw new ScoringFrameworkError(`${path}.direction`, 'direction must be "higher" or "lower"');
      }
      return new CompiledRule(rule, K_PROPORTIONAL, 0, NO_STRINGS, NO_NUMBERS, input, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, 0, rule.direction === 'lower');
    }
    case 'survey': {
      if (typeof rule.surveyCode !== 'string' || rule.surveyCode === '') {
        throw new ScoringFrameworkError(`${path}.surveyCode`, 'surveyCode must be a non-empty string');
      }
      const hasQ = rule.questionCodes !== undefined;
      const hasD = rule.dimensionCode !== undefined;
      if (hasQ === hasD) throw new ScoringFrameworkError(path, 'a survey rule maps exactly one of questionCodes or dimensionCode');
      if (hasQ && (!Array.isArray(rule.questionCodes) || rule.questionCodes.length === 0 || rule.questionCodes.some((q) => typeof q !== 'string' || q === ''))) {
        throw new ScoringFrameworkError(`${path}.questionCodes`, 'questionCodes must be a non-empty array of codes');
      }
      if (hasD && (typeof rule.dimensionCode !== 'string' || rule.dimensionCode === '')) {
        throw new ScoringFrameworkError(`${path}.dimensionCode`, 'dimensionCode must be a non-empty string');
      }
      return new CompiledRule(rule, K_SURVEY, 0, NO_STRINGS, NO_NUMBERS, 0, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, NO_NUMBERS, 0, false);
    }
    default:
      throw new ScoringFrameworkError(`${path}.type`, `unknown rule type "${String((rule as { type?: unknown }).type)}"`);
  }
}

/**
 * Validates a leaf definition (maxPoints with 2 decimals, a well-formed rule whose points lie in [0, max]) and
 * returns a reusable compiled leaf. Throws {@link ScoringFrameworkError}.
 */
export function compileLeaf(
  leaf: { code: string; maxPoints: number; rule?: Rule | undefined; naAllowed?: boolean | undefined },
  path = `leaf ${leaf?.code}`,
): CompiledLeaf {
  if (leaf === null || typeof leaf !== 'object') throw new ScoringFrameworkError(path, 'leaf must be an object');
  if (typeof leaf.code !== 'string' || leaf.code === '') throw new ScoringFrameworkError(`${path}.code`, 'code must be a non-empty string');
  const maxH = maxPointsH(leaf.maxPoints, `${path}.maxPoints`);
  const rule = leaf.rule === undefined ? null : compileRule(leaf.rule, maxH, `${path}.rule`);
  return new CompiledLeaf(leaf.code, maxH / 100, maxH, leaf.naAllowed === true, rule);
}

// ------------------------------------------------------------------------------------------- validation

function missing(field: string, rule: string): ScoringInputError {
  return new ScoringInputError(field, 'missing', `${field} is required for a ${rule} rule`);
}

function readPercent(input: LeafInput, rule: string): number {
  const p = input.percent;
  if (p === undefined || p === null) throw missing('input.percent', rule);
  if (typeof p !== 'number' || !Number.isFinite(p)) {
    throw new ScoringInputError('input.percent', 'invalid_type', `input.percent must be a finite number (got ${describe(p)})`);
  }
  if (p < 0 || p > 100) throw new ScoringInputError('input.percent', 'out_of_range', `input.percent must be between 0 and 100 (got ${p})`);
  return p + 0;
}

function readNonNegativeInteger(value: unknown, field: string, rule: string): number {
  if (value === undefined || value === null) throw missing(field, rule);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ScoringInputError(field, 'invalid_type', `${field} must be a number (got ${describe(value)})`);
  }
  if (!Number.isSafeInteger(value)) throw new ScoringInputError(field, 'not_integer', `${field} must be a whole number (got ${value})`);
  if (value < 0) throw new ScoringInputError(field, 'out_of_range', `${field} must not be negative (got ${value})`);
  return value + 0;
}

/** Validates numerator/denominator; returns true when 0/0 ("nothing arose") and the leaf allows N/A. */
function checkRatio(input: LeafInput, naAllowed: boolean, rule: string): boolean {
  const n = readNonNegativeInteger(input.numerator, 'input.numerator', rule);
  const d = readNonNegativeInteger(input.denominator, 'input.denominator', rule);
  if (n > d) {
    throw new ScoringInputError('input.numerator', 'out_of_range', `input.numerator (${n}) must not exceed input.denominator (${d})`);
  }
  if (d === 0) {
    if (naAllowed) return true;
    throw new ScoringInputError(
      'input.denominator',
      'denominator_zero',
      'input.denominator is 0 (nothing arose) but this criterion does not allow "not applicable"',
    );
  }
  return false;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return typeof v;
}

// --------------------------------------------------------------------------------------------- evaluate

/** Compares 100·n/d (a ratio as a percent) with tier bound i exactly; returns the sign of (percent − bound). */
function cmpRatioBound(rule: CompiledRule, i: number, n: number, d: number): number {
  const bn = rule.boundN[i] as number;
  const bp = rule.boundP[i] as number;
  if (bn === bn) {
    const lhs = 100 * n * bp;
    const rhs = bn * d;
    if (lhs <= MAX_SAFE && Math.abs(rhs) <= MAX_SAFE) return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
  }
  const b = bigRationalOfNumber(rule.bounds[i] as number);
  const l = 100n * BigInt(n) * b.d;
  const r = b.n * BigInt(d);
  return l < r ? -1 : l > r ? 1 : 0;
}

function holds(op: number, cmp: number): boolean {
  switch (op) {
    case OP_GTE:
      return cmp >= 0;
    case OP_GT:
      return cmp > 0;
    case OP_LTE:
      return cmp <= 0;
    default:
      return cmp < 0;
  }
}

/** Index of the first tier whose bound holds (top-down), TIER_OTHERWISE, or TIER_NA. Validates the input. */
function tierIndex(rule: CompiledRule, input: LeafInput, naAllowed: boolean): number {
  const ops = rule.ops;
  const nt = ops.length;
  if (rule.input === IN_RATIO) {
    if (checkRatio(input, naAllowed, 'tiered (ratio)')) return TIER_NA;
    const n = input.numerator as number;
    const d = input.denominator as number;
    for (let i = 0; i < nt; i++) if (holds(ops[i] as number, cmpRatioBound(rule, i, n, d))) return i;
    return TIER_OTHERWISE;
  }
  // Percent and count are compared as JS numbers: exact on their decimal meanings (see exact.ts).
  const x = rule.input === IN_PERCENT ? readPercent(input, 'tiered (percent)') : readNonNegativeInteger(input.count, 'input.count', 'tiered (count)');
  const bounds = rule.bounds;
  for (let i = 0; i < nt; i++) {
    const b = bounds[i] as number;
    switch (ops[i]) {
      case OP_GTE:
        if (x >= b) return i;
        break;
      case OP_GT:
        if (x > b) return i;
        break;
      case OP_LTE:
        if (x <= b) return i;
        break;
      default:
        if (x < b) return i;
    }
  }
  return TIER_OTHERWISE;
}

function proportionalH(rule: CompiledRule, maxH: number, input: LeafInput, naAllowed: boolean): number {
  if (rule.input === IN_RATIO) {
    if (checkRatio(input, naAllowed, 'proportional (ratio)')) return NOT_APPLICABLE;
    const n = input.numerator as number;
    const d = input.denominator as number;
    // points = max × n/d (higher) or max × (d − n)/d (lower); in hundredths: maxH × … / d.
    return mulDivRound(maxH, rule.lower ? d - n : n, d);
  }
  const p = readPercent(input, 'proportional (percent)');
  const k = fastScale(p);
  if (k >= 0) {
    const scale = 100 * (POW10[k] as number); // p/100 = n / scale
    const n = Math.round(p * (POW10[k] as number));
    return mulDivRound(maxH, rule.lower ? scale - n : n, scale);
  }
  const q = bigRationalOfNumber(p);
  const scale = 100n * q.d;
  return Number(roundDivBig(BigInt(maxH) * (rule.lower ? scale - q.n : q.n), scale));
}

/** Survey score as an exact fraction in [0, 1], or null when there are no responses. */
export function readSurveyScore(score: SurveyScore): Fraction | null {
  if (score === null || score === undefined) return null;
  const f = Fraction.parse(score);
  if (f === null) {
    throw new ScoringInputError(
      'ctx.surveyScore',
      'invalid_type',
      `ctx.surveyScore must be a number, a fraction "p/q" or a decimal string (got ${describe(score)})`,
    );
  }
  if (f.num < 0n || f.num > f.den) {
    throw new ScoringInputError('ctx.surveyScore', 'out_of_range', `ctx.surveyScore must be between 0 and 1 (got ${String(score)})`);
  }
  return f;
}

const SLOW = -2;

let fracN = 0;
let fracD = 0;

/**
 * Parses a fraction string "p/q" of plain digits (≤ 15 each) with q > 0 and p ≤ q into fracN / fracD (module
 * scratch, no allocation). False for anything else (left to the exact slow path).
 */
function parseFastFraction(s: string): boolean {
  const len = s.length;
  let i = 0;
  let n = 0;
  let c = 0;
  while (i < len && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
    n = n * 10 + (c - 48);
    i++;
  }
  if (i === 0 || i > 15 || c !== 47 || i === len) return false;
  const start = ++i;
  let d = 0;
  while (i < len && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
    d = d * 10 + (c - 48);
    i++;
  }
  if (i !== len || i === start || i - start > 15 || d === 0 || n > d) return false;
  fracN = n;
  fracD = d;
  return true;
}

/** Fast path for a fraction string: the points in hundredths, or SLOW. */
function fractionStringH(maxH: number, s: string): number {
  return parseFastFraction(s) ? mulDivRound(maxH, fracN, fracD) : SLOW;
}

function surveyH(maxH: number, score: SurveyScore): number {
  if (typeof score === 'number') {
    if (score >= 0 && score <= 1) {
      const k = fastScale(score);
      if (k >= 0) return mulDivRound(maxH, Math.round(score * (POW10[k] as number)), POW10[k] as number);
    }
  } else if (typeof score === 'string') {
    const h = fractionStringH(maxH, score);
    if (h !== SLOW) return h;
  }
  const f = readSurveyScore(score);
  if (f === null) return NOT_APPLICABLE;
  return Number(roundDivBig(BigInt(maxH) * f.num, f.den));
}

function ruleName(r: CompiledRule | null): string {
  return r === null ? 'none' : r.def.type;
}

/**
 * Lean evaluator: the leaf's points in integer hundredths, or {@link NOT_APPLICABLE}. Validates the input and
 * throws {@link ScoringInputError} naming the field. No strings are built unless an input is rejected.
 * `surveyScore` is only read by survey rules (see {@link LeafContext}).
 */
export function leafHundredths(leaf: CompiledLeaf, input: LeafInput, surveyScore?: SurveyScore): number {
  if (typeof input === 'object' && input !== null) return leaf.fast(input, surveyScore);
  return referenceHundredths(leaf, input, surveyScore);
}

/**
 * Reference evaluator: straightforward validation and exact computation for every rule, used whenever the
 * specialised fast evaluator does not recognise the input as a plain valid case (and in tests as the oracle).
 */
export function referenceHundredths(leaf: CompiledLeaf, input: LeafInput, surveyScore?: SurveyScore): number {
  const rule = leaf.rule;
  if (rule === null) throw new ScoringFrameworkError(`leaf ${leaf.code}.rule`, 'the leaf has no rule to evaluate');
  if (input === null || input === undefined || typeof input !== 'object') {
    if (rule.kind !== K_SURVEY) throw new ScoringInputError('input', 'missing', 'input must be an object');
    input = {};
  }
  switch (rule.kind) {
    case K_MANUAL: {
      const p = input.points;
      if (p === undefined || p === null) throw missing('input.points', 'manual');
      if (typeof p !== 'number' || !Number.isFinite(p)) {
        throw new ScoringInputError('input.points', 'invalid_type', `input.points must be a finite number (got ${describe(p)})`);
      }
      if (p < 0 || p > leaf.maxPoints) {
        throw new ScoringInputError('input.points', 'out_of_range', `input.points must be between 0 and ${leaf.maxPoints} (got ${p})`);
      }
      const h = hundredthsOfNumber(p);
      const steps = h / rule.stepH; // exact test: see roundDiv in exact.ts for why a correctly rounded quotient of
      if (steps !== Math.floor(steps)) { // integers below 2^50 is an integer only when the division is exact (NaN fails too)
        throw new ScoringInputError(
          'input.points',
          'not_multiple_of_step',
          `input.points must be a multiple of ${rule.stepH / 100} (got ${p})`,
        );
      }
      return h;
    }
    case K_BINARY: {
      const v = input.value;
      if (v === undefined || v === null) throw missing('input.value', 'binary');
      if (typeof v !== 'boolean') throw new ScoringInputError('input.value', 'invalid_type', `input.value must be true or false (got ${describe(v)})`);
      return v ? leaf.maxH : 0;
    }
    case K_OPTIONS: {
      const o = input.option;
      if (o === undefined || o === null) throw missing('input.option', 'options');
      const codes = rule.optCodes;
      for (let i = 0; i < codes.length; i++) if (codes[i] === o) return rule.optH[i] as number;
      throw new ScoringInputError(
        'input.option',
        'unknown_option',
        `input.option ${describe(o)} is not one of ${codes.map((c) => `"${c}"`).join(', ')}`,
      );
    }
    case K_TIERED: {
      const i = tierIndex(rule, input, leaf.naAllowed);
      return i >= 0 ? (rule.tierH[i] as number) : i === TIER_OTHERWISE ? rule.otherwiseH : NOT_APPLICABLE;
    }
    case K_PROPORTIONAL:
      return proportionalH(rule, leaf.maxH, input, leaf.naAllowed);
    case K_SURVEY:
      return surveyH(leaf.maxH, surveyScore);
    /* c8 ignore next 2 */
    default:
      throw new ScoringFrameworkError(`leaf ${leaf.code}.rule`, `unknown rule ${ruleName(rule)}`);
  }
}

// ------------------------------------------------------------------------------------ fast evaluators

const FAST_INT = 2 ** 31; // counts, numerators, denominators below this keep every product a safe integer

function makeFastEvaluator(leaf: CompiledLeaf): LeafEvaluator {
  const rule = leaf.rule;
  const slow: LeafEvaluator = (input, score) => referenceHundredths(leaf, input, score);
  if (rule === null) return slow;
  const maxH = leaf.maxH;
  const maxPoints = leaf.maxPoints;
  switch (rule.kind) {
    case K_MANUAL: {
      const stepH = rule.stepH;
      return (input, score) => {
        const p = input.points;
        if (typeof p === 'number' && p >= 0 && p <= maxPoints) {
          const h = Math.round(p * 100);
          if (h / 100 === p) {
            const steps = h / stepH;
            if (steps === Math.floor(steps)) return h + 0; // + 0: -0 → 0
          }
        }
        return slow(input, score);
      };
    }
    case K_BINARY:
      return (input, score) => {
        const v = input.value;
        return v === true ? maxH : v === false ? 0 : slow(input, score);
      };
    case K_OPTIONS: {
      const codes = rule.optCodes;
      const hs = rule.optH;
      const n = codes.length;
      return (input, score) => {
        const o = input.option;
        for (let i = 0; i < n; i++) if (codes[i] === o) return hs[i] as number;
        return slow(input, score);
      };
    }
    case K_TIERED: {
      const ops = rule.ops;
      const bounds = rule.bounds;
      const tierH = rule.tierH;
      const otherwiseH = rule.otherwiseH;
      const nt = ops.length;
      const pick = (x: number): number => {
        for (let i = 0; i < nt; i++) {
          const b = bounds[i] as number;
          const op = ops[i] as number;
          if (op === OP_GTE ? x >= b : op === OP_GT ? x > b : op === OP_LTE ? x <= b : x < b) return tierH[i] as number;
        }
        return otherwiseH;
      };
      if (rule.input === IN_PERCENT) {
        return (input, score) => {
          const p = input.percent;
          return typeof p === 'number' && p >= 0 && p <= 100 ? pick(p) : slow(input, score);
        };
      }
      if (rule.input === IN_COUNT) {
        return (input, score) => {
          const c = input.count;
          return typeof c === 'number' && c >= 0 && c < FAST_INT && c === Math.floor(c) ? pick(c) : slow(input, score);
        };
      }
      // Ratio: compare 100·n·10^k with B·d (bound = B / 10^k) when every bound fits the fast path.
      const boundN = rule.boundN;
      const boundP = rule.boundP;
      // With n, d < 2^31: 100·n·10^k < 2^53 needs 10^k ≤ 10^4, and B·d < 2^53 needs |B| ≤ 4·10^6.
      if (boundN.some((b) => !(Math.abs(b) <= 4_000_000)) || boundP.some((b) => !(b <= 10_000))) return slow;
      return (input, score) => {
        const n = input.numerator;
        const d = input.denominator;
        if (typeof n === 'number' && typeof d === 'number' && n >= 0 && n <= d && d > 0 && d < FAST_INT && n === Math.floor(n) && d === Math.floor(d)) {
          const n100 = 100 * n;
          for (let i = 0; i < nt; i++) {
            const lhs = n100 * (boundP[i] as number);
            const rhs = (boundN[i] as number) * d;
            const op = ops[i] as number;
            if (op === OP_GTE ? lhs >= rhs : op === OP_GT ? lhs > rhs : op === OP_LTE ? lhs <= rhs : lhs < rhs) return tierH[i] as number;
          }
          return otherwiseH;
        }
        return slow(input, score);
      };
    }
    case K_PROPORTIONAL: {
      const lower = rule.lower;
      if (rule.input === IN_PERCENT) {
        // p/100 = n6 / 10^8 with n6 = p·10^6 exactly (see fastScale); maxH ≤ 10^9 keeps maxH·n6 below 2^53.
        if (maxH > 10_000_000) return slow;
        return (input, score) => {
          const p = input.percent;
          if (typeof p === 'number' && p >= 0 && p <= 100) {
            const n6 = Math.round(p * 1e6);
            if (n6 / 1e6 === p) return roundDiv(maxH * (lower ? 1e8 - n6 : n6), 1e8);
          }
          return slow(input, score);
        };
      }
      if (maxH > 1_000_000) return slow;
      return (input, score) => {
        const n = input.numerator;
        const d = input.denominator;
        if (typeof n === 'number' && typeof d === 'number' && n >= 0 && n <= d && d > 0 && d < FAST_INT && n === Math.floor(n) && d === Math.floor(d)) {
          return roundDiv(maxH * (lower ? d - n : n), d);
        }
        return slow(input, score);
      };
    }
    case K_SURVEY:
      if (maxH > 10_000_000) return slow;
      return (input, score) => {
        if (typeof score === 'number') {
          if (score >= 0 && score <= 1) {
            const n6 = Math.round(score * 1e6);
            if (n6 / 1e6 === score) return roundDiv(maxH * n6, 1e6);
          }
        } else if (typeof score === 'string') {
          const h = fractionStringH(maxH, score);
          if (h !== SLOW) return h;
        }
        return slow(input, score);
      };
    /* c8 ignore next 2 */
    default:
      return slow;
  }
}

// ------------------------------------------------------------------------------------ batch evaluator

// Operation of a leaf in a LeafBatch. The batch evaluator runs every leaf of a unit in one loop with one switch
// (no call per leaf, no closure) over per-framework arrays; each case is the fast evaluator of the same rule in
// makeFastEvaluator (same guards, same integer arithmetic), and anything else goes to referenceHundredths.
const B_SLOW = 0;
const B_MANUAL = 1;
const B_BINARY = 2;
const B_OPTIONS = 3;
const B_TIER_PERCENT = 4;
const B_TIER_COUNT = 5;
const B_TIER_RATIO = 6;
const B_PROP_PERCENT = 7;
const B_PROP_RATIO = 8;
const B_SURVEY = 9;

const NO_OPTIONS: readonly string[] = [];

/**
 * The leaves of a framework flattened into arrays for {@link LeafBatch.run}: an operation per leaf and its
 * parameters (tiers of leaf i are tier*[tierStart[i] .. tierStart[i + 1])). Built once per compiled framework.
 */
export class LeafBatch {
  readonly n: number;
  private readonly op: Uint8Array;
  private readonly maxH: Float64Array;
  private readonly maxPoints: Float64Array;
  /** manual: stepH; proportional: 1 for direction "lower", else 0. */
  private readonly param: Float64Array;
  private readonly tierStart: Int32Array;
  private readonly tierOp: Uint8Array;
  private readonly tierBound: Float64Array;
  private readonly tierBN: Float64Array;
  private readonly tierBP: Float64Array;
  private readonly tierH: Float64Array;
  private readonly otherwiseH: Float64Array;
  private readonly optCodes: (readonly string[])[];
  private readonly optH: (readonly number[])[];
  private readonly naAllowed: Uint8Array;

  constructor(readonly leaves: readonly CompiledLeaf[]) {
    const n = leaves.length;
    this.n = n;
    this.op = new Uint8Array(n);
    this.maxH = new Float64Array(n);
    this.maxPoints = new Float64Array(n);
    this.param = new Float64Array(n);
    this.tierStart = new Int32Array(n + 1);
    this.otherwiseH = new Float64Array(n);
    this.optCodes = new Array<readonly string[]>(n).fill(NO_OPTIONS);
    this.optH = new Array<readonly number[]>(n).fill(NO_NUMBERS);
    let nTiers = 0;
    for (const leaf of leaves) if (leaf.rule !== null && leaf.rule.kind === K_TIERED) nTiers += leaf.rule.ops.length;
    this.tierOp = new Uint8Array(nTiers);
    this.tierBound = new Float64Array(nTiers);
    this.tierBN = new Float64Array(nTiers);
    this.tierBP = new Float64Array(nTiers);
    this.tierH = new Float64Array(nTiers);
    let t = 0;
    for (let i = 0; i < n; i++) {
      const leaf = leaves[i] as CompiledLeaf;
      const rule = leaf.rule;
      const maxH = leaf.maxH;
      this.maxH[i] = maxH;
      this.maxPoints[i] = leaf.maxPoints;
      this.tierStart[i] = t;
      this.op[i] = B_SLOW;
      if (rule === null) continue;
      switch (rule.kind) {
        case K_MANUAL:
          this.op[i] = B_MANUAL;
          this.param[i] = rule.stepH;
          break;
        case K_BINARY:
          this.op[i] = B_BINARY;
          break;
        case K_OPTIONS:
          this.op[i] = B_OPTIONS;
          this.optCodes[i] = rule.optCodes;
          this.optH[i] = rule.optH;
          break;
        case K_TIERED: {
          const nt = rule.ops.length;
          for (let j = 0; j < nt; j++) {
            this.tierOp[t + j] = rule.ops[j] as number;
            this.tierBound[t + j] = rule.bounds[j] as number;
            this.tierBN[t + j] = rule.boundN[j] as number;
            this.tierBP[t + j] = rule.boundP[j] as number;
            this.tierH[t + j] = rule.tierH[j] as number;
          }
          t += nt;
          this.otherwiseH[i] = rule.otherwiseH;
          if (rule.input === IN_PERCENT) this.op[i] = B_TIER_PERCENT;
          else if (rule.input === IN_COUNT) this.op[i] = B_TIER_COUNT;
          // Same range condition as the fast ratio evaluator (else every input takes the reference path).
          else if (!rule.boundN.some((b) => !(Math.abs(b) <= 4_000_000)) && !rule.boundP.some((b) => !(b <= 10_000))) this.op[i] = B_TIER_RATIO;
          break;
        }
        case K_PROPORTIONAL:
          this.param[i] = rule.lower ? 1 : 0;
          if (rule.input === IN_PERCENT) {
            if (maxH <= 10_000_000) this.op[i] = B_PROP_PERCENT;
          } else if (maxH <= 1_000_000) this.op[i] = B_PROP_RATIO;
          break;
        case K_SURVEY:
          if (maxH <= 10_000_000) this.op[i] = B_SURVEY;
          break;
      }
    }
    this.tierStart[n] = t;
    this.naAllowed = Uint8Array.from(leaves, (l) => (l.naAllowed ? 1 : 0));
  }

  /**
   * Points in integer hundredths of every leaf (or {@link NOT_APPLICABLE}) into `out`: the same values as
   * {@link leafHundredths} leaf by leaf, and the same errors, wrapped to name the criterion.
   */
  run(inputs: readonly (LeafInput | null | undefined)[], scores: readonly SurveyScore[] | null, out: Int32Array): void {
    const n = this.n;
    const op = this.op;
    const maxHs = this.maxH;
    const maxPoints = this.maxPoints;
    const param = this.param;
    const optCodes = this.optCodes;
    const optH = this.optH;
    const naAllowed = this.naAllowed;
    let i = 0;
    try {
      for (; i < n; i++) {
        const input = inputs[i] as LeafInput;
        const o = op[i] as number;
        // A survey leaf reads only its score (the reference evaluator ignores the input of a survey rule).
        if (o === B_SURVEY || (typeof input === 'object' && input !== null)) {
          switch (o) {
            case B_MANUAL: {
              const p = input.points;
              if (typeof p === 'number' && p >= 0 && p <= (maxPoints[i] as number)) {
                const h = Math.round(p * 100);
                if (h / 100 === p) {
                  const steps = h / (param[i] as number);
                  if (steps === Math.floor(steps)) {
                    out[i] = h;
                    continue;
                  }
                }
              }
              break;
            }
            case B_BINARY: {
              const v = input.value;
              if (v === true) {
                out[i] = maxHs[i] as number;
                continue;
              }
              if (v === false) {
                out[i] = 0;
                continue;
              }
              break;
            }
            case B_OPTIONS: {
              const opt = input.option;
              const codes = optCodes[i] as readonly string[];
              let j = 0;
              while (j < codes.length && codes[j] !== opt) j++;
              if (j < codes.length) {
                out[i] = (optH[i] as readonly number[])[j] as number;
                continue;
              }
              break;
            }
            case B_TIER_PERCENT: {
              const p = input.percent;
              if (typeof p === 'number' && p >= 0 && p <= 100) {
                out[i] = this.pick(i, p);
                continue;
              }
              break;
            }
            case B_TIER_COUNT: {
              const c = input.count;
              if (typeof c === 'number' && c >= 0 && c < FAST_INT && c === Math.floor(c)) {
                out[i] = this.pick(i, c);
                continue;
              }
              break;
            }
            case B_TIER_RATIO: {
              const nu = input.numerator;
              const d = input.denominator;
              if (typeof nu === 'number' && typeof d === 'number' && nu >= 0 && nu <= d && d > 0 && d < FAST_INT && nu === Math.floor(nu) && d === Math.floor(d)) {
                out[i] = this.pickRatio(i, nu, d);
                continue;
              }
              if (nu === 0 && d === 0 && naAllowed[i] === 1) {
                out[i] = NOT_APPLICABLE; // 0/0: nothing arose
                continue;
              }
              break;
            }
            case B_PROP_PERCENT: {
              const p = input.percent;
              if (typeof p === 'number' && p >= 0 && p <= 100) {
                const n6 = Math.round(p * 1e6);
                if (n6 / 1e6 === p) {
                  out[i] = roundDiv((maxHs[i] as number) * (param[i] === 1 ? 1e8 - n6 : n6), 1e8);
                  continue;
                }
              }
              break;
            }
            case B_PROP_RATIO: {
              const nu = input.numerator;
              const d = input.denominator;
              if (typeof nu === 'number' && typeof d === 'number' && nu >= 0 && nu <= d && d > 0 && d < FAST_INT && nu === Math.floor(nu) && d === Math.floor(d)) {
                out[i] = roundDiv((maxHs[i] as number) * (param[i] === 1 ? d - nu : nu), d);
                continue;
              }
              if (nu === 0 && d === 0 && naAllowed[i] === 1) {
                out[i] = NOT_APPLICABLE;
                continue;
              }
              break;
            }
            case B_SURVEY: {
              const score = scores === null ? undefined : scores[i];
              if (typeof score === 'number') {
                if (score >= 0 && score <= 1) {
                  const n6 = Math.round(score * 1e6);
                  if (n6 / 1e6 === score) {
                    out[i] = roundDiv((maxHs[i] as number) * n6, 1e6);
                    continue;
                  }
                }
              } else if (typeof score === 'string') {
                if (parseFastFraction(score)) {
                  out[i] = mulDivRound(maxHs[i] as number, fracN, fracD);
                  continue;
                }
              } else if (score === null || score === undefined) {
                out[i] = NOT_APPLICABLE; // no responses
                continue;
              }
              break;
            }
          }
        }
        out[i] = referenceHundredths(this.leaves[i] as CompiledLeaf, input, scores === null ? undefined : scores[i]);
      }
    } catch (e) {
      if (e instanceof ScoringInputError) {
        const code = (this.leaves[i] as CompiledLeaf).code;
        throw new ScoringInputError(e.field, e.code, `criterion ${code}: ${e.message}`, code);
      }
      throw e;
    }
  }

  /** First tier of leaf i whose bound holds for x (percent or count), else the leaf's otherwise points. */
  private pick(i: number, x: number): number {
    const ops = this.tierOp;
    const bounds = this.tierBound;
    for (let t = this.tierStart[i] as number, end = this.tierStart[i + 1] as number; t < end; t++) {
      const b = bounds[t] as number;
      const op = ops[t] as number;
      if (op === OP_GTE ? x >= b : op === OP_GT ? x > b : op === OP_LTE ? x <= b : x < b) return this.tierH[t] as number;
    }
    return this.otherwiseH[i] as number;
  }

  /** Same for the percent 100·n/d, compared exactly as 100·n·10^k against B·d (bound = B / 10^k). */
  private pickRatio(i: number, nu: number, d: number): number {
    const ops = this.tierOp;
    const n100 = 100 * nu;
    for (let t = this.tierStart[i] as number, end = this.tierStart[i + 1] as number; t < end; t++) {
      const lhs = n100 * (this.tierBP[t] as number);
      const rhs = (this.tierBN[t] as number) * d;
      const op = ops[t] as number;
      if (op === OP_GTE ? lhs >= rhs : op === OP_GT ? lhs > rhs : op === OP_LTE ? lhs <= rhs : lhs < rhs) return this.tierH[t] as number;
    }
    return this.otherwiseH[i] as number;
  }
}

function asCompiled(leaf: LeafDef | CompiledLeaf): CompiledLeaf {
  return leaf instanceof CompiledLeaf ? leaf : compileLeaf(leaf);
}

/** Lean evaluator returning points (2 decimals) or null for "not applicable". */
export function scoreLeaf(leaf: LeafDef | CompiledLeaf, input: LeafInput, ctx?: LeafContext): number | null {
  const h = leafHundredths(asCompiled(leaf), input, ctx?.surveyScore);
  return h === NOT_APPLICABLE ? null : h / 100;
}

/** Returns the first problem with `input` for this leaf, or null when the input is valid. */
export function validateLeafInput(leaf: LeafDef | CompiledLeaf, input: LeafInput, ctx?: LeafContext): ScoringInputError | null {
  try {
    leafHundredths(asCompiled(leaf), input, ctx?.surveyScore);
    return null;
  } catch (e) {
    if (e instanceof ScoringInputError) return e;
    throw e;
  }
}

/**
 * Evaluates one leaf (SPEC §4): its points with 2 decimals and a one-line explanation, or not_applicable.
 * Throws {@link ScoringInputError} for an input outside the rule's domain (never clamps) and
 * {@link ScoringFrameworkError} for an invalid leaf definition.
 */
export function evaluateLeaf(leaf: LeafDef | CompiledLeaf, input: LeafInput, ctx?: LeafContext): LeafResult {
  const cl = asCompiled(leaf);
  const h = leafHundredths(cl, input, ctx?.surveyScore);
  const rule = cl.rule as CompiledRule;
  if (h === NOT_APPLICABLE) {
    const reason =
      rule.kind === K_SURVEY
        ? `survey ${(rule.def as { surveyCode: string }).surveyCode}: no responses for this unit`
        : `${input.numerator}/${input.denominator}: denominator 0 (nothing arose, "không phát sinh") and the criterion allows N/A`;
    return { status: 'not_applicable', reason };
  }
  return { status: 'scored', points: h / 100, explanation: explain(cl, rule, input, ctx, h) };
}

function explain(leaf: CompiledLeaf, rule: CompiledRule, input: LeafInput, ctx: LeafContext | undefined, h: number): string {
  const pts = formatHundredths(h);
  const max = formatHundredths(leaf.maxH);
  switch (rule.kind) {
    case K_MANUAL:
      return `manual: ${input.points} (multiple of ${formatHundredths(rule.stepH)}, 0–${max}) → ${pts}`;
    case K_BINARY:
      return `binary: ${input.value ? 'yes (có)' : 'no (không)'} → ${pts} of ${max}`;
    case K_OPTIONS: {
      const def = rule.def as { options: { code: string; label: string }[] };
      const opt = def.options.find((o) => o.code === input.option);
      return `options: ${input.option}${opt?.label ? ` "${opt.label}"` : ''} → ${pts}`;
    }
    case K_TIERED: {
      const i = tierIndex(rule, input, leaf.naAllowed);
      const subject =
        rule.input === IN_RATIO
          ? `${input.numerator}/${input.denominator} = ${formatQuotient(100 * (input.numerator as number), input.denominator as number)}%`
          : rule.input === IN_PERCENT
            ? `${input.percent}%`
            : `count ${input.count}`;
      if (i >= 0) return `tiered: ${subject} ${OP_SYMBOLS[rule.ops[i] as number]} ${rule.bounds[i]} (tier ${i + 1}) → ${pts}`;
      return `tiered: ${subject} meets no tier → otherwise ${pts}`;
    }
    case K_PROPORTIONAL: {
      // points = max × fraction; in hundredths maxH × num / den, shown as maxH·num / (100·den).
      let frac: string;
      let num: number | bigint;
      let den: number | bigint;
      if (rule.input === IN_RATIO) {
        const n = input.numerator as number;
        const d = input.denominator as number;
        frac = `${n}/${d}`;
        num = rule.lower ? d - n : n;
        den = d;
      } else {
        const p = input.percent as number;
        frac = `${p}/100`;
        const k = fastScale(p);
        if (k >= 0) {
          const scale = 100 * (POW10[k] as number);
          const n = Math.round(p * (POW10[k] as number));
          num = rule.lower ? scale - n : n;
          den = scale;
        } else {
          const q = bigRationalOfNumber(p);
          num = rule.lower ? 100n * q.d - q.n : q.n;
          den = 100n * q.d;
        }
      }
      const formula = rule.lower ? `${max} × (1 − ${frac})` : `${max} × ${frac}`;
      return `proportional (${rule.lower ? 'lower' : 'higher'} is better): ${formula} = ${exactValue(leaf.maxH, num, den)} → ${pts}`;
    }
    case K_SURVEY: {
      const score = ctx?.surveyScore;
      const def = rule.def as { surveyCode: string };
      let shown: string;
      let num: number | bigint;
      let den: number | bigint;
      const k = typeof score === 'number' ? fastScale(score) : -1;
      if (typeof score === 'string' && parseFastFraction(score)) {
        shown = score;
        num = fracN;
        den = fracD;
      } else if (k >= 0) {
        shown = String(score);
        num = Math.round((score as number) * (POW10[k] as number));
        den = POW10[k] as number;
      } else {
        const f = readSurveyScore(score) as Fraction;
        shown = f.toString();
        num = f.num;
        den = f.den;
      }
      return `survey ${def.surveyCode}: ${max} × ${shown} = ${exactValue(leaf.maxH, num, den)} → ${pts}`;
    }
    /* c8 ignore next 2 */
    default:
      return `→ ${pts}`;
  }
}

/**
 * The exact points maxH·num / (100·den) as a decimal (terminating within 6 decimals, else "≈…"), noting when the
 * half-up rounding to 2 decimals changed it.
 */
function exactValue(maxH: number, num: number | bigint, den: number | bigint): string {
  if (typeof num === 'number' && typeof den === 'number') {
    const n = maxH * num;
    const d = 100 * den;
    if (Number.isSafeInteger(n) && Number.isSafeInteger(d) && n * 100 <= MAX_SAFE) {
      const s = formatQuotient(n, d, 6);
      return n % den === 0 ? s : `${s} (half-up to 2 decimals)`; // maxH·num/den whole hundredths?
    }
  }
  const n = BigInt(maxH) * BigInt(num);
  const d = 100n * BigInt(den);
  const s = formatRational(n, d, 6);
  return (n * 100n) % d === 0n ? s : `${s} (half-up to 2 decimals)`;
}
