import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surveyRespondents, surveyResponses } from '../../src/db/schema.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { sampleDoc } from '../helpers/frameworks.js';
import { surveyDoc, type SurveyDoc } from '../helpers/surveys.js';

// The test framework XA-T scores criterion 3.1 from SIPAS-T questions Q1 and Q2; the round has P1 and P2.
const now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
let roundId: string;
const PROBLEM = /^application\/problem\+json/;

beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { SURVEY_RATE_LIMIT_PER_MINUTE: '5', PUBLIC_BASE_URL: 'https://cchc.sadec.gov.vn/' } });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

async function call(user: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, extra: Record<string, string> = {}) {
  const headers = { ...(user ? await t.as(user) : {}), ...extra };
  return t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as SurveyDoc }) });
}

let ip = 1;
/** Each anonymous submission from its own address unless told (the rate limit is per address). */
async function submit(code: string, unit: string, body: object, remoteAddress = `10.0.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}`) {
  return t.app.inject({ method: 'POST', url: `/api/v1/public/surveys/${code}/units/${unit}/responses`, payload: body, remoteAddress });
}

const sipasT = () => surveyDoc('SIPAS-T', { TIEP_CAN: ['Q1', 'Q2'], KET_QUA: ['Q3'] }, { year: 2025, minResponses: 3, demographics: ['sex', 'ageBand'] });

describe('survey definitions', () => {
  it('a coordinator creates a draft (version 1); the answer is the normalised document with counts', async () => {
    const res = await call('coord', 'POST', '/surveys', sipasT());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      code: 'SIPAS-T',
      kind: 'satisfaction',
      status: 'draft',
      version: 1,
      minResponses: 3,
      demographics: ['sex', 'ageBand'],
      questionCount: 3,
      responseCount: 0,
      createdBy: 'coord',
      publishedAt: null,
    });
    expect(res.json().dimensions[0]).toMatchObject({ code: 'TIEP_CAN', weight: 1, questions: [{ code: 'Q1', required: false }, { code: 'Q2' }] });
  });

  it('validation names every field (422), a duplicate code is 409, unit roles may not write', async () => {
    const bad = sipasT();
    bad.code = 'SIPAS-BAD';
    bad.dimensions[0].questions[1].code = 'Q1';
    bad.dimensions[1].questions[0].options[0].value = 2;
    const res = await call('coord', 'POST', '/surveys', bad);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.json().errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([['body.dimensions.1.questions.0.options.0.value', 'too_big']]);
    bad.dimensions[1].questions[0].options[0].value = 1;
    const dup = await call('coord', 'POST', '/surveys', bad);
    expect(dup.json().errors).toEqual([{ field: 'body.dimensions.0.questions.1.code', code: 'duplicate', message: expect.stringMatching(/^question code 'Q1' is used twice/) }]);
    expect((await call('coord', 'POST', '/surveys', sipasT())).statusCode).toBe(409);
    for (const who of ['p1.head', 'appraiser']) expect((await call(who, 'POST', '/surveys', { ...sipasT(), code: 'X-1' })).statusCode).toBe(403);
    expect((await call('admin', 'POST', '/surveys', { ...sipasT(), code: 'SIPAS-ADMIN' })).statusCode).toBe(201);
  });

  it('everyone signed in reads; anonymous does not', async () => {
    const list = await call('p1.editor', 'GET', '/surveys?kind=satisfaction');
    expect(list.json().map((s: { code: string }) => s.code)).toEqual(['SIPAS-ADMIN', 'SIPAS-T']);
    expect((await call('appraiser', 'GET', '/surveys/SIPAS-T')).json().code).toBe('SIPAS-T');
    expect((await call(null, 'GET', '/surveys')).statusCode).toBe(401);
    expect((await call('coord', 'GET', '/surveys/NOPE')).statusCode).toBe(404);
  });

  it('a change before any response is a new version; the code never changes', async () => {
    const doc = sipasT();
    doc.dimensions[0].questions[0].text = 'Nơi ngồi chờ có đủ chỗ ngồi';
    const res = await call('coord', 'PUT', '/surveys/SIPAS-T', doc);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: 2, dimensions: [{ questions: [{ text: 'Nơi ngồi chờ có đủ chỗ ngồi' }, {}] }, {}] });
    const renamed = await call('coord', 'PUT', '/surveys/SIPAS-T', { ...doc, code: 'OTHER' });
    expect(renamed.json().errors).toEqual([expect.objectContaining({ field: 'body.code', code: 'immutable' })]);
  });

  it('a version may not drop a question a framework scores from', async () => {
    // XA-T (inserted directly) scores 3.1 from SIPAS-T Q1 and Q2.
    const res = await call('coord', 'PUT', '/surveys/SIPAS-T', surveyDoc('SIPAS-T', { TIEP_CAN: ['Q1'], KET_QUA: ['Q3'] }));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'body.dimensions', code: 'referenced', message: 'framework XA-T, criterion 3.1 scores from question Q2, which this version removes' }]);
  });

  it('publishing opens it to responses; twice is 409; the audit chain has every change', async () => {
    const res = await call('coord', 'POST', '/surveys/SIPAS-T/publish');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'published', version: 2, publishedAt: now.toISOString() });
    expect((await call('coord', 'POST', '/surveys/SIPAS-T/publish')).statusCode).toBe(409);
    const audit = await call('coord', 'GET', '/audit?entityType=survey&entityId=SIPAS-T');
    expect(audit.json().items.map((e: { action: string }) => e.action).reverse()).toEqual(['survey.created', 'survey.updated', 'survey.published']);
  });
});

describe('framework survey references', () => {
  it('survey rules must name an existing survey and its question or dimension codes (422 naming each rule)', async () => {
    const doc = sampleDoc('REF-2025');
    doc.criteria[2].children[0].rule = { type: 'survey', surveyCode: 'SIPAS-NOPE', questionCodes: ['Q1'] };
    let res = await call('coord', 'POST', '/frameworks', doc);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'criteria[3.1].rule.surveyCode', code: 'unknown_survey', message: expect.stringMatching(/^criterion 3\.1: survey SIPAS-NOPE does not exist/) }]);
    doc.criteria[2].children[0].rule = { type: 'survey', surveyCode: 'SIPAS-T', questionCodes: ['Q1', 'Q7'] };
    res = await call('coord', 'POST', '/frameworks', doc);
    expect(res.json().errors).toEqual([{ field: 'criteria[3.1].rule.questionCodes[1]', code: 'unknown_question', message: 'criterion 3.1: survey SIPAS-T has no question Q7' }]);
    doc.criteria[2].children[0].rule = { type: 'survey', surveyCode: 'SIPAS-T', dimensionCode: 'CONG_CHUC' };
    res = await call('coord', 'POST', '/frameworks', doc);
    expect(res.json().errors).toEqual([{ field: 'criteria[3.1].rule.dimensionCode', code: 'unknown_dimension', message: 'criterion 3.1: survey SIPAS-T has no dimension CONG_CHUC' }]);
    doc.criteria[2].children[0].rule = { type: 'survey', surveyCode: 'SIPAS-T', dimensionCode: 'KET_QUA' };
    res = await call('coord', 'POST', '/frameworks', doc);
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('public form', () => {
  it('serves the published questionnaire without scores; drafts and unknown surveys are 404', async () => {
    const res = await call(null, 'GET', '/public/surveys/SIPAS-T');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.dimensions[0].questions[0].options[0]).toEqual({ code: '5', label: 'Rất hài lòng' });
    expect(body.demographics.map((d: { field: string }) => d.field)).toEqual(['sex', 'ageBand']);
    expect(JSON.stringify(body)).not.toMatch(/"value"|minResponses|responseCount/);
    expect((await call(null, 'GET', '/public/surveys/SIPAS-ADMIN')).statusCode).toBe(404);
    const form = await call(null, 'GET', '/public/surveys/SIPAS-T/units/P1');
    expect(form.json()).toMatchObject({ unit: { code: 'P1', name: 'UBND Phường 1' }, open: true });
    expect((await call(null, 'GET', '/public/surveys/SIPAS-T/units/PNV')).json().open).toBe(false);
  });

  it('accepts an anonymous response (201), and a retry with the same id answers 200 duplicate', async () => {
    const body = { responseId: 'b9f1c1e2-0000-4000-8000-000000000001', answers: { Q1: '5', Q2: '3', Q3: null } };
    const first = await submit('SIPAS-T', 'P1', body);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({ responseId: body.responseId, status: 'accepted' });
    const again = await submit('SIPAS-T', 'P1', body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ responseId: body.responseId, status: 'duplicate' });
    const other = await submit('SIPAS-T', 'P1', { ...body, answers: { Q1: '1' } });
    expect(other.statusCode).toBe(409);
    const rows = await t.database.db.select().from(surveyResponses);
    expect(rows.map((r) => [r.unitCode, r.responseId, r.source, r.answers])).toEqual([['P1', body.responseId, 'form', { Q1: '5', Q2: '3' }]]);
    const audit = await call('coord', 'GET', `/audit?entityType=survey_response`);
    expect(audit.json().items).toHaveLength(1);
  });

  it('validates answers against the questionnaire, naming each field (422)', async () => {
    const res = await submit('SIPAS-T', 'P1', { responseId: 'resp-invalid-1', answers: { Q1: '9', Q8: '5', Q2: '4' } });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.json().errors).toEqual([
      { field: 'body.answers.Q1', code: 'invalid_option', message: "'9' is not an option of question Q1 (5, 4, 3, 2, 1, 0)" },
      { field: 'body.answers.Q8', code: 'unknown_question', message: 'survey SIPAS-T has no question Q8' },
    ]);
    expect((await submit('SIPAS-T', 'P1', { responseId: 'resp-empty-01', answers: {} })).json().errors).toEqual([
      { field: 'body.answers', code: 'no_answers', message: 'answer at least one question' },
    ]);
    const shape = await submit('SIPAS-T', 'P1', { responseId: 'x', answers: { Q1: '5' }, extra: 1 });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.extra', 'body.responseId']);
  });

  it('only units of a round open for the survey take responses (409), unknown units and surveys are 404', async () => {
    const body = { responseId: 'resp-closed-01', answers: { Q1: '5' } };
    const closed = await submit('SIPAS-T', 'PNV', body);
    expect(closed.statusCode).toBe(409);
    expect(closed.json()).toMatchObject({ reason: 'not_open' });
    expect((await submit('SIPAS-T', 'NOPE', body)).statusCode).toBe(404);
    expect((await submit('SIPAS-NOPE', 'P1', body)).statusCode).toBe(404);
    expect((await submit('SIPAS-ADMIN', 'P1', body)).statusCode).toBe(404); // a draft
  });

  it('a filled honeypot is answered like an accepted response, and nothing is stored', async () => {
    const res = await submit('SIPAS-T', 'P2', { responseId: 'resp-bot-0001', answers: { Q1: '5' }, website: 'http://spam.example' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ responseId: 'resp-bot-0001', status: 'accepted' });
    const rows = await t.database.db.select().from(surveyResponses).where(sql`${surveyResponses.responseId} = 'resp-bot-0001'`);
    expect(rows).toHaveLength(0);
  });

  it('demographics: only those the survey asks for, stored apart from the answers', async () => {
    const refused = await submit('SIPAS-T', 'P2', { responseId: 'resp-demo-001', answers: { Q1: '4' }, respondent: { occupation: 'farmer', sex: 'alien' } });
    expect(refused.json().errors).toEqual([
      { field: 'body.respondent.sex', code: 'invalid_value', message: 'must be one of male, female, other' },
      { field: 'body.respondent.occupation', code: 'not_collected', message: 'survey SIPAS-T does not ask for occupation; leave it out' },
    ]);
    const ok = await submit('SIPAS-T', 'P2', { responseId: 'resp-demo-001', answers: { Q1: '4' }, respondent: { sex: 'Nữ', ageBand: '35_44' } });
    expect(ok.statusCode).toBe(201);
    const [resp] = await t.database.db.select().from(surveyResponses).where(sql`${surveyResponses.responseId} = 'resp-demo-001'`);
    expect(resp!.answers).toEqual({ Q1: '4' });
    const people = await t.database.db.select().from(surveyRespondents);
    expect(people.map((p) => [p.responseId, p.sex, p.ageBand, p.occupation])).toEqual([[resp!.id, 'female', '35_44', null]]);
  });

  it('is rate-limited per client address (429 problem+json)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await submit('SIPAS-T', 'P2', { responseId: `resp-rate-${i}-xx`, answers: { Q2: '4' } }, '192.0.2.7');
      codes.push(res.statusCode);
      if (res.statusCode === 429) expect(res.headers['content-type']).toMatch(PROBLEM);
    }
    expect(codes).toEqual([201, 201, 201, 201, 201, 429]);
    expect((await submit('SIPAS-T', 'P2', { responseId: 'resp-rate-other', answers: { Q2: '4' } }, '192.0.2.8')).statusCode).toBe(201);
  });

  it('once it has responses a survey is immutable (409)', async () => {
    const res = await call('coord', 'PUT', '/surveys/SIPAS-T', sipasT());
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/has responses and can no longer change/);
  });
});

describe('links and QR codes for the one-stop desk', () => {
  it('points at the web form under PUBLIC_BASE_URL, with QR codes in PNG and SVG', async () => {
    const res = await call('coord', 'GET', '/surveys/SIPAS-T/units/P1/link');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      surveyCode: 'SIPAS-T',
      unitCode: 'P1',
      unitName: 'UBND Phường 1',
      url: 'https://cchc.sadec.gov.vn/khao-sat/SIPAS-T/P1',
      qrPngUrl: 'https://cchc.sadec.gov.vn/api/v1/surveys/SIPAS-T/units/P1/qr.png',
      qrSvgUrl: 'https://cchc.sadec.gov.vn/api/v1/surveys/SIPAS-T/units/P1/qr.svg',
      open: true,
    });
    const links = await call('coord', 'GET', '/surveys/SIPAS-T/links');
    expect(links.json().map((l: { unitCode: string }) => l.unitCode)).toEqual(['P1', 'P2']);

    const png = await call('coord', 'GET', '/surveys/SIPAS-T/units/P1/qr.png?size=256');
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.rawPayload.readUInt32BE(16)).toBe(256); // IHDR width
    const svg = await call('coord', 'GET', '/surveys/SIPAS-T/units/P1/qr.svg');
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((await call('p1.head', 'GET', '/surveys/SIPAS-T/units/P1/qr.png')).statusCode).toBe(403);
    expect((await call('coord', 'GET', '/surveys/SIPAS-T/units/NOPE/link')).statusCode).toBe(404);
  });
});

describe('results', () => {
  beforeAll(async () => {
    // P1: Q1 5,5,4,3 → 3/4; Q2 3,4,0 → 1/2 (one excluded); Q3 5 → 1.  With the first response (Q1 5, Q2 3): n = 5.
    const answers = [{ Q1: '5', Q2: '4' }, { Q1: '4', Q2: '0' }, { Q1: '3' }, { Q3: '5' }];
    for (const [i, a] of answers.entries()) expect((await submit('SIPAS-T', 'P1', { responseId: `resp-p1-${i}-xxxx`, answers: a })).statusCode).toBe(201);
  });

  it('per unit: n, question scores with intervals, dimension and overall indices, below-minResponses flag', async () => {
    const res = await call('coord', 'GET', '/surveys/SIPAS-T/results');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ surveyCode: 'SIPAS-T', minResponses: 3, n: 12 });
    const p1 = r.units.find((u: { unitCode: string }) => u.unitCode === 'P1');
    // Q1: 5,5,4,3 → 1,1,1,0 = 3/4; Q2: 3,4,(0) → 0,1 = 1/2; Q3: 1.  TIEP_CAN (3/4 + 1/2)/2 = 62.5; KET_QUA 100; overall 81.25.
    expect(p1).toMatchObject({ unitName: 'UBND Phường 1', n: 5, belowMinResponses: false, overallIndex: 81.25, overallIndexExact: '325/4' });
    expect(p1.questions).toEqual([
      { code: 'Q1', dimensionCode: 'TIEP_CAN', n: 4, score: 0.75, scoreExact: '3/4', interval: { method: 'wilson', lower: 0.3006, upper: 0.9544 } },
      { code: 'Q2', dimensionCode: 'TIEP_CAN', n: 2, score: 0.5, scoreExact: '1/2', interval: { method: 'wilson', lower: 0.0945, upper: 0.9055 } },
      { code: 'Q3', dimensionCode: 'KET_QUA', n: 1, score: 1, scoreExact: '1', interval: { method: 'wilson', lower: 0.2065, upper: 1 } },
    ]);
    expect(p1.dimensions.map((d: { code: string; index: number }) => [d.code, d.index])).toEqual([['TIEP_CAN', 62.5], ['KET_QUA', 100]]);
    const p2 = r.units.find((u: { unitCode: string }) => u.unitCode === 'P2');
    expect(p2).toMatchObject({ n: 7, belowMinResponses: false });
    // Groups: the round group XA holds P1 and P2, pooled.
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]).toMatchObject({ roundId, groupCode: 'XA', frameworkCode: 'XA-T', units: 2, unitsWithResponses: 2, unitsBelowMinResponses: 0, n: 12 });
    expect(r.respondents).toEqual([
      { field: 'sex', counts: [{ value: 'female', n: 1 }] },
      { field: 'ageBand', counts: [{ value: '35_44', n: 1 }] },
    ]);
  });

  it('are for the coordinator only', async () => {
    for (const who of ['admin', 'appraiser', 'p1.head']) expect((await call(who, 'GET', '/surveys/SIPAS-T/results')).statusCode).toBe(403);
  });

  it('feed the survey criterion of the round: 3.1 = 2 × mean(Q1 3/4, Q2 1/2) = 1.25 for P1', async () => {
    const res = await call('coord', 'GET', `/rounds/${roundId}/results?include=trace`);
    const p1 = res.json().groups[0].rows.find((r: { unitCode: string }) => r.unitCode === 'P1');
    expect(p1.items.find((i: { code: string }) => i.code === '3.1').final).toMatchObject({ points: 1.25, source: 'survey', open: false, notApplicable: false });
  });
});

describe('personal data retention', () => {
  it('purges demographics older than SURVEY_PERSONAL_DATA_RETENTION_DAYS (default 365), keeping the answers', async () => {
    const ctx = (at: Date) => ({ actor: null, requestId: 'test-retention', now: at });
    expect(await t.app.services.surveys.purgePersonalData(ctx(new Date(now.getTime() + 364 * 86_400_000)))).toBe(0);
    expect(await t.app.services.surveys.purgePersonalData(ctx(new Date(now.getTime() + 366 * 86_400_000)))).toBe(1);
    expect(await t.database.db.select().from(surveyRespondents)).toEqual([]);
    expect((await t.database.db.select().from(surveyResponses)).length).toBe(12);
    const audit = await call('coord', 'GET', '/audit?entityType=survey_respondent');
    expect(audit.json().items[0]).toMatchObject({ action: 'survey.personal_data_purged', after: { purged: 1, retentionDays: 365 } });
    const verify = await call('admin', 'GET', '/audit/verify');
    expect(verify.json().valid).toBe(true);
  });
});
