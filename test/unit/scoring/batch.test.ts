// The batch path (evaluateUnitLeaves → aggregateHundredths) must give exactly what the general path gives:
// leaf by leaf the reference evaluator (same points, same N/A, the same first error in framework order), and the
// same aggregated result as aggregateUnit. Random frameworks mix every rule type, including rules whose numbers
// are outside the fast range (they take the reference path inside the batch), and random inputs that are often
// valid (fast path) and often not (reference path, errors).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateHundredths,
  aggregateUnit,
  compileFramework,
  evaluateUnitLeaves,
  leafHundredths,
  MISSING_POINTS,
  NA_POINTS,
  NOT_APPLICABLE,
  ScoringInputError,
  type CompiledFramework,
  type CriterionNode,
  type LeafInput,
  type Rule,
  type ScoringFramework,
  type SurveyScore,
  type Tier,
} from '../../../src/scoring/index.js';
import { referenceHundredths } from '../../../src/scoring/leaf.js';

// ------------------------------------------------------------------------------------- generators

const boundArb = fc.oneof(
  fc.integer({ min: -10, max: 10_100 }).map((h) => h / 100),
  fc.integer({ min: 0, max: 12 }),
  fc.constantFrom(12.345, 100 / 3, 1e-7, 5e6, 0.5, 0.001),
);

const ruleArb = (maxH: number): fc.Arbitrary<Rule> => {
  const pts = fc.integer({ min: 0, max: maxH }).map((h) => h / 100);
  return fc.oneof(
    fc.constantFrom(0.25, 0.5, 0.01, 0.1, 0.05, 1).map((step): Rule => ({ type: 'manual', step })),
    fc.constant<Rule>({ type: 'binary' }),
    fc
      .tuple(pts, pts, pts)
      .map(([a, b, c]): Rule => ({ type: 'options', options: [{ code: 'A', label: 'a', points: a }, { code: 'B', label: 'b', points: b }, { code: 'C', label: 'c', points: c }] })),
    fc
      .tuple(
        fc.constantFrom('percent', 'ratio', 'count'),
        fc.array(fc.tuple(fc.constantFrom('gte', 'gt', 'lte', 'lt'), boundArb, pts), { minLength: 1, maxLength: 4 }),
        fc.option(pts, { nil: undefined }),
      )
      .map(([input, tiers, otherwise]): Rule => ({
        type: 'tiered',
        input: input as 'percent',
        tiers: tiers.map(([op, b, p]) => ({ [op]: b, points: p }) as Tier),
        ...(otherwise === undefined ? {} : { otherwise }),
      })),
    fc
      .tuple(fc.constantFrom('percent', 'ratio'), fc.constantFrom('higher', 'lower'))
      .map(([input, direction]): Rule => ({ type: 'proportional', input: input as 'percent', direction: direction as 'higher' })),
    fc.constant<Rule>({ type: 'survey', surveyCode: 'S', questionCodes: ['Q'] }),
  );
};

// Leaf max in hundredths: usual values, and values beyond the fast ranges (1e6 for ratios, 1e7 for percents and
// surveys) so that the batch's choice of "no fast operation" is exercised too.
const maxHArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(1_000_000, 1_000_001, 10_000_000, 10_000_001, 50_000_000) },
);

const leafArb = fc.tuple(maxHArb.chain((maxH) => fc.tuple(fc.constant(maxH), ruleArb(maxH))), fc.boolean());

/** A framework of 1–3 areas (the last may be a bonus or penalty area) with 1–6 leaves each. */
const frameworkArb: fc.Arbitrary<ScoringFramework> = fc
  .tuple(fc.array(fc.array(leafArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }), fc.constantFrom('regular', 'bonus', 'penalty'))
  .map(([areas, lastKind]) => ({
    bonusCap: 1,
    penaltyCap: 2,
    bands: [
      { code: 'A', minIndex: 80 },
      { code: 'B', minIndex: 50 },
    ],
    criteria: areas.map((leaves, a): CriterionNode => {
      const children = leaves.map(([[maxH, rule], naAllowed], l): CriterionNode => ({
        code: `${a + 1}.${l + 1}`,
        maxPoints: maxH / 100,
        naAllowed,
        rule,
        ...(rule.type === 'survey' ? { source: 'survey' as const } : {}),
      }));
      const sumH = leaves.reduce((s, [[maxH]]) => s + maxH, 0);
      return { code: String(a + 1), maxPoints: sumH / 100, kind: a > 0 && a === areas.length - 1 ? (lastKind as 'regular') : 'regular', children };
    }),
  }));

/** Arbitrary values for any input field: valid, borderline and wrong (types, NaN, ±0, huge, strings). */
const anyNumArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -200, max: 20_000 }).map((h) => h / 100),
  fc.integer({ min: -5, max: 1_000_000 }),
  fc.double(),
  fc.constantFrom(0, -0, 100, 100.0001, 1e-7, 100 / 3, 2 ** 31, 2 ** 31 - 1, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '5', null, undefined, true),
);

/** Inputs that are mostly well-formed for some rule (so the fast operations run), mixed with arbitrary ones. */
const inputArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 40 }).map((q) => ({ points: q / 4 })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1_000 }).map((h) => ({ points: h / 100 })) },
  { weight: 2, arbitrary: fc.boolean().map((value) => ({ value })) },
  { weight: 2, arbitrary: fc.constantFrom('A', 'B', 'C').map((option) => ({ option })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 10_000 }).map((h) => ({ percent: h / 100 })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map((n) => ({ percent: n / 10_000 })) },
  { weight: 1, arbitrary: fc.constantFrom(0, 12.345, 33.3333333, 1e-7, 90, 70, 100).map((percent) => ({ percent })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1_000 }).chain((d) => fc.integer({ min: 0, max: d }).map((n) => ({ numerator: n, denominator: d }))) },
  { weight: 1, arbitrary: fc.constantFrom({ numerator: 0, denominator: 0 }, { numerator: 1, denominator: 0 }, { numerator: -0, denominator: 0 }, { numerator: 2 ** 31 - 1, denominator: 2 ** 31 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 12 }).map((count) => ({ count })) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 5, 'x', true, {}) },
  {
    weight: 2,
    // Just outside a domain (or at its edge), and numbers that are not plain decimals.
    arbitrary: fc.constantFrom(
      { percent: 100.5 },
      { percent: 100.0001 },
      { percent: -0.01 },
      { percent: -0 },
      { percent: 1e-9 },
      { percent: 99.9999999 },
      { points: -0.25 },
      { points: 0.3 },
      { points: 1e-9 },
      { count: -1 },
      { count: 1.5 },
      { count: 2 ** 31 },
      { numerator: 3, denominator: 2 },
      { numerator: 1.5, denominator: 3 },
      { numerator: 2 ** 31, denominator: 2 ** 31 },
      { numerator: -1, denominator: 4 },
      { value: 1 },
      { value: 'true' },
      { option: 'a' },
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      { points: anyNumArb, value: fc.oneof(fc.boolean(), anyNumArb), option: fc.constantFrom('A', 'B', 'C', 'Z', '', 1), percent: anyNumArb, numerator: anyNumArb, denominator: anyNumArb, count: anyNumArb },
      { requiredKeys: [] },
    ),
  },
);

/** p/q in [0, 1] with up to 15 digits each: parsed on the fast path, max × p beyond 2^53 (exact BigInt division). */
const largeFractionArb = fc
  .bigInt({ min: 1n, max: 10n ** 15n - 1n })
  .chain((q) => fc.bigInt({ min: 0n, max: q }).map((p) => `${p}/${q}`));

const scoreArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, 'abc', '3/0', '-1/2', ' 1/2', '1e-3', '0.5', '1', '1/1', '', '/3', '3/', Number.NaN, -0, 1, 0, true),
  fc.double({ min: -0.5, max: 1.5 }),
  fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_000),
  fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 10_000_000),
  fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 1_000 })).map(([p, q]) => `${p}/${q}`),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 20n })).map(([p, q]) => `${p}/${q}`),
  largeFractionArb,
);

/** An input (and survey score) that is well-formed for the rule: mostly the fast operations' domain. */
const validFor = (rule: Rule, maxH: number): fc.Arbitrary<[unknown, unknown]> => {
  switch (rule.type) {
    case 'manual': {
      const stepH = Math.round((rule.step ?? 0.25) * 100);
      return fc.integer({ min: 0, max: Math.floor(maxH / stepH) }).map((k) => [{ points: (k * stepH) / 100 }, undefined]);
    }
    case 'binary':
      return fc.boolean().map((value) => [{ value }, undefined]);
    case 'options':
      return fc.constantFrom('A', 'B', 'C').map((option) => [{ option }, undefined]);
    case 'tiered': {
      if (rule.input === 'count') return fc.integer({ min: 0, max: 20 }).map((count) => [{ count }, undefined]);
      // Exactly on a tier bound (as a percent, or as a ratio 100·n/d), where gte/gt and lte/lt differ.
      const onBounds = rule.tiers.map((t) => (t.gte ?? t.gt ?? t.lte ?? t.lt) as number).filter((b) => b >= 0 && b <= 100);
      const onBound: fc.Arbitrary<[unknown, unknown]> = fc.tuple(fc.constantFrom(...onBounds, 0), fc.integer({ min: 1, max: 30 })).map(([b, m]) => {
        if (rule.input === 'percent') return [{ percent: b }, undefined];
        const k = String(b).split('.')[1]?.length ?? 0; // b = B / 10^k
        const scale = 10 ** k;
        return [{ numerator: Math.round(b * scale) * m, denominator: 100 * scale * m }, undefined];
      });
      // Otherwise percent and ratio inputs as for a proportional rule.
      const general = validFor({ type: 'proportional', input: rule.input as 'percent', direction: 'higher' }, maxH);
      return onBounds.length > 0 ? fc.oneof(onBound, general) : general;
    }
    case 'proportional':
      return rule.input === 'percent'
        ? fc
            .oneof(
              fc.integer({ min: 0, max: 10_000 }).map((h) => h / 100),
              fc.integer({ min: 0, max: 100_000_000 }).map((n) => n / 1e6),
              fc.integer({ min: 0, max: 12 }), // on integer tier bounds
            )
            .map((percent) => [{ percent }, undefined])
        : fc
            .oneof(
              fc.integer({ min: 0, max: 2 ** 31 - 1 }),
              // 100·n/d often a whole or 2-decimal percent: lands on tier bounds (equality cases).
              fc.constantFrom(1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 200, 400, 1000, 10_000),
            )
            .chain((d) => fc.integer({ min: 0, max: d }).map((n): [unknown, unknown] => [{ numerator: n, denominator: d }, undefined]))
            .chain((x) => fc.constantFrom<[unknown, unknown]>(x, x, x, [{ numerator: 0, denominator: 0 }, undefined])); // 0/0: N/A or an error
    case 'survey':
      return fc.oneof(
        fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1e6),
        fc.integer({ min: 1, max: 10 ** 9 }).chain((q) => fc.integer({ min: 0, max: q }).map((p) => `${p}/${q}`)),
        largeFractionArb,
        // max × p/q within ±1/q of a half-hundredth: the half-up rounding must be exact, not a float's.
        fc
          .tuple(fc.bigInt({ min: 10n ** 12n, max: 10n ** 15n - 1n }), fc.integer({ min: 0, max: Math.max(0, maxH - 1) }), fc.integer({ min: -1, max: 1 }))
          .map(([q, k, e]) => {
            if (maxH === 0) return '0/1';
            const p = ((2n * BigInt(k) + 1n) * q) / (2n * BigInt(maxH)) + BigInt(e);
            return `${p < 0n ? 0n : p > q ? q : p}/${q}`;
          }),
        fc.constantFrom(null, undefined),
      ).map((score) => [{}, score]);
  }
};

/** Rule and max (hundredths) of each leaf of a framework, in the order of compiled leaves. */
function leafRules(fw: ScoringFramework): (readonly [Rule, number])[] {
  const cf = compileFramework(fw);
  const byCode = new Map(fw.criteria.flatMap((a) => a.children ?? []).map((c) => [c.code, c.rule as Rule]));
  return cf.compiledLeaves.map((l) => [byCode.get(l.code) as Rule, l.maxH] as const);
}

/**
 * A framework and a batch of inputs and survey scores (or null) aligned with its leaves: each leaf gets a
 * well-formed input for its rule (4 in 5) or an arbitrary, often invalid, one.
 */
const caseArb = frameworkArb.chain((fw) =>
  fc.tuple(
    fc.constant(fw),
    fc.tuple(
      ...leafRules(fw).map(([rule, maxH]) =>
        fc.oneof({ weight: 4, arbitrary: validFor(rule, maxH) }, { weight: 1, arbitrary: fc.tuple(inputArb, scoreArb) }),
      ),
    ),
    fc.boolean(),
  ).map(([f, cases, noScores]) => [f, cases.map((c) => c[0]), noScores ? null : cases.map((c) => c[1])] as const),
);

// ------------------------------------------------------------------------------------------ oracles

type Outcome = { points: number[] } | { error: { field: string; code: string; criterionCode: string | undefined; message: string } };

function errorOf(e: unknown): Outcome {
  if (!(e instanceof ScoringInputError)) throw e;
  return { error: { field: e.field, code: e.code, criterionCode: e.criterionCode, message: e.message } };
}

/** Leaf by leaf in framework order with a single-leaf evaluator; the first rejected input ends the unit. */
function leafByLeaf(cf: CompiledFramework, inputs: unknown[], scores: unknown[] | null, evaluate: typeof referenceHundredths): Outcome {
  const points: number[] = [];
  for (let i = 0; i < cf.compiledLeaves.length; i++) {
    const leaf = cf.compiledLeaves[i]!;
    try {
      points.push(evaluate(leaf, inputs[i] as LeafInput, (scores === null ? undefined : scores[i]) as SurveyScore));
    } catch (e) {
      if (!(e instanceof ScoringInputError)) throw e;
      return { error: { field: e.field, code: e.code, criterionCode: leaf.code, message: `criterion ${leaf.code}: ${e.message}` } };
    }
  }
  return { points };
}

function batch(cf: CompiledFramework, inputs: unknown[], scores: unknown[] | null, out?: Int32Array): Outcome {
  try {
    return { points: Array.from(evaluateUnitLeaves(cf, inputs as LeafInput[], scores as SurveyScore[] | null, out)) };
  } catch (e) {
    return errorOf(e);
  }
}

// -------------------------------------------------------------------------------------------- tests

describe('batch evaluation (evaluateUnitLeaves) ≡ the reference evaluator, leaf by leaf', () => {
  it('same points, N/A and first error (field, code, criterion, message) for random frameworks and inputs', () => {
    let scored = 0;
    let rejected = 0;
    fc.assert(
      fc.property(caseArb, ([fw, inputs, scores]) => {
        const cf = compileFramework(fw);
        const want = leafByLeaf(cf, inputs, scores, referenceHundredths);
        expect(batch(cf, inputs, scores)).toEqual(want);
        // The single-leaf fast evaluators agree too (they are what scoreLeaf / evaluateLeaf use).
        expect(leafByLeaf(cf, inputs, scores, leafHundredths)).toEqual(want);
        // A dirty reused buffer makes no difference.
        expect(batch(cf, inputs, scores, new Int32Array(cf.leaves.length).fill(-3))).toEqual(want);
        if ('points' in want) scored++;
        else rejected++;
      }),
      { numRuns: 3000 },
    );
    // Both outcomes are well represented (the generators are not degenerate).
    expect(scored).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });

  it('valid inputs of every rule type: same points as the reference (mostly on the fast operations)', () => {
    fc.assert(
      fc.property(
        frameworkArb.chain((fw) => fc.tuple(fc.constant(fw), fc.tuple(...leafRules(fw).map(([rule, maxH]) => validFor(rule, maxH))))),
        ([fw, cases]) => {
          const cf = compileFramework(fw);
          const inputs = cases.map((c) => c[0]);
          const scores = cases.map((c) => c[1]);
          expect(batch(cf, inputs, scores)).toEqual(leafByLeaf(cf, inputs, scores, referenceHundredths));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('batch aggregation (aggregateHundredths) ≡ aggregateUnit', () => {
  const statesArb = (n: number) =>
    fc.array(
      fc.oneof({ weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom('na', 'missing', 0, 1) }),
      { minLength: n, maxLength: n },
    );
  it('same result (every field, areas, items, trace) from an Int32Array, a plain array and a finalPoints record', () => {
    fc.assert(
      fc.property(
        frameworkArb.chain((fw) => fc.tuple(fc.constant(fw), statesArb(compileFramework(fw).leaves.length))),
        ([fw, states]) => {
          const cf = compileFramework(fw);
          const pts = cf.compiledLeaves.map((l, i) => {
            const s = states[i];
            return s === 'na' ? NA_POINTS : s === 'missing' ? MISSING_POINTS : Math.round((s as number) * l.maxH);
          });
          const finalPoints: Record<string, number> = {};
          const notApplicable: string[] = [];
          cf.compiledLeaves.forEach((l, i) => {
            const h = pts[i] as number;
            if (h === NA_POINTS) notApplicable.push(l.code);
            else if (h !== MISSING_POINTS) finalPoints[l.code] = h / 100;
          });
          const want = JSON.stringify(aggregateUnit(cf, { finalPoints, notApplicable }));
          const buf = Int32Array.from(pts);
          const fromTyped = aggregateHundredths(cf, buf);
          buf.fill(0); // the result owns its data
          expect(JSON.stringify(fromTyped)).toBe(want);
          expect(JSON.stringify(aggregateHundredths(cf, pts))).toBe(want);
          expect(JSON.stringify(aggregateHundredths(cf, Float64Array.from(pts)))).toBe(want);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rejects the same malformed entries from an Int32Array as from a plain array', () => {
    const cf = compileFramework({
      bonusCap: 0,
      penaltyCap: 0,
      bands: [],
      criteria: [{ code: '1', maxPoints: 3, children: [{ code: '1.1', maxPoints: 1 }, { code: '1.2', maxPoints: 2 }] }],
    });
    for (const bad of [[101, 0], [0, 201], [-3, 0], [0, -4], [2 ** 31 - 1, 0], [-(2 ** 31), 0]]) {
      const a = (() => {
        try {
          aggregateHundredths(cf, bad);
          return null;
        } catch (e) {
          return errorOf(e);
        }
      })();
      const b = (() => {
        try {
          aggregateHundredths(cf, Int32Array.from(bad));
          return null;
        } catch (e) {
          return errorOf(e);
        }
      })();
      expect(a).not.toBeNull();
      expect(b).toEqual(a);
    }
    expect(NOT_APPLICABLE).toBe(NA_POINTS); // the batch evaluator's N/A is the aggregator's N/A entry
  });
});
