// Exact arithmetic helpers: decimal meaning of JS numbers, integer half-up division, formatting.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bigRationalOfDecimal,
  bigRationalOfNumber,
  fastScale,
  formatHundredths,
  formatQuotient,
  formatRational,
  hundredthsOfNumber,
  hundredthsOfString,
  minimalScale,
  mulDivRound,
  roundDiv,
  roundDivBig,
} from '../../../src/scoring/exact.js';
import { Fraction } from '../../../src/scoring/index.js';

describe('decimal meaning of JS numbers', () => {
  it.each([
    [12.345, '12345/1000'],
    [0.1, '1/10'],
    [100, '100/1'],
    [1e-7, '1/10000000'],
    [1e21, '1000000000000000000000/1'],
    [-2.5, '-25/10'],
    [100 / 3, '33333333333333336/1000000000000000'],
  ])('%d → %s', (x, want) => {
    const q = bigRationalOfNumber(x);
    expect(`${q.n}/${q.d}`).toBe(want);
  });

  it('parses decimal strings and rejects others', () => {
    expect(bigRationalOfDecimal('1.50')).toEqual({ n: 150n, d: 100n });
    expect(bigRationalOfDecimal('2e3')).toEqual({ n: 2000n, d: 1n });
    expect(bigRationalOfDecimal('1/2')).toBeNull();
    expect(bigRationalOfDecimal('')).toBeNull();
    expect(bigRationalOfDecimal('.5')).toBeNull();
  });

  it('minimalScale finds the fewest decimals; fastScale any exact scale', () => {
    expect([minimalScale(12), minimalScale(12.5), minimalScale(12.345), minimalScale(100 / 3)]).toEqual([0, 1, 3, -1]);
    expect(fastScale(12.5)).toBe(6);
    expect(fastScale(1e-7)).toBe(7); // not representable with 6 decimals
    expect(fastScale(100 / 3)).toBe(-1);
  });

  it('property: n = round(x·10^k) over 10^k equals the exact decimal of x', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: 0, max: 6 }), (n, k) => {
        const x = n / 10 ** k; // the double nearest to n / 10^k
        const s = fastScale(x);
        expect(s).toBeGreaterThanOrEqual(0);
        const q = bigRationalOfNumber(x);
        // Same rational: round(x·10^s) / 10^s = q.n / q.d
        expect(BigInt(Math.round(x * 10 ** s)) * q.d).toBe(q.n * 10n ** BigInt(s));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('integer half-up division', () => {
  it.each([
    [5, 2, 3], // 2.5 → 3
    [7, 2, 4], // 3.5 → 4
    [1, 3, 0],
    [2, 3, 1],
    [0, 7, 0],
    [10, 4, 3], // 2.5 → 3
    [9, 4, 2], // 2.25 → 2
  ])('roundDiv(%d, %d) = %d', (a, b, q) => {
    expect(roundDiv(a, b)).toBe(q);
    expect(roundDivBig(BigInt(a), BigInt(b))).toBe(BigInt(q));
  });

  it('roundDivBig rounds halves away from zero for negatives', () => {
    expect(roundDivBig(-5n, 2n)).toBe(-3n);
    expect(roundDivBig(-4n, 3n)).toBe(-1n);
  });

  it('property: roundDiv and mulDivRound agree with BigInt near 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 51 }), fc.integer({ min: 1, max: 2 ** 51 }), (a, b) => {
        expect(BigInt(roundDiv(a, b))).toBe(roundDivBig(BigInt(a), BigInt(b)));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 40 }), (m, n, d) => {
        const want = roundDivBig(BigInt(m) * BigInt(n), BigInt(d));
        if (want > BigInt(Number.MAX_SAFE_INTEGER)) expect(() => mulDivRound(m, n, d)).toThrow(RangeError);
        else expect(BigInt(mulDivRound(m, n, d))).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('hundredths', () => {
  it.each([
    [1.5, 150],
    [0.07, 7], // 0.07 × 100 = 7.000000000000001 in floats
    [1.15, 115], // 114.99999999999999 in floats
    [-0, 0],
    [2, 200],
  ])('hundredthsOfNumber(%d) = %d', (x, h) => {
    expect(Object.is(hundredthsOfNumber(x), h)).toBe(true);
  });

  it('more than 2 decimals → NaN', () => {
    expect(hundredthsOfNumber(1.255)).toBeNaN();
    expect(hundredthsOfNumber(0.001)).toBeNaN();
  });

  it.each([
    ['1.5', 150],
    ['1.50', 150],
    ['2.000', 200],
    [' 3 ', 300],
    ['-0.25', -25],
    ['1.505', Number.NaN],
    ['abc', Number.NaN],
    ['1e2', Number.NaN],
  ])('hundredthsOfString(%j) = %d', (s, h) => {
    expect(hundredthsOfString(s)).toBe(h);
  });

  it.each([
    [0, '0'],
    [5, '0.05'],
    [50, '0.5'],
    [150, '1.5'],
    [1234, '12.34'],
    [10000, '100'],
    [-263, '-2.63'],
  ])('formatHundredths(%d) = %s', (h, s) => {
    expect(formatHundredths(h)).toBe(s);
  });

  it('property: formatHundredths matches String(h / 100)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (h) => {
        expect(formatHundredths(h)).toBe(String(h / 100));
      }),
    );
  });

  it('property: formatQuotient (numbers) = formatRational (BigInt)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 0, max: 6 }), (n, d, k) => {
        expect(formatQuotient(n, d, k)).toBe(formatRational(BigInt(n), BigInt(d), k));
      }),
      { numRuns: 3000 },
    );
  });

  it('formatRational', () => {
    expect(formatRational(1n, 8n)).toBe('0.125');
    expect(formatRational(2n, 3n)).toBe('≈0.6667');
    expect(formatRational(200n, 3n, 2)).toBe('≈66.67');
    expect(formatRational(-1n, 4n)).toBe('-0.25');
    expect(formatRational(5n, 1n)).toBe('5');
  });
});

describe('Fraction', () => {
  it('parses and normalises', () => {
    expect(Fraction.parse('6/8')?.toString()).toBe('3/4');
    expect(Fraction.parse(' 6 / 8 ')?.toString()).toBe('3/4');
    expect(Fraction.parse(0.75)?.toString()).toBe('3/4');
    expect(Fraction.parse('0.750')?.toString()).toBe('3/4');
    expect(Fraction.parse('1/0')).toBeNull();
    expect(Fraction.parse('x')).toBeNull();
    expect(Fraction.parse(Number.NaN)).toBeNull();
    expect(Fraction.of(3, -6).toString()).toBe('-1/2');
    expect(() => Fraction.of(1, 0)).toThrow(RangeError);
  });

  it('arithmetic is exact', () => {
    const a = Fraction.of(1n, 10n);
    const b = Fraction.of(2n, 10n);
    expect(a.add(b).toString()).toBe('3/10');
    expect(b.sub(a).toString()).toBe('1/10');
    expect(a.mul(b).toString()).toBe('1/50');
    expect(a.div(b).toString()).toBe('1/2');
    expect(a.cmp(b)).toBe(-1);
    expect(Fraction.of(2n, 3n).toDecimalString()).toBe('≈0.6667');
    expect(() => a.div(Fraction.ZERO)).toThrow(RangeError);
  });
});
