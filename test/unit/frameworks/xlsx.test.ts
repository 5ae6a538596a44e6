import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { demoFrameworks } from '../../../src/demo/seed.js';
import { validateFrameworkDocument } from '../../../src/modules/frameworks/frameworks.validate.js';
import { describeRule, readFrameworkXlsx, writeFrameworkXlsx } from '../../../src/modules/frameworks/frameworks.xlsx.js';
import { sampleDoc } from '../../helpers/frameworks.js';

const valid = (raw: unknown) => {
  const r = validateFrameworkDocument(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.document;
};

describe('XLSX layout', () => {
  const documents: Array<[string, unknown]> = [['sample', sampleDoc()], ...demoFrameworks.map((d): [string, unknown] => [(d as { code: string }).code, d])];
  it.each(documents)('%s: export → import gives back the same document', async (_name, raw) => {
      const doc = valid(raw);
      const parsed = await readFrameworkXlsx(await writeFrameworkXlsx(doc));
      expect(parsed.issues).toEqual([]);
      expect(valid(parsed.raw)).toEqual(doc);
  });

  it('writes the office layout: one row per criterion with Vietnamese headers, then settings and bands', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await writeFrameworkXlsx(valid(sampleDoc()))) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('Tiêu chí')!;
    expect(sheet.getRow(1).values).toEqual([
      undefined, 'Mã', 'Nội dung tiêu chí', 'Điểm tối đa', 'Loại lĩnh vực', 'Nguồn điểm', 'Cách chấm', 'Tham số',
      'Tài liệu kiểm chứng', 'Bắt buộc kiểm chứng', 'Được "không phát sinh"',
    ]);
    const row = sheet.getRow(3).values as unknown[];
    expect(row.slice(1, 6)).toEqual(['1.1', 'Ban hành kế hoạch CCHC năm', 1, undefined, 'Tự đánh giá']);
    expect(row[6]).toBe('Ban hành kịp thời: 1 điểm; Không kịp thời: 0,5 điểm; Không ban hành: 0 điểm');
    expect(row.slice(8)).toEqual(['Kế hoạch CCHC năm của đơn vị', 'Có', 'Không']);
    expect(sheet.getRow(2).getCell(4).value).toBe('Thường');
    const info = wb.getWorksheet('Thông tin')!;
    expect(info.getRow(2).values).toEqual([undefined, 'Mã bộ tiêu chí', 'XA-2025']);
    // Ten settings (rows 2–11, the last one how "không phát sinh" counts), a blank row, the band header, the bands.
    expect(info.getRow(11).values).toEqual([undefined, 'Tiêu chí không phát sinh được tính', 'Không tính vào điểm tối đa']);
    expect(info.getRow(14).values).toEqual([undefined, 'XS', 'Xuất sắc', 90]);
  });

  it('describes each rule type in Vietnamese', () => {
    expect(describeRule({ type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 }, 2)).toBe(
      'Tỷ lệ trên 90%: 2 điểm; từ 70% trở lên: 1 điểm; còn lại: 0 điểm',
    );
    expect(describeRule({ type: 'tiered', input: 'ratio', tiers: [{ lte: 0, points: 2 }, { lt: 2.5, points: 1 }] }, 2)).toBe(
      'Tỷ lệ (số đạt/tổng số) từ 0% trở xuống: 2 điểm; dưới 2,5%: 1 điểm; còn lại: 0 điểm',
    );
    expect(describeRule({ type: 'proportional', input: 'ratio', direction: 'lower' }, 1.5)).toBe(
      'Điểm = 1,5 × (1 − tỷ lệ (số đạt/tổng số)) (càng thấp càng tốt)',
    );
    expect(describeRule({ type: 'manual' }, 2)).toBe('Chấm trực tiếp từ 0 đến 2 điểm, bước 0,25 điểm');
    expect(describeRule({ type: 'binary' }, 1)).toBe('Có/đạt: 1 điểm; không: 0 điểm');
    expect(describeRule({ type: 'survey', surveyCode: 'SIPAS-XA-2025', dimensionCode: 'CONG_CHUC' }, 6)).toBe(
      'Tính từ khảo sát SIPAS-XA-2025 (nhóm tiêu chí CONG_CHUC): điểm = 6 × mức độ hài lòng',
    );
  });

  it('reports an unreadable file instead of throwing', async () => {
    const parsed = await readFrameworkXlsx(Buffer.from('not a zip'));
    expect(parsed.raw).toBeNull();
    expect(parsed.issues).toEqual([expect.objectContaining({ field: 'file', code: 'unreadable' })]);
  });
});
