import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, schedule, testFramework } from '../helpers/fixtures.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';

// Survey-scored criteria get their points from the responses through the scoring engine. Two groups, each on a
// framework whose only area is one survey criterion (max 2) on SIPAS-E questions Q1 and Q2:
//   XA (P1, P2) on SV-REQ, surveyOptional false: a unit without responses blocks council review;
//   PB (PNV, PTP) on SV-OPT, surveyOptional true: a unit without responses has the criterion N/A.
let t: TestApp;
let roundId: string;
const now = new Date('2025-10-20T03:00:00Z');

const surveyArea = [
  {
    code: '3',
    title: 'Mức độ hài lòng của người dân',
    maxPoints: 2,
    kind: 'regular',
    children: [
      { code: '3.1', title: 'Chỉ số hài lòng về TTHC', maxPoints: 2, source: 'survey', naAllowed: false, rule: { type: 'survey', surveyCode: 'SIPAS-E', questionCodes: ['Q1', 'Q2'] }, evidence: { required: false } },
    ],
  },
] as unknown as typeof testFramework.criteria;

async function req(who: string | null, method: 'GET' | 'POST', url: string, payload?: object) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: who ? await t.as(who) : {}, ...(payload ? { payload } : {}) });
}
let n = 0;
const answer = (unit: string, answers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/public/surveys/SIPAS-E/units/${unit}/responses`, payload: { responseId: `engine-${++n}-response`, answers }, remoteAddress: `10.9.0.${n}` });

beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
  await seedDirectory(t);
  await insertSurvey(t, surveyDoc('SIPAS-E'));
  await insertFramework(t, { code: 'SV-REQ', lineage: 'SV-REQ', surveyOptional: false, criteria: surveyArea });
  await insertFramework(t, { code: 'SV-OPT', lineage: 'SV-OPT', surveyOptional: true, criteria: surveyArea });
  const created = await req('coord', 'POST', '/rounds', {
    year: 2025,
    name: 'Đợt có khảo sát',
    groups: [
      { code: 'XA', name: 'UBND xã, phường', frameworkCode: 'SV-REQ', unitCodes: ['P1', 'P2'] },
      { code: 'PB', name: 'Phòng chuyên môn', frameworkCode: 'SV-OPT', unitCodes: ['PNV', 'PTP'] },
    ],
    schedule,
  });
  roundId = created.json().id;
  expect((await req('coord', 'POST', `/rounds/${roundId}/transition`, { to: 'self_assessment' })).statusCode).toBe(200);
  // P1: the SPEC vector (Q1 1, 0, 1, null, 1 → 3/4; Q2 null, 1, 1, 0, 1 → 3/4).
  for (const a of [{ Q1: '5', Q2: '0' }, { Q1: '3', Q2: '4' }, { Q1: '4', Q2: '4' }, { Q1: '0', Q2: '2' }, { Q1: '5', Q2: '5' }]) {
    expect((await answer('P1', a)).statusCode).toBe(201);
  }
  // PNV: Q1 1; Q2 0 → mean 1/2.
  expect((await answer('PNV', { Q1: '4', Q2: '1' })).statusCode).toBe(201);
});
afterAll(() => t.close());

const row = (r: { groups: { rows: { unitCode: string }[] }[] }, unit: string) => r.groups.flatMap((g) => g.rows).find((x) => x.unitCode === unit) as any;

describe('survey-scored criteria in a round', () => {
  it('take their points from the responses: P1 2 × mean(3/4, 3/4) = 1.5 (index 75), PNV 2 × 1/2 = 1', async () => {
    const res = await req('coord', 'GET', `/rounds/${roundId}/results?include=trace`);
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(row(r, 'P1').items[0].final).toEqual({ points: 1.5, notApplicable: false, source: 'survey', open: false, surveyN: 5, note: '3.1: survey SIPAS-E, 5 response(s) → 1.5' });
    expect(row(r, 'P1')).toMatchObject({ total: 1.5, max: 2, index: 75 });
    expect(row(r, 'PNV')).toMatchObject({ total: 1, max: 2, index: 50 });
  });

  it('without responses: N/A with surveyOptional (PTP re-bases to nothing), open survey_missing otherwise (P2)', async () => {
    const r = (await req('coord', 'GET', `/rounds/${roundId}/results?include=trace`)).json();
    expect(row(r, 'PTP').items[0].final).toEqual({
      points: null, notApplicable: true, source: 'survey', open: false, surveyN: 0,
      note: '3.1: survey SIPAS-E: no responses → N/A (the framework makes survey criteria optional)',
    });
    expect(row(r, 'PTP')).toMatchObject({ max: 0, index: null });
    expect(row(r, 'P2').items[0].final).toMatchObject({ points: null, open: true, reason: 'survey_missing' });
    expect(r.openItems).toEqual([{ groupCode: 'XA', unitCode: 'P2', unitName: 'UBND Phường An Hòa', criterionCode: '3.1', title: 'Chỉ số hài lòng về TTHC', areaCode: '3', reason: 'survey_missing' }]);
  });

  it('council review is refused while a unit has no responses, listing the units; responses unblock it', async () => {
    for (const to of ['appraisal', 'explanation', 'final_appraisal']) expect((await req('coord', 'POST', `/rounds/${roundId}/transition`, { to })).statusCode).toBe(200);
    const blocked = await req('coord', 'POST', `/rounds/${roundId}/transition`, { to: 'council_review' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().openItems).toEqual([expect.objectContaining({ unitCode: 'P2', criterionCode: '3.1', reason: 'survey_missing' })]);
    // The form still takes responses in final_appraisal.
    expect((await answer('P2', { Q1: '4', Q2: '3' })).statusCode).toBe(201);
    expect((await req('coord', 'POST', `/rounds/${roundId}/transition`, { to: 'council_review' })).statusCode).toBe(200);
    const r = (await req('coord', 'GET', `/rounds/${roundId}/results?include=trace`)).json();
    expect(row(r, 'P2')).toMatchObject({ total: 1, index: 50 });
  });
});

describe('survey indices for publications', () => {
  it('give each unit its overall index with n; units below minResponses have no index', async () => {
    const { surveyIndicesOf } = await import('../../src/modules/surveys/surveys.service.js');
    const units = ['P1', 'P2', 'PNV', 'PTP'];
    const indices = await surveyIndicesOf(t.database.db, roundId, units);
    expect(units.map((u) => [u, indices.get(u)])).toEqual([
      ['P1', [{ surveyCode: 'SIPAS-E', index: 75, n: 5 }]],
      ['P2', [{ surveyCode: 'SIPAS-E', index: 50, n: 1 }]],
      ['PNV', [{ surveyCode: 'SIPAS-E', index: 50, n: 1 }]],
      ['PTP', [{ surveyCode: 'SIPAS-E', index: null, n: 0 }]],
    ]);
    await t.database.db.execute(sql`update surveys set min_responses = 3 where code = 'SIPAS-E'`);
    const hidden = await surveyIndicesOf(t.database.db, roundId, units);
    expect(units.map((u) => hidden.get(u)![0]!.index)).toEqual([75, null, null, null]);
  });
});

describe('survey minimum (minResponses)', () => {
  // Continues from above: min_responses is now 3. P1 has 5 responses, P2 1 (required survey), PNV 1 (optional).
  it('a unit with 0 < n < minResponses is treated like one without responses, and the trace says why', async () => {
    const r = (await req('coord', 'GET', `/rounds/${roundId}/results?include=trace`)).json();
    // P1: 5 ≥ 3 → still 2 × 3/4 = 1.5.
    expect(row(r, 'P1')).toMatchObject({ total: 1.5, max: 2, index: 75 });
    // P2: 1 < 3 on a required survey → open, no points (was 1 of 2 before the minimum).
    expect(row(r, 'P2').items[0].final).toMatchObject({ points: null, open: true, reason: 'survey_below_minimum', surveyN: 1 });
    expect(row(r, 'P2').trace[0]).toBe('3.1: survey SIPAS-E: 1 response(s), below the minimum of 3 → no score until responses are collected');
    expect(r.openItems).toEqual([expect.objectContaining({ unitCode: 'P2', criterionCode: '3.1', reason: 'survey_below_minimum' })]);
    // PNV: 1 < 3 on an optional survey → N/A, the area re-bases to nothing (was 1 of 2).
    expect(row(r, 'PNV').items[0].final).toMatchObject({ points: null, notApplicable: true, open: false, surveyN: 1 });
    expect(row(r, 'PNV')).toMatchObject({ max: 0, index: null });
  });
});
