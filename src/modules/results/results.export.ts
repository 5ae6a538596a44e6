// The downloadable reports of a round's live results, as CSV (UTF-8 with a BOM, so Excel reads the Vietnamese)
// or XLSX: the ranked results per group, or the discrepancy and open-item reports. Shared by the API export
// routes (bearer token) and the coordinator's web downloads (session cookie).
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
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
};

const fmt = (x: number | null) => (x === null ? '' : x.toFixed(2));

/** One table per export: ranked results, or the discrepancy and open-item reports. */
function tables(r: Results, report: ResultsReport) {
  if (report === 'results') {
    return r.groups.map((g) => {
      const areaCodes = g.rows[0]?.areas.map((a) => a.code) ?? [];
      return {
        name: g.name,
        header: ['Xếp hạng', 'Mã đơn vị', 'Đơn vị', ...areaCodes.map((c) => `Lĩnh vực ${c}`), 'Tổng điểm', 'Điểm tối đa', 'Chỉ số (%)', 'Xếp loại', 'Điểm tự chấm', 'Chênh lệch', 'Tiêu chí chưa chốt'],
        rows: g.rows.map((row) => [row.rank ?? '', row.unitCode, row.unitName, ...row.areas.map((a) => fmt(a.points)), fmt(row.total), fmt(row.max), fmt(row.index), row.bandLabel ?? '', fmt(row.selfTotal), fmt(row.gap), row.openItems]),
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

/** The file of one report: its bytes (CSV as text), content type and download name. */
export async function resultsExport(r: Results, report: ResultsReport, format: ResultsFormat): Promise<{ body: string | Buffer; contentType: string; filename: string }> {
  const t = tables(r, report);
  const filename = `${report === 'results' ? 'ket-qua' : 'chenh-lech'}-${r.roundId}.${format}`;
  if (format === 'csv') {
    const rows = t.flatMap((x) => [[x.name], x.header, ...x.rows, []]);
    return { body: '\uFEFF' + stringify(rows), contentType: 'text/csv; charset=utf-8', filename };
  }
  const wb = new ExcelJS.Workbook();
  for (const x of t) {
    const ws = wb.addWorksheet(x.name.slice(0, 31).replace(/[\\/*?:[\]]/g, '-'));
    ws.addRow(x.header).font = { bold: true };
    for (const row of x.rows) ws.addRow(row);
  }
  return { body: Buffer.from(await wb.xlsx.writeBuffer()), contentType: XLSX_TYPE, filename };
}
