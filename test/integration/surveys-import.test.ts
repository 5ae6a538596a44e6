import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surveyRespondents } from '../../src/db/schema.js';
import { XLSX_MIME } from '../../src/modules/surveys/surveys.import.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { onRealPostgres } from '../helpers/db.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';

// Bulk import through the HTTP API, on the database the suite runs on (PGlite, or PostgreSQL with TEST_DATABASE_URL).
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { SURVEY_IMPORT_MAX_MB: '1' } });
  await seedDirectory(t);
  await insertSurvey(t, surveyDoc('SIPAS-I', { TIEP_CAN: ['Q1', 'Q2'], KET_QUA: ['Q3'] }, { demographics: ['sex', 'ageBand'] }));
  await insertSurvey(t, surveyDoc('SIPAS-DRAFT'), 'draft');
});
afterAll(() => t.close());

async function importFile(body: string | Buffer, contentType: string, query = '', who = 'coord') {
  return t.app.inject({ method: 'POST', url: `/api/v1/surveys/SIPAS-I/responses/import${query}`, headers: { ...(await t.as(who)), 'content-type': contentType }, payload: body });
}
const count = async () => {
  const res = await t.database.db.execute(sql`select count(*)::int as n from survey_responses`);
  return (res as unknown as { rows: { n: number }[] }).rows[0]!.n;
};
const auditActions = async () =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/audit?entityType=survey&entityId=SIPAS-I', headers: await t.as('coord') })).json().items.map((e: { action: string }) => e.action);

// A KoboToolbox CSV export: ";" separated, group paths, meta/instanceID and _uuid, labels for one answer.
const kobo = [
  'start;end;TIEP_CAN/Q1;TIEP_CAN/Q2;KET_QUA/Q3;thong_tin/unitCode;sex;age_band;meta/instanceID;_uuid;_submission_time',
  '2025-03-01T08:00:00;2025-03-01T08:05:00;5;4;3;P1;female;25_34;uuid:k-1;k-1;2025-03-01T08:05:10',
  '2025-03-01T09:00:00;2025-03-01T09:05:00;Hài lòng;3;;P2;;;uuid:k-2;k-2;2025-03-01T09:05:10',
  '2025-03-01T10:00:00;2025-03-01T10:05:00;7;4;3;P1;;;uuid:k-3;k-3;2025-03-01T10:05:10',
  '2025-03-01T11:00:00;2025-03-01T11:05:00;5;5;5;P9;;;uuid:k-4;k-4;2025-03-01T11:05:10',
  '2025-03-01T12:00:00;2025-03-01T12:05:00;;;;P1;;;uuid:k-5;k-5;2025-03-01T12:05:10',
].join('\r\n');

describe('CSV (KoboToolbox)', () => {
  it('a dry run reports counts and row-numbered reasons and writes nothing', async () => {
    const res = await importFile(kobo, 'text/csv; charset=utf-8', '?dryRun=true');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      dryRun: true,
      format: 'csv',
      rows: 5,
      imported: 2,
      duplicate: 0,
      rejected: 3,
      errorsTruncated: false,
      columns: {
        id: 'meta/instanceID',
        idFallbacks: ['_uuid'],
        unit: 'thong_tin/unitCode',
        questions: [
          { column: 'TIEP_CAN/Q1', code: 'Q1' },
          { column: 'TIEP_CAN/Q2', code: 'Q2' },
          { column: 'KET_QUA/Q3', code: 'Q3' },
        ],
        ignored: ['start', 'end'],
      },
    });
    expect(res.json().errors).toEqual([
      { row: 4, column: 'TIEP_CAN/Q1', code: 'invalid_option', message: "row 4: column 'TIEP_CAN/Q1': '7' is not an option of question Q1 (5, 4, 3, 2, 1, 0)" },
      { row: 5, column: 'thong_tin/unitCode', code: 'unknown_unit', message: "row 5: unit 'P9' does not exist" },
      { row: 6, code: 'no_answers', message: 'row 6: no answer to any question of the survey' },
    ]);
    expect(res.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await count()).toBe(0);
    expect(await auditActions()).toEqual([]);
  });

  it('the import writes the same rows, with demographics apart; importing again imports nothing', async () => {
    const res = await importFile(kobo, 'text/csv');
    expect(res.json()).toMatchObject({ dryRun: false, rows: 5, imported: 2, duplicate: 0, rejected: 3 });
    const stored = await t.database.db.execute(sql`select response_id, unit_code, source, answers, submitted_at from survey_responses order by response_id`);
    expect((stored as unknown as { rows: unknown[] }).rows).toEqual([
      { response_id: 'k-1', unit_code: 'P1', source: 'import', answers: { Q1: '5', Q2: '4', Q3: '3' }, submitted_at: expect.anything() },
      { response_id: 'k-2', unit_code: 'P2', source: 'import', answers: { Q1: '4', Q2: '3' }, submitted_at: expect.anything() },
    ]);
    const people = await t.database.db.select().from(surveyRespondents);
    expect(people.map((p) => [p.sex, p.ageBand, p.occupation])).toEqual([['female', '25_34', null]]);
    const again = await importFile(kobo, 'text/csv');
    expect(again.json()).toMatchObject({ imported: 0, duplicate: 2, rejected: 3 });
    expect(await count()).toBe(2);
    expect(await auditActions()).toEqual(['survey.responses_imported', 'survey.responses_imported']);
  });
});

describe('JSON (ODK Central) and XLSX (LimeSurvey)', () => {
  it('ODK Central OData JSON: nested groups, __id with uuid: as the id; the same id with other answers replaces the stored version', async () => {
    const odk = {
      '@odata.context': 'https://odk.example/v1/projects/1/forms/sipas.svc/$metadata#Submissions',
      value: [
        { __id: 'uuid:o-1', meta: { instanceID: 'uuid:o-1' }, grp: { Q1: 4, Q2: '5', unit: 'P2' }, __system: { submissionDate: '2025-03-02T08:00:00.000Z' } },
        { __id: 'uuid:k-1', meta: { instanceID: 'uuid:k-1' }, grp: { Q1: 5, unit: 'P1' } },
      ],
    };
    const res = await importFile(JSON.stringify(odk), 'application/json');
    expect(res.statusCode, res.body).toBe(200);
    // k-1 came from the Kobo CSV with Q1 5, Q2 4, Q3 3; this version answers only Q1: an edit, it replaces the earlier one.
    expect(res.json()).toMatchObject({ format: 'json', rows: 2, imported: 1, updated: 1, duplicate: 0, rejected: 0, columns: { id: '__id', version: 'meta/instanceID', unit: 'grp/unit' } });
  });

  it('XLSX with a named id column and a fixed unit', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('results');
    ws.addRow(['id', 'submitdate', 'Q1', 'Q2', 'Q3']);
    ws.addRow([101, new Date('2025-03-03T08:00:00Z'), 5, 4, 0]);
    ws.addRow([102, new Date('2025-03-03T09:00:00Z'), 'Rất hài lòng', 'x', 5]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await importFile(buf, XLSX_MIME, '?unitCode=P2');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ format: 'xlsx', rows: 2, imported: 1, rejected: 1, columns: { id: 'id', unit: null } });
    expect(res.json().errors).toEqual([{ row: 3, column: 'Q2', code: 'invalid_option', message: "row 3: column 'Q2': 'x' is not an option of question Q2 (5, 4, 3, 2, 1, 0)" }]);
  });
});

describe('refusals', () => {
  it('unknown media types 415; a file over SURVEY_IMPORT_MAX_MB 413; whole-file problems 422; drafts 409; unit roles 403', async () => {
    expect((await importFile('a', 'text/html')).statusCode).toBe(415);
    const opaque = await importFile('a', 'application/octet-stream');
    expect(opaque.statusCode).toBe(415);
    expect(opaque.headers['content-type']).toMatch(/problem\+json/);
    const big = 'id,Q1,unit\n' + 'x,5,P1,'.padEnd(100, ' ') .concat('\n').repeat(12_000);
    const tooBig = await importFile(big, 'text/csv');
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().detail).toMatch(/larger than the 1 MB/);
    const noId = await importFile('Q1,unit\n5,P1', 'text/csv');
    expect(noId.statusCode).toBe(422);
    expect(noId.json().errors).toEqual([expect.objectContaining({ field: 'query.idColumn', code: 'no_id_column' })]);
    const malformed = await importFile('[{"id": 1,', 'application/json');
    expect(malformed.statusCode).toBe(422);
    const draft = await t.app.inject({ method: 'POST', url: '/api/v1/surveys/SIPAS-DRAFT/responses/import', headers: { ...(await t.as('coord')), 'content-type': 'text/csv' }, payload: 'id,Q1,unit\n1,5,P1' });
    expect(draft.statusCode).toBe(409);
    expect((await importFile('id,Q1,unit\n1,5,P1', 'text/csv', '', 'p1.head')).statusCode).toBe(403);
    expect(await count()).toBe(4);
  });
});

describe('1,000 rows', () => {
  it(`imports in a few seconds on ${onRealPostgres ? 'PostgreSQL' : 'PGlite'}, idempotently, and the results count them`, async () => {
    const lines = ['_uuid,grp/Q1,grp/Q2,grp/Q3,unitCode'];
    for (let i = 0; i < 1_000; i++) lines.push(`bulk-${i},${i % 4 === 0 ? 3 : 5},${i % 2 === 0 ? 4 : 2},${i % 10 === 0 ? 0 : 5},${i % 2 === 0 ? 'P1' : 'P2'}`);
    const file = lines.join('\n');
    const started = Date.now();
    const res = await importFile(file, 'text/csv');
    const ms = Date.now() - started;
    expect(res.json()).toMatchObject({ rows: 1_000, imported: 1_000, duplicate: 0, rejected: 0 });
    expect(ms).toBeLessThan(10_000);
    const dry = await importFile(file, 'text/csv', '?dryRun=true');
    expect(dry.json()).toMatchObject({ imported: 0, duplicate: 1_000 });
    expect(await count()).toBe(1_004);
    // P1 has the 500 even rows and k-1 (replaced by its ODK version: Q1 5 only). Q1: 3 on rows divisible by 4 → 250
    // + k-1 = 251 of 501 satisfied; Q2: 4 on every even row → 500 of 500; Q3: "0" (excluded) on rows divisible by 10
    // (100 of the even rows) → 400 satisfied of 400.
    const results = (await t.app.inject({ method: 'GET', url: '/api/v1/surveys/SIPAS-I/results', headers: await t.as('coord') })).json();
    const p1 = results.units.find((u: { unitCode: string }) => u.unitCode === 'P1');
    expect(p1.n).toBe(501);
    expect(p1.questions.map((q: { code: string; n: number; scoreExact: string }) => [q.code, q.n, q.scoreExact])).toEqual([
      ['Q1', 501, '251/501'],
      ['Q2', 500, '1'],
      ['Q3', 400, '1'],
    ]);
  });
});
