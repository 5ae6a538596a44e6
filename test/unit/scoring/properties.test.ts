// Property-based tests (fast-check). Oracles are independent of the engine: decimal.js for arithmetic,
// direct counting for ranks, and the reference evaluator for the specialised fast evaluators.

import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateUnit,
  compileFramework,
  compileLeaf,
  compareVietnamese,
  evaluateLeaf,
  leafHundredths,
  rankGroup,
  ScoringInputError,
  type CriterionNode,
  type LeafInput,
  type Rule,
  type ScoringFramework,
  type SurveyScore,
  type Tier,
  type UnitResult,
} from '../../../src/scoring/index.js';
import { referenceHundredths } from '../../../src/scoring/leaf.js';

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });
const runs = { numRuns: 300 };

// ------------------------------------------------------------------------------------- generators

interface Spec {
  regular: number[][]; // leaf max in hundredths, per regular area
  bonus: number[]; // leaf max in hundredths (may be empty: no bonus area)
  penalty: number[];
  bonusCapH: number;
  penaltyCapH: number;
  capIndexAt100: boolean;
}
type LeafState = { kind: 'points'; h: number } | { kind: 'missing' } | { kind: 'na' };

const specArb: fc.Arbitrary<Spec> = fc.record({
  regular: fc.array(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
  bonus: fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 3 }),
  penalty: fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 3 }),
  bonusCapH: fc.integer({ min: 0, max: 600 }),
  penaltyCapH: fc.integer({ min: 0, max: 600 }),
  capIndexAt100: fc.boolean(),
});

interface LeafInfo {
  code: string;
  maxH: number;
  kind: 'regular' | 'bonus' | 'penalty';
}

function leavesOf(spec: Spec): LeafInfo[] {
  const out: LeafInfo[] = [];
  spec.regular.forEach((area, a) => area.forEach((maxH, l) => out.push({ code: `R${a}.${l}`, maxH, kind: 'regular' })));
  spec.bonus.forEach((maxH, l) => out.push({ code: `B.${l}`, maxH, kind: 'bonus' }));
  spec.penalty.forEach((maxH, l) => out.push({ code: `P.${l}`, maxH, kind: 'penalty' }));
  return out;
}

function frameworkOf(spec: Spec, notApplicableScoring: 'rebase' | 'full_points' = 'rebase'): ScoringFramework {
  const area = (code: string, leafCodes: string, maxes: number[], kind?: 'bonus' | 'penalty'): CriterionNode => ({
    code,
    maxPoints: maxes.reduce((s, h) => s + h, 0) / 100,
    ...(kind ? { kind } : {}),
    children: maxes.map((h, l) => ({ code: `${leafCodes}.${l}`, maxPoints: h / 100 })),
  });
  const criteria = spec.regular.map((maxes, a) => area(`R${a}`, `R${a}`, maxes));
  if (spec.bonus.length) criteria.push(area('B', 'B', spec.bonus, 'bonus'));
  if (spec.penalty.length) criteria.push(area('P', 'P', spec.penalty, 'penalty'));
  return {
    bonusCap: spec.bonusCapH / 100,
    penaltyCap: spec.penaltyCapH / 100,
    capIndexAt100: spec.capIndexAt100,
    notApplicableScoring,
    bands: [
      { code: 'XS', minIndex: 90 },
      { code: 'TOT', minIndex: 80 },
      { code: 'KHA', minIndex: 70 },
      { code: 'TB', minIndex: 50 },
      { code: 'YEU', minIndex: 0 },
    ],
    criteria,
  };
}

const stateArb = (maxH: number): fc.Arbitrary<LeafState> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: maxH }).map((h): LeafState => ({ kind: 'points', h })) },
    { weight: 1, arbitrary: fc.constant<LeafState>({ kind: 'missing' }) },
    { weight: 1, arbitrary: fc.constant<LeafState>({ kind: 'na' }) },
  );

const caseArb = specArb.chain((spec) => {
  const leaves = leavesOf(spec);
  return fc.tuple(fc.constant(spec), fc.tuple(...leaves.map((l) => stateArb(l.maxH))));
});

function unitOf(spec: Spec, states: readonly LeafState[]) {
  const leaves = leavesOf(spec);
  const finalPoints: Record<string, number> = {};
  const notApplicable: string[] = [];
  leaves.forEach((l, i) => {
    const s = states[i] as LeafState;
    if (s.kind === 'points') finalPoints[l.code] = s.h / 100;
    else if (s.kind === 'na') notApplicable.push(l.code);
  });
  return { finalPoints, notApplicable };
}

/**
 * Independent oracle: SPEC §4 written with decimal.js. With `naFull`, a regular N/A leaf counts as full points
 * (points and max); N/A in bonus and penalty areas always counts nothing.
 */
function oracle(spec: Spec, states: readonly LeafState[], naFull = false) {
  const leaves = leavesOf(spec);
  let reg = new D(0);
  let max = new D(0);
  let bonus = new D(0);
  let penalty = new D(0);
  leaves.forEach((l, i) => {
    const s = states[i] as LeafState;
    if (s.kind === 'na' && !(naFull && l.kind === 'regular')) return;
    const p = s.kind === 'points' ? new D(s.h).div(100) : s.kind === 'na' ? new D(l.maxH).div(100) : new D(0);
    if (l.kind === 'regular') {
      reg = reg.plus(p);
      max = max.plus(new D(l.maxH).div(100));
    } else if (l.kind === 'bonus') bonus = bonus.plus(p);
    else penalty = penalty.plus(p);
  });
  const b = D.min(bonus, new D(spec.bonusCapH).div(100));
  const pe = D.min(penalty, new D(spec.penaltyCapH).div(100));
  const total = D.max(reg.plus(b).minus(pe), 0);
  let index: number | null = null;
  if (max.gt(0)) {
    let idx = total.div(max).mul(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    if (spec.capIndexAt100 && idx.gt(100)) idx = new D(100);
    index = idx.toNumber();
  }
  return { total: total.toNumber(), max: max.toNumber(), index };
}

const H = (x: number) => Math.round(x * 100); // 2-decimal engine output → integer hundredths

// ------------------------------------------------------------------------------------ aggregation

describe('aggregation properties', () => {
  it('matches an independent decimal.js implementation of SPEC §4', () => {
    fc.assert(
      fc.property(caseArb, ([spec, states]) => {
        const r = aggregateUnit(frameworkOf(spec), unitOf(spec, states));
        expect({ total: r.total, max: r.max, index: r.index }).toEqual(oracle(spec, states));
      }),
      { numRuns: 500 },
    );
  });

  it('with notApplicableScoring "full_points", matches the decimal.js oracle (N/A = full points in regular areas)', () => {
    fc.assert(
      fc.property(caseArb, ([spec, states]) => {
        const r = aggregateUnit(frameworkOf(spec, 'full_points'), unitOf(spec, states));
        expect({ total: r.total, max: r.max, index: r.index }).toEqual(oracle(spec, states, true));
      }),
      { numRuns: 500 },
    );
  });

  it('with "full_points", N/A on a regular leaf scores exactly like its full points, so it never lowers the index', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ([spec, states], pick) => {
        const leaves = leavesOf(spec);
        const regular = leaves.map((_l, i) => i).filter((i) => leaves[i]?.kind === 'regular');
        const j = regular[pick % regular.length] as number;
        const fw = compileFramework(frameworkOf(spec, 'full_points'));
        const scoredAny = aggregateUnit(fw, unitOf(spec, states));
        const na = aggregateUnit(fw, unitOf(spec, states.map((x, i) => (i === j ? { kind: 'na' } : x))));
        const full = aggregateUnit(fw, unitOf(spec, states.map((x, i) => (i === j ? { kind: 'points', h: (leaves[j] as LeafInfo).maxH } : x))));
        expect({ total: na.total, max: na.max, index: na.index, areas: na.areas }).toEqual({ total: full.total, max: full.max, index: full.index, areas: full.areas });
        if (states[j]?.kind !== 'na') expect(na.index as number).toBeGreaterThanOrEqual(scoredAny.index as number);
        expect(na.items[j]).toMatchObject({ notApplicable: true, points: (leaves[j] as LeafInfo).maxH / 100 });
      }),
      { numRuns: 300 },
    );
  });

  it('marking one leaf N/A never changes the other leaves’ points', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ([spec, states], pick) => {
        const fw = compileFramework(frameworkOf(spec));
        const before = aggregateUnit(fw, unitOf(spec, states));
        const j = pick % states.length;
        const after = aggregateUnit(fw, unitOf(spec, states.map((s, i) => (i === j ? { kind: 'na' } : s))));
        before.items.forEach((item, i) => {
          if (i !== j) expect(after.items[i]).toEqual(item);
        });
        expect(after.items[j]?.notApplicable).toBe(true);
      }),
      runs,
    );
  });

  // "N/A never lowers an index" is false in general: a leaf scored above the unit's average lowers the
  // average when it leaves. With T = total and M = max before, and a regular leaf with points p of max m,
  // the index after is (T − p)/(M − m) (before rounding, cap and floor), and
  //     (T − p)/(M − m) ≥ T/M  ⇔  M(T − p) ≥ T(M − m)  ⇔  p·M ≤ T·m  ⇔  p/m ≤ T/M.
  // Half-up rounding, the cap at 100 and the floor at 0 are monotone, so they keep the inequality. The invariant
  // tested: N/A on a regular leaf whose score fraction p/m is at most the unit's exact T/M never lowers the index
  // (and one above it never raises it). In particular N/A never lowers the index compared with scoring the leaf 0.
  it('N/A on a regular leaf with p/m ≤ total/max never lowers the index (and p/m ≥ total/max never raises it)', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ([spec, states], pick) => {
        const leaves = leavesOf(spec);
        const candidates = leaves.map((_l, i) => i).filter((i) => leaves[i]?.kind === 'regular' && states[i]?.kind !== 'na');
        fc.pre(candidates.length > 0);
        const j = candidates[pick % candidates.length] as number;
        const fw = compileFramework(frameworkOf(spec));
        const before = aggregateUnit(fw, unitOf(spec, states));
        const leaf = leaves[j] as LeafInfo;
        fc.pre(H(before.max) - leaf.maxH > 0); // some regular max must remain, or the index becomes null
        const s = states[j] as LeafState;
        const p = s.kind === 'points' ? s.h : 0;
        const after = aggregateUnit(fw, unitOf(spec, states.map((x, i) => (i === j ? { kind: 'na' } : x))));
        const lhs = p * H(before.max); // p·M, in hundredths²
        const rhs = H(before.total) * leaf.maxH; // T·m
        if (lhs <= rhs) expect(after.index as number).toBeGreaterThanOrEqual(before.index as number);
        if (lhs >= rhs) expect(after.index as number).toBeLessThanOrEqual(before.index as number);
      }),
      { numRuns: 500 },
    );
  });

  it('the naive claim fails: N/A on a full-score leaf lowers an index below 100 (worked example)', () => {
    // A.1 4/4, A.2 1/6 → 5/10 = 50%. A.1 N/A → 1/6 = 16.67%. p/m = 1 > T/M = 0.5.
    const fw: ScoringFramework = {
      bonusCap: 0,
      penaltyCap: 0,
      bands: [],
      criteria: [{ code: 'A', maxPoints: 10, children: [{ code: 'A.1', maxPoints: 4 }, { code: 'A.2', maxPoints: 6 }] }],
    };
    expect(aggregateUnit(fw, { finalPoints: { 'A.1': 4, 'A.2': 1 }, notApplicable: [] }).index).toBe(50);
    expect(aggregateUnit(fw, { finalPoints: { 'A.2': 1 }, notApplicable: ['A.1'] }).index).toBe(16.67);
  });

  it('N/A on a penalty leaf never lowers the index; on a bonus leaf never raises it', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ([spec, states], pick) => {
        const leaves = leavesOf(spec);
        const candidates = leaves.map((_l, i) => i).filter((i) => leaves[i]?.kind !== 'regular');
        fc.pre(candidates.length > 0);
        const j = candidates[pick % candidates.length] as number;
        const fw = compileFramework(frameworkOf(spec));
        const before = aggregateUnit(fw, unitOf(spec, states));
        const after = aggregateUnit(fw, unitOf(spec, states.map((x, i) => (i === j ? { kind: 'na' } : x))));
        if (before.index === null) expect(after.index).toBeNull();
        else if (leaves[j]?.kind === 'penalty') expect(after.index as number).toBeGreaterThanOrEqual(before.index);
        else expect(after.index as number).toBeLessThanOrEqual(before.index);
      }),
      runs,
    );
  });

  it('results are consistent: total ≤ regular + bonus cap, index from total/max, areas sum to the regular part', () => {
    fc.assert(
      fc.property(caseArb, ([spec, states]) => {
        const r: UnitResult = aggregateUnit(frameworkOf(spec), unitOf(spec, states));
        const regular = r.areas.filter((a) => a.kind === 'regular');
        expect(regular.reduce((s, a) => s + H(a.points), 0)).toBe(H(r.regularPoints));
        expect(regular.reduce((s, a) => s + H(a.max), 0)).toBe(H(r.max));
        expect(H(r.total)).toBe(Math.max(0, H(r.regularPoints) + H(r.bonus) - H(r.penalty)));
        expect(r.bonus).toBeLessThanOrEqual(spec.bonusCapH / 100);
        expect(r.penalty).toBeLessThanOrEqual(spec.penaltyCapH / 100);
        if (r.index !== null && spec.capIndexAt100) expect(r.index).toBeLessThanOrEqual(100);
        expect(r.trace.length).toBeGreaterThan(leavesOf(spec).length);
      }),
      runs,
    );
  });
});

// ------------------------------------------------------------------------------------- monotonicity

/** Tiers for "higher is better": gte/gt bounds non-increasing top-down with non-increasing points. */
const higherTiersArb = (maxH: number) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom('gte', 'gt'), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: maxH })), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: maxH }),
    )
    .map(([raw, other]) => {
      const bounds = raw.map((t) => t[1]).sort((a, b) => b - a);
      const pts = raw.map((t) => t[2]).sort((a, b) => b - a);
      const tiers = raw.map((t, i) => ({ [t[0]]: (bounds[i] as number) / 100, points: (pts[i] as number) / 100 }) as Tier);
      return { tiers, otherwise: Math.min(other, pts.at(-1) as number) / 100 };
    });

/** Tiers for "lower is better": lte/lt bounds non-decreasing top-down with non-increasing points. */
const lowerTiersArb = (maxH: number) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom('lte', 'lt'), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: maxH })), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: maxH }),
    )
    .map(([raw, other]) => {
      const bounds = raw.map((t) => t[1]).sort((a, b) => a - b);
      const pts = raw.map((t) => t[2]).sort((a, b) => b - a);
      const tiers = raw.map((t, i) => ({ [t[0]]: (bounds[i] as number) / 100, points: (pts[i] as number) / 100 }) as Tier);
      return { tiers, otherwise: Math.min(other, pts.at(-1) as number) / 100 };
    });

const pctPair = fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 })).map(([a, b]) => [Math.min(a, b) / 100, Math.max(a, b) / 100] as const);
const maxHArb = fc.integer({ min: 1, max: 1000 });

describe('monotone rules', () => {
  /** Index of a unit where leaf X (the rule under test) sits beside a fixed leaf Y and a bonus. */
  function indexWith(rule: Rule, maxH: number, input: LeafInput, otherH: number, yH: number, bonusH: number): number | null {
    const x = evaluateLeaf({ code: 'X', maxPoints: maxH / 100, rule, naAllowed: true }, input);
    const fw: ScoringFramework = {
      bonusCap: 1,
      penaltyCap: 0,
      capIndexAt100: false,
      bands: [],
      criteria: [
        { code: 'A', maxPoints: (maxH + yH) / 100, children: [{ code: 'X', maxPoints: maxH / 100, rule }, { code: 'Y', maxPoints: yH / 100 }] },
        { code: 'B', kind: 'bonus', maxPoints: 1, children: [{ code: 'B.1', maxPoints: 1 }] },
      ],
    };
    const finalPoints: Record<string, number> = { Y: Math.min(otherH, yH) / 100, 'B.1': bonusH / 100 };
    if (x.status === 'scored') finalPoints.X = x.points;
    return aggregateUnit(fw, { finalPoints, notApplicable: x.status === 'scored' ? [] : ['X'] }).index;
  }

  it('tiered percent, higher-is-better tiers: raising the input never lowers the points or the index', () => {
    fc.assert(
      fc.property(maxHArb, maxHArb.chain((m) => higherTiersArb(m).map((t) => [m, t] as const)), pctPair, fc.nat(1000), fc.nat(100), (yH, [maxH, t], [lo, hi], other, bonus) => {
        const rule: Rule = { type: 'tiered', input: 'percent', tiers: t.tiers, otherwise: t.otherwise };
        const l = { code: 'X', maxPoints: maxH / 100, rule };
        const a = evaluateLeaf(l, { percent: lo });
        const b = evaluateLeaf(l, { percent: hi });
        if (a.status !== 'scored' || b.status !== 'scored') throw new Error('not scored');
        expect(b.points).toBeGreaterThanOrEqual(a.points);
        expect(indexWith(rule, maxH, { percent: hi }, other, yH, bonus) as number).toBeGreaterThanOrEqual(indexWith(rule, maxH, { percent: lo }, other, yH, bonus) as number);
      }),
      runs,
    );
  });

  it('tiered ratio, higher-is-better tiers: a larger numerator (same denominator) never lowers the points', () => {
    fc.assert(
      fc.property(
        maxHArb.chain((m) => higherTiersArb(m).map((t) => [m, t] as const)),
        fc.integer({ min: 1, max: 5000 }).chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d }))),
        ([maxH, t], [d, n1, n2]) => {
          const l = { code: 'X', maxPoints: maxH / 100, rule: { type: 'tiered', input: 'ratio', tiers: t.tiers, otherwise: t.otherwise } as Rule };
          const [lo, hi] = [Math.min(n1, n2), Math.max(n1, n2)];
          expect(leafHundredths(compileLeaf(l), { numerator: hi, denominator: d })).toBeGreaterThanOrEqual(leafHundredths(compileLeaf(l), { numerator: lo, denominator: d }));
        },
      ),
      runs,
    );
  });

  it('tiered percent, lower-is-better tiers: raising the input never raises the points', () => {
    fc.assert(
      fc.property(maxHArb.chain((m) => lowerTiersArb(m).map((t) => [m, t] as const)), pctPair, ([maxH, t], [lo, hi]) => {
        const cl = compileLeaf({ code: 'X', maxPoints: maxH / 100, rule: { type: 'tiered', input: 'percent', tiers: t.tiers, otherwise: t.otherwise } });
        expect(leafHundredths(cl, { percent: hi })).toBeLessThanOrEqual(leafHundredths(cl, { percent: lo }));
      }),
      runs,
    );
  });

  it('proportional higher: raising the percent never lowers the points or the index; lower: never raises the points', () => {
    fc.assert(
      fc.property(maxHArb, pctPair, maxHArb, fc.nat(1000), fc.nat(100), (maxH, [lo, hi], yH, other, bonus) => {
        const higher: Rule = { type: 'proportional', input: 'percent', direction: 'higher' };
        const lower: Rule = { type: 'proportional', input: 'percent', direction: 'lower' };
        const h = compileLeaf({ code: 'X', maxPoints: maxH / 100, rule: higher });
        const l = compileLeaf({ code: 'X', maxPoints: maxH / 100, rule: lower });
        expect(leafHundredths(h, { percent: hi })).toBeGreaterThanOrEqual(leafHundredths(h, { percent: lo }));
        expect(leafHundredths(l, { percent: hi })).toBeLessThanOrEqual(leafHundredths(l, { percent: lo }));
        expect(indexWith(higher, maxH, { percent: hi }, other, yH, bonus) as number).toBeGreaterThanOrEqual(indexWith(higher, maxH, { percent: lo }, other, yH, bonus) as number);
      }),
      runs,
    );
  });
});

// ---------------------------------------------------------------------------------------- arithmetic

describe('exact arithmetic against decimal.js', () => {
  it('proportional percent (up to 4 decimals): max × p/100 half-up', () => {
    fc.assert(
      fc.property(maxHArb, fc.integer({ min: 0, max: 1_000_000 }), fc.boolean(), (maxH, p4, lower) => {
        const percent = p4 / 10_000; // 0 … 100 with up to 4 decimals
        const max = new D(maxH).div(100);
        const frac = new D(p4).div(1_000_000);
        const want = (lower ? max.mul(new D(1).minus(frac)) : max.mul(frac)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
        const l = { code: 'X', maxPoints: maxH / 100, rule: { type: 'proportional', input: 'percent', direction: lower ? 'lower' : 'higher' } as Rule };
        expect(evaluateLeaf(l, { percent })).toMatchObject({ points: want });
      }),
      { numRuns: 1000 },
    );
  });

  it('proportional ratio: max × n/d half-up', () => {
    fc.assert(
      fc.property(maxHArb, fc.integer({ min: 1, max: 1_000_000 }).chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 0, max: d }))), fc.boolean(), (maxH, [d, n], lower) => {
        // Divided once, last, as in the survey case below: n/d rounded to 20 digits first can turn an exact half
        // into …49999 and the reference would round the wrong way.
        const want = new D(maxH).mul(lower ? d - n : n).div(new D(100).mul(d)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
        const l = { code: 'X', maxPoints: maxH / 100, rule: { type: 'proportional', input: 'ratio', direction: lower ? 'lower' : 'higher' } as Rule };
        expect(evaluateLeaf(l, { numerator: n, denominator: d })).toMatchObject({ points: want });
      }),
      { numRuns: 1000 },
    );
  });

  it('tiered ratio compares 100·n/d with the bound exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }).chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 0, max: d }))), fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('gte', 'gt', 'lte', 'lt'), ([d, n], b3, op) => {
        const bound = b3 / 1000; // up to 3 decimals
        const pct = new D(n).mul(100).div(d);
        const c = pct.cmp(bound);
        const holds = op === 'gte' ? c >= 0 : op === 'gt' ? c > 0 : op === 'lte' ? c <= 0 : c < 0;
        const l = { code: 'X', maxPoints: 1, rule: { type: 'tiered', input: 'ratio', tiers: [{ [op]: bound, points: 1 } as Tier] } as Rule };
        expect(evaluateLeaf(l, { numerator: n, denominator: d })).toMatchObject({ points: holds ? 1 : 0 });
      }),
      { numRuns: 1000 },
    );
  });

  it('survey leaf: a product exactly on the half rounds up (3.24 × 5/24 = 0.675 → 0.68)', () => {
    const l = { code: 'S', maxPoints: 3.24, rule: { type: 'survey', surveyCode: 'S', dimensionCode: 'D' } as Rule };
    expect(evaluateLeaf(l, {}, { surveyScore: '5/24' })).toMatchObject({ points: 0.68 });
  });

  it('survey leaf: max × p/q half-up', () => {
    fc.assert(
      fc.property(maxHArb, fc.integer({ min: 1, max: 10_000_000 }).chain((q) => fc.tuple(fc.integer({ min: 0, max: q }), fc.constant(q))), (maxH, [p, q]) => {
        // One division, last: dividing p/q first rounds it to 20 digits, and 3.24 × 5/24 (exactly 0.675, so 0.68)
        // came out as 0.67499… → 0.67 in the reference while the engine was right (fast-check seed -471631221).
        const want = new D(maxH).mul(p).div(new D(100).mul(q)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
        const l = { code: 'S', maxPoints: maxH / 100, rule: { type: 'survey', surveyCode: 'S', dimensionCode: 'D' } as Rule };
        expect(evaluateLeaf(l, {}, { surveyScore: `${p}/${q}` })).toMatchObject({ points: want });
      }),
      { numRuns: 1000 },
    );
  });
});

// ------------------------------------------------------------------ fast evaluator ≡ reference evaluator

const numArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -200, max: 20_000 }).map((h) => h / 100),
  fc.integer({ min: -5, max: 1_000_000 }),
  fc.double(),
  fc.constantFrom(0, -0, 100, 100.0001, 1e-7, 100 / 3, 2 ** 31, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '5', null, true),
);
const scoreArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, 'abc', '3/0', '-1/2', ' 1/2', '1e-3', '0.5', '1', '1/1', Number.NaN),
  fc.double({ min: -0.5, max: 1.5 }),
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_000),
  fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 1_000 })).map(([p, q]) => `${p}/${q}`),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 20n })).map(([p, q]) => `${p}/${q}`),
);
const inputArb = fc.record(
  { points: numArb, value: fc.oneof(fc.boolean(), numArb), option: fc.constantFrom('A', 'B', 'C', 'Z', '', 1), percent: numArb, numerator: numArb, denominator: numArb, count: numArb },
  { requiredKeys: [] },
) as fc.Arbitrary<LeafInput>;

const boundArb = fc.oneof(fc.integer({ min: -10, max: 10_100 }).map((h) => h / 100), fc.constantFrom(12.345, 100 / 3, 1e-7, 5e6, 0.5));
const ruleArb = (maxH: number): fc.Arbitrary<Rule> => {
  const pts = fc.integer({ min: 0, max: maxH }).map((h) => h / 100);
  return fc.oneof(
    fc.constantFrom(0.25, 0.5, 0.01, 0.1, 0.05).map((step): Rule => ({ type: 'manual', step })),
    fc.constant<Rule>({ type: 'binary' }),
    fc.tuple(pts, pts, pts).map(([a, b, c]): Rule => ({ type: 'options', options: [{ code: 'A', label: 'a', points: a }, { code: 'B', label: 'b', points: b }, { code: 'C', label: 'c', points: c }] })),
    fc
      .tuple(fc.constantFrom('percent', 'ratio', 'count'), fc.array(fc.tuple(fc.constantFrom('gte', 'gt', 'lte', 'lt'), boundArb, pts), { minLength: 1, maxLength: 4 }), pts)
      .map(([input, tiers, otherwise]): Rule => ({ type: 'tiered', input: input as 'percent', tiers: tiers.map(([op, b, p]) => ({ [op]: b, points: p }) as Tier), otherwise })),
    fc.tuple(fc.constantFrom('percent', 'ratio'), fc.constantFrom('higher', 'lower')).map(([input, direction]): Rule => ({ type: 'proportional', input: input as 'percent', direction: direction as 'higher' })),
    fc.constant<Rule>({ type: 'survey', surveyCode: 'S', questionCodes: ['Q'] }),
  );
};

type Outcome = { value: number } | { error: string };
function outcome(fn: () => number): Outcome {
  try {
    return { value: fn() };
  } catch (e) {
    if (e instanceof ScoringInputError) return { error: `${e.field} ${e.code}` };
    throw e;
  }
}

describe('the specialised fast evaluator equals the reference evaluator', () => {
  it('same points or the same error (field and code) for arbitrary, often invalid, inputs', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(20_000_000, 100_000_000)).chain((maxH) => fc.tuple(fc.constant(maxH), ruleArb(maxH), fc.boolean())),
        inputArb,
        scoreArb,
        ([maxH, rule, naAllowed], input, score) => {
          const leaf = compileLeaf({ code: 'X', maxPoints: maxH / 100, rule, naAllowed });
          const fast = outcome(() => leafHundredths(leaf, input, score as SurveyScore));
          const ref = outcome(() => referenceHundredths(leaf, input, score as SurveyScore));
          expect(fast).toEqual(ref);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

// -------------------------------------------------------------------------------------------- ranking

describe('ranking properties', () => {
  const names = ['Phường An Hòa', 'Phường Ấp Bắc', 'Phường Bình Minh', 'Phường Đông Hải', 'Phường Dương Đông', 'Xã Ăn', 'Xã Ao', 'Xã Ân Phú'];
  const rowsArb = fc
    .array(
      fc.tuple(fc.constantFrom(...names), fc.option(fc.constantFrom(0, 49.99, 50, 83.33, 89.58, 89.59, 100), { nil: null })),
      { maxLength: 25 },
    )
    .map((xs) => xs.map(([unitName, index], i) => ({ unitCode: `U${i}`, unitName, index })));

  it('ranks are a permutation consistent with the indices (competition ranking), ties in collation order', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const ranked = rankGroup(rows);
        // A permutation of the input.
        expect(ranked.map((r) => r.unitCode).sort()).toEqual(rows.map((r) => r.unitCode).sort());
        for (const r of ranked) {
          const orig = rows.find((x) => x.unitCode === r.unitCode);
          expect(r.index).toBe(orig?.index);
          if (r.index === null) expect(r.rank).toBeNull();
          // rank = 1 + number of units with a strictly greater index
          else expect(r.rank).toBe(1 + rows.filter((x) => x.index !== null && x.index > (r.index as number)).length);
        }
        for (const a of ranked) {
          for (const b of ranked) {
            if (a.index === null || b.index === null) continue;
            if (a.index > b.index) expect(a.rank as number).toBeLessThan(b.rank as number);
            if (a.index === b.index) expect(a.rank).toBe(b.rank);
          }
        }
        // Listing order: by rank (nulls last), then by name in Vietnamese collation, then code.
        for (let i = 1; i < ranked.length; i++) {
          const p = ranked[i - 1] as (typeof ranked)[number];
          const c = ranked[i] as (typeof ranked)[number];
          const pr = p.rank ?? Number.POSITIVE_INFINITY;
          const cr = c.rank ?? Number.POSITIVE_INFINITY;
          expect(pr).toBeLessThanOrEqual(cr);
          if (pr === cr) {
            const byName = compareVietnamese(p.unitName, c.unitName);
            expect(byName).toBeLessThanOrEqual(0);
            if (byName === 0) expect(p.unitCode < c.unitCode).toBe(true);
          }
        }
      }),
      runs,
    );
  });
});
