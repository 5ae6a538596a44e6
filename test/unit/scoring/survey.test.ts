// Survey math (SPEC §5): exact means, indices, weights, and 95% intervals checked against hand computation.

import { describe, expect, it } from 'vitest';
import {
  dimensionIndex,
  Fraction,
  normalInterval,
  overallIndex,
  questionScore,
  responseCount,
  surveyLeafScore,
  wilsonInterval,
} from '../../../src/scoring/index.js';
import { expectInputError } from './helpers.js';

describe('questionScore: exact mean of non-null values', () => {
  it.each([
    [[1, 0, 1, null, 1], '3/4'], // vectors Q1: (1 + 0 + 1 + 1) / 4
    [[null, 1, 1, 0, 1], '3/4'], // vectors Q2
    [[0.5, 1], '3/4'],
    [[1, 1, 1], '1'],
    [[0, 0], '0'],
    [[0.1, 0.2], '3/20'], // (1/10 + 2/10) / 2 = 3/20 exactly (binary floats: 0.30000000000000004 / 2)
    [[1, 0, 0], '1/3'],
    [[0.25, 0.5, 0.75, undefined], '1/2'],
  ])('%j → %s', (values, want) => {
    expect(questionScore(values)?.toString()).toBe(want);
  });

  it('no valued response → null', () => {
    expect(questionScore([])).toBeNull();
    expect(questionScore([null, null])).toBeNull();
  });

  it('counts responses with a value', () => {
    expect(responseCount([1, null, 0, undefined, 0.5])).toBe(3);
  });

  it('rejects values outside [0, 1]', () => {
    expectInputError(() => questionScore([1, 1.5]), 'values[1]', 'out_of_range');
    expectInputError(() => questionScore([-0.5]), 'values[0]', 'out_of_range');
    expectInputError(() => questionScore(['1' as unknown as number]), 'values[0]', 'invalid_type');
  });
});

describe('dimension, leaf and overall indices', () => {
  it('dimensionIndex = mean of question scores × 100', () => {
    // (3/4 + 1/2) / 2 = 5/8 → 62.5
    expect(dimensionIndex(['3/4', '1/2'])?.toString()).toBe('125/2');
    // (2/3) × 100 = 200/3 = 66.666… → 66.67; null questions are left out.
    const d = dimensionIndex([Fraction.of(2n, 3n), null]);
    expect(d?.toString()).toBe('200/3');
    expect(d?.round(2)).toBe(66.67);
    expect(dimensionIndex([null])).toBeNull();
  });

  it('surveyLeafScore = mean of the mapped questions', () => {
    expect(surveyLeafScore(['3/4', '3/4'])?.toString()).toBe('3/4');
    expect(surveyLeafScore([1, '1/2', null])?.toString()).toBe('3/4');
    expect(surveyLeafScore([])).toBeNull();
  });

  it('overallIndex: equal weights by default', () => {
    // (62.5 + 80) / 2 = 71.25
    expect(overallIndex([{ index: 62.5 }, { index: 80 }])?.toString()).toBe('285/4');
  });

  it('overallIndex: weighted, exact', () => {
    // (2 × 62.5 + 1 × 80) / 3 = 205/3 = 68.333… → 68.33
    const o = overallIndex([{ index: '125/2', weight: 2 }, { index: 80, weight: 1 }]);
    expect(o?.toString()).toBe('205/3');
    expect(o?.round(2)).toBe(68.33);
    // 200/3 and 100/3 average to exactly 50.
    expect(overallIndex([{ index: '200/3' }, { index: '100/3' }])?.toString()).toBe('50');
  });

  it('overallIndex: dimensions without data are left out and weights re-normalised; none → null', () => {
    expect(overallIndex([{ index: null, weight: 5 }, { index: 80, weight: 1 }])?.toString()).toBe('80');
    expect(overallIndex([{ index: null }, { index: undefined }])).toBeNull();
    expect(overallIndex([{ index: 50, weight: 0 }])).toBeNull();
    expectInputError(() => overallIndex([{ index: 50, weight: -1 }]), 'dimensions[0].weight', 'out_of_range');
  });

  it('Fraction.round is half-up', () => {
    expect(Fraction.of(1n, 8n).round(2)).toBe(0.13); // 0.125
    expect(Fraction.of(5n, 8n).round(2)).toBe(0.63); // 0.625
    expect(Fraction.of(1n, 2n).round(0)).toBe(1);
    expect(Fraction.of(2n, 3n).round(4)).toBe(0.6667);
    expect(Fraction.of(0n, 3n).round(2)).toBe(0);
    expect(Fraction.parse('6/8')?.toString()).toBe('3/4');
    expect(JSON.stringify({ s: Fraction.of(6n, 8n) })).toBe('{"s":"3/4"}');
  });
});

describe('wilsonInterval (0/1 questions), z = 1.96', () => {
  // centre = (p + z²/2n) / (1 + z²/n), half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n); z² = 3.8416.
  it.each([
    // n = 10: z²/n = 0.38416, 1 + z²/n = 1.38416, z²/2n = 0.19208, z²/4n² = 0.009604.
    // 8/10: centre = 0.99208 / 1.38416 = 0.716738; half = 1.96·√(0.016 + 0.009604) / 1.38416
    //       = 1.96·0.160012 / 1.38416 = 0.226581 → [0.490157, 0.943319]
    [8, 10, 0.4902, 0.9433],
    // 0/10: centre = 0.19208 / 1.38416 = 0.138771; half = 1.96·0.098 / 1.38416 = 0.138771 → [0, 0.277542]
    [0, 10, 0, 0.2775],
    // 5/10: centre = 0.69208 / 1.38416 = 0.5; half = 1.96·√(0.025 + 0.009604) / 1.38416 = 1.96·0.186021 / 1.38416
    //       = 0.263410 → [0.236590, 0.763410]
    [5, 10, 0.2366, 0.7634],
    // 10/10 mirrors 0/10: [1 − 0.277542, 1]
    [10, 10, 0.7225, 1],
    // 50/100: 1 + z²/n = 1.038416; centre 0.5; half = 1.96·√(0.0025 + 0.00009604) / 1.038416
    //         = 1.96·0.0509513 / 1.038416 = 0.0961702 → [0.403830, 0.596170]
    [50, 100, 0.4038, 0.5962],
  ])('%d/%d → [%d, %d]', (s, n, lower, upper) => {
    expect(wilsonInterval(s, n)).toEqual({ lower, upper });
  });

  it('n = 0 → null; invalid counts are rejected', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expectInputError(() => wilsonInterval(11, 10), 'successes', 'out_of_range');
    expectInputError(() => wilsonInterval(1.5, 10), 'successes', 'out_of_range');
    expectInputError(() => wilsonInterval(1, 2.5), 'n', 'not_integer');
  });
});

describe('normalInterval (non-binary questions)', () => {
  it('mean ± 1.96·s/√n with the sample standard deviation', () => {
    // values 0.5, 0.75, 1, 0.75: mean 0.75; Σ(x − mean)² = 0.0625 + 0 + 0.0625 + 0 = 0.125; s² = 0.125/3;
    // se = √(0.125/3/4) = √0.0104167 = 0.1020621; half = 1.96·0.1020621 = 0.2000417 → [0.5499583, 0.9500417]
    expect(normalInterval([0.5, 0.75, null, 1, 0.75])).toEqual({ mean: 0.75, lower: 0.55, upper: 0.95, n: 4 });
  });

  it('is truncated to [0, 1], the range of the values', () => {
    // 0 and 1: mean 0.5, s² = 0.5, se = √(0.5/2) = 0.5, half = 0.98 → [−0.48, 1.48] → [0, 1]
    expect(normalInterval([0, 1])).toEqual({ mean: 0.5, lower: 0, upper: 1, n: 2 });
  });

  it('zero spread gives a zero-width interval; fewer than two values → null', () => {
    expect(normalInterval([0.8, 0.8, 0.8])).toEqual({ mean: 0.8, lower: 0.8, upper: 0.8, n: 3 });
    expect(normalInterval([0.8, null])).toBeNull();
    expect(normalInterval([])).toBeNull();
  });

  it('rejects values outside [0, 1]', () => {
    expectInputError(() => normalInterval([0.5, 2]), 'values[1]', 'out_of_range');
  });
});
