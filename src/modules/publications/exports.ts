// The downloadable representations of a publication, each derived from the frozen snapshot alone: CSV (UTF-8
// with BOM so Excel shows Vietnamese), XLSX laid out as the decision annex (one sheet per group) and PDF (A4
// landscape, DejaVu Sans for full Vietnamese coverage). Output is deterministic — the same snapshot always gives
// the same bytes (fixed document dates, fixed ZIP timestamps) — so the snapshot hash is a truthful strong ETag.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { csvText, dec, type CsvCell, type CsvFlavour } from '../../lib/csv.js';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import type { Snapshot, SnapshotGroup, SnapshotRow } from './snapshot.js';

export type ExportFormat = 'csv' | 'xlsx' | 'pdf';

export const exportTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** x (a value with at most 2 decimals) written with exactly 2, from its integer hundredths (no float noise). */
export function fmt2(x: number | null | undefined, decimalSeparator = '.'): string {
  if (x === null || x === undefined) return '';
  const h = Math.round(x * 100);
  const abs = Math.abs(h);
  return `${h < 0 ? '-' : ''}${Math.floor(abs / 100)}${decimalSeparator}${String(abs % 100).padStart(2, '0')}`;
}

/** "2025-12-20" → "ngày 20 tháng 12 năm 2025", as dates are written in Vietnamese official documents. */
export function vietnameseDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `ngày ${d} tháng ${m} năm ${y}`;
}

/** An area whose every criterion was not applicable: "không phát sinh". */
const KPS = 'KPS';
const areaCell = (a: { points: number; max: number }) => (a.max === 0 ? null : a.points);

/** "Kèm theo Quyết định số 125/QĐ-UBND ngày 22 tháng 12 năm 2025 của Chủ tịch Ủy ban nhân dân tỉnh …". */
const decisionLine = (s: Snapshot) => `Kèm theo Quyết định số ${s.decision.number} ${vietnameseDate(s.decision.date)}${s.decision.issuer ? ` của ${s.decision.issuer}` : ''}`;

/** The issuing authority for the header's left column: "Chủ tịch UBND tỉnh X" issues on behalf of "UBND tỉnh X". */
export function issuingAuthority(issuer: string): string {
  return issuer.replace(/^(Chủ tịch|CHỦ TỊCH)\s+/u, '').toLocaleUpperCase('vi');
}

export const NATIONAL_TITLE = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const NATIONAL_MOTTO = 'Độc lập - Tự do - Hạnh phúc';
/** What the Ed25519 seal is called: never "ký số", which in Vietnam means a CA-issued digital signature. */
export const SYSTEM_SIGNATURE_LABEL = 'chữ ký điện tử của hệ thống';
const title = (s: Snapshot) => `KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM ${s.round.year}`;

// ------------------------------------------------------------------------------------------ CSV

/**
 * The public CSV: one table with a single header row (issue 15), every group's rows under it with the group in the
 * first column; area columns are the union of the groups' areas. The title, decision and hash are in the JSON, XLSX
 * and PDF; a CSV is for loading into a spreadsheet or a program. `excel` (default) or `plain` flavour (src/lib/csv.ts).
 */
export function toCsv(s: Snapshot, _hash: string, flavour: CsvFlavour = 'excel'): Buffer {
  // The note column exists only when some unit never submitted, so earlier publications keep their exact bytes.
  const noted = hasUnsubmitted(s);
  const areas: { code: string; title: string }[] = [];
  for (const g of s.groups) for (const a of g.framework.areas) if (!areas.some((x) => x.code === a.code)) areas.push({ code: a.code, title: a.title });
  const header = [
    'Nhóm',
    'STT',
    'Mã đơn vị',
    'Đơn vị',
    ...areas.map((a) => `Lĩnh vực ${a.code}: ${a.title}`),
    'Tổng điểm',
    'Điểm tối đa',
    'Chỉ số (%)',
    'Xếp hạng',
    'Xếp loại',
    'Điểm tự đánh giá',
    'Chênh lệch',
    'Chỉ số năm trước (%)',
    'Tăng/giảm',
    ...(noted ? ['Ghi chú'] : []),
  ];
  const rows: CsvCell[][] = [];
  for (const g of s.groups) {
    g.rows.forEach((r, i) => {
      const byCode = new Map(r.areas.map((a) => [a.code, a]));
      rows.push([
        g.name,
        i + 1,
        r.unitCode,
        r.unitName,
        ...areas.map((a): CsvCell => {
          const x = byCode.get(a.code);
          return x ? (x.max === 0 ? KPS : dec(x.points)) : '';
        }),
        dec(r.total),
        dec(r.max),
        dec(r.index),
        r.rank ?? '',
        r.bandLabel ?? '',
        dec(r.selfTotal),
        dec(r.gap),
        dec(r.previous?.index),
        dec(r.change),
        ...(noted ? [r.submitted === false ? NOT_SUBMITTED_NOTE : ''] : []),
      ]);
    });
  }
  return Buffer.from(csvText(header, rows, flavour), 'utf8');
}

// ------------------------------------------------------------------------------------------ XLSX

/** Excel sheet names: at most 31 characters, none of \ / * ? : [ ], unique within the workbook. */
export function sheetNames(groups: { code: string; name: string }[]): string[] {
  const used = new Set<string>();
  return groups.map((g) => {
    const clean = (s: string) => s.replace(/[\\/*?:[\]]/g, '-').trim();
    let name = clean(g.name).slice(0, 31) || clean(g.code).slice(0, 31);
    if (used.has(name.toLowerCase())) name = `${clean(g.code)} - ${clean(g.name)}`.slice(0, 31);
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${name.slice(0, 27)} (${i})`;
    used.add(name.toLowerCase());
    return name;
  });
}

/**
 * A unit whose self-assessment was never submitted (the round moved on with force, issue 13): the snapshot row
 * says `submitted: false` and every export says so beside the unit.
 */
export const NOT_SUBMITTED_NOTE = 'Chưa nộp tự đánh giá';
export const hasUnsubmitted = (s: Snapshot) => s.groups.some((g) => g.rows.some((r) => r.submitted === false));
const annexUnitName = (r: SnapshotRow) => (r.submitted === false ? `${r.unitName} (${NOT_SUBMITTED_NOTE.toLocaleLowerCase('vi')})` : r.unitName);

/** The header row of a group's annex table (XLSX and PDF): STT, đơn vị, each area, total, index, rank, band. */
export function annexHeader(g: SnapshotGroup): string[] {
  return ['STT', 'Đơn vị', ...g.framework.areas.map((a) => `${a.code}. ${a.title} (${fmt2(a.maxPoints)})`), 'Tổng điểm', 'Chỉ số (%)', 'Xếp hạng', 'Xếp loại'];
}

/** A row of the annex table: numbers stay numbers (2 decimals), a wholly N/A area is "KPS". */
export function annexRow(g: SnapshotGroup, r: SnapshotRow, i: number): (string | number | null)[] {
  const byCode = new Map(r.areas.map((a) => [a.code, a]));
  return [
    i + 1,
    annexUnitName(r),
    ...g.framework.areas.map((a) => {
      const x = byCode.get(a.code);
      if (!x) return null;
      return areaCell(x) ?? KPS;
    }),
    r.total,
    r.index,
    r.rank,
    r.bandLabel,
  ];
}

/** Where the annex table starts in each sheet (1-based row of the header). */
export const XLSX_HEADER_ROW = 6;

export async function toXlsx(s: Snapshot, hash: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const at = new Date(s.publishedAt);
  wb.creator = 'PAR INDEX';
  wb.lastModifiedBy = 'PAR INDEX';
  wb.created = at;
  wb.modified = at;
  wb.title = title(s);
  const names = sheetNames(s.groups);
  s.groups.forEach((g, gi) => {
    const header = annexHeader(g);
    const ws = wb.addWorksheet(names[gi]!, { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
    const last = header.length;
    const banner = (row: number, text: string, font: Partial<ExcelJS.Font>) => {
      ws.mergeCells(row, 1, row, last);
      const cell = ws.getCell(row, 1);
      cell.value = text;
      cell.font = font;
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    };
    banner(1, 'PHỤ LỤC', { bold: true, size: 13 });
    banner(2, `${title(s)} - ${g.name.toUpperCase()}`, { bold: true, size: 12 });
    banner(3, `(${decisionLine(s)})`, { italic: true });
    banner(4, `Bộ tiêu chí: ${g.framework.name} (${g.framework.code}, phiên bản ${g.framework.version})`, { italic: true, size: 10 });
    const head = ws.getRow(XLSX_HEADER_ROW);
    head.values = header;
    head.font = { bold: true };
    head.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    g.rows.forEach((r, i) => {
      const row = ws.getRow(XLSX_HEADER_ROW + 1 + i);
      row.values = annexRow(g, r, i);
    });
    const thin = { style: 'thin' as const };
    for (let rn = XLSX_HEADER_ROW; rn <= XLSX_HEADER_ROW + g.rows.length; rn++) {
      for (let c = 1; c <= last; c++) {
        const cell = ws.getCell(rn, c);
        cell.border = { top: thin, left: thin, bottom: thin, right: thin };
        if (rn > XLSX_HEADER_ROW && typeof cell.value === 'number' && c > 2 && c !== last - 1) cell.numFmt = '0.00';
        if (rn > XLSX_HEADER_ROW && c !== 2) cell.alignment = { horizontal: 'center' };
      }
    }
    ws.getColumn(1).width = 6;
    ws.getColumn(2).width = 36;
    for (let c = 3; c <= last - 4; c++) ws.getColumn(c).width = 14;
    for (let c = last - 3; c <= last; c++) ws.getColumn(c).width = 12;
    ws.views = [{ state: 'frozen', ySplit: XLSX_HEADER_ROW, xSplit: 2 }];
    const foot = XLSX_HEADER_ROW + g.rows.length + 2;
    ws.getCell(foot, 1).value = `Mã công bố: ${s.id}. SHA-256: ${hash}. Kiểm tra: /api/v1/public/publications/${s.id}/verify`;
    ws.getCell(foot, 1).font = { italic: true, size: 9 };
  });
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  return fixZipTimestamps(buf, at);
}

/**
 * Sets every entry's DOS modification time in a ZIP (local headers and central directory) to `at`, so that a
 * workbook written twice from the same snapshot is byte-identical. ZIP layout: the end-of-central-directory
 * record names the central directory; each central entry points at its local header.
 */
export function fixZipTimestamps(buf: Buffer, at: Date): Buffer {
  const time = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2);
  const date = ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP file: no end of central directory');
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let e = 0; e < entries; e++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt ZIP central directory');
    buf.writeUInt16LE(time, p + 12);
    buf.writeUInt16LE(date, p + 14);
    const local = buf.readUInt32LE(p + 42);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error('corrupt ZIP local header');
    buf.writeUInt16LE(time, local + 10);
    buf.writeUInt16LE(date, local + 12);
    p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return buf;
}

// ------------------------------------------------------------------------------------------ PDF

const require = createRequire(import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | undefined;

/** DejaVu Sans (dejavu-fonts-ttf): complete Vietnamese coverage, free licence, shipped through npm. */
function pdfFonts() {
  if (!fonts) {
    const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fonts = { regular: fs.readFileSync(path.join(dir, 'DejaVuSans.ttf')), bold: fs.readFileSync(path.join(dir, 'DejaVuSans-Bold.ttf')) };
  }
  return fonts;
}

const nfc = (s: string) => s.normalize('NFC');

export async function toPdf(s: Snapshot, hash: string): Promise<Buffer> {
  const at = new Date(s.publishedAt);
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: 36, bottom: 40, left: 32, right: 32 },
    bufferPages: true,
    info: { Title: nfc(`${title(s)} - ${s.round.name}`), Author: 'PAR INDEX', Subject: nfc(decisionLine(s)), CreationDate: at, ModDate: at },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const f = pdfFonts();
  doc.registerFont('vn', f.regular);
  doc.registerFont('vn-bold', f.bold);

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  // Laid out as the decision's annex (thể thức văn bản hành chính): the issuing authority on the left, the
  // national title and motto on the right, then "PHỤ LỤC", the title and "(Kèm theo Quyết định …)".
  const top = doc.page.margins.top;
  const half = width / 2;
  let headerBottom = top;
  if (s.decision.issuer) {
    doc.font('vn-bold').fontSize(11).text(nfc(issuingAuthority(s.decision.issuer)), left, top, { width: half - 10, align: 'center' });
    headerBottom = Math.max(headerBottom, doc.y);
  }
  doc.font('vn-bold').fontSize(11).text(NATIONAL_TITLE, left + half, top, { width: half, align: 'center' });
  doc.font('vn-bold').fontSize(11).text(nfc(NATIONAL_MOTTO), left + half, doc.y, { width: half, align: 'center', underline: true });
  headerBottom = Math.max(headerBottom, doc.y);
  doc.font('vn-bold').fontSize(13).text('PHỤ LỤC', left, headerBottom + 14, { width, align: 'center' });
  doc.font('vn-bold').fontSize(12).text(nfc(title(s)), left, doc.y, { width, align: 'center' });
  doc.font('vn').fontSize(10).text(nfc(s.round.name), { width, align: 'center' });
  doc.font('vn').fontSize(10).text(nfc(`(${decisionLine(s)})`), { width, align: 'center' });
  if (s.supersedes) doc.fontSize(9).text(nfc(`Đính chính, thay thế công bố ${s.supersedes.id}. Lý do: ${s.supersedes.reason}`), { width, align: 'center' });
  doc.moveDown(0.6);

  const PAD = 2.5;
  for (const g of s.groups) {
    const n = g.framework.areas.length;
    const fixed = { stt: 24, total: 44, index: 44, rank: 38, band: 56 };
    const fixedSum = fixed.stt + fixed.total + fixed.index + fixed.rank + fixed.band;
    const areaW = Math.max(26, Math.min(46, (width - fixedSum - 150) / Math.max(1, n)));
    const nameW = width - fixedSum - areaW * n;
    const cols = [fixed.stt, nameW, ...Array<number>(n).fill(areaW), fixed.total, fixed.index, fixed.rank, fixed.band];
    const header = ['STT', 'Đơn vị', ...g.framework.areas.map((a) => `LV ${a.code}\n(${fmt2(a.maxPoints, ',')})`), 'Tổng điểm', 'Chỉ số (%)', 'Xếp hạng', 'Xếp loại'];

    const rowHeight = (cells: string[], font: string, size: number) => {
      doc.font(font).fontSize(size);
      return Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: cols[i]! - 2 * PAD }))) + 2 * PAD;
    };
    const drawRow = (cells: string[], y: number, h: number, font: string, size: number, shade: boolean) => {
      let x = left;
      doc.font(font).fontSize(size);
      cells.forEach((c, i) => {
        const w = cols[i]!;
        if (shade) doc.rect(x, y, w, h).fillAndStroke('#eeeeee', '#000000').fillColor('#000000');
        else doc.rect(x, y, w, h).stroke();
        doc.text(c, x + PAD, y + PAD, { width: w - 2 * PAD, align: i === 1 ? 'left' : 'center', lineBreak: true });
        x += w;
      });
    };
    const groupTitle = nfc(`${g.name} (bộ tiêu chí ${g.framework.code}, phiên bản ${g.framework.version})`);
    const headerH = rowHeight(header, 'vn-bold', 7);
    const startTable = (continued: boolean) => {
      doc.font('vn-bold').fontSize(10).text(continued ? `${groupTitle} (tiếp theo)` : groupTitle, left, doc.y, { width });
      doc.moveDown(0.2);
      const y = doc.y;
      drawRow(header, y, headerH, 'vn-bold', 7, true);
      return y + headerH;
    };
    if (doc.y + 60 + headerH > bottom()) doc.addPage();
    let y = startTable(false);
    doc.lineWidth(0.5);
    g.rows.forEach((r, i) => {
      const cells = annexRow(g, r, i).map((v, ci) => (typeof v === 'number' ? (ci === 0 || ci === cols.length - 2 ? String(v) : fmt2(v, ',')) : nfc(v ?? '')));
      const h = rowHeight(cells, 'vn', 8);
      if (y + h > bottom()) {
        doc.addPage();
        doc.y = doc.page.margins.top;
        y = startTable(true);
      }
      drawRow(cells, y, h, 'vn', 8, false);
      y += h;
    });
    // Legend: what each area column is.
    doc.font('vn').fontSize(7);
    const legend = g.framework.areas.map((a) => `LV ${a.code}: ${a.title} (tối đa ${fmt2(a.maxPoints, ',')} điểm)`).join('; ');
    const legendText = nfc(`${legend}. KPS: không phát sinh (mọi tiêu chí của lĩnh vực không áp dụng).`);
    if (y + 4 + doc.heightOfString(legendText, { width }) > bottom()) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    doc.text(legendText, left, y + 4, { width });
    doc.moveDown(1);
  }

  // Signature block (chữ ký của người ký quyết định) on the right, then what seals this document.
  if (s.decision.signerTitle || s.decision.signerName) {
    const blockW = Math.min(260, width / 2);
    const needed = 110;
    if (doc.y + needed > bottom()) {
      doc.addPage();
      doc.y = doc.page.margins.top;
    }
    const x = left + width - blockW;
    const y0 = doc.y + 6;
    doc.font('vn-bold').fontSize(11).text(nfc((s.decision.signerTitle ?? '').toLocaleUpperCase('vi')), x, y0, { width: blockW, align: 'center' });
    doc.font('vn').fontSize(10).text('(Đã ký)', x, doc.y + 28, { width: blockW, align: 'center' });
    doc.font('vn-bold').fontSize(11).text(nfc(s.decision.signerName ?? ''), x, doc.y + 20, { width: blockW, align: 'center' });
    doc.moveDown(0.8);
  }
  {
    const seal = nfc(`Bản công bố này được niêm phong bằng ${SYSTEM_SIGNATURE_LABEL} (Ed25519, khóa ${s.signer.keyId}); kiểm tra tại /api/v1/public/publications/${s.id}/verify.`);
    doc.font('vn').fontSize(8);
    if (doc.y + doc.heightOfString(seal, { width }) > bottom()) {
      doc.addPage();
      doc.y = doc.page.margins.top;
    }
    doc.text(seal, left, doc.y, { width });
  }

  // Footer on every page: the decision, the hash to check and the page number.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('vn')
      .fontSize(7)
      .fillColor('#444444')
      .text(nfc(`Quyết định số ${s.decision.number} ${vietnameseDate(s.decision.date)} · Mã công bố ${s.id} · SHA-256 ${hash} · Trang ${i + 1}/${range.count}`), left, doc.page.height - 30, { width, align: 'left', lineBreak: false });
    doc.page.margins.bottom = saved;
    doc.fillColor('#000000');
  }
  doc.end();
  return done;
}
