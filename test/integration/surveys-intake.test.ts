import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_MIME } from '../../src/modules/surveys/surveys.import.js';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { WebClient } from '../helpers/web.js';
import { edited, intakeSurvey, koboCsv, koboJson, koboXlsx, LONG_NAME, limeCsv, limeXlsx, odkCsv, odkJson, responses, unfinished } from '../fixtures/surveys/exports.js';

// Exports of KoboToolbox, ODK Central and LimeSurvey as they are downloaded (test/fixtures/surveys/exports.ts) through
// the HTTP API: dry run, import, re-import of an edited version, results. Runs on PGlite, or PostgreSQL with
// TEST_DATABASE_URL.
//
// Hand-computed results (options: 5, 4 → 1; 3, 2, 1 → 0; 0 → excluded; Q4 a 1, b 1/2, c 0, d excluded, mean):
// P1 has r1, r2, r4. Q1: r1 5 → 1, r2 2 → 0, r4 "4 5" left out (single choice) → 1/2. Q2: 4, 5, 1 → 2/3.
// G1[SQ001]: 3, 4, 5 → 2/3. G1[SQ002]: 5, (0), 5 → 1. Q4: {a,b} 3/4, {c} 0, {b,c} 1/4 → 1/3.
// TIEP_CAN = (1/2 + 2/3)/2 = 7/12 → 175/3; THAI_DO = (2/3 + 1)/2 = 5/6 → 250/3; KENH = 1/3 → 100/3;
// overall = (175/3 + 250/3 + 100/3)/3 = 175/3 (58.33).
// Edited r2 (Q1 2 → 5): Q1 = 1 → TIEP_CAN 5/6 → 250/3; overall = (250 + 250 + 100)/9 = 200/3 (66.67), n still 3.
// LimeSurvey's list question holds one code, so r4's Q1 is 4 (→ 1): Q1 = 2/3, TIEP_CAN 2/3 → 200/3, overall
// (200 + 250 + 100)/9 = 550/9 (61.11); edited: Q1 = 1 → 200/3 again.
// P2 has r3: Q1 1, Q2 0 → 50; THAI_DO 1, 1 → 100; Q4 {a, d} → 1 → 100; overall 250/3 (83.33).

let t: TestApp;
let surveyNo = 0;

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: await t.as('coord'), ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** A fresh published copy of the questionnaire (each test counts its own responses). */
async function freshSurvey(o: Parameters<typeof intakeSurvey>[1] = {}) {
  const code = `SIPAS-X${++surveyNo}`;
  const created = await call('POST', '/surveys', intakeSurvey(code, o));
  expect(created.statusCode, created.body).toBe(201);
  expect((await call('POST', `/surveys/${code}/publish`)).statusCode).toBe(200);
  return code;
}

async function upload(code: string, body: string | Buffer, contentType: string, query = '') {
  return t.app.inject({ method: 'POST', url: `/api/v1/surveys/${code}/responses/import${query}`, headers: { ...(await t.as('coord')), 'content-type': contentType }, payload: body });
}

async function results(code: string) {
  const r = (await call('GET', `/surveys/${code}/results`)).json();
  const unit = (u: string) => r.units.find((x: { unitCode: string }) => x.unitCode === u);
  return { r, unit };
}

const P1_V1 = { n: 3, overallIndexExact: '175/3', overallIndex: 58.33 };
const P1_EDITED = { n: 3, overallIndexExact: '200/3', overallIndex: 66.67 };
const P2 = { n: 1, overallIndex: 83.33 };

async function storedTimes(code: string) {
  const res = await t.database.db.execute(
    sql`select r.response_id, r.submitted_at from survey_responses r join surveys s on s.id = r.survey_id where s.code = ${code} order by r.response_id`,
  );
  return Object.fromEntries((res as unknown as { rows: { response_id: string; submitted_at: Date | string }[] }).rows.map((x) => [x.response_id, new Date(x.submitted_at).toISOString()]));
}

beforeAll(async () => {
  t = await createTestApp();
  await seedDirectory(t);
});
afterAll(() => t.close());

describe('the survey definition', () => {
  it('takes grid-row codes Q1[SQ001], a sourceName of any length, sourceLabels and multiple choice; refuses bad ones by field', async () => {
    const code = await freshSurvey();
    const got = (await call('GET', `/surveys/${code}`)).json();
    expect(got.dimensions[0].questions[1]).toMatchObject({ code: 'Q2', sourceName: LONG_NAME });
    expect(got.dimensions[1].questions.map((q: { code: string }) => q.code)).toEqual(['G1[SQ001]', 'G1[SQ002]']);
    expect(got.dimensions[2].questions[0].multiple).toEqual({ score: 'mean' });
    const bad = intakeSurvey('SIPAS-BAD');
    (bad.dimensions[1]!.questions[0] as { code: string }).code = 'G1[SQ 1]';
    (bad.dimensions[1]!.questions[1] as { sourceName: string }).sourceName = LONG_NAME.toUpperCase();
    const res = await call('POST', '/surveys', bad);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'body.dimensions.1.questions.0.code' })]);
    const dup = intakeSurvey('SIPAS-BAD');
    (dup.dimensions[1]!.questions[1] as { sourceName: string }).sourceName = LONG_NAME.toUpperCase();
    const res2 = await call('POST', '/surveys', dup);
    expect(res2.statusCode).toBe(422);
    expect(res2.json().errors).toEqual([expect.objectContaining({ field: 'body.dimensions.1.questions.1.sourceName', code: 'duplicate' })]);
  });
});

describe('KoboToolbox', () => {
  it('CSV with XML headers, HXL row and BOM: the dry run explains every column and row; the import matches; an edited re-import replaces', async () => {
    const code = await freshSurvey();
    const file = koboCsv({ hxl: true });
    const dry = await upload(code, file, 'text/csv', '?dryRun=true');
    expect(dry.statusCode, dry.body).toBe(200);
    const report = dry.json();
    // Rows: 2 = HXL, 3–6 = r1–r4.
    expect(report).toMatchObject({ rows: 5, imported: 4, updated: 0, duplicate: 0, rejected: 0, answersRejected: 1, errors: [] });
    expect(report.skipped).toEqual({ count: 1, reasons: [{ code: 'hxl_tags', count: 1, rows: [2], message: expect.stringContaining('HXL') }] });
    expect(report.warnings).toEqual([
      {
        row: 6,
        column: 'TIEP_CAN/Q1',
        question: 'Q1',
        code: 'multiple_choice',
        message: expect.stringMatching(/^row 6: column 'TIEP_CAN\/Q1': '4 5' chooses several options, but question Q1 is single choice/),
      },
    ]);
    expect(report.columns).toMatchObject({
      id: 'meta/rootUuid',
      idFallbacks: ['_uuid'],
      version: 'meta/instanceID',
      unit: 'ubnd/unitCode',
      submitted: ['_submission_time'],
      byQuestion: [
        { code: 'Q1', columns: ['TIEP_CAN/Q1'] },
        { code: 'Q2', columns: [`TIEP_CAN/${LONG_NAME}`] },
        { code: 'G1[SQ001]', columns: ['thai_do/lich_su'] },
        { code: 'G1[SQ002]', columns: ['thai_do/huong_dan'] },
        { code: 'Q4', columns: ['Q4', 'Q4/a', 'Q4/b', 'Q4/c', 'Q4/d'] },
      ],
      missing: [],
      ignored: ['start', 'end', '_id', '_validation_status', '_notes', '_status', '_submitted_by', '__version__', '_tags', '_index'],
      ignoredCount: 10,
      ignoredTruncated: false,
    });
    expect(report.columns.questions).toContainEqual({ column: `TIEP_CAN/${LONG_NAME}`, code: 'Q2', by: 'sourceName' });
    expect(report.columns.questions).toContainEqual({ column: 'Q4', code: 'Q4', by: 'code', covered: true });
    expect(report.columns.questions).toContainEqual({ column: 'Q4/b', code: 'Q4', by: 'code', option: 'b' });

    const real = await upload(code, file, 'text/csv');
    expect(real.json()).toMatchObject({ rows: 5, imported: 4, updated: 0, duplicate: 0, rejected: 0, skipped: { count: 1 } });
    let { unit } = await results(code);
    expect(unit('P1')).toMatchObject(P1_V1);
    expect(unit('P2')).toMatchObject(P2);
    expect(unit('P1').dimensions.map((d: { indexExact: string }) => d.indexExact)).toEqual(['175/3', '250/3', '100/3']);
    // _submission_time is UTC without an offset.
    expect((await storedTimes(code))[`r1-0000-4000-8000-000000000000`]).toBe(responses[0]!.at);

    expect((await upload(code, file, 'text/csv')).json()).toMatchObject({ imported: 0, updated: 0, duplicate: 4 });
    // r2 edited in Kobo: meta/instanceID and _uuid change, meta/rootUuid stays.
    const editedFile = koboCsv({ hxl: true, rows: edited });
    expect((await upload(code, editedFile, 'text/csv', '?dryRun=true')).json()).toMatchObject({ imported: 0, updated: 1, duplicate: 3 });
    expect((await upload(code, editedFile, 'text/csv')).json()).toMatchObject({ imported: 0, updated: 1, duplicate: 3 });
    ({ unit } = await results(code));
    expect(unit('P1')).toMatchObject(P1_EDITED);
    expect((await upload(code, editedFile, 'text/csv')).json()).toMatchObject({ imported: 0, updated: 0, duplicate: 4 });
  });

  it('label headers and values in NFD (macOS), a doubled space and another case in headers, the unit column named by its label', async () => {
    const code = await freshSurvey();
    const file = koboCsv({ headers: 'labels', nfd: true });
    const res = await upload(code, file, 'text/csv', `?unitColumn=${encodeURIComponent('Mã đơn vị')}`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ rows: 4, imported: 4, rejected: 0, answersRejected: 1, columns: { missing: [], unit: 'Mã đơn vị'.normalize('NFD') } });
    expect(r.columns.byQuestion.map((q: { columns: string[] }) => q.columns.length)).toEqual([1, 1, 1, 1, 5]);
    expect(r.columns.questions.filter((q: { by: string }) => q.by === 'label').length).toBe(9);
    expect((await results(code)).unit('P1')).toMatchObject(P1_V1);
  });

  it('XLSX: the first sheet is the table, the repeat-group sheet is named in a warning; JSON data.json with absent answers', async () => {
    const code = await freshSurvey();
    const x = await upload(code, await koboXlsx({ hxl: true }), XLSX_MIME);
    expect(x.statusCode, x.body).toBe(200);
    expect(x.json()).toMatchObject({ format: 'xlsx', rows: 5, imported: 4, skipped: { count: 1, reasons: [{ code: 'hxl_tags', rows: [2] }] } });
    expect(x.json().warnings).toContainEqual({ code: 'not_read', message: expect.stringContaining("worksheet 'thanh_vien' (3 rows) was not read") });
    expect((await results(code)).unit('P1')).toMatchObject(P1_V1);

    const code2 = await freshSurvey();
    const j = await upload(code2, koboJson(), 'application/json');
    expect(j.statusCode, j.body).toBe(200);
    expect(j.json()).toMatchObject({ format: 'json', rows: 4, imported: 4, answersRejected: 1, columns: { id: 'meta/rootUuid', version: 'meta/instanceID', missing: [] } });
    expect(j.json().columns.byQuestion).toContainEqual({ code: 'Q4', columns: ['Q4'] });
    expect((await results(code2)).unit('P1')).toMatchObject(P1_V1);
    const again = await upload(code2, koboJson({ rows: edited }), 'application/json');
    expect(again.json()).toMatchObject({ imported: 0, updated: 1, duplicate: 3 });
    expect((await results(code2)).unit('P1')).toMatchObject(P1_EDITED);
  });

  it('a survey that defines Q4 as single choice: several marked options leave that answer out, the row counts', async () => {
    const code = await freshSurvey({ q4Multiple: false });
    const r = (await upload(code, koboCsv(), 'text/csv')).json();
    // r1 {a,b}, r3 {a,d}, r4 {b,c} mark two options; r4 also has Q1 "4 5": 4 answers left out, no row rejected.
    expect(r).toMatchObject({ imported: 4, rejected: 0, answersRejected: 4 });
    expect(r.warnings.filter((w: { question: string }) => w.question === 'Q4').map((w: { row: number }) => w.row)).toEqual([2, 4, 5]);
    // P1: Q4 only r2 {c} → 0 → KENH 0; overall (175/3 + 250/3 + 0)/3 = 425/9.
    expect((await results(code)).unit('P1')).toMatchObject({ n: 3, overallIndexExact: '425/9' });
  });
});

describe('ODK Central', () => {
  it('CSV: grp- paths, split select multiples, KEY as the identity across edits, SubmissionDate with its offset', async () => {
    const code = await freshSurvey();
    const res = await upload(code, odkCsv(), 'text/csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rows: 4, imported: 4, answersRejected: 1, columns: { id: 'KEY', version: 'meta-instanceID', unit: 'ubnd-unitCode', submitted: ['SubmissionDate'], missing: [] } });
    expect(res.json().columns.byQuestion).toContainEqual({ code: 'Q4', columns: ['kenh-Q4', 'kenh-Q4/a', 'kenh-Q4/b', 'kenh-Q4/c', 'kenh-Q4/d'] });
    expect((await results(code)).unit('P1')).toMatchObject(P1_V1);
    const times = await storedTimes(code);
    expect(times['r1-0000-4000-8000-000000000000']).toBe(responses[0]!.at);
    expect(times['r2-0000-4000-8000-000000000000']).toBe(responses[1]!.at); // written +07:00
    expect((await upload(code, odkCsv({ rows: edited }), 'text/csv')).json()).toMatchObject({ imported: 0, updated: 1, duplicate: 3 });
    expect((await results(code)).unit('P1')).toMatchObject(P1_EDITED);
  });

  it('OData JSON: nested groups, __id kept across edits', async () => {
    const code = await freshSurvey();
    const res = await upload(code, odkJson(), 'application/json');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rows: 4, imported: 4, columns: { id: '__id', version: 'meta/instanceID', unit: 'ubnd/unitCode', submitted: ['__system/submissionDate'], missing: [] } });
    expect((await upload(code, odkJson({ rows: edited }), 'application/json')).json()).toMatchObject({ imported: 0, updated: 1, duplicate: 3 });
    expect((await results(code)).unit('P1')).toMatchObject(P1_EDITED);
    expect((await results(code)).unit('P2')).toMatchObject(P2);
  });
});

describe('LimeSurvey', () => {
  it('CSV with grid and multiple-choice columns: unfinished responses skipped (or included on request), submitdate in Asia/Ho_Chi_Minh', async () => {
    const code = await freshSurvey();
    const dry = (await upload(code, limeCsv(), 'text/csv', '?dryRun=true')).json();
    expect(dry).toMatchObject({ rows: 5, imported: 4, rejected: 0, answersRejected: 0, columns: { id: 'id', version: null, unit: 'unitCode', submitted: ['submitdate'], missing: [] } });
    expect(dry.skipped).toEqual({ count: 1, reasons: [{ code: 'incomplete', count: 1, rows: [6], message: expect.stringContaining('includeIncomplete=true') }] });
    expect(dry.columns.byQuestion).toEqual([
      { code: 'Q1', columns: ['Q1'] },
      { code: 'Q2', columns: ['Q2'] },
      { code: 'G1[SQ001]', columns: ['G1[SQ001]'] },
      { code: 'G1[SQ002]', columns: ['G1[SQ002]'] },
      { code: 'Q4', columns: ['Q4[a]', 'Q4[b]', 'Q4[c]', 'Q4[d]'] },
    ]);
    expect((await upload(code, limeCsv(), 'text/csv')).json()).toMatchObject({ imported: 4, skipped: { count: 1 } });
    expect((await results(code)).unit('P1')).toMatchObject({ n: 3, overallIndexExact: '550/9' });
    // submitdate 2025-03-01 08:05:10 on a Vietnamese server = 01:05:10 UTC.
    expect((await storedTimes(code))['1']).toBe(responses[0]!.at);
    // Another zone when the survey server runs elsewhere.
    const code3 = await freshSurvey();
    await upload(code3, limeCsv(), 'text/csv', '?timeZone=UTC');
    expect((await storedTimes(code3))['1']).toBe('2025-03-01T08:05:10.000Z');
    expect([400, 422]).toContain((await upload(code3, limeCsv(), 'text/csv', '?timeZone=Mars/Olympus')).statusCode);

    expect((await upload(code, limeCsv({ rows: [...edited, unfinished] }), 'text/csv')).json()).toMatchObject({ imported: 0, updated: 1, duplicate: 3 });
    expect((await results(code)).unit('P1')).toMatchObject({ n: 3, overallIndexExact: '200/3' });
    const all = (await upload(code, limeCsv({ rows: [...edited, unfinished] }), 'text/csv', '?includeIncomplete=true')).json();
    expect(all).toMatchObject({ imported: 1, updated: 0, duplicate: 4, skipped: { count: 0, reasons: [] } });
    expect((await results(code)).unit('P1').n).toBe(4);
  });

  it('XLSX (submitdate as an Excel date cell) and a ";" CSV import the same', async () => {
    const code = await freshSurvey();
    const x = await upload(code, await limeXlsx(), XLSX_MIME);
    expect(x.statusCode, x.body).toBe(200);
    expect(x.json()).toMatchObject({ rows: 5, imported: 4, skipped: { count: 1 } });
    expect((await results(code)).unit('P1')).toMatchObject({ n: 3, overallIndexExact: '550/9' });
    expect((await storedTimes(code))['1']).toBe(responses[0]!.at);
    expect((await upload(code, limeCsv({ delimiter: ';' }), 'text/csv')).json()).toMatchObject({ imported: 0, duplicate: 4 });
  });
});

describe('columns and malformed files', () => {
  it('a required question without a column refuses the file; an optional one is a warning; ?columnMap= maps a header', async () => {
    const code = await freshSurvey({ requiredQ5: true });
    const res = await upload(code, koboCsv(), 'text/csv', '?dryRun=true');
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'body', code: 'missing_required_question', message: expect.stringContaining('required question Q5') }]);
    const mapped = await upload(code, koboCsv(), 'text/csv', `?dryRun=true&columnMap=${encodeURIComponent(JSON.stringify({ _index: 'Q5' }))}`);
    expect(mapped.statusCode, mapped.body).toBe(200);
    expect(mapped.json().columns.questions).toContainEqual({ column: '_index', code: 'Q5', by: 'mapping' });
    const unknown = await upload(code, koboCsv(), 'text/csv', `?columnMap=${encodeURIComponent(JSON.stringify({ _index: 'Q9' }))}`);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([expect.objectContaining({ field: 'query.columnMap._index', code: 'unknown_question' })]);
    expect([400, 422]).toContain((await upload(code, koboCsv(), 'text/csv', '?columnMap=%7Bnot-json')).statusCode);

    const optional = await freshSurvey();
    const lines = ['_uuid,unitCode,Q1', 'u1,P1,5'];
    const r = (await upload(optional, lines.join('\n'), 'text/csv', '?dryRun=true')).json();
    expect(r.columns.missing).toEqual([
      { code: 'Q2', required: false },
      { code: 'G1[SQ001]', required: false },
      { code: 'G1[SQ002]', required: false },
      { code: 'Q4', required: false },
    ]);
    expect(r.warnings.map((w: { code: string; question: string }) => `${w.code}:${w.question}`)).toEqual([
      'question_without_column:Q2',
      'question_without_column:G1[SQ001]',
      'question_without_column:G1[SQ002]',
      'question_without_column:Q4',
    ]);
  });

  it('every malformed file is a 422 problem+json with the line and the reason, and nothing is written', async () => {
    const code = await freshSurvey();
    const cases: [string | Buffer, string, string, RegExp, number | undefined][] = [
      ['_uuid,unitCode,Q1\nu1,P1,5\nu2,P1,"4"x\n', 'text/csv', '', /^line 3: Invalid Closing Quote/, 3],
      ['_uuid,unitCode,Q1\nu1,P1,5\nu2,P1,4"x\n', 'text/csv', '', /^line 3: Invalid Opening Quote/, 3],
      [koboCsv(), 'text/csv', '?delimiter=,', /^line 1: the header line has no ',' \(the delimiter asked for\) but ';'/, 1],
      [odkJson(), 'text/csv', '', /^line 1: this is JSON, not CSV/, 1],
      [limeCsv(), 'application/json', '', /^line 1: expected JSON/, 1],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), 'text/csv', '', /binary file/, 3],
      [await limeXlsx(), 'text/csv', '', /ZIP file/, 1],
      [Buffer.from('_uuid,unitCode,Q1\nu1,P1,H\xe0i l\xf2ng\n', 'latin1'), 'text/csv', '', /not UTF-8/, undefined],
      ['[{"_uuid":"a","unitCode":"P1","Q1":"5"},\n{"_uuid":"b",\n"Q1":5,}]', 'application/json', '', /^line 2: response 2:/, 2],
    ];
    for (const [body, type, query, message, line] of cases) {
      const res = await upload(code, body, type, query);
      expect(res.statusCode, `${String(message)}: ${res.body}`).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().errors[0].message).toMatch(message);
      expect(res.json().line).toBe(line);
    }
    expect((await results(code)).r.n).toBe(0);
  });
});

describe('the web import page (Nhập phiếu)', () => {
  it('shows the dry run: updated/skipped counts, skipped rows with reasons, warnings, every question with its columns, ignored columns', async () => {
    const code = await freshSurvey();
    const web = new WebClient(t.app);
    await web.login('coord', PASSWORD);
    await web.get(`/dieu-phoi/khao-sat/${code}/nhap-phieu`);
    const file = { field: 'file', filename: 'kobo.csv', content: Buffer.from(koboCsv({ hxl: true }), 'utf8'), contentType: 'text/csv' };
    const res = await web.upload(`/dieu-phoi/khao-sat/${code}/nhap-phieu?che-do=kiem-tra`, { _csrf: web.csrf }, file);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Tệp có 5 dòng dữ liệu: 4 phiếu sẽ được nhập, 0 phiếu đã sửa sẽ thay bản cũ, 0 phiếu trùng (bỏ qua), 1 dòng không phải phiếu (bỏ qua), 0 dòng bị từ chối.');
    expect(res.body).toContain('Dòng thẻ HXL (#…) của KoboToolbox, không phải phiếu: 1 dòng (dòng 2)');
    expect(res.body).toContain('Lưu ý (1 câu trả lời bị bỏ)');
    expect(res.body).toContain('Chọn nhiều phương án cho câu hỏi một lựa chọn');
    expect(res.body).toMatch(/<tr><td><code>Q2<\/code><\/td><td><code>TIEP_CAN\/Do_you_find_the_one_stop_desk_easy_to_reach_today<\/code> <small class="muted">\(tên nguồn\)<\/small><\/td><\/tr>/);
    expect(res.body).toContain('<code>Q4</code> <small class="muted">(mã · không đọc, dùng các cột tách)</small>');
    expect(res.body).toContain('<code>Q4/b</code> <small class="muted">(mã · phương án b)</small>');
    expect(res.body).toContain('Bỏ qua 10 cột: start, end, _id,');
    expect(res.body).toContain('Cột mã phiếu: <code>meta/rootUuid</code> (khi trống: <code>_uuid</code>)');

    // Unfinished LimeSurvey responses: skipped, or imported when the box is ticked.
    const lime = { field: 'file', filename: 'lime.csv', content: Buffer.from(limeCsv(), 'utf8'), contentType: 'text/csv' };
    const dry = await web.upload(`/dieu-phoi/khao-sat/${code}/nhap-phieu?che-do=kiem-tra`, { _csrf: web.csrf }, lime);
    expect(dry.body).toContain('Phiếu LimeSurvey chưa hoàn thành (không có submitdate): 1 dòng (dòng 6)');
    const all = await web.upload(`/dieu-phoi/khao-sat/${code}/nhap-phieu?che-do=kiem-tra`, { _csrf: web.csrf, includeIncomplete: 'true' }, lime);
    expect(all.body).toContain('Tệp có 5 dòng dữ liệu: 5 phiếu sẽ được nhập');

    // A malformed file: the reason with its line, nothing stored.
    const broken = { field: 'file', filename: 'hong.csv', content: Buffer.from('_uuid,unitCode,Q1\nu1,P1,4"x\n', 'utf8'), contentType: 'text/csv' };
    const bad = await web.upload(`/dieu-phoi/khao-sat/${code}/nhap-phieu?che-do=nhap`, { _csrf: web.csrf }, broken);
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Không đọc được tệp');
    expect(bad.body).toContain('line 2: Invalid Opening Quote');
    expect((await results(code)).r.n).toBe(0);
  });
});
