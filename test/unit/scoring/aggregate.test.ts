// Aggregation of a unit (SPEC §4). Expected numbers are computed by hand in the comments.

import { describe, expect, it } from 'vitest';
import {
  aggregateHundredths,
  aggregateUnit,
  compileFramework,
  evaluateUnitLeaves,
  MISSING_POINTS,
  NA_POINTS,
  ScoringInputError,
  type CriterionNode,
  type ScoringFramework,
  type UnitScoresInput,
} from '../../../src/scoring/index.js';
import { expectInputError, frameworkError } from './helpers.js';

const BANDS = [
  { code: 'XS', label: 'Xuất sắc', minIndex: 90 },
  { code: 'TOT', label: 'Tốt', minIndex: 80 },
  { code: 'KHA', label: 'Khá', minIndex: 70 },
  { code: 'TB', label: 'Trung bình', minIndex: 50 },
  { code: 'YEU', label: 'Yếu', minIndex: 0 },
];

// F1: two regular areas of max 10, a bonus area (max 3) and a penalty area (max 4); caps 2 and 3.
const F1: ScoringFramework = {
  bonusCap: 2,
  penaltyCap: 3,
  bands: BANDS,
  criteria: [
    { code: 'A', title: 'Lĩnh vực A', maxPoints: 10, children: [{ code: 'A.1', maxPoints: 4 }, { code: 'A.2', maxPoints: 6 }] },
    { code: 'B', title: 'Lĩnh vực B', maxPoints: 10, children: [{ code: 'B.1', maxPoints: 5 }, { code: 'B.2', maxPoints: 5 }] },
    { code: 'P', title: 'Điểm thưởng', kind: 'bonus', maxPoints: 3, children: [{ code: 'P.1', maxPoints: 3 }] },
    { code: 'T', title: 'Điểm trừ', kind: 'penalty', maxPoints: 4, children: [{ code: 'T.1', maxPoints: 4 }] },
  ],
};
const cf1 = compileFramework(F1);

/** Regular part: A.1 4 + A.2 3 + B.1 5 + B.2 2 = 14 of 20. */
const base = { 'A.1': 4, 'A.2': 3, 'B.1': 5, 'B.2': 2 };
const unit = (extra: Record<string, number | string | null | undefined>, notApplicable: string[] = []): UnitScoresInput => ({
  finalPoints: { ...base, ...extra },
  notApplicable,
});

describe('bonus and penalty caps, floor at 0', () => {
  it.each([
    // [case, bonus P.1, penalty T.1, total, index, band, bonus applied, penalty applied]
    ['bonus below cap', 1.5, 0, 15.5, 77.5, 'KHA', 1.5, 0], // 14 + min(1.5, 2) = 15.5; 15.5/20 = 77.5%
    ['bonus above cap', 3, 0, 16, 80, 'TOT', 2, 0], // 14 + min(3, 2) = 16 → 80% (exactly the TOT minIndex)
    ['bonus at cap', 2, 0, 16, 80, 'TOT', 2, 0],
    ['penalty below cap', 0, 2, 12, 60, 'TB', 0, 2], // 14 − min(2, 3) = 12 → 60%
    ['penalty above cap', 0, 4, 11, 55, 'TB', 0, 3], // 14 − min(4, 3) = 11 → 55%
    ['both capped', 3, 4, 13, 65, 'TB', 2, 3], // 14 + 2 − 3 = 13 → 65%
  ] as const)('%s', (_name, bonus, penalty, total, index, band, bonusApplied, penaltyApplied) => {
    const r = aggregateUnit(cf1, unit({ 'P.1': bonus, 'T.1': penalty }));
    expect({ total: r.total, max: r.max, index: r.index, band: r.band, bonus: r.bonus, penalty: r.penalty }).toEqual({
      total,
      max: 20, // bonus and penalty areas never count in max
      index,
      band,
      bonus: bonusApplied,
      penalty: penaltyApplied,
    });
    expect(r.bonusRaw).toBe(bonus);
    expect(r.penaltyRaw).toBe(penalty);
    expect(r.regularPoints).toBe(14);
  });

  it('bonus and penalty areas show their caps as max (P: items 3, cap 2; T: items 4, cap 3), and no index', () => {
    const r = aggregateUnit(cf1, unit({ 'P.1': 3, 'T.1': 1 }));
    expect(r.areas.map((a) => [a.code, a.points, a.max, a.index])).toEqual([
      ['A', 7, 10, 70],
      ['B', 7, 10, 70],
      ['P', 3, 2, null], // 3 awarded, at most 2 count
      ['T', 1, 3, null],
    ]);
    // A cap above the items' sum leaves the sum: bonus cap 5 over an area of 3 shows 3.
    const loose = aggregateUnit({ ...F1, bonusCap: 5 }, unit({ 'P.1': 1 }));
    expect(loose.areas.find((a) => a.code === 'P')).toMatchObject({ points: 1, max: 3, index: null });
    // An all-N/A penalty area can deduct nothing: max 0.
    expect(aggregateUnit(cf1, unit({ 'P.1': 0 }, ['T.1'])).areas.find((a) => a.code === 'T')).toMatchObject({ max: 0, index: null });
  });

  it('floors the total at 0 when the penalty exceeds the points', () => {
    // A.1 1, rest 0; penalty 4 capped to 3: 1 − 3 = −2 → 0.
    const r = aggregateUnit(cf1, { finalPoints: { 'A.1': 1, 'A.2': 0, 'B.1': 0, 'B.2': 0, 'P.1': 0, 'T.1': 4 }, notApplicable: [] });
    expect({ total: r.total, index: r.index, band: r.band, flooredAtZero: r.flooredAtZero }).toEqual({ total: 0, index: 0, band: 'YEU', flooredAtZero: true });
    expect(r.trace).toContain('total = 1 + 0 − 3 = -2 → 0 (never below 0)');
  });

  it('several bonus areas are summed before the cap', () => {
    const fw: ScoringFramework = {
      bonusCap: 3,
      penaltyCap: 0,
      bands: BANDS,
      criteria: [
        { code: 'R', maxPoints: 10, children: [{ code: 'R.1', maxPoints: 10 }] },
        { code: 'P1', kind: 'bonus', maxPoints: 2, children: [{ code: 'P1.1', maxPoints: 2 }] },
        { code: 'P2', kind: 'bonus', maxPoints: 2, children: [{ code: 'P2.1', maxPoints: 2 }] },
      ],
    };
    // 5 + min(2 + 2, 3) = 8 of 10 → 80%.
    const r = aggregateUnit(fw, { finalPoints: { 'R.1': 5, 'P1.1': 2, 'P2.1': 2 }, notApplicable: [] });
    expect([r.bonusRaw, r.bonus, r.total, r.index]).toEqual([4, 3, 8, 80]);
  });
});

describe('N/A and missing points', () => {
  it('N/A leaves leave numerator and denominator (re-basing)', () => {
    // A.2 N/A: A = 4/4; B = 5 + 2 = 7/10; regular 11/14 = 78.5714…% → 78.57 (KHA).
    const r = aggregateUnit(cf1, unit({ 'A.2': undefined, 'P.1': 0, 'T.1': 0 }, ['A.2']));
    expect({ total: r.total, max: r.max, index: r.index, band: r.band }).toEqual({ total: 11, max: 14, index: 78.57, band: 'KHA' });
    expect(r.areas.find((a) => a.code === 'A')).toMatchObject({ points: 4, max: 4, index: 100 });
    expect(r.areas.find((a) => a.code === 'B')).toMatchObject({ points: 7, max: 10, index: 70 });
    expect(r.items.find((i) => i.code === 'A.2')).toMatchObject({ points: null, notApplicable: true, missing: false, max: 6 });
  });

  it('a leaf with no final points counts 0 of its max', () => {
    // B.2 missing: 4 + 3 + 5 + 0 = 12 of 20 → 60%.
    const r = aggregateUnit(cf1, unit({ 'B.2': undefined }));
    expect([r.total, r.max, r.index]).toEqual([12, 20, 60]);
    expect(r.items.find((i) => i.code === 'B.2')).toMatchObject({ points: 0, missing: true, notApplicable: false });
    // null means the same as undefined.
    expect(aggregateUnit(cf1, unit({ 'B.2': null })).toJSON()).toEqual(r.toJSON());
    expect(r.trace).toContain('B.2: no final points → 0 / 5');
  });

  it('N/A wins over recorded final points, and the trace says they were ignored', () => {
    const r = aggregateUnit(cf1, unit({}, ['A.2'])); // A.2 has 3 points recorded
    expect([r.total, r.max]).toEqual([11, 14]);
    expect(r.trace).toContain('A.2: N/A — excluded from points and max (final points 3 ignored)');
  });

  it('an all-N/A unit has max 0, no index and no band', () => {
    const r = aggregateUnit(cf1, { finalPoints: { 'P.1': 1.5 }, notApplicable: ['A.1', 'A.2', 'B.1', 'B.2', 'T.1'] });
    expect({ total: r.total, max: r.max, index: r.index, band: r.band, bandLabel: r.bandLabel }).toEqual({
      total: 1.5, // the bonus still counts in the total
      max: 0,
      index: null,
      band: null,
      bandLabel: null,
    });
    expect(r.areas.map((a) => a.index)).toEqual([null, null, null, null]); // A, B all N/A; bonus and penalty areas have no index
    expect(r.trace).toContain('index: none (max is 0: every regular leaf is N/A)');
  });

  it('an N/A bonus leaf simply adds nothing', () => {
    const r = aggregateUnit(cf1, unit({ 'T.1': 0 }, ['P.1']));
    expect([r.bonus, r.total]).toEqual([0, 14]);
  });
});

describe('index: half-up to 2 decimals, cap at 100', () => {
  const F2: ScoringFramework = {
    bonusCap: 0,
    penaltyCap: 0,
    bands: BANDS,
    criteria: [{ code: 'R', maxPoints: 8, children: [{ code: 'R.1', maxPoints: 4 }, { code: 'R.2', maxPoints: 4 }] }],
  };
  const F3: ScoringFramework = {
    ...F2,
    criteria: [{ code: 'R', maxPoints: 40, children: [{ code: 'R.1', maxPoints: 20 }, { code: 'R.2', maxPoints: 20 }] }],
  };
  it.each([
    [F2, 3.37, 3, 79.63], // 6.37 / 8 × 100 = 79.625 → 79.63 (half-up; half-even would give 79.62)
    [F2, 2.01, 3, 62.63], // 5.01 / 8 × 100 = 62.625 → 62.63
    [F2, 3.36, 3, 79.5], // 6.36 / 8 = 79.5 exactly
    [F2, 0.01, 0, 0.13], // 0.01 / 8 × 100 = 0.125 → 0.13
    [F3, 20, 13.33, 83.33], // 33.33 / 40 × 100 = 83.325 → 83.33 (binary floats: 83.32499999999999)
    [F3, 20, 13.32, 83.3], // 33.32 / 40 × 100 = 83.3
    [F3, 0.01, 0, 0.03], // 0.01 / 40 × 100 = 0.025 → 0.03
    [F3, 13.33, 0, 33.33], // 13.33 / 40 × 100 = 33.325 → 33.33
  ])('index %#', (fw, r1, r2, index) => {
    const r = aggregateUnit(fw, { finalPoints: { 'R.1': r1, 'R.2': r2 }, notApplicable: [] });
    expect(r.index).toBe(index);
    expect(r.areas[0]?.index).toBe(index); // the single area has the same ratio
  });

  it('bonus can push the index over 100: capped by default, uncapped when capIndexAt100 is false', () => {
    // 20/20 regular + min(3, 2) bonus = 22 → 22/20 = 110%.
    const full = unit({ 'A.1': 4, 'A.2': 6, 'B.1': 5, 'B.2': 5, 'P.1': 3, 'T.1': 0 });
    const capped = aggregateUnit(cf1, full);
    expect({ total: capped.total, index: capped.index, indexUncapped: capped.indexUncapped, cappedAt100: capped.cappedAt100, band: capped.band }).toEqual({
      total: 22,
      index: 100,
      indexUncapped: 110,
      cappedAt100: true,
      band: 'XS',
    });
    expect(capped.trace).toContain('index = 22 / 20 × 100 = 110 → 110 (half-up, 2 decimals) → capped at 100');
    const uncapped = aggregateUnit({ ...F1, capIndexAt100: false }, full);
    expect([uncapped.index, uncapped.cappedAt100]).toEqual([110, false]);
    // Explicit true behaves like the default.
    expect(aggregateUnit({ ...F1, capIndexAt100: true }, full).index).toBe(100);
  });

  it('exactly 100 is not "capped"', () => {
    const r = aggregateUnit(cf1, unit({ 'A.1': 4, 'A.2': 6, 'B.1': 5, 'B.2': 5 }));
    expect([r.index, r.cappedAt100]).toEqual([100, false]);
  });
});

describe('bands', () => {
  // With max 20 one hundredth of a point moves the index by 0.05.
  it.each([
    [18, 'XS'], // 90 exactly
    [17.99, 'TOT'], // 89.95
    [16, 'TOT'], // 80 exactly
    [15.99, 'KHA'], // 79.95
    [14, 'KHA'], // 70
    [13.99, 'TB'], // 69.95
    [10, 'TB'], // 50
    [9.99, 'YEU'], // 49.95
    [0, 'YEU'], // 0
  ])('%d of 20 → %s', (pts, band) => {
    // Put the points on A.1 (max 4) … B.2 (max 5) greedily, by hand: fill A.1, A.2, B.1, then B.2.
    const fill = (cap: number, left: number) => Math.min(cap, left);
    let left = Math.round(pts * 100);
    const fp: Record<string, number> = {};
    for (const [code, cap] of [['A.1', 400], ['A.2', 600], ['B.1', 500], ['B.2', 500]] as const) {
      const v = fill(cap, left);
      fp[code] = v / 100;
      left -= v;
    }
    const r = aggregateUnit(cf1, { finalPoints: fp, notApplicable: [] });
    expect(r.total).toBe(pts);
    expect(r.band).toBe(band);
    expect(r.bandLabel).toBe(BANDS.find((b) => b.code === band)?.label);
  });

  it('bands may be listed in any order; an index below every band has no band', () => {
    const fw = { ...F1, bands: [{ code: 'TB', minIndex: 50 }, { code: 'XS', minIndex: 90 }, { code: 'KHA', minIndex: 70 }] };
    expect(aggregateUnit(fw, unit({})).band).toBe('KHA'); // 14/20 = 70
    const r = aggregateUnit(fw, unit({ 'A.1': 0 })); // 10/20 = 50 → TB
    expect(r.band).toBe('TB');
    const low = aggregateUnit(fw, unit({ 'A.1': 0, 'A.2': 0 })); // 7/20 = 35 → none
    expect([low.band, low.bandLabel]).toEqual([null, null]);
    expect(low.trace.at(-1)).toBe('band: none (index below every band)');
  });
});

describe('results shape and trace', () => {
  it('explains every step', () => {
    // Vector unit U2: areas 1 = 1 + 3 of 5, 2 = 4 of 4 (2.2 N/A); bonus 0; penalty 0.5 (cap 1.5); 7.5 / 9 = 83.33.
    const fw: ScoringFramework = {
      bonusCap: 1,
      penaltyCap: 1.5,
      bands: BANDS,
      criteria: [
        { code: '1', maxPoints: 5, children: [{ code: '1.1', maxPoints: 2 }, { code: '1.2', maxPoints: 3 }] },
        { code: '2', maxPoints: 7, children: [{ code: '2.1', maxPoints: 4 }, { code: '2.2', maxPoints: 3 }] },
        { code: '8', kind: 'bonus', maxPoints: 2, children: [{ code: '8.1', maxPoints: 2 }] },
        { code: '9', kind: 'penalty', maxPoints: 3, children: [{ code: '9.1', maxPoints: 3 }] },
      ],
    };
    const r = aggregateUnit(fw, { finalPoints: { '1.1': 1, '1.2': 3, '2.1': 4, '8.1': 0, '9.1': 0.5 }, notApplicable: ['2.2'] });
    expect(r.trace).toEqual([
      '1.1: 1 / 2',
      '1.2: 3 / 3',
      'area 1 (regular): points 4 = 1 + 3; max 5 = 2 + 3; index 4 / 5 × 100 = 80 → 80',
      '2.1: 4 / 4',
      '2.2: N/A — excluded from points and max',
      'area 2 (regular): points 4 = 4; max 4 = 4; index 4 / 4 × 100 = 100 → 100',
      '8.1: 0 / 2',
      'area 8 (bonus): points 0 = 0; max 2 = 2; index 0 / 2 × 100 = 0 → 0',
      '9.1: 0.5 / 3',
      'area 9 (penalty): points 0.5 = 0.5; max 3 = 3; index 0.5 / 3 × 100 = ≈16.6667 → 16.67',
      'regular areas: 8 of max 9 (bonus and penalty areas never count in max)',
      'bonus: 0, cap 1 → +0',
      'penalty: 0.5, cap 1.5 → −0.5',
      'total = 8 + 0 − 0.5 = 7.5',
      'index = 7.5 / 9 × 100 = ≈83.3333 → 83.33 (half-up, 2 decimals)',
      'band: TOT (Tốt) — the highest band with index ≥ minIndex 80',
    ]);
  });

  it('areas carry code, title, kind; items follow the framework order with nested criteria', () => {
    const nested: CriterionNode[] = [
      {
        code: '1',
        title: 'Chỉ đạo điều hành',
        maxPoints: 3,
        children: [
          { code: '1.1', maxPoints: 1 },
          { code: '1.2', maxPoints: 2, children: [{ code: '1.2.1', title: 'Kế hoạch', maxPoints: 1.5 }, { code: '1.2.2', maxPoints: 0.5 }] },
        ],
      },
    ];
    const r = aggregateUnit({ bonusCap: 0, penaltyCap: 0, bands: [], criteria: nested }, { finalPoints: { '1.1': 1, '1.2.1': 0.75 }, notApplicable: [] });
    // 1 + 0.75 + 0 (1.2.2 missing) = 1.75 of 3 → 58.333…% → 58.33; no bands → band null.
    expect(r.areas).toEqual([{ code: '1', title: 'Chỉ đạo điều hành', kind: 'regular', points: 1.75, max: 3, index: 58.33 }]);
    expect(r.items.map((i) => [i.code, i.points, i.max, i.areaCode])).toEqual([
      ['1.1', 1, 1, '1'],
      ['1.2.1', 0.75, 1.5, '1'],
      ['1.2.2', 0, 0.5, '1'],
    ]);
    expect(r.items[1]?.title).toBe('Kế hoạch');
    expect([r.index, r.band]).toEqual([58.33, null]);
  });

  it('JSON carries every field including items and trace; numbers have at most 2 decimals', () => {
    const r = aggregateUnit(cf1, unit({ 'P.1': 1.25, 'T.1': 0.33 }));
    const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['total', 'max', 'index', 'band', 'bandLabel', 'bonus', 'penalty', 'areas', 'items', 'trace']));
    expect(json.items).toHaveLength(6);
    const numbers: number[] = [];
    JSON.stringify(r, (_k, v: unknown) => {
      if (typeof v === 'number') numbers.push(v);
      return v;
    });
    for (const n of numbers) expect(Math.round(n * 100) / 100).toBe(n);
    // 14 + 1.25 − 0.33 = 14.92 → 74.6
    expect([r.total, r.index]).toEqual([14.92, 74.6]);
  });

  it('accepts decimal strings as final points (e.g. from a numeric column)', () => {
    const r = aggregateUnit(cf1, { finalPoints: { 'A.1': '4.00', 'A.2': '3', 'B.1': '5.0', 'B.2': ' 2.50 ' }, notApplicable: [] });
    expect(r.total).toBe(14.5);
  });
});

describe('rejected unit inputs (never clamped)', () => {
  it.each([
    [{ 'A.1': 4.01 }, 'finalPoints.A.1', 'out_of_range'], // above max 4
    [{ 'A.1': -0.5 }, 'finalPoints.A.1', 'out_of_range'],
    [{ 'A.1': '-1' }, 'finalPoints.A.1', 'out_of_range'],
    [{ 'A.1': 1.255 }, 'finalPoints.A.1', 'too_many_decimals'],
    [{ 'A.1': '1.505' }, 'finalPoints.A.1', 'too_many_decimals'],
    [{ 'A.1': 'abc' }, 'finalPoints.A.1', 'invalid_type'],
    [{ 'A.1': Number.NaN }, 'finalPoints.A.1', 'invalid_type'],
    [{ 'A.1': true as unknown as number }, 'finalPoints.A.1', 'invalid_type'],
    [{ 'Z.9': 1 }, 'finalPoints.Z.9', 'unknown_criterion'],
    [{ A: 1 }, 'finalPoints.A', 'not_a_leaf'],
  ])('%j → %s %s', (extra, field, code) => {
    expectInputError(() => aggregateUnit(cf1, unit(extra)), field, code);
  });

  it('unknown codes in notApplicable are rejected', () => {
    expectInputError(() => aggregateUnit(cf1, unit({}, ['Z.9'])), 'notApplicable[0]', 'unknown_criterion');
    expectInputError(() => aggregateUnit(cf1, unit({}, ['A.1', 'B'])), 'notApplicable[1]', 'not_a_leaf');
  });

  it('an unknown key whose value is undefined is harmless', () => {
    expect(aggregateUnit(cf1, unit({ 'Z.9': undefined })).total).toBe(14);
  });
});

describe('framework validation', () => {
  const leafArea = (children: CriterionNode[], maxPoints: number, extra: Partial<CriterionNode> = {}): CriterionNode => ({ code: 'A', maxPoints, children, ...extra });
  const fw = (criteria: CriterionNode[], extra: Partial<ScoringFramework> = {}): ScoringFramework => ({ bonusCap: 1, penaltyCap: 1, bands: BANDS, criteria, ...extra });

  it.each([
    ['parent max ≠ Σ children', fw([leafArea([{ code: 'A.1', maxPoints: 1 }, { code: 'A.2', maxPoints: 1.5 }], 3)])],
    ['duplicate code', fw([leafArea([{ code: 'A.1', maxPoints: 1 }, { code: 'A.1', maxPoints: 1 }], 2)])],
    ['kind on a sub-criterion differing from its area', fw([leafArea([{ code: 'A.1', maxPoints: 1, kind: 'bonus' }], 1)])],
    ['unknown area kind', fw([leafArea([{ code: 'A.1', maxPoints: 1 }], 1, { kind: 'extra' as 'bonus' })])],
    ['rule on a node with children', fw([leafArea([{ code: 'A.1', maxPoints: 1 }], 1, { rule: { type: 'binary' } })])],
    ['survey source without a survey rule', fw([leafArea([{ code: 'A.1', maxPoints: 1, source: 'survey', rule: { type: 'binary' } }], 1)])],
    ['survey rule with self source', fw([leafArea([{ code: 'A.1', maxPoints: 1, source: 'self', rule: { type: 'survey', surveyCode: 'S', dimensionCode: 'D' } }], 1)])],
    ['invalid leaf rule', fw([leafArea([{ code: 'A.1', maxPoints: 1, rule: { type: 'tiered', input: 'percent', tiers: [] } }], 1)])],
    ['negative bonusCap', fw([leafArea([{ code: 'A.1', maxPoints: 1 }], 1)], { bonusCap: -1 })],
    ['penaltyCap with 3 decimals', fw([leafArea([{ code: 'A.1', maxPoints: 1 }], 1)], { penaltyCap: 0.125 })],
    ['duplicate band code', fw([leafArea([{ code: 'A.1', maxPoints: 1 }], 1)], { bands: [{ code: 'X', minIndex: 1 }, { code: 'X', minIndex: 2 }] })],
    ['two bands with the same minIndex', fw([leafArea([{ code: 'A.1', maxPoints: 1 }], 1)], { bands: [{ code: 'X', minIndex: 1 }, { code: 'Y', minIndex: 1 }] })],
    ['capIndexAt100 not a boolean', fw([leafArea([{ code: 'A.1', maxPoints: 1 }], 1)], { capIndexAt100: 'no' as unknown as boolean })],
    ['maxPoints with 3 decimals', fw([leafArea([{ code: 'A.1', maxPoints: 0.125 }], 0.125)])],
  ])('%s is rejected', (_name, framework) => {
    frameworkError(() => compileFramework(framework));
  });

  it('the error names the path', () => {
    const e = frameworkError(() => compileFramework(fw([leafArea([{ code: 'A.1', maxPoints: 1 }, { code: 'A.2', maxPoints: 1.5 }], 3)])));
    expect(e.path).toBe('criteria[0].maxPoints');
    expect(e.message).toContain('maxPoints 3 of "A" is not the sum of its children\'s (2.5)');
  });

  it('maxPoints sums are checked exactly (0.1 + 0.2 = 0.3)', () => {
    expect(() => compileFramework(fw([leafArea([{ code: 'A.1', maxPoints: 0.1 }, { code: 'A.2', maxPoints: 0.2 }], 0.3)]))).not.toThrow();
  });
});

describe('lean batch path', () => {
  const F: ScoringFramework = {
    bonusCap: 1,
    penaltyCap: 1,
    bands: BANDS,
    criteria: [
      {
        code: '1',
        maxPoints: 6,
        children: [
          { code: '1.1', maxPoints: 2, rule: { type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 } },
          { code: '1.2', maxPoints: 3, naAllowed: true, rule: { type: 'proportional', input: 'ratio', direction: 'lower' } },
          { code: '1.3', maxPoints: 1, source: 'survey', rule: { type: 'survey', surveyCode: 'S', questionCodes: ['Q1'] } },
        ],
      },
    ],
  };
  const cf = compileFramework(F);

  it('evaluateUnitLeaves + aggregateHundredths = evaluate + aggregateUnit', () => {
    expect(cf.leafCodes).toEqual(['1.1', '1.2', '1.3']);
    // 1.1: 92.5% > 90 → 2; 1.2: 3 × (1 − 1/8) = 2.625 → 2.63; 1.3: 1 × 2/3 = 0.666… → 0.67.
    const pts = evaluateUnitLeaves(cf, [{ percent: 92.5 }, { numerator: 1, denominator: 8 }, {}], [undefined, undefined, '2/3']);
    expect(Array.from(pts)).toEqual([200, 263, 67]);
    const lean = aggregateHundredths(cf, pts);
    const viaRecord = aggregateUnit(cf, { finalPoints: { '1.1': 2, '1.2': 2.63, '1.3': 0.67 }, notApplicable: [] });
    expect(lean.toJSON()).toEqual(viaRecord.toJSON());
    // 5.3 / 6 × 100 = 88.333… → 88.33
    expect(lean.index).toBe(88.33);
  });

  it('N/A and missing markers', () => {
    const pts = evaluateUnitLeaves(cf, [{ percent: 50 }, { numerator: 0, denominator: 0 }, {}], [null, null, null]);
    expect(Array.from(pts)).toEqual([0, NA_POINTS, NA_POINTS]);
    const r = aggregateHundredths(cf, [100, NA_POINTS, MISSING_POINTS]);
    // 1 of (2 + 1) → 33.33
    expect([r.total, r.max, r.index]).toEqual([1, 3, 33.33]);
    expect(r.items.map((i) => [i.notApplicable, i.missing])).toEqual([[false, false], [true, false], [false, true]]);
  });

  it('the result owns its data (the caller may reuse the buffer)', () => {
    const buf = new Int32Array(3);
    const r = aggregateHundredths(cf, evaluateUnitLeaves(cf, [{ percent: 100 }, { numerator: 0, denominator: 8 }, {}], [null, null, '1/1'], buf));
    evaluateUnitLeaves(cf, [{ percent: 0 }, { numerator: 8, denominator: 8 }, {}], [null, null, '0/1'], buf);
    expect(r.items.map((i) => i.points)).toEqual([2, 3, 1]);
  });

  it('rejects malformed points arrays', () => {
    expectInputError(() => aggregateHundredths(cf, [1, 2]), 'points', 'out_of_range');
    expectInputError(() => aggregateHundredths(cf, [201, 0, 0]), 'finalPoints.1.1', 'out_of_range');
    expectInputError(() => aggregateHundredths(cf, [1.5, 0, 0]), 'finalPoints.1.1', 'out_of_range');
    expectInputError(() => aggregateHundredths(cf, [0, -3, 0]), 'finalPoints.1.2', 'out_of_range');
  });

  it('a rejected input names its criterion', () => {
    let err: unknown;
    try {
      evaluateUnitLeaves(cf, [{ percent: 50 }, { numerator: 9, denominator: 8 }, {}], null);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScoringInputError);
    expect(err).toMatchObject({ field: 'input.numerator', code: 'out_of_range', criterionCode: '1.2' });
    expect((err as Error).message).toMatch(/^criterion 1\.2: input\.numerator/);
  });
});
