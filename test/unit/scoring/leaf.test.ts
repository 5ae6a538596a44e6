// Leaf rules (SPEC §4), table-driven. Every expected value is worked out by hand in the table or its comment.

import { describe, expect, it } from 'vitest';
import {
  compileLeaf,
  evaluateLeaf,
  Fraction,
  leafHundredths,
  NOT_APPLICABLE,
  scoreLeaf,
  validateLeafInput,
  type Rule,
  type Tier,
} from '../../../src/scoring/index.js';
import { expectInputError, frameworkError, leaf, points } from './helpers.js';

// ------------------------------------------------------------------------------------------- tiered

describe('tiered (percent): every boundary at 70/80/90/100 for gte, gt, lte, lt', () => {
  // One tier { <op>: b, points: 1 }, otherwise 0. For inputs b − 0.01, b, b + 0.01 the bound holds:
  //   gte: no, yes, yes     gt: no, no, yes     lte: yes, yes, no     lt: yes, no, no
  const truth = {
    gte: [0, 1, 1],
    gt: [0, 0, 1],
    lte: [1, 1, 0],
    lt: [1, 0, 0],
  } as const;
  const rows: [keyof typeof truth, number, number, number][] = [];
  for (const op of ['gte', 'gt', 'lte', 'lt'] as const) {
    for (const b of [70, 80, 90, 100]) {
      const inputs = [Math.round((b - 0.01) * 100) / 100, b, Math.round((b + 0.01) * 100) / 100];
      inputs.forEach((p, k) => {
        if (p <= 100) rows.push([op, b, p, truth[op][k] as number]);
      });
    }
  }

  it('has 4 ops × 4 bounds × 3 inputs, minus the 4 inputs above 100', () => {
    expect(rows).toHaveLength(44);
  });

  it.each(rows)('%s %d with percent %d → %d', (op, b, p, want) => {
    const tier = { [op]: b, points: 1 } as Tier;
    expect(points(leaf({ type: 'tiered', input: 'percent', tiers: [tier], otherwise: 0 }, 1), { percent: p })).toBe(want);
  });
});

describe('tiered (percent): worked frameworks', () => {
  // Cà Mau 2013, 1.1.4 (max 2): > 90 → 2; ≥ 70 → 1; otherwise 0.
  const caMau = leaf({ type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 });
  it.each([
    [100, 2],
    [90.01, 2],
    [90, 1], // not > 90, but ≥ 70
    [89.99, 1],
    [70, 1],
    [69.99, 0],
    [0, 0],
  ])('Cà Mau: %d%% → %d', (p, want) => {
    expect(points(caMau, { percent: p })).toBe(want);
  });

  // "từ 80% đến dưới 100%" = gte 80 and lt 100: tiers top-down [≥ 100 → 2, ≥ 80 → 1], otherwise 0.
  const from80below100 = leaf({ type: 'tiered', input: 'percent', tiers: [{ gte: 100, points: 2 }, { gte: 80, points: 1 }], otherwise: 0 });
  it.each([
    [100, 2],
    [99.99, 1],
    [80, 1],
    [79.99, 0],
  ])('80 ≤ p < 100 band: %d%% → %d', (p, want) => {
    expect(points(from80below100, { percent: p })).toBe(want);
  });

  // Lower is better (e.g. late dossiers): < 1 → 2; < 5 → 1; ≤ 10 → 0.5; otherwise 0.
  const lowerBetter = leaf({
    type: 'tiered',
    input: 'percent',
    tiers: [{ lt: 1, points: 2 }, { lt: 5, points: 1 }, { lte: 10, points: 0.5 }],
    otherwise: 0,
  });
  it.each([
    [0, 2],
    [0.99, 2],
    [1, 1],
    [4.99, 1],
    [5, 0.5],
    [10, 0.5],
    [10.01, 0],
    [100, 0],
  ])('lower is better: %d%% → %d', (p, want) => {
    expect(points(lowerBetter, { percent: p })).toBe(want);
  });

  it('percent 0 and 100 are inside the domain', () => {
    expect(points(leaf({ type: 'tiered', input: 'percent', tiers: [{ gte: 0, points: 1 }] }, 1), { percent: 0 })).toBe(1);
    expect(points(leaf({ type: 'tiered', input: 'percent', tiers: [{ lte: 0, points: 1 }] }, 1), { percent: 0 })).toBe(1);
    expect(points(leaf({ type: 'tiered', input: 'percent', tiers: [{ lte: 0, points: 1 }] }, 1), { percent: 0.01 })).toBe(0);
    expect(points(leaf({ type: 'tiered', input: 'percent', tiers: [{ gt: 99.99, points: 1 }] }, 1), { percent: 100 })).toBe(1);
    expect(points(leaf({ type: 'tiered', input: 'percent', tiers: [{ gte: 100, points: 1 }] }, 1), { percent: 100 })).toBe(1);
  });

  it('first matching tier wins, top-down (not the best one)', () => {
    // ≥ 50 → 0.5 is listed first, so 95% gets 0.5 even though ≥ 90 → 1 would also hold.
    const l = leaf({ type: 'tiered', input: 'percent', tiers: [{ gte: 50, points: 0.5 }, { gte: 90, points: 1 }] }, 1);
    expect(points(l, { percent: 95 })).toBe(0.5);
  });

  it('otherwise defaults to 0', () => {
    expect(points(leaf({ type: 'tiered', input: 'percent', tiers: [{ gte: 50, points: 1 }] }, 1), { percent: 10 })).toBe(0);
  });

  it.each([
    [{ percent: 100.01 }, 'out_of_range'],
    [{ percent: 101 }, 'out_of_range'],
    [{ percent: -0.01 }, 'out_of_range'],
    [{ percent: Number.NaN }, 'invalid_type'],
    [{ percent: Number.POSITIVE_INFINITY }, 'invalid_type'],
    [{ percent: '90' as unknown as number }, 'invalid_type'],
    [{}, 'missing'],
    [{ numerator: 9, denominator: 10 }, 'missing'], // a percent rule reads only `percent`
  ])('rejects %j (%s), never clamps', (input, code) => {
    expectInputError(() => evaluateLeaf(caMau, input), 'input.percent', code);
  });

  it('explains the tier that matched', () => {
    expect(evaluateLeaf(caMau, { percent: 92.5 })).toEqual({ status: 'scored', points: 2, explanation: 'tiered: 92.5% > 90 (tier 1) → 2' });
    expect(evaluateLeaf(caMau, { percent: 12 })).toEqual({ status: 'scored', points: 0, explanation: 'tiered: 12% meets no tier → otherwise 0' });
  });
});

describe('tiered (ratio): numerator/denominator compared as an exact percent', () => {
  const caMau = leaf({ type: 'tiered', input: 'ratio', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 }, 2, true);
  it.each([
    [37, 40, 2], // 92.5% > 90
    [36, 40, 1], // 90% exactly: not > 90, ≥ 70
    [28, 40, 1], // 70% exactly
    [27, 40, 0], // 67.5%
    [40, 40, 2], // 100%
    [0, 40, 0], // 0%
    [9, 10, 1], // 90%
    [91, 100, 2], // 91%
  ])('%d/%d → %d', (n, d, want) => {
    expect(points(caMau, { numerator: n, denominator: d })).toBe(want);
  });

  it.each([
    // Binary floating point gets these wrong: 29/100*100 = 28.999999999999996, 7/100*100 = 7.000000000000001,
    // 57/100*100 = 56.99999999999999. Exactly they are 29, 7 and 57.
    [29, 100, { gte: 29 }, 1],
    [7, 100, { lte: 7 }, 1],
    [57, 100, { gte: 57 }, 1],
    [7, 100, { lt: 7 }, 0],
    // 2/3 = 66.666…%: < 66.67 holds, ≥ 66.67 does not; 1/3 = 33.333…% ≥ 33.33 holds, > 33.34 does not.
    [2, 3, { lt: 66.67 }, 1],
    [2, 3, { gte: 66.67 }, 0],
    [1, 3, { gte: 33.33 }, 1],
    [1, 3, { gt: 33.34 }, 0],
    // 1/8 = 12.5% exactly (bound with 1 decimal).
    [1, 8, { gte: 12.5 }, 1],
    [1, 8, { gt: 12.5 }, 0],
    // Beyond the fast integer range: 2^40 / 2^41 = 50% exactly; (2^41 − 1) / 2^42 is just below 50%.
    [2 ** 40, 2 ** 41, { gte: 50 }, 1],
    [2 ** 41 - 1, 2 ** 42, { gte: 50 }, 0],
  ] as [number, number, Partial<Tier>, number][])('%d/%d against %j → %d', (n, d, bound, want) => {
    const l = leaf({ type: 'tiered', input: 'ratio', tiers: [{ ...bound, points: 1 } as Tier], otherwise: 0 }, 1);
    expect(points(l, { numerator: n, denominator: d })).toBe(want);
  });

  it('vector style lower-is-better ratio: < 2% → 2, ≤ 5% → 1', () => {
    const l = leaf({ type: 'tiered', input: 'ratio', tiers: [{ lt: 2, points: 2 }, { lte: 5, points: 1 }], otherwise: 0 });
    // 1/50 = 2% (not < 2, ≤ 5) → 1; 3/200 = 1.5% → 2; 5/100 = 5% → 1; 6/100 = 6% → 0; 1/51 ≈ 1.96% → 2.
    expect([
      points(l, { numerator: 1, denominator: 50 }),
      points(l, { numerator: 3, denominator: 200 }),
      points(l, { numerator: 5, denominator: 100 }),
      points(l, { numerator: 6, denominator: 100 }),
      points(l, { numerator: 1, denominator: 51 }),
    ]).toEqual([1, 2, 1, 0, 2]);
  });

  it('denominator 0 is N/A when naAllowed, a denominator_zero error otherwise', () => {
    expect(evaluateLeaf(caMau, { numerator: 0, denominator: 0 })).toMatchObject({ status: 'not_applicable' });
    const strict = leaf({ type: 'tiered', input: 'ratio', tiers: [{ gt: 90, points: 2 }] }, 2, false);
    expectInputError(() => evaluateLeaf(strict, { numerator: 0, denominator: 0 }), 'input.denominator', 'denominator_zero');
  });

  it.each([
    [{ numerator: 1.5, denominator: 3 }, 'input.numerator', 'not_integer'],
    [{ numerator: 3, denominator: 4.5 }, 'input.denominator', 'not_integer'],
    [{ numerator: 5, denominator: 4 }, 'input.numerator', 'out_of_range'], // numerator > denominator
    [{ numerator: 3, denominator: 0 }, 'input.numerator', 'out_of_range'], // 3 > 0, even with naAllowed
    [{ numerator: -1, denominator: 4 }, 'input.numerator', 'out_of_range'],
    [{ numerator: 1, denominator: -4 }, 'input.denominator', 'out_of_range'],
    [{ denominator: 4 }, 'input.numerator', 'missing'],
    [{ numerator: 4 }, 'input.denominator', 'missing'],
    [{ percent: 50 }, 'input.numerator', 'missing'],
    [{ numerator: '3' as unknown as number, denominator: 4 }, 'input.numerator', 'invalid_type'],
    [{ numerator: 2 ** 53, denominator: 2 ** 54 }, 'input.numerator', 'not_integer'], // not a safe integer
  ])('rejects %j: %s %s', (input, field, code) => {
    expectInputError(() => evaluateLeaf(caMau, input), field, code);
  });

  it('explains the exact percent of the ratio', () => {
    expect(evaluateLeaf(caMau, { numerator: 37, denominator: 40 })).toMatchObject({ explanation: 'tiered: 37/40 = 92.5% > 90 (tier 1) → 2' });
    expect(evaluateLeaf(caMau, { numerator: 2, denominator: 3 })).toMatchObject({ explanation: 'tiered: 2/3 = ≈66.6667% meets no tier → otherwise 0' });
  });
});

describe('tiered (count)', () => {
  const l = leaf({ type: 'tiered', input: 'count', tiers: [{ gte: 3, points: 1.5 }, { gte: 1, points: 0.5 }] }, 1.5);
  it.each([
    [0, 0],
    [1, 0.5],
    [2, 0.5],
    [3, 1.5],
    [1000, 1.5],
    [2 ** 40, 1.5], // beyond the fast range
  ])('count %d → %d', (c, want) => {
    expect(points(l, { count: c })).toBe(want);
  });

  it('count with lte tiers (fewer violations is better): ≤ 0 → 1, ≤ 2 → 0.5, else 0', () => {
    const v = leaf({ type: 'tiered', input: 'count', tiers: [{ lte: 0, points: 1 }, { lte: 2, points: 0.5 }], otherwise: 0 }, 1);
    expect([0, 1, 2, 3].map((c) => points(v, { count: c }))).toEqual([1, 0.5, 0.5, 0]);
  });

  it.each([
    [{ count: 2.5 }, 'not_integer'],
    [{ count: -1 }, 'out_of_range'],
    [{}, 'missing'],
    [{ count: Number.NaN }, 'invalid_type'],
  ])('rejects %j (%s)', (input, code) => {
    expectInputError(() => evaluateLeaf(l, input), 'input.count', code);
  });
});

// ------------------------------------------------------------------------------------- proportional

describe('proportional', () => {
  const higherPct = (max: number) => leaf({ type: 'proportional', input: 'percent', direction: 'higher' }, max);
  const lowerPct = (max: number) => leaf({ type: 'proportional', input: 'percent', direction: 'lower' }, max);
  const higherRatio = (max: number) => leaf({ type: 'proportional', input: 'ratio', direction: 'higher' }, max, true);
  const lowerRatio = (max: number) => leaf({ type: 'proportional', input: 'ratio', direction: 'lower' }, max, true);

  it.each([
    // max × p/100 (higher) or max × (1 − p/100) (lower), then half-up to 2 decimals:
    ['higher', 2, 33.5, 0.67], // 2 × 0.335 = 0.67
    ['higher', 2, 0, 0],
    ['higher', 2, 100, 2],
    ['lower', 2, 25, 1.5], // 2 × 0.75
    ['lower', 2, 100, 0],
    ['lower', 2, 0, 2],
    ['higher', 1.15, 50, 0.58], // 1.15 × 0.5 = 0.575 → 0.58 (binary floats give 0.57499… → 0.57)
    ['higher', 4.35, 50, 2.18], // 2.175 → 2.18 (floats: 2.17)
    ['higher', 8.15, 50, 4.08], // 4.075 → 4.08
    ['lower', 1.05, 50, 0.53], // 1.05 × 0.5 = 0.525 → 0.53
    ['higher', 1, 0.5, 0.01], // 0.005 → 0.01
    ['higher', 1, 0.49, 0], // 0.0049 → 0
    ['higher', 10, 0.05, 0.01], // 10 × 0.0005 = 0.005 → 0.01
    ['higher', 1, 0.005, 0], // 0.00005 → 0
    ['higher', 3, 12.345, 0.37], // 3 × 0.12345 = 0.37035 → 0.37
    ['higher', 2, 12.345, 0.25], // 0.2469 → 0.25
    ['lower', 3, 87.5, 0.38], // 3 × 0.125 = 0.375 → 0.38
    ['higher', 3, 100 / 3, 1], // 33.333333333333336% (15 decimals, slow path): 3 × 0.33333333333333336 ≈ 1.0000000000000001 → 1
    ['higher', 1, 1e-7, 0], // 1e-9 → 0 (exponent notation)
  ] as const)('%s, max %d, %d%% → %d', (dir, max, p, want) => {
    expect(points(dir === 'higher' ? higherPct(max) : lowerPct(max), { percent: p })).toBe(want);
  });

  it.each([
    ['lower', 3, 1, 8, 2.63], // 3 × (1 − 1/8) = 21/8 = 2.625 → 2.63
    ['lower', 3, 1, 6, 2.5], // 3 × 5/6 = 2.5
    ['lower', 3, 0, 12, 3],
    ['higher', 2.5, 3, 8, 0.94], // 2.5 × 3/8 = 0.9375 → 0.94
    ['higher', 1, 1, 200, 0.01], // 0.005 → 0.01
    ['lower', 1, 1, 200, 1], // 199/200 = 0.995 → 1.00 (toFixed(2) on the float gives 0.99)
    ['higher', 1, 1, 400, 0], // 0.0025 → 0
    ['higher', 2, 1, 3, 0.67], // 0.666… → 0.67
    ['higher', 2, 2, 3, 1.33], // 1.333… → 1.33
    ['higher', 0.75, 1, 3, 0.25], // exactly 0.25
    ['higher', 2, 2 ** 40, 2 ** 41, 1], // 2 × 1/2, beyond the fast range
    ['lower', 2, 1, 2 ** 41, 2], // 2 × (1 − 2^-41) = 1.99999999999909… → 2
  ] as const)('%s, max %d, %d/%d → %d', (dir, max, n, d, want) => {
    expect(points(dir === 'higher' ? higherRatio(max) : lowerRatio(max), { numerator: n, denominator: d })).toBe(want);
  });

  it('ratio 0/0 is N/A with naAllowed and an error without', () => {
    expect(evaluateLeaf(lowerRatio(3), { numerator: 0, denominator: 0 }).status).toBe('not_applicable');
    const strict = leaf({ type: 'proportional', input: 'ratio', direction: 'lower' }, 3, false);
    expectInputError(() => evaluateLeaf(strict, { numerator: 0, denominator: 0 }), 'input.denominator', 'denominator_zero');
  });

  it.each([
    [{ percent: 100.5 }, 'input.percent', 'out_of_range'],
    [{ percent: -5 }, 'input.percent', 'out_of_range'],
    [{}, 'input.percent', 'missing'],
  ])('percent input %j is rejected (%s %s)', (input, field, code) => {
    expectInputError(() => evaluateLeaf(higherPct(2), input), field, code);
  });

  it.each([
    [{ numerator: 5, denominator: 4 }, 'input.numerator', 'out_of_range'],
    [{ numerator: 0.5, denominator: 4 }, 'input.numerator', 'not_integer'],
    [{ numerator: 1, denominator: 2.5 }, 'input.denominator', 'not_integer'],
  ])('ratio input %j is rejected (%s %s)', (input, field, code) => {
    expectInputError(() => evaluateLeaf(higherRatio(2), input), field, code);
  });

  it('explains the formula and the rounding', () => {
    expect(evaluateLeaf(lowerRatio(3), { numerator: 1, denominator: 8 })).toMatchObject({
      explanation: 'proportional (lower is better): 3 × (1 − 1/8) = 2.625 (half-up to 2 decimals) → 2.63',
    });
    expect(evaluateLeaf(higherPct(2), { percent: 33.5 })).toMatchObject({ explanation: 'proportional (higher is better): 2 × 33.5/100 = 0.67 → 0.67' });
    expect(evaluateLeaf(higherPct(2), { percent: 12.345 })).toMatchObject({
      explanation: 'proportional (higher is better): 2 × 12.345/100 = 0.2469 (half-up to 2 decimals) → 0.25',
    });
    // 15-decimal percent (exact BigInt path): 3 × 33.333333333333336/100 = 1.00000000000000008
    expect(evaluateLeaf(higherPct(3), { percent: 100 / 3 })).toMatchObject({
      explanation: 'proportional (higher is better): 3 × 33.333333333333336/100 = ≈1 (half-up to 2 decimals) → 1',
    });
  });
});

// --------------------------------------------------------------------------------------------- manual

describe('manual', () => {
  const m = (step?: number, max = 2) => leaf(step === undefined ? { type: 'manual' } : { type: 'manual', step }, max);

  it.each([
    [undefined, 0, 0],
    [undefined, 0.25, 0.25],
    [undefined, 1.75, 1.75],
    [undefined, 2, 2], // = max
    [0.5, 1.5, 1.5],
    [0.01, 1.23, 1.23],
    [0.1, 0.3, 0.3], // 0.3 / 0.1 = 2.9999999999999996 in binary floats; exactly 3 steps
    [0.05, 0.15, 0.15], // 0.15 / 0.05 = 2.9999999999999996 in floats; exactly 3 steps
    [0.25, 1.5, 1.5],
  ])('step %s accepts %d', (step, p, want) => {
    expect(points(m(step), { points: p })).toBe(want);
  });

  it.each([
    [undefined, 1.3, 'not_multiple_of_step'], // 1.3 / 0.25 = 5.2
    [undefined, 0.1, 'not_multiple_of_step'],
    [undefined, 1.255, 'not_multiple_of_step'],
    [0.5, 1.25, 'not_multiple_of_step'],
    [0.01, 1.234, 'not_multiple_of_step'],
    [undefined, 2.25, 'out_of_range'], // above max 2
    [undefined, -0.25, 'out_of_range'],
    [undefined, Number.NaN, 'invalid_type'],
    [undefined, '1' as unknown as number, 'invalid_type'],
  ])('step %s rejects %d (%s)', (step, p, code) => {
    expectInputError(() => evaluateLeaf(m(step), { points: p }), 'input.points', code);
  });

  it('points are required', () => {
    expectInputError(() => evaluateLeaf(m(), {}), 'input.points', 'missing');
  });

  it.each([0.001, 0, -0.25, Number.NaN])('a step of %d is a framework error', (step) => {
    frameworkError(() => compileLeaf({ code: 'M', maxPoints: 2, rule: { type: 'manual', step } }));
  });

  it('explains', () => {
    expect(evaluateLeaf(m(), { points: 1.75 })).toMatchObject({ explanation: 'manual: 1.75 (multiple of 0.25, 0–2) → 1.75' });
  });
});

// ------------------------------------------------------------------------------------ binary, options

describe('binary', () => {
  const b = leaf({ type: 'binary' }, 1.5);
  it('true → max, false → 0', () => {
    expect(points(b, { value: true })).toBe(1.5);
    expect(points(b, { value: false })).toBe(0);
  });
  it.each([
    [{}, 'missing'],
    [{ value: 'true' as unknown as boolean }, 'invalid_type'],
    [{ value: 1 as unknown as boolean }, 'invalid_type'],
  ])('rejects %j (%s)', (input, code) => {
    expectInputError(() => evaluateLeaf(b, input), 'input.value', code);
  });
});

describe('options', () => {
  const rule: Rule = {
    type: 'options',
    options: [
      { code: 'ON_TIME', label: 'Ban hành kịp thời', points: 1 },
      { code: 'LATE', label: 'Không kịp thời', points: 0.5 },
      { code: 'NONE', label: 'Không ban hành', points: 0 },
    ],
  };
  const o = leaf(rule, 1);
  it.each([
    ['ON_TIME', 1],
    ['LATE', 0.5],
    ['NONE', 0],
  ])('%s → %d', (code, want) => {
    expect(points(o, { option: code })).toBe(want);
  });
  it('explains with the label', () => {
    expect(evaluateLeaf(o, { option: 'LATE' })).toMatchObject({ explanation: 'options: LATE "Không kịp thời" → 0.5' });
  });
  it.each(['Z', 'on_time', ''])('unknown option %j is an unknown_option error listing the valid codes', (code) => {
    const e = expectInputError(() => evaluateLeaf(o, { option: code }), 'input.option', 'unknown_option');
    expect(e.message).toContain('"ON_TIME", "LATE", "NONE"');
  });
  it('missing option', () => {
    expectInputError(() => evaluateLeaf(o, {}), 'input.option', 'missing');
  });
  it('framework errors: duplicate code, points above max, more than 2 decimals, empty list', () => {
    const opt = (options: { code: string; label: string; points: number }[]) => () =>
      compileLeaf({ code: 'O', maxPoints: 1, rule: { type: 'options', options } });
    frameworkError(opt([{ code: 'A', label: 'a', points: 1 }, { code: 'A', label: 'b', points: 0 }]));
    frameworkError(opt([{ code: 'A', label: 'a', points: 1.5 }]));
    frameworkError(opt([{ code: 'A', label: 'a', points: 0.125 }]));
    frameworkError(opt([]));
  });
});

// --------------------------------------------------------------------------------------------- survey

describe('survey leaf (score from ctx.surveyScore)', () => {
  const s = (max: number) => leaf({ type: 'survey', surveyCode: 'SIPAS', questionCodes: ['Q1', 'Q2'] }, max);
  it.each([
    [2, '3/4', 1.5], // 2 × 3/4
    [2, 0.75, 1.5],
    [2, '0.875', 1.75], // decimal string
    [1, '2/3', 0.67], // 0.666… → 0.67
    [1, '1/3', 0.33],
    [1, '1/200', 0.01], // 0.005 → 0.01
    [3, '1/8', 0.38], // 0.375 → 0.38
    [2, '0/5', 0],
    [2, '5/5', 2],
    [2, 1, 2],
    [2, 0, 0],
    [2, ' 3 / 4 ', 1.5], // spaces tolerated (slow path)
    [2, '123456789012345678/123456789012345679', 2], // 2 × (1 − 1/1.23e17) → 2 (BigInt path)
  ])('max %d, score %j → %d', (max, score, want) => {
    expect(points(s(max), {}, { surveyScore: score })).toBe(want);
  });

  it('accepts a Fraction', () => {
    expect(points(s(2), {}, { surveyScore: Fraction.of(3n, 4n) })).toBe(1.5);
  });

  it('no responses (null/undefined) → not_applicable, whatever naAllowed says', () => {
    expect(evaluateLeaf(s(2), {}, { surveyScore: null })).toMatchObject({ status: 'not_applicable' });
    expect(evaluateLeaf(s(2), {}).status).toBe('not_applicable');
    expect(scoreLeaf(s(2), {})).toBeNull();
  });

  it.each([
    ['5/4', 'out_of_range'],
    [1.2, 'out_of_range'],
    [-0.1, 'out_of_range'],
    ['-1/4', 'out_of_range'],
    ['abc', 'invalid_type'],
    ['3/0', 'invalid_type'],
    [Number.NaN, 'invalid_type'],
  ])('rejects score %j (%s)', (score, code) => {
    expectInputError(() => evaluateLeaf(s(2), {}, { surveyScore: score }), 'ctx.surveyScore', code);
  });

  it('explains, on the fast and the exact paths alike', () => {
    expect(evaluateLeaf(s(2), {}, { surveyScore: '3/4' })).toMatchObject({ explanation: 'survey SIPAS: 2 × 3/4 = 1.5 → 1.5' });
    expect(evaluateLeaf(s(2), {}, { surveyScore: 0.75 })).toMatchObject({ explanation: 'survey SIPAS: 2 × 0.75 = 1.5 → 1.5' });
    expect(evaluateLeaf(s(1), {}, { surveyScore: '2/3' })).toMatchObject({
      explanation: 'survey SIPAS: 1 × 2/3 = ≈0.666667 (half-up to 2 decimals) → 0.67',
    });
    // Slow (BigInt) path: spaces, and a fraction with more than 15 digits.
    expect(evaluateLeaf(s(1), {}, { surveyScore: ' 2 / 3 ' })).toMatchObject({
      explanation: 'survey SIPAS: 1 × 2/3 = ≈0.666667 (half-up to 2 decimals) → 0.67',
    });
    expect(evaluateLeaf(s(2), {}, { surveyScore: '1/1000000000000000000' })).toMatchObject({
      explanation: 'survey SIPAS: 2 × 1/1000000000000000000 = ≈0 (half-up to 2 decimals) → 0',
    });
  });

  it('a survey rule maps exactly one of questionCodes / dimensionCode', () => {
    frameworkError(() => compileLeaf({ code: 'S', maxPoints: 1, rule: { type: 'survey', surveyCode: 'X' } }));
    frameworkError(() => compileLeaf({ code: 'S', maxPoints: 1, rule: { type: 'survey', surveyCode: 'X', questionCodes: ['Q'], dimensionCode: 'D' } }));
    frameworkError(() => compileLeaf({ code: 'S', maxPoints: 1, rule: { type: 'survey', surveyCode: 'X', questionCodes: [] } }));
    expect(() => compileLeaf({ code: 'S', maxPoints: 1, rule: { type: 'survey', surveyCode: 'X', dimensionCode: 'D' } })).not.toThrow();
  });
});

// --------------------------------------------------------------------------------- definitions, APIs

describe('leaf definitions', () => {
  const tiered = (tiers: Tier[], otherwise?: number): Rule => ({ type: 'tiered', input: 'percent', tiers, ...(otherwise === undefined ? {} : { otherwise }) });
  it.each([
    ['two bounds in one tier', tiered([{ gte: 80, lt: 100, points: 1 }])],
    ['no bound', tiered([{ points: 1 }])],
    ['tier points above max', tiered([{ gte: 80, points: 3 }])],
    ['tier points with 3 decimals', tiered([{ gte: 80, points: 0.125 }])],
    ['negative tier points', tiered([{ gte: 80, points: -1 }])],
    ['otherwise above max', tiered([{ gte: 80, points: 1 }], 2.5)],
    ['non-finite bound', tiered([{ gte: Number.NaN, points: 1 }])],
    ['no tiers', tiered([])],
    ['unknown input', { type: 'tiered', input: 'score', tiers: [{ gte: 1, points: 1 }] } as unknown as Rule],
    ['unknown direction', { type: 'proportional', input: 'percent', direction: 'up' } as unknown as Rule],
    ['count input for proportional', { type: 'proportional', input: 'count', direction: 'higher' } as unknown as Rule],
    ['unknown type', { type: 'formula' } as unknown as Rule],
  ])('%s is a framework error', (_name, rule) => {
    frameworkError(() => compileLeaf({ code: 'X', maxPoints: 2, rule }));
  });

  it.each([-1, 1.234, Number.NaN])('maxPoints %d is a framework error', (max) => {
    frameworkError(() => compileLeaf({ code: 'X', maxPoints: max, rule: { type: 'binary' } }));
  });

  it('the error path names the offending tier', () => {
    const e = frameworkError(() => compileLeaf({ code: 'X', maxPoints: 2, rule: tiered([{ gte: 1, points: 1 }, { gt: 1, lte: 2, points: 1 }]) }));
    expect(e.path).toBe('leaf X.rule.tiers[1]');
  });
});

describe('lean APIs agree with evaluateLeaf', () => {
  const l = leaf({ type: 'proportional', input: 'ratio', direction: 'lower' }, 3, true);
  it('scoreLeaf, leafHundredths, validateLeafInput', () => {
    const cl = compileLeaf(l);
    expect(scoreLeaf(l, { numerator: 1, denominator: 8 })).toBe(2.63);
    expect(scoreLeaf(cl, { numerator: 0, denominator: 0 })).toBeNull();
    expect(leafHundredths(cl, { numerator: 1, denominator: 8 })).toBe(263);
    expect(leafHundredths(cl, { numerator: 0, denominator: 0 })).toBe(NOT_APPLICABLE);
    expect(validateLeafInput(cl, { numerator: 1, denominator: 8 })).toBeNull();
    expect(validateLeafInput(cl, { numerator: 9, denominator: 8 })).toMatchObject({ field: 'input.numerator', code: 'out_of_range' });
    expect(validateLeafInput(cl, { numerator: 9, denominator: 8 })?.toFieldError()).toEqual({
      field: 'input.numerator',
      code: 'out_of_range',
      message: 'input.numerator (9) must not exceed input.denominator (8)',
    });
  });

  it('a missing input object is rejected (except for survey rules)', () => {
    expectInputError(() => evaluateLeaf(l, undefined as unknown as object), 'input', 'missing');
    const s = leaf({ type: 'survey', surveyCode: 'S', dimensionCode: 'D' }, 1);
    expect(evaluateLeaf(s, undefined as unknown as object, { surveyScore: '1/2' })).toMatchObject({ points: 0.5 });
  });

  it('a leaf without a rule cannot be evaluated', () => {
    frameworkError(() => leafHundredths(compileLeaf({ code: 'N', maxPoints: 1 }), {}));
  });
});
