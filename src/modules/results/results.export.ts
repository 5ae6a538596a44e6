// The downloadable reports of a round's live results, as CSV (UTF-8 with a BOM, so Excel reads the Vietnamese)
// or XLSX: the ranked results per group, or the discrepancy and open-item reports. Shared by the API export
// routes (bearer token) and the coordinator's web downloads (session cookie).
import ExcelJS from 'exceljs';
import { csvText, dec, type CsvCell, type CsvFlavour } from '../../lib/csv.js';
import type { ResultsService } from './results.service.js';

export type ResultsReport = 'results' | 'discrepancies';
export type ResultsFormat = 'csv' | 'xlsx';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Results = Awaited<ReturnType<ResultsService['results']>>;

/** Why a criterion has no final score yet, as the spreadsheet's reader (and the web) says it. */
export const openReasonLabels: Record<string, string> = {
  not_appraised: 'Chưa thẩm định',
  awaiting_final: 'Chờ thẩm định lại sau giải trình',
  survey_missing: 'Chưa có kết quả khảo sát',
  survey_below_minimum: 'Số phiếu khảo sát dưới mức tối thiểu',
  no_eligible_appraiser: 'Chưa có người thẩm định hợp lệ',
  explanation_pending: 'Chờ thẩm định lại sau giải trình/kiến nghị',
  council_only: 'Tiêu chí do Hội đồng chấm, chưa có điểm',
};

const fmt = (x: number | null) => dec(x);

interface Table {
  name: string;
  header: string[];
  rows: CsvCell[][];
}

/** One table per export: ranked results, or the discrepancy and open-item reports. */
function tables(r: Results, report: ResultsReport): Table[] {
  if (report === 'results') {
    return r.groups.map((g) => {
      const areaCodes = g.rows[0]?.areas.map((a) => a.code) ?? [];
      return {
        name: g.name,
        header: ['Xếp hạng', 'Mã đơn vị', 'Đơn vị', ...areaCodes.map((c) => `Lĩnh vực ${c}`), 'Tổng điểm', 'Điểm tối đa', 'Chỉ số (%)', 'Xếp loại', 'Điểm tự chấm', 'Chênh lệch', 'Tiêu chí chưa chốt', 'Nộp tự đánh giá'],
        rows: g.rows.map((row) => [row.rank ?? '', row.unitCode, row.unitName, ...row.areas.map((a) => fmt(a.points)), fmt(row.total), fmt(row.max), fmt(row.index), row.bandLabel ?? '', fmt(row.selfTotal), fmt(row.gap), row.openItems, row.submitted === false ? 'Chưa nộp' : 'Đã nộp']),
      };
    });
  }
  const d = r.discrepancies;
  return [
    { name: 'Chênh lệch theo đơn vị', header: ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Tự chấm', 'Thẩm định', 'Chênh lệch'], rows: (d?.units ?? []).map((x) => [x.groupCode, x.unitCode, x.unitName, fmt(x.selfTotal), fmt(x.total), fmt(x.gap)]) },
    { name: 'Chênh lệch theo lĩnh vực', header: ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Lĩnh vực', 'Tự chấm', 'Thẩm định', 'Chênh lệch'], rows: (d?.areas ?? []).map((x) => [x.groupCode, x.unitCode, x.unitName, `${x.areaCode} ${x.title ?? ''}`.trim(), fmt(x.selfPoints), fmt(x.points), fmt(x.gap)]) },
    { name: 'Chênh lệch theo tiêu chí', header: ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Tiêu chí', 'Tự chấm', 'Thẩm định', 'Chênh lệch'], rows: (d?.items ?? []).map((x) => [x.groupCode, x.unitCode, x.unitName, `${x.criterionCode} ${x.title}`, fmt(x.selfPoints), fmt(x.points), fmt(x.gap)]) },
    { name: 'Tiêu chí chưa chốt điểm', header: ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Tiêu chí', 'Lý do'], rows: r.openItems.map((o) => [o.groupCode, o.unitCode, o.unitName, `${o.criterionCode} ${o.title}`, openReasonLabels[o.reason] ?? o.reason]) },
  ];
}

/**
 * The CSV has a single header row (a table every tool can load): the tables are stacked under one header, the
 * union of their columns, with the table's name (the group, or which report) in the first column.
 */
function stacked(t: Table[], first: string): { header: string[]; rows: CsvCell[][] } {
  const header: string[] = [];
  for (const x of t) for (const h of x.header) if (!header.includes(h)) header.push(h);
  const rows = t.flatMap((x) =>
    x.rows.map((row) => {
      const out: CsvCell[] = Array.from({ length: header.length }, () => '');
      x.header.forEach((h, i) => (out[header.indexOf(h)] = row[i]));
      return [x.name, ...out];
    }),
  );
  return { header: [first, ...header], rows };
}

/** A cell for the spreadsheet: decimals become typed numbers (formatted 0.00), never text. */
function xlsxValue(c: CsvCell): string | number | null {
  if (c === null || c === undefined) return null;
  if (typeof c === 'string' || typeof c === 'number') return c;
  if ('dec' in c) return c.dec ?? null;
  return c.date ?? null;
}

/** The file of one report: its bytes (CSV as text), content type and download name. */
export async function resultsExport(
  r: Results,
  report: ResultsReport,
  format: ResultsFormat,
  flavour: CsvFlavour = 'excel',
): Promise<{ body: string | Buffer; contentType: string; filename: string }> {
  const t = tables(r, report);
  const filename = `${report === 'results' ? 'ket-qua' : 'chenh-lech'}-${r.roundId}${format === 'csv' && flavour === 'plain' ? '-plain' : ''}.${format}`;
  if (format === 'csv') {
    const { header, rows } = stacked(t, report === 'results' ? 'Nhóm' : 'Bảng');
    return { body: csvText(header, rows, flavour), contentType: 'text/csv; charset=utf-8', filename };
  }
  const wb = new ExcelJS.Workbook();
  for (const x of t) {
    const ws = wb.addWorksheet(x.name.slice(0, 31).replace(/[\\/*?:[\]]/g, '-'));
    ws.addRow(x.header).font = { bold: true };
    for (const row of x.rows) {
      const added = ws.addRow(row.map(xlsxValue));
      row.forEach((c, i) => {
        if (c !== null && typeof c === 'object' && 'dec' in c) added.getCell(i + 1).numFmt = '0.00';
      });
    }
  }
  return { body: Buffer.from(await wb.xlsx.writeBuffer()), contentType: XLSX_TYPE, filename };
}
