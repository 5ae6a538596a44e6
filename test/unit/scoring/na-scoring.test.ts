// notApplicableScoring (issue 13 item 6): "không phát sinh" either re-bases the maximum (default) or is awarded the
// item's full points, as the framework says. Expected values are computed by hand in the comments.
import { describe, expect, it } from 'vitest';
import { aggregateUnit, compileFramework, ScoringFrameworkError, type ScoringFramework } from '../../../src/scoring/index.js';

// Area A (10): A.1 max 4, A.2 max 6 (N/A allowed). Area B (10): B.1 max 5, B.2 max 5 scored from a survey.
// Bonus X (cap 1): X.1 max 2. Penalty Y (cap 2): Y.1 max 3.
const framework = (notApplicableScoring?: 'rebase' | 'full_points'): ScoringFramework => ({
  bonusCap: 1,
  penaltyCap: 2,
  ...(notApplicableScoring ? { notApplicableScoring } : {}),
  bands: [
    { code: 'TOT', minIndex: 80 },
    { code: 'KHA', minIndex: 70 },
    { code: 'TB', minIndex: 0 },
  ],
  criteria: [
    { code: 'A', maxPoints: 10, children: [{ code: 'A.1', maxPoints: 4 }, { code: 'A.2', maxPoints: 6, naAllowed: true }] },
    {
      code: 'B',
      maxPoints: 10,
      children: [
        { code: 'B.1', maxPoints: 5 },
        { code: 'B.2', maxPoints: 5, source: 'survey', rule: { type: 'survey', surveyCode: 'SIPAS', questionCodes: ['Q1'] } },
      ],
    },
    { code: 'X', maxPoints: 2, kind: 'bonus', children: [{ code: 'X.1', maxPoints: 2 }] },
    { code: 'Y', maxPoints: 3, kind: 'penalty', children: [{ code: 'Y.1', maxPoints: 3 }] },
  ],
});

describe('notApplicableScoring', () => {
  const unit = { finalPoints: { 'A.1': 3, 'B.1': 4, 'B.2': 2.5 }, notApplicable: ['A.2', 'X.1', 'Y.1'] };

  it('rebase (the default): A.2 leaves points and max — 9.5 / 14 × 100 = 67.857… → 67.86', () => {
    for (const fw of [framework(), framework('rebase')]) {
      const r = aggregateUnit(fw, unit);
      expect({ total: r.total, max: r.max, index: r.index, band: r.band }).toEqual({ total: 9.5, max: 14, index: 67.86, band: 'TB' });
      expect(r.areas.map((a) => [a.code, a.points, a.max, a.index])).toEqual([
        ['A', 3, 4, 75], // 3 / 4
        ['B', 6.5, 10, 65],
        ['X', 0, 0, null],
        ['Y', 0, 0, null],
      ]);
      expect(r.items.find((i) => i.code === 'A.2')).toMatchObject({ points: null, notApplicable: true });
    }
  });

  it('full_points: A.2 counts 6 of 6 — (3 + 6 + 4 + 2.5) / 20 × 100 = 77.50; bonus and penalty N/A count 0', () => {
    const r = aggregateUnit(framework('full_points'), unit);
    expect({ total: r.total, max: r.max, index: r.index, band: r.band, bonus: r.bonus, penalty: r.penalty }).toEqual({
      total: 15.5,
      max: 20,
      index: 77.5,
      band: 'KHA',
      bonus: 0,
      penalty: 0,
    });
    expect(r.areas.map((a) => [a.code, a.points, a.max, a.index])).toEqual([
      ['A', 9, 10, 90], // 3 + 6 of 4 + 6
      ['B', 6.5, 10, 65],
      ['X', 0, 0, null],
      ['Y', 0, 0, null],
    ]);
    expect(r.items.find((i) => i.code === 'A.2')).toMatchObject({ points: 6, max: 6, notApplicable: true, missing: false });
    expect(r.items.find((i) => i.code === 'X.1')).toMatchObject({ points: null, notApplicable: true });
    expect(r.trace).toContain('A.2: N/A — awarded full points 6 / 6 (framework: notApplicableScoring full_points)');
    expect(r.trace).toContain('area A (regular): points 9 = 3 + 6; max 10 = 4 + 6; index 9 / 10 × 100 = 90 → 90');
  });

  it('full_points never awards a survey criterion without responses: B.2 N/A still re-bases — 9 / 15 = 60.00', () => {
    const u = { finalPoints: { 'A.1': 3, 'A.2': 2, 'B.1': 4 }, notApplicable: ['B.2'] };
    for (const fw of [framework('rebase'), framework('full_points')]) {
      const r = aggregateUnit(fw, u);
      expect({ total: r.total, max: r.max, index: r.index }).toEqual({ total: 9, max: 15, index: 60 });
      expect(r.trace).toContain('B.2: N/A — excluded from points and max');
    }
  });

  it('full_points on an all-N/A regular area gives that area full marks rather than no index', () => {
    const r = aggregateUnit(framework('full_points'), { finalPoints: { 'B.1': 5, 'B.2': 5 }, notApplicable: ['A.1', 'A.2'] });
    // (4 + 6 + 5 + 5) / 20 = 100.00
    expect({ index: r.index, areaA: r.areas[0] }).toEqual({ index: 100, areaA: { code: 'A', title: undefined, kind: 'regular', points: 10, max: 10, index: 100 } });
    const rebased = aggregateUnit(framework('rebase'), { finalPoints: { 'B.1': 5, 'B.2': 5 }, notApplicable: ['A.1', 'A.2'] });
    expect({ index: rebased.index, areaIndex: rebased.areas[0]?.index, max: rebased.max }).toEqual({ index: 100, areaIndex: null, max: 10 });
  });

  it('an unknown setting is a framework error naming the field', () => {
    const bad = { ...framework(), notApplicableScoring: 'half' } as unknown as ScoringFramework;
    expect(() => compileFramework(bad)).toThrow(ScoringFrameworkError);
    try {
      compileFramework(bad);
    } catch (e) {
      expect((e as ScoringFrameworkError).path).toBe('notApplicableScoring');
    }
  });
});
