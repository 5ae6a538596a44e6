// Exact non-negative-or-negative rational numbers with BigInt parts, used for survey scores (means of answer
// values) where results such as 2/3 must stay exact until the final half-up rounding.

import { bigRationalOfDecimal, bigRationalOfNumber, formatRational, gcd, roundDivBig } from './exact.js';

const FRACTION_RE = /^\s*([+-]?\d+)\s*\/\s*(\d+)\s*$/;

export class Fraction {
  /** Numerator (sign carrier). */
  readonly num: bigint;
  /** Denominator, always > 0; the fraction is always reduced. */
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  /** n/d reduced; throws RangeError when d is 0. */
  static of(n: bigint | number, d: bigint | number = 1n): Fraction {
    let bn = typeof n === 'bigint' ? n : toBigIntExact(n);
    let bd = typeof d === 'bigint' ? d : toBigIntExact(d);
    if (bd === 0n) throw new RangeError('Fraction denominator is 0');
    if (bd < 0n) {
      bn = -bn;
      bd = -bd;
    }
    const g = gcd(bn, bd);
    return g > 1n ? new Fraction(bn / g, bd / g) : new Fraction(bn, bd);
  }

  /**
   * Parses a Fraction, a finite JS number (read as the decimal it denotes: 0.1 is 1/10), a fraction string
   * "3/4" or a decimal string "0.75". Returns null when the value is not one of those.
   */
  static parse(value: unknown): Fraction | null {
    if (value instanceof Fraction) return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return null;
      const q = bigRationalOfNumber(value);
      return Fraction.of(q.n, q.d);
    }
    if (typeof value === 'string') {
      const m = FRACTION_RE.exec(value);
      if (m) {
        const d = BigInt(m[2] as string);
        return d === 0n ? null : Fraction.of(BigInt(m[1] as string), d);
      }
      const q = bigRationalOfDecimal(value.trim());
      return q === null ? null : Fraction.of(q.n, q.d);
    }
    return null;
  }

  static readonly ZERO = new Fraction(0n, 1n);
  static readonly ONE = new Fraction(1n, 1n);

  add(o: Fraction): Fraction {
    return Fraction.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Fraction): Fraction {
    return Fraction.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Fraction): Fraction {
    return Fraction.of(this.num * o.num, this.den * o.den);
  }
  div(o: Fraction): Fraction {
    if (o.num === 0n) throw new RangeError('division by zero');
    return Fraction.of(this.num * o.den, this.den * o.num);
  }
  /** -1, 0 or 1. */
  cmp(o: Fraction): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  equals(o: Fraction): boolean {
    return this.num === o.num && this.den === o.den;
  }

  /** Half-up rounding to `decimals` places, returned as a JS number (e.g. 2/3 → 0.67 with 2 decimals). */
  round(decimals = 2): number {
    const scale = 10n ** BigInt(decimals);
    const r = roundDivBig(this.num * scale, this.den);
    return Number(r) / Number(scale) + 0;
  }

  /** "3/4", or "1" for whole numbers. Exact and round-trips through {@link Fraction.parse}. */
  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }
  toJSON(): string {
    return this.toString();
  }
  /** Decimal display, exact when it terminates within `maxDecimals`, else prefixed with "≈". */
  toDecimalString(maxDecimals = 4): string {
    return formatRational(this.num, this.den, maxDecimals);
  }
}

function toBigIntExact(x: number): bigint {
  if (!Number.isSafeInteger(x)) throw new RangeError(`not a safe integer: ${x}`);
  return BigInt(x);
}
