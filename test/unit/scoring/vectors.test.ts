// Every worked example of test/fixtures/scoring-vectors.json (computed by hand with exact rationals). Nothing skipped:
// the counts at the bottom guard against a vector silently dropping out of the loops.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  aggregateUnit,
  compileFramework,
  evaluateLeaf,
  Fraction,
  questionScore,
  rankGroup,
  ScoringInputError,
  surveyLeafScore,
  type LeafDef,
  type LeafInput,
  type Rule,
  type ScoringFramework,
} from '../../../src/scoring/index.js';

interface LeafVector {
  maxPoints: number;
  naAllowed?: boolean;
  rule: Rule;
  input: LeafInput;
  expected: number | 'not_applicable' | 'error';
}
interface UnitVector {
  unitCode: string;
  unitName: string;
  finalPoints: Record<string, number>;
  notApplicable: string[];
  expected: { total: number; max: number; index: number; band: string; areas: Record<string, { points: number; max: number }> };
}
interface Vectors {
  leaves: LeafVector[];
  errors: LeafVector[];
  aggregation: { framework: ScoringFramework; units: UnitVector[]; ranking: { unitCode: string; rank: number }[] };
  survey: {
    options: { code: string; value: number | null }[];
    responses: Record<string, string>[];
    expected: { questionScores: Record<string, string>; surveyLeafPointsMax2: number };
  };
}

const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/scoring-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

const leafOf = (v: LeafVector, i: number): LeafDef => ({
  code: `V${i}`,
  maxPoints: v.maxPoints,
  rule: v.rule,
  naAllowed: v.naAllowed ?? false,
});

describe('scoring vectors: leaves', () => {
  it.each(vectors.leaves.map((v, i) => [i, v] as const))('leaf vector #%i', (i, v) => {
    const r = evaluateLeaf(leafOf(v, i), v.input);
    if (v.expected === 'not_applicable') {
      expect(r.status).toBe('not_applicable');
    } else {
      expect(r).toMatchObject({ status: 'scored', points: v.expected });
      if (r.status === 'scored') expect(r.explanation.length).toBeGreaterThan(0);
    }
  });
});

describe('scoring vectors: errors', () => {
  it.each(vectors.errors.map((v, i) => [i, v] as const))('error vector #%i is rejected with a field', (i, v) => {
    expect(v.expected).toBe('error');
    let caught: unknown;
    try {
      evaluateLeaf(leafOf(v, i), v.input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScoringInputError);
    const err = caught as ScoringInputError;
    expect(err.field).toMatch(/^input\./);
    expect(err.message).toContain(err.field);
  });
});

describe('scoring vectors: aggregation and ranking', () => {
  const { framework, units, ranking } = vectors.aggregation;
  const cf = compileFramework(framework);

  it.each(units.map((u) => [u.unitCode, u] as const))('unit %s', (_code, u) => {
    const r = aggregateUnit(cf, { finalPoints: u.finalPoints, notApplicable: u.notApplicable });
    expect(r.total).toBe(u.expected.total);
    expect(r.max).toBe(u.expected.max);
    expect(r.index).toBe(u.expected.index);
    expect(r.band).toBe(u.expected.band);
    for (const [code, a] of Object.entries(u.expected.areas)) {
      const area = r.areas.find((x) => x.code === code);
      expect(area, `area ${code}`).toMatchObject({ points: a.points, max: a.max });
    }
    // Same result from the raw (uncompiled) framework.
    expect(aggregateUnit(framework, u).toJSON()).toEqual(r.toJSON());
  });

  it('ranks the units as expected (competition ranking, ties by Vietnamese name)', () => {
    const rows = units.map((u) => ({
      unitCode: u.unitCode,
      unitName: u.unitName,
      index: aggregateUnit(cf, u).index,
    }));
    const ranked = rankGroup(rows);
    expect(ranked.map((r) => ({ unitCode: r.unitCode, rank: r.rank }))).toEqual(ranking);
  });
});

describe('scoring vectors: survey', () => {
  const { options, responses, expected } = vectors.survey;
  const valueOf = new Map(options.map((o) => [o.code, o.value]));

  it('question scores are exact means of the non-null values', () => {
    for (const [q, want] of Object.entries(expected.questionScores)) {
      const values = responses.map((r) => {
        const code = r[q];
        if (code === undefined) return null;
        const v = valueOf.get(code);
        if (v === undefined) throw new Error(`unknown option ${code}`);
        return v;
      });
      const score = questionScore(values);
      expect(score?.toString()).toBe(want);
      expect(score?.equals(Fraction.parse(want) as Fraction)).toBe(true);
    }
  });

  it('the survey leaf of max 2 scores 2 × mean of the question scores', () => {
    // Q1 = 3/4, Q2 = 3/4 → leaf score 3/4 → 2 × 3/4 = 1.5.
    const score = surveyLeafScore(Object.values(expected.questionScores));
    const leaf: LeafDef = { code: 'S', maxPoints: 2, rule: { type: 'survey', surveyCode: 'SV', questionCodes: ['Q1', 'Q2'] } };
    expect(evaluateLeaf(leaf, {}, { surveyScore: score })).toMatchObject({ status: 'scored', points: expected.surveyLeafPointsMax2 });
    expect(evaluateLeaf(leaf, {}, { surveyScore: score?.toString() })).toMatchObject({ points: 1.5 });
  });
});

it('uses every vector (nothing skipped)', () => {
  expect(vectors.leaves).toHaveLength(21);
  expect(vectors.errors).toHaveLength(7);
  expect(vectors.aggregation.units).toHaveLength(5);
  expect(vectors.aggregation.ranking).toHaveLength(5);
  expect(Object.keys(vectors.survey.expected.questionScores)).toHaveLength(2);
});
