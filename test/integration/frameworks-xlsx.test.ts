import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFrameworks } from '../../src/demo/seed.js';
import { validateFrameworkDocument } from '../../src/modules/frameworks/frameworks.validate.js';
import { writeFrameworkXlsx, XLSX_MIME } from '../../src/modules/frameworks/frameworks.xlsx.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertDemoSurveys } from '../helpers/surveys.js';
import { sampleDoc } from '../helpers/frameworks.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedDirectory(t);
  await insertDemoSurveys(t);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/frameworks', headers: await t.as('coord'), payload: sampleDoc('MAU-2025') });
  if (res.statusCode !== 201) throw new Error(res.body);
});
afterAll(() => t.close());

async function exportXlsx(code: string): Promise<Buffer> {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/frameworks/${code}/export.xlsx`, headers: await t.as('p1.editor') });
  expect(res.statusCode).toBe(200);
  return res.rawPayload;
}

async function importXlsx(body: Buffer, dryRun: boolean, user = 'coord', contentType = XLSX_MIME) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/frameworks/import?dryRun=${dryRun}`,
    headers: { ...(await t.as(user)), 'content-type': contentType },
    payload: body,
  });
}

/** Loads a workbook, lets the test change cells, and writes it back. */
async function edit(
  buffer: Buffer,
  change: (criteria: ExcelJS.Worksheet, info: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  change(wb.getWorksheet('Tiêu chí')!, wb.getWorksheet('Thông tin')!, wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const json = async (code: string) =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/frameworks/${code}/export.json`, headers: await t.as('coord') })).json();

// Rows of the sample on "Tiêu chí": 1 header, 2 area 1, 3 → 1.1, 4 → 1.2, 5 → 1.3, 6 area 2, 7 → 2.1, …
// Rows of "Thông tin": 2 code, 3 name, 4 year, …, 12 band header, 13–17 bands.

describe('export', () => {
  it('serves the workbook as an attachment', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/frameworks/MAU-2025/export.xlsx', headers: await t.as('appraiser') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX_MIME);
    expect(res.headers['content-disposition']).toBe('attachment; filename="MAU-2025.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Tiêu chí', 'Thông tin']);
    expect(wb.getWorksheet('Tiêu chí')!.getRow(4).getCell(6).value).toBe('Tỷ lệ trên 90%: 2 điểm; từ 70% trở lên: 1 điểm; còn lại: 0 điểm');
  });
});

describe('export → import round trip', () => {
  it('a dry run of the exported workbook gives back the exported JSON document (and says the code exists)', async () => {
    const res = await importXlsx(await exportXlsx('MAU-2025'), true);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report.document).toEqual(await json('MAU-2025'));
    expect(report.errors).toEqual([
      { sheet: 'Thông tin', row: 2, column: 'Giá trị', field: 'code', code: 'exists', message: expect.stringContaining('MAU-2025 already exists') },
    ]);
    expect(report.valid).toBe(false);
    expect(report.framework).toMatchObject({ code: 'MAU-2025', totals: { leafCount: 7, maxPoints: 12 } });
  });

  it('a real import under a new code creates a draft whose document deep-equals the original', async () => {
    const renamed = await edit(await exportXlsx('MAU-2025'), (_c, info) => {
      info.getRow(2).getCell(2).value = 'MAU-2025-IMPORT';
      info.getRow(6).getCell(2).value = 'MAU-IMPORT';
    });
    const dry = await importXlsx(renamed, true);
    expect(dry.json()).toMatchObject({ valid: true, errors: [] });
    const res = await importXlsx(renamed, false);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ code: 'MAU-2025-IMPORT', status: 'draft', createdBy: 'coord' });
    expect(await json('MAU-2025-IMPORT')).toEqual({ ...(await json('MAU-2025')), code: 'MAU-2025-IMPORT', lineage: 'MAU-IMPORT' });
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/audit?entityId=MAU-2025-IMPORT', headers: await t.as('admin') });
    expect(audit.json().items.map((e: { action: string }) => e.action)).toEqual(['framework.imported']);
  });

  it.each(demoFrameworks.map((d) => [(d as { code: string }).code, d] as const))('demo framework %s imports losslessly', async (code, raw) => {
    const r = validateFrameworkDocument(raw);
    if (!r.ok) throw new Error('demo framework invalid');
    const res = await importXlsx(await writeFrameworkXlsx(r.document), false);
    expect(res.statusCode, res.body).toBe(201);
    expect(await json(code)).toEqual(r.document);
  });
});

describe('import: problems with their sheet, row and column', () => {
  it('cell-level problems are reported by row before any validation', async () => {
    const broken = await edit(await exportXlsx('MAU-2025'), (c) => {
      c.getRow(3).getCell(7).value = '{"type": "options", ';
      c.getRow(4).getCell(3).value = 'hai';
      c.getRow(5).getCell(10).value = 'Có lẽ';
      c.addRow(['1.9.1', 'Tiêu chí mồ côi', 1]);
      c.addRow(['2.1', 'Trùng mã', 1]);
      c.addRow(['1 2', 'Mã sai', 1]);
    });
    const res = await importXlsx(broken, true);
    expect(res.statusCode).toBe(200);
    const { valid, errors, document } = res.json();
    expect(valid).toBe(false);
    expect(document).toBeNull();
    expect(errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code])).toEqual([
      [3, 'Tham số', 'invalid_json'],
      [4, 'Điểm tối đa', 'invalid_type'],
      [5, 'Được "không phát sinh"', 'invalid_value'],
      [14, 'Mã', 'not_nested'],
      [15, 'Mã', 'duplicate'],
      [16, 'Mã', 'invalid_format'],
    ]);
    expect(errors[0]).toMatchObject({ sheet: 'Tiêu chí', field: 'criteria[1.1].rule', message: 'criterion 1.1: "Tham số" is not valid JSON' });
    expect(errors[3].message).toBe('criterion 1.9.1: its parent 1.9 must be listed on a row above it');
    expect(errors[4].message).toBe('criterion 2.1: already listed on row 7');
  });

  it('validation errors are put on the row and column of the criterion or setting', async () => {
    const broken = await edit(await exportXlsx('MAU-2025'), (c, info) => {
      c.getRow(4).getCell(3).value = 3; // 1.2: max 3, so area 1 no longer sums and no tier reaches 3
      info.getRow(15).getCell(3).value = 95; // band TOT above XS (the second band row, below 10 settings, a blank and the header)
      info.getRow(8).getCell(2).value = -1; // penaltyCap
    });
    const { errors } = (await importXlsx(broken, true)).json();
    expect(errors).toEqual([
      { sheet: 'Thông tin', row: 8, column: 'Giá trị', field: 'penaltyCap', code: 'out_of_range', message: 'penaltyCap must not be negative (got -1)' },
      { sheet: 'Thông tin', row: 15, column: 'Chỉ số từ (≥)', field: 'bands[1].minIndex', code: 'bands_order', message: expect.stringMatching(/^band TOT: minIndex 95 must be lower than 90/) },
      { sheet: 'Tiêu chí', row: 2, column: 'Điểm tối đa', field: 'criteria[1].maxPoints', code: 'sum_mismatch', message: expect.stringMatching(/^criterion 1: maxPoints 5 is not the sum/) },
      { sheet: 'Tiêu chí', row: 4, column: 'Tham số', field: 'criteria[1.2].rule', code: 'max_unreachable', message: expect.stringMatching(/^criterion 1\.2: no reachable tier awards the full maxPoints 3/) },
    ]);
  });

  it('a real import of an invalid workbook is a 422 carrying the same located errors', async () => {
    const broken = await edit(await exportXlsx('MAU-2025'), (c, info) => {
      info.getRow(2).getCell(2).value = 'XA-NEW';
      c.getRow(4).getCell(7).value = JSON.stringify({ type: 'tiered', input: 'percent', tiers: [{ gte: 70, points: 1 }, { gt: 90, points: 2 }] });
    });
    const res = await importXlsx(broken, false);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ sheet: 'Tiêu chí', row: 4, column: 'Tham số', field: 'criteria[1.2].rule.tiers[1].gt', code: 'tier_unreachable' }),
    ]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/frameworks/XA-NEW', headers: await t.as('coord') })).statusCode).toBe(404);
  });

  it('a missing sheet, a missing column, or a file that is not a workbook is reported, never a 500', async () => {
    const noInfo = await edit(await exportXlsx('MAU-2025'), (_c, info, wb) => wb.removeWorksheet(info.id));
    expect((await importXlsx(noInfo, true)).json().errors).toEqual([
      { sheet: 'Thông tin', row: null, column: null, field: 'file', code: 'missing_sheet', message: 'the workbook has no sheet "Thông tin"' },
    ]);
    const noRule = await edit(await exportXlsx('MAU-2025'), (c) => (c.getRow(1).getCell(7).value = 'Quy tắc'));
    expect((await importXlsx(noRule, true)).json().errors).toEqual([
      expect.objectContaining({ sheet: 'Tiêu chí', row: 1, column: 'Tham số', code: 'missing_column' }),
    ]);
    const junk = await importXlsx(Buffer.from('PK not really a zip'), true);
    expect(junk.statusCode).toBe(200);
    expect(junk.json().errors).toEqual([expect.objectContaining({ field: 'file', code: 'unreadable' })]);
    expect((await importXlsx(Buffer.from('PK not really a zip'), false)).statusCode).toBe(422);
  });
});

describe('import: requests', () => {
  it('only coordinators and admins import', async () => {
    const body = await exportXlsx('MAU-2025');
    expect((await importXlsx(body, true, 'p1.editor')).statusCode).toBe(403);
    expect((await importXlsx(body, true, 'appraiser')).statusCode).toBe(403);
  });

  it('wants the xlsx media type and caps the size', async () => {
    const asJson = await importXlsx(Buffer.from('{}'), true, 'coord', 'application/json');
    expect(asJson.statusCode).toBe(400);
    const other = await importXlsx(Buffer.from('x'), true, 'coord', 'text/csv');
    expect(other.statusCode).toBe(415);
    const huge = await importXlsx(Buffer.alloc(5 * 1024 * 1024 + 1), true);
    expect(huge.statusCode).toBe(413);
  });
});
