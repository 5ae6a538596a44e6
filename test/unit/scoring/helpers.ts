// Shared helpers of the scoring tests (not a test file itself).

import { expect } from 'vitest';
import {
  evaluateLeaf,
  ScoringFrameworkError,
  ScoringInputError,
  type LeafContext,
  type LeafDef,
  type LeafInput,
  type Rule,
} from '../../../src/scoring/index.js';

export const leaf = (rule: Rule, maxPoints = 2, naAllowed = false): LeafDef => ({ code: 'T', maxPoints, rule, naAllowed });

/** Points of a scored leaf (fails the test when the leaf is not scored). */
export function points(l: LeafDef, input: LeafInput, ctx?: LeafContext): number {
  const r = evaluateLeaf(l, input, ctx);
  if (r.status !== 'scored') throw new Error(`expected a scored leaf, got ${JSON.stringify(r)}`);
  return r.points;
}

export function inputError(fn: () => unknown): ScoringInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScoringInputError);
    return e as ScoringInputError;
  }
  throw new Error('expected a ScoringInputError, nothing was thrown');
}

export function frameworkError(fn: () => unknown): ScoringFrameworkError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScoringFrameworkError);
    return e as ScoringFrameworkError;
  }
  throw new Error('expected a ScoringFrameworkError, nothing was thrown');
}

/** Asserts the error names the field (both in `.field` and in the message) and has the code. */
export function expectInputError(fn: () => unknown, field: string, code: string): ScoringInputError {
  const e = inputError(fn);
  expect({ field: e.field, code: e.code }).toEqual({ field, code });
  expect(e.message).toContain(field);
  return e;
}
