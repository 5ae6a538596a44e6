import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertDemoSurveys } from '../helpers/surveys.js';
import { sampleDoc } from '../helpers/frameworks.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedDirectory(t);
  await insertDemoSurveys(t);
  const headers = await t.as('coord');
  // Drafts on purpose: simulation is how a coordinator tries a framework before publishing it.
  for (const payload of [sampleDoc('SIM-2025'), { ...sampleDoc('SIM-OPT-2025'), lineage: 'SIM-OPT', surveyOptional: true }]) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/frameworks', headers, payload });
    if (res.statusCode !== 201) throw new Error(res.body);
  }
});
afterAll(() => t.close());

async function simulate(code: string, units: unknown[], user = 'coord') {
  return t.app.inject({ method: 'POST', url: `/api/v1/frameworks/${code}/simulate`, headers: await t.as(user), payload: { units } });
}

// Leaves of sampleDoc: 1.1 options (max 1), 1.2 tiered % >90 → 2, ≥70 → 1 (max 2), 1.3 proportional ratio lower
// (max 2, N/A allowed), 2.1 proportional % higher (max 4), 3.1 survey (max 3), bonus 9.1 binary (max 2, cap 1),
// penalty 10.1 count ≥1 → 3 (max 3, cap 2). Regular max 12.
const typical = {
  '1.1': { option: 'LATE' }, // 0.5
  '1.2': { percent: 90 }, // not > 90 → 1
  '1.3': { numerator: 1, denominator: 8 }, // 2 × (1 − 1/8) = 1.75
  '2.1': { percent: 62.5 }, // 4 × 0.625 = 2.5
  '9.1': { value: true }, // 2, capped to 1
  '10.1': { count: 0 }, // 0
};

describe('simulate on a draft (hand-computed)', () => {
  let body: any;

  beforeAll(async () => {
    const res = await simulate('SIM-2025', [
      { unitCode: 'PBT', unitName: 'UBND Phường Bình Thạnh', inputs: typical, surveyScores: { '3.1': '2/3' } }, // 3 × 2/3 = 2
      {
        unitCode: 'P1',
        unitName: 'UBND Phường 1',
        inputs: { '1.1': { option: 'ON_TIME' }, '1.2': { percent: 95 }, '1.3': { numerator: 0, denominator: 0 }, '2.1': { percent: 100 }, '9.1': { value: false }, '10.1': { count: 2 } },
        surveyScores: { '3.1': 1 },
      },
      { unitCode: 'PAH', unitName: 'UBND Phường An Hòa', inputs: typical, surveyScores: { '3.1': '2/3' } },
      {
        unitCode: 'XTQ',
        unitName: 'UBND xã Tân Quy',
        inputs: { '1.2': { percent: 120 }, '1.3': { numerator: 2, denominator: 4 }, '2.1': { percent: 50 }, '7.7': { value: true } },
        notApplicable: ['1.1'],
      },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    body = res.json();
  });

  it('scores each leaf with its explanation', () => {
    const pbt = body.units[0];
    expect(pbt.leaves.map((l: { code: string; points?: number }) => [l.code, l.points])).toEqual([
      ['1.1', 0.5], ['1.2', 1], ['1.3', 1.75], ['2.1', 2.5], ['3.1', 2], ['9.1', 2], ['10.1', 0],
    ]);
    expect(pbt.leaves[2].explanation).toContain('2 × (1 − 1/8) = 1.75');
    expect(pbt).toMatchObject({ complete: true, errors: [] });
  });

  it('aggregates: regular 7.75 + bonus min(2, 1) − 0 = 8.75 of 12 → 72.92, Khá', () => {
    expect(body.units[0].result).toMatchObject({
      total: 8.75, max: 12, index: 72.92, band: 'KHA', bandLabel: 'Khá', regularPoints: 7.75, bonus: 1, bonusRaw: 2, penalty: 0,
    });
    expect(body.units[0].result.areas).toEqual([
      { code: '1', title: 'Công tác chỉ đạo, điều hành CCHC', kind: 'regular', points: 3.25, max: 5, index: 65 },
      { code: '2', title: 'Cải cách thủ tục hành chính', kind: 'regular', points: 2.5, max: 4, index: 62.5 },
      { code: '3', title: 'Mức độ hài lòng', kind: 'regular', points: 2, max: 3, index: 66.67 },
      // Bonus and penalty areas show their caps (1 and 2) as max, and no index.
      { code: '9', title: 'Điểm thưởng', kind: 'bonus', points: 2, max: 1, index: null },
      { code: '10', title: 'Điểm trừ', kind: 'penalty', points: 0, max: 2, index: null },
    ]);
    expect(body.units[0].result.trace).toContain('index = 8.75 / 12 × 100 = ≈72.9167 → 72.92 (half-up, 2 decimals)');
  });

  it('N/A by "nothing arose" (0/0) leaves the denominator: 10 of 10 − capped penalty 2 = 8 → 80, Tốt', () => {
    const p1 = body.units[1];
    expect(p1.leaves.find((l: { code: string }) => l.code === '1.3')).toMatchObject({ status: 'not_applicable' });
    expect(p1.result).toMatchObject({ total: 8, max: 10, index: 80, band: 'TOT', penalty: 2, penaltyRaw: 3 });
  });

  it('reports input problems per unit and leaf, counts those leaves 0, and still aggregates', () => {
    const xtq = body.units[3];
    expect(xtq.complete).toBe(false);
    expect(xtq.errors).toEqual([
      { field: 'units.3.inputs.7.7', code: 'unknown_criterion', message: expect.stringContaining('"7.7" is not a leaf criterion of SIM-2025') },
      { field: 'units.3.notApplicable.0', code: 'na_not_allowed', message: 'criterion 1.1: may not be declared not applicable ("không phát sinh")' },
      { field: 'units.3.inputs.1.2.percent', code: 'out_of_range', message: 'criterion 1.2: input.percent must be between 0 and 100 (got 120)' },
    ]);
    expect(xtq.leaves.map((l: { code: string; status: string }) => `${l.code} ${l.status}`)).toEqual([
      '1.1 missing', '1.2 error', '1.3 scored', '2.1 scored', '3.1 missing', '9.1 missing', '10.1 missing',
    ]);
    expect(xtq.result).toMatchObject({ total: 3, max: 12, index: 25, band: 'YEU' });
  });

  it('ranks the group: competition ranking, ties listed by name in Vietnamese order', () => {
    expect(body.ranking).toEqual([
      { rank: 1, unitCode: 'P1', unitName: 'UBND Phường 1', index: 80, band: 'TOT' },
      { rank: 2, unitCode: 'PAH', unitName: 'UBND Phường An Hòa', index: 72.92, band: 'KHA' },
      { rank: 2, unitCode: 'PBT', unitName: 'UBND Phường Bình Thạnh', index: 72.92, band: 'KHA' },
      { rank: 4, unitCode: 'XTQ', unitName: 'UBND xã Tân Quy', index: 25, band: 'YEU' },
    ]);
    expect(body.units.map((u: { rank: number }) => u.rank)).toEqual([2, 1, 2, 4]);
  });
});

describe('simulate: survey rules and caps', () => {
  it('with surveyOptional a unit without responses re-bases to the rest; bonus cannot lift the index above 100', async () => {
    const res = await simulate('SIM-OPT-2025', [
      {
        unitCode: 'P2',
        unitName: 'UBND Phường 2',
        inputs: { '1.1': { option: 'ON_TIME' }, '1.2': { percent: 100 }, '1.3': { numerator: 0, denominator: 10 }, '2.1': { percent: 100 }, '9.1': { value: true }, '10.1': { count: 0 } },
      },
    ]);
    const unit = res.json().units[0];
    expect(unit.leaves.find((l: { code: string }) => l.code === '3.1')).toMatchObject({ status: 'not_applicable' });
    // 9 of 9 regular + bonus 1 = 10 → 111.11, capped at 100.
    expect(unit.result).toMatchObject({ total: 10, max: 9, index: 100, indexUncapped: 111.11, cappedAt100: true, band: 'XS' });
    expect(unit.complete).toBe(true);
  });

  it('a survey criterion is never self-scored', async () => {
    const res = await simulate('SIM-2025', [{ unitCode: 'P1', unitName: 'UBND Phường 1', inputs: { '3.1': { percent: 100 } } }]);
    expect(res.json().units[0].errors).toEqual([
      expect.objectContaining({ field: 'units.0.inputs.3.1', code: 'survey_not_self_scored' }),
    ]);
  });

  it('a survey score outside [0, 1] is an error on surveyScores', async () => {
    const res = await simulate('SIM-2025', [{ unitCode: 'P1', unitName: 'UBND Phường 1', inputs: {}, surveyScores: { '3.1': 1.2 } }]);
    expect(res.json().units[0].errors).toEqual([
      expect.objectContaining({ field: 'units.0.surveyScores.3.1', code: 'out_of_range' }),
    ]);
  });
});

describe('simulate: requests', () => {
  it('every role may simulate (it stores nothing)', async () => {
    const res = await simulate('SIM-2025', [{ unitCode: 'P1', unitName: 'UBND Phường 1', inputs: typical }], 'p1.editor');
    expect(res.statusCode).toBe(200);
  });

  it('wrong input types are a 400 naming the field; a unit listed twice a 422; an unknown framework 404', async () => {
    const types = await simulate('SIM-2025', [{ unitCode: 'P1', unitName: 'UBND Phường 1', inputs: { '1.2': { percent: 'ninety' } } }]);
    expect(types.statusCode).toBe(400);
    expect(types.json().errors).toEqual([expect.objectContaining({ field: 'body.units.0.inputs.1.2.percent' })]);
    const twice = await simulate('SIM-2025', [
      { unitCode: 'P1', unitName: 'UBND Phường 1', inputs: {} },
      { unitCode: 'P1', unitName: 'UBND Phường 1', inputs: {} },
    ]);
    expect(twice.statusCode).toBe(422);
    expect(twice.json().errors).toEqual([expect.objectContaining({ field: 'units.1.unitCode', code: 'duplicate' })]);
    expect((await simulate('NOPE', [{ unitCode: 'P1', unitName: 'x', inputs: {} }])).statusCode).toBe(404);
  });
});

describe('notApplicableScoring "full_points" (a framework setting, applied by the engine)', () => {
  it('awards an N/A leaf its full points: P1 with 1.3 at 0/0 → (1 + 2 + 2 + 4 + 3) − capped penalty 2 = 10 of 12 → 83.33', async () => {
    const headers = await t.as('coord');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/frameworks',
      headers,
      payload: { ...sampleDoc('SIM-FULL-2025'), lineage: 'SIM-FULL', notApplicableScoring: 'full_points' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ notApplicableScoring: 'full_points' });
    const inputs = { '1.1': { option: 'ON_TIME' }, '1.2': { percent: 95 }, '1.3': { numerator: 0, denominator: 0 }, '2.1': { percent: 100 }, '9.1': { value: false }, '10.1': { count: 2 } };
    const res = await simulate('SIM-FULL-2025', [{ unitCode: 'P1', unitName: 'UBND Phường 1', inputs, surveyScores: { '3.1': 1 } }]);
    expect(res.statusCode, res.body).toBe(200);
    const unit = res.json().units[0];
    const r = unit.result;
    expect(r).toMatchObject({ regularPoints: 12, total: 10, max: 12, index: 83.33, penalty: 2 });
    expect(unit.leaves.find((l: { code: string }) => l.code === '1.3')).toMatchObject({ status: 'not_applicable' });
    expect(r.areas.find((a: { code: string }) => a.code === '1')).toMatchObject({ points: 5, max: 5, index: 100 }); // 1 + 2 + 2 of 1 + 2 + 2
    expect(r.trace).toContain('1.3: N/A — awarded full points 2 / 2 (framework: notApplicableScoring full_points)');
    // The same unit on the re-basing framework: 10 of 10 − 2 = 8 → 80.
    const rebased = (await simulate('SIM-2025', [{ unitCode: 'P1', unitName: 'UBND Phường 1', inputs, surveyScores: { '3.1': 1 } }])).json().units[0].result;
    expect(rebased).toMatchObject({ total: 8, max: 10, index: 80 });
  });

  it('refuses an unknown setting with a 4xx naming the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/frameworks',
      headers: await t.as('coord'),
      payload: { ...sampleDoc('SIM-BAD-2025'), lineage: 'SIM-BAD', notApplicableScoring: 'half' },
    });
    expect([400, 422]).toContain(res.statusCode);
    expect(JSON.stringify(res.json())).toContain('notApplicableScoring');
  });
});
