import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { validateSurveyDocument, type SurveyDocument } from '../../../src/modules/surveys/surveys.document.js';
import {
  csvRecords,
  detectDelimiter,
  differs,
  ImportFormatError,
  jsonRecords,
  meter,
  PayloadTooLargeError,
  runImport,
  xlsxRecords,
  type ImportOptions,
  type ImportRow,
  type ImportSink,
  type SourceRecord,
} from '../../../src/modules/surveys/surveys.import.js';
import { surveyDoc } from '../../helpers/surveys.js';

async function all(gen: AsyncIterable<SourceRecord>) {
  const out: { row: number; data: Record<string, unknown> }[] = [];
  for await (const r of gen) out.push({ row: r.row, data: Object.fromEntries(r.keys.map((k, i) => [k, r.values[i]])) });
  return out;
}

/** A stream that delivers `text` in pieces of `size` bytes (so multi-byte characters and tokens are split). */
const chunked = (text: string, size: number) => {
  const buf = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
};

describe('CSV', () => {
  it('detects the delimiter from the header line, ignoring quoted ones', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"a,x";"b,y";c')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
  });

  it('reads a KoboToolbox export (";", BOM, quoted values, CRLF); blank lines keep the row numbers', async () => {
    const csv = '\uFEFF"start";"grp/Q1";"grp/Q2";"_uuid"\r\n"2025-03-01";"5";"Hài lòng; rất";"u-1"\r\n\r\n"2025-03-02";"3";"multi\nline";"u-2"\r\n';
    expect(await all(csvRecords(chunked(csv, 7)))).toEqual([
      { row: 2, data: { start: '2025-03-01', 'grp/Q1': '5', 'grp/Q2': 'Hài lòng; rất', _uuid: 'u-1' } },
      { row: 4, data: { start: '2025-03-02', 'grp/Q1': '3', 'grp/Q2': 'multi\nline', _uuid: 'u-2' } },
    ]);
  });

  it('a malformed file is a 422 naming the body', async () => {
    await expect(all(csvRecords(Readable.from(['a,b\n"x"y,z\n'])))).rejects.toBeInstanceOf(ImportFormatError);
  });
});

describe('JSON (streamed)', () => {
  it('a top-level array, read one byte at a time (Vietnamese split across chunks, brackets inside strings)', async () => {
    const json = '[{"id":"1","Q1":"Hài lòng [rất]","note":"a \\"quoted\\" } brace"},{"id":"2","Q1":"4"}]';
    expect(await all(jsonRecords(chunked(json, 1)))).toEqual([
      { row: 1, data: { id: '1', Q1: 'Hài lòng [rất]', note: 'a "quoted" } brace' } },
      { row: 2, data: { id: '2', Q1: '4' } },
    ]);
  });

  it('KoboToolbox data.json: the `results` array, after other fields', async () => {
    const json = JSON.stringify({ count: 1, next: null, previous: null, fields: ['a', 'b'], results: [{ _uuid: 'k1', 'grp/Q1': '5', _tags: [] }] });
    expect(await all(jsonRecords(chunked(json, 5)))).toEqual([{ row: 1, data: { _uuid: 'k1', 'grp/Q1': '5' } }]);
  });

  it('ODK Central OData: `value`, with groups as nested objects flattened to paths', async () => {
    const json = JSON.stringify({ '@odata.context': 'https://odk/v1/projects/1/forms/sipas.svc/$metadata#Submissions', value: [{ __id: 'uuid:o1', meta: { instanceID: 'uuid:o1' }, grp: { Q1: 4, unit: 'P1' }, __system: { submissionDate: '2025-03-01T08:00:00Z' } }] });
    expect(await all(jsonRecords(chunked(json, 3)))).toEqual([
      { row: 1, data: { __id: 'uuid:o1', 'meta/instanceID': 'uuid:o1', 'grp/Q1': 4, 'grp/unit': 'P1', '__system/submissionDate': '2025-03-01T08:00:00Z' } },
    ]);
  });

  it('LimeSurvey: `responses` whose items are wrapped in their id', async () => {
    const json = JSON.stringify({ responses: [{ '12': { id: '12', Q1: 'A1' } }, { '13': { id: '13', Q1: 'A2' } }] });
    expect((await all(jsonRecords(chunked(json, 4)))).map((r) => r.data)).toEqual([
      { id: '12', Q1: 'A1' },
      { id: '13', Q1: 'A2' },
    ]);
  });

  it('truncated files and files without an array of responses are refused', async () => {
    await expect(all(jsonRecords(Readable.from(['[{"id":"1"},{"id":'])))).rejects.toThrow(/truncated/);
    await expect(all(jsonRecords(Readable.from(['{"a":1}'])))).rejects.toThrow(/expected an array of responses/);
    await expect(all(jsonRecords(Readable.from(['[{"id": 1,}]'])))).rejects.toBeInstanceOf(ImportFormatError);
  });
});

describe('XLSX (streamed)', () => {
  it('reads the first worksheet with the worksheet row numbers; later sheets are ignored', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('SIPAS');
    ws.addRow(['_uuid', 'grp/Q1', 'unitCode']);
    ws.addRow(['x1', 5, 'P1']);
    ws.addRow([]);
    ws.addRow(['x2', { richText: [{ text: 'Hài ' }, { text: 'lòng' }] }, 'P2']);
    wb.addWorksheet('repeat_group').addRow(['_parent_index', 'Q9']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await all(xlsxRecords(Readable.from([buf])))).toEqual([
      { row: 2, data: { _uuid: 'x1', 'grp/Q1': 5, unitCode: 'P1' } },
      { row: 4, data: { _uuid: 'x2', 'grp/Q1': 'Hài lòng', unitCode: 'P2' } },
    ]);
  });

  it('a file that is not a workbook is a 422', async () => {
    await expect(all(xlsxRecords(Readable.from([Buffer.from('not a zip at all')])))).rejects.toBeInstanceOf(ImportFormatError);
  });
});

describe('size cap', () => {
  it('stops the body past the limit with a 413', async () => {
    const m = meter(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000);
    await expect(all(csvRecords(m.stream))).rejects.toBeInstanceOf(PayloadTooLargeError);
  });
});

// -------------------------------------------------------------------------------------------- runImport

function docOf(raw: unknown): SurveyDocument {
  const r = validateSurveyDocument(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.document;
}

const doc = docOf(surveyDoc('SIPAS-T', { TIEP_CAN: ['Q1', 'Q2'], KET_QUA: ['Q3'] }, { demographics: ['sex'] }));
const units = new Map([['P1', 'P1'], ['P2', 'P2']]);
const unitOf = (c: string) => units.get(c) ?? units.get(c.toUpperCase()) ?? null;

/** An in-memory table with a unique response id. */
function memorySink(existing: string[] = []) {
  const stored = new Map<string, ImportRow>(existing.map((id) => [id, { responseId: id, unitCode: 'P1', answers: {}, respondent: null, submittedAt: null }]));
  // The repository's rule: an id written by this same import stands; another version of a stored id replaces it.
  const written = new Set<string>();
  const sink: ImportSink = {
    async existing(ids) {
      return new Map(ids.filter((id) => stored.has(id)).map((id) => [id, { unitCode: stored.get(id)!.unitCode, answers: stored.get(id)!.answers, version: stored.get(id)!.version ?? null }]));
    },
    async insert(rows) {
      let inserted = 0;
      let updated = 0;
      for (const r of rows) {
        const before = stored.get(r.responseId);
        if (!before) inserted++;
        else if (written.has(r.responseId) || !differs(r, { unitCode: before.unitCode, answers: before.answers, version: before.version ?? null })) continue;
        else updated++;
        stored.set(r.responseId, r);
        written.add(r.responseId);
      }
      return { inserted, updated };
    },
  };
  return { sink, stored };
}

const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ format: 'csv', dryRun: false, ...o });
const csv = (text: string) => csvRecords(Readable.from([text]));

describe('runImport', () => {
  const file = [
    'meta/instanceID,grp/Q1,grp-Q2,KET_QUA/Q3,unitCode,sex,_submission_time,start',
    'uuid:r1,5,4,3,P1,female,2025-03-01T08:00:00Z,x', // ok
    'uuid:r2,Hài lòng,,,p2,,,x', // label instead of code, lower-case unit: ok
    'uuid:r3,9,4,3,P1,,,x', // invalid option
    ',5,4,3,P1,,,x', // no id
    'uuid:r5,5,4,3,P9,,,x', // unknown unit
    'uuid:r6,,,,P1,,,x', // no answers
    'uuid:r1,1,1,1,P1,,,x', // repeats r1: duplicate
    'uuid:r8,5,5,5,P1,robot,,x', // bad demographic
    'uuid:r9,0,0,0,P2,,,x', // all "không trả lời": stored (answered, excluded from scores)
  ].join('\n');

  it('maps group paths (grp/Q1, grp-Q2), the id (meta/instanceID, uuid: dropped) and the unit; reports rows with reasons', async () => {
    const { sink, stored } = memorySink(['r9']);
    const report = await runImport(csv(file), doc, unitOf, opts(), sink);
    // r9 is stored for P1 without answers: the file's r9 (P2, answered) is another version of it → updated.
    expect(report).toMatchObject({ rows: 9, imported: 2, updated: 1, duplicate: 1, rejected: 5 });
    expect(report.columns).toEqual({
      id: 'meta/instanceID',
      idFallbacks: [],
      version: null,
      unit: 'unitCode',
      submitted: ['_submission_time'],
      questions: [
        { column: 'grp/Q1', code: 'Q1', by: 'code' },
        { column: 'grp-Q2', code: 'Q2', by: 'code' },
        { column: 'KET_QUA/Q3', code: 'Q3', by: 'code' },
      ],
      byQuestion: [
        { code: 'Q1', columns: ['grp/Q1'] },
        { code: 'Q2', columns: ['grp-Q2'] },
        { code: 'Q3', columns: ['KET_QUA/Q3'] },
      ],
      missing: [],
      demographics: [{ column: 'sex', field: 'sex' }],
      ignored: ['start'],
      ignoredCount: 1,
      ignoredTruncated: false,
    });
    expect(report.errors).toEqual([
      { row: 4, column: 'grp/Q1', code: 'invalid_option', message: "row 4: column 'grp/Q1': '9' is not an option of question Q1 (5, 4, 3, 2, 1, 0)" },
      { row: 5, column: 'meta/instanceID', code: 'missing_id', message: "row 5: no response id in column 'meta/instanceID'" },
      { row: 6, column: 'unitCode', code: 'unknown_unit', message: "row 6: unit 'P9' does not exist" },
      { row: 7, code: 'no_answers', message: 'row 7: no answer to any question of the survey' },
      { row: 9, column: 'sex', code: 'invalid_demographic', message: "row 9: column 'sex': 'robot' is not a sex value (male, female, other)" },
    ]);
    expect(stored.get('r1')).toEqual({ responseId: 'r1', unitCode: 'P1', answers: { Q1: '5', Q2: '4', Q3: '3' }, respondent: { sex: 'female' }, submittedAt: new Date('2025-03-01T08:00:00Z'), version: null });
    expect(stored.get('r2')).toMatchObject({ unitCode: 'P2', answers: { Q1: '4' }, respondent: null, submittedAt: null });
  });

  it('a dry run gives the same counts and reasons and writes nothing; importing again imports nothing', async () => {
    const { sink, stored } = memorySink(['r9']);
    const dry = await runImport(csv(file), doc, unitOf, opts({ dryRun: true }), sink);
    expect(stored.size).toBe(1);
    const real = await runImport(csv(file), doc, unitOf, opts(), sink);
    expect({ ...dry, dryRun: false }).toEqual(real);
    const again = await runImport(csv(file), doc, unitOf, opts(), sink);
    expect(again).toMatchObject({ imported: 0, updated: 0, duplicate: 4, rejected: 5 });
  });

  it('batches: in-file duplicates are found across batches in both modes', async () => {
    const lines = ['_uuid,Q1,unit'];
    for (let i = 0; i < 25; i++) lines.push(`id-${i % 20},5,P1`);
    for (const dryRun of [true, false]) {
      const r = await runImport(csv(lines.join('\n')), doc, unitOf, opts({ dryRun, batchSize: 7 }), memorySink().sink);
      expect([r.rows, r.imported, r.duplicate]).toEqual([25, 20, 5]);
    }
  });

  it('whole-file problems are one 422: no id column, no unit column, no question column', async () => {
    await expect(runImport(csv('Q1,unit\n5,P1'), doc, unitOf, opts(), memorySink().sink)).rejects.toMatchObject({
      status: 422,
      extra: { errors: [{ field: 'query.idColumn', code: 'no_id_column' }] },
    });
    await expect(runImport(csv('id,Q1\n1,5'), doc, unitOf, opts(), memorySink().sink)).rejects.toMatchObject({
      extra: { errors: [{ field: 'query.unitColumn', code: 'no_unit_column' }] },
    });
    await expect(runImport(csv('id,unit,Q7\n1,P1,5'), doc, unitOf, opts(), memorySink().sink)).rejects.toMatchObject({
      extra: { errors: [{ field: 'body', code: 'no_question_columns' }] },
    });
    await expect(runImport(csv('id,Q1\n1,5'), doc, unitOf, opts({ unitColumn: 'ward' }), memorySink().sink)).rejects.toMatchObject({
      extra: { errors: [{ field: 'query.unitColumn', code: 'unknown_column' }] },
    });
  });

  it('named columns and a fixed unit (a file from one ward)', async () => {
    const r = await runImport(csv('ma_phieu,phuong,Q1\nA,x,5\nB,y,4'), doc, unitOf, opts({ idColumn: 'ma_phieu', unitCode: 'P2' }), memorySink().sink);
    expect(r).toMatchObject({ imported: 2, rejected: 0, columns: { id: 'ma_phieu', unit: null } });
    await expect(runImport(csv('id,Q1\n1,5'), doc, unitOf, opts({ unitCode: 'NOPE' }), memorySink().sink)).rejects.toMatchObject({
      extra: { errors: [{ field: 'query.unitCode', code: 'unknown_unit' }] },
    });
  });

  it('JSON records with varying keys (ODK groups) each find their columns', async () => {
    const json = JSON.stringify({ value: [{ __id: 'uuid:a', grp: { Q1: 5 }, unit: 'P1' }, { __id: 'uuid:b', unit: 'P2', grp: { Q2: '4', Q3: '2' } }] });
    const { sink, stored } = memorySink();
    const r = await runImport(jsonRecords(Readable.from([json])), doc, unitOf, opts({ format: 'json' }), sink);
    expect(r).toMatchObject({ rows: 2, imported: 2, rejected: 0 });
    expect([...stored.values()].map((x) => [x.responseId, x.unitCode, x.answers])).toEqual([
      ['a', 'P1', { Q1: '5' }],
      ['b', 'P2', { Q2: '4', Q3: '2' }],
    ]);
  });

  it('reports at most 1,000 reasons', async () => {
    const lines = ['id,Q1,unit'];
    for (let i = 0; i < 1_005; i++) lines.push(`${i},7,P1`);
    const r = await runImport(csv(lines.join('\n')), doc, unitOf, opts({ dryRun: true }), memorySink().sink);
    expect([r.rejected, r.errors.length, r.errorsTruncated]).toEqual([1_005, 1_000, true]);
  });
});
