// The spreadsheet layout Home Affairs offices exchange criteria sets in: sheet "Tiêu chí" (one row per criterion,
// parents above their children) and sheet "Thông tin" (framework settings and bands). Export → import is lossless:
// "Tham số" carries the rule as JSON; "Cách chấm" is a Vietnamese reading of it, written on export and ignored on
// import. Reading never throws on bad content: every problem is reported with its sheet, row and column.
import ExcelJS from 'exceljs';
import {
  CRITERION_CODE,
  MAX_NODES,
  walkCriteria,
  isLeaf,
  type AreaKind,
  type Criterion,
  type CriterionInput,
  type FrameworkDocument,
  type NotApplicableScoring,
  type Rule,
  type Source,
  type TierOp,
} from './frameworks.document.js';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CRITERIA_SHEET = 'Tiêu chí';
export const INFO_SHEET = 'Thông tin';

/** Columns of "Tiêu chí", in export order; import finds them by header text, in any order. */
const COLUMNS = {
  code: 'Mã',
  title: 'Nội dung tiêu chí',
  maxPoints: 'Điểm tối đa',
  kind: 'Loại lĩnh vực',
  source: 'Nguồn điểm',
  description: 'Cách chấm',
  rule: 'Tham số',
  hint: 'Tài liệu kiểm chứng',
  evidenceRequired: 'Bắt buộc kiểm chứng',
  naAllowed: 'Được "không phát sinh"',
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED_COLUMNS: Column[] = ['code', 'title', 'maxPoints', 'rule'];
const WIDTHS: Record<Column, number> = {
  code: 9, title: 60, maxPoints: 11, kind: 14, source: 14, description: 60, rule: 50, hint: 40, evidenceRequired: 12, naAllowed: 14,
};

const INFO_FIELDS = {
  code: 'Mã bộ tiêu chí',
  name: 'Tên bộ tiêu chí',
  year: 'Năm áp dụng',
  legalBasis: 'Căn cứ ban hành',
  lineage: 'Mã dòng bộ tiêu chí (để so sánh qua các năm)',
  bonusCap: 'Điểm thưởng được cộng tối đa',
  penaltyCap: 'Điểm trừ tối đa',
  surveyOptional: 'Thiếu kết quả khảo sát thì không tính (khảo sát không bắt buộc)',
  capIndexAt100: 'Chỉ số không vượt quá 100',
  notApplicableScoring: 'Tiêu chí không phát sinh được tính',
} as const;
/** Cell values of the N/A setting, both ways. */
const NA_SCORING_LABELS: Record<NotApplicableScoring, string> = { rebase: 'Không tính vào điểm tối đa', full_points: 'Đạt điểm tối đa' };
type InfoField = keyof typeof INFO_FIELDS;
const BAND_HEADERS = ['Mã xếp loại', 'Tên xếp loại', 'Chỉ số từ (≥)'] as const;

const KIND_LABELS: Record<AreaKind, string> = { regular: 'Thường', bonus: 'Điểm thưởng', penalty: 'Điểm trừ' };
const SOURCE_LABELS: Record<Source, string> = { self: 'Tự đánh giá', survey: 'Khảo sát', appraisal: 'Thẩm định' };
const YES = 'Có';
const NO = 'Không';

/** Header and label matching ignores case, spacing, quote style and Unicode composition. */
const norm = (s: string) => s.normalize('NFC').toLowerCase().replace(/["“”'‘’]/g, '').replace(/\s+/g, ' ').trim();
const NA_SCORING_BY_LABEL = new Map(
  (Object.entries(NA_SCORING_LABELS) as [NotApplicableScoring, string][]).flatMap(([k, label]) => [
    [norm(label), k],
    [k, k],
  ]),
);

function reverse<K extends string>(labels: Record<K, string>, extra: Record<string, K> = {}): Map<string, K> {
  const m = new Map<string, K>();
  for (const [k, label] of Object.entries(labels) as [K, string][]) {
    m.set(norm(label), k);
    m.set(norm(k), k);
  }
  for (const [alias, k] of Object.entries(extra)) m.set(norm(alias), k);
  return m;
}
const KIND_BY_LABEL = reverse(KIND_LABELS, { thưởng: 'bonus', trừ: 'penalty', 'lĩnh vực thường': 'regular' });
const SOURCE_BY_LABEL = reverse(SOURCE_LABELS, { 'tự chấm': 'self', 'tự đánh giá, chấm điểm': 'self', 'hội đồng thẩm định': 'appraisal' });
const BOOL_BY_LABEL = new Map<string, boolean>(
  [['có', true], ['co', true], ['x', true], ['yes', true], ['true', true], ['1', true], ['không', false], ['khong', false], ['no', false], ['false', false], ['0', false]],
);

// ------------------------------------------------------------------------------------ rule description

/** Vietnamese number: decimal comma. */
const vn = (x: number) => String(x).replace('.', ',');

const OP_WORDS: Record<TierOp, (b: string) => string> = {
  gte: (b) => `từ ${b} trở lên`,
  gt: (b) => `trên ${b}`,
  lte: (b) => `từ ${b} trở xuống`,
  lt: (b) => `dưới ${b}`,
};

/** "Cách chấm": how an officer would read the rule aloud. */
export function describeRule(rule: Rule, maxPoints: number): string {
  switch (rule.type) {
    case 'manual':
      return `Chấm trực tiếp từ 0 đến ${vn(maxPoints)} điểm, bước ${vn(rule.step ?? 0.25)} điểm`;
    case 'binary':
      return `Có/đạt: ${vn(maxPoints)} điểm; không: 0 điểm`;
    case 'options':
      return rule.options.map((o) => `${o.label}: ${vn(o.points)} điểm`).join('; ');
    case 'tiered': {
      const subject = rule.input === 'count' ? 'Số lượng' : rule.input === 'ratio' ? 'Tỷ lệ (số đạt/tổng số)' : 'Tỷ lệ';
      const unit = rule.input === 'count' ? '' : '%';
      const parts = rule.tiers.map((t) => {
        const op = (['gte', 'gt', 'lte', 'lt'] as const).find((k) => t[k] !== undefined)!;
        return `${OP_WORDS[op](vn(t[op]!) + unit)}: ${vn(t.points)} điểm`;
      });
      return `${subject} ${parts.join('; ')}; còn lại: ${vn(rule.otherwise ?? 0)} điểm`;
    }
    case 'proportional': {
      const p = rule.input === 'ratio' ? 'tỷ lệ (số đạt/tổng số)' : 'tỷ lệ %';
      return rule.direction === 'higher'
        ? `Điểm = ${vn(maxPoints)} × ${p} (càng cao càng tốt)`
        : `Điểm = ${vn(maxPoints)} × (1 − ${p}) (càng thấp càng tốt)`;
    }
    case 'survey': {
      const what = rule.questionCodes ? `câu hỏi ${rule.questionCodes.join(', ')}` : `nhóm tiêu chí ${rule.dimensionCode}`;
      return `Tính từ khảo sát ${rule.surveyCode} (${what}): điểm = ${vn(maxPoints)} × mức độ hài lòng`;
    }
  }
}

// ------------------------------------------------------------------------------------------------ export

export async function writeFrameworkXlsx(doc: FrameworkDocument): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'PAR INDEX (Chỉ số CCHC)';
  wb.title = doc.name;

  const ws = wb.addWorksheet(CRITERIA_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = (Object.keys(COLUMNS) as Column[]).map((k) => ({ header: COLUMNS[k], key: k, width: WIDTHS[k] }));
  styleHeader(ws.getRow(1));
  for (const { node, depth } of walkCriteria(doc.criteria)) {
    const leaf = isLeaf(node);
    const row = ws.addRow(criterionRow(node, depth === 1, leaf));
    row.alignment = { vertical: 'top', wrapText: true };
    if (!leaf) row.font = { bold: true };
  }

  const info = wb.addWorksheet(INFO_SHEET);
  info.columns = [{ width: 60 }, { width: 60 }, { width: 14 }];
  styleHeader(info.addRow(['Thông tin', 'Giá trị']));
  const values: Record<InfoField, string | number> = {
    code: doc.code,
    name: doc.name,
    year: doc.year,
    legalBasis: doc.legalBasis ?? '',
    lineage: doc.lineage,
    bonusCap: doc.bonusCap,
    penaltyCap: doc.penaltyCap,
    surveyOptional: doc.surveyOptional ? YES : NO,
    capIndexAt100: doc.capIndexAt100 ? YES : NO,
    notApplicableScoring: NA_SCORING_LABELS[doc.notApplicableScoring],
  };
  for (const k of Object.keys(INFO_FIELDS) as InfoField[]) info.addRow([INFO_FIELDS[k], values[k]]);
  info.addRow([]);
  styleHeader(info.addRow([...BAND_HEADERS]));
  for (const b of doc.bands) info.addRow([b.code, b.label, b.minIndex]);

  return Buffer.from(await wb.xlsx.writeBuffer());
}

function styleHeader(row: ExcelJS.Row) {
  row.font = { bold: true };
  row.alignment = { vertical: 'middle', wrapText: true };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
}

function criterionRow(c: Criterion, top: boolean, leaf: boolean): Partial<Record<Column, string | number>> {
  const row: Partial<Record<Column, string | number>> = { code: c.code, title: c.title, maxPoints: c.maxPoints };
  if (top || c.kind) row.kind = KIND_LABELS[c.kind ?? 'regular'];
  if (!leaf) return row;
  if (c.source) row.source = SOURCE_LABELS[c.source];
  if (c.rule) {
    row.description = describeRule(c.rule, c.maxPoints);
    row.rule = JSON.stringify(c.rule);
  }
  if (c.evidence?.hint) row.hint = c.evidence.hint;
  row.evidenceRequired = c.evidence?.required ? YES : NO;
  row.naAllowed = c.naAllowed ? YES : NO;
  return row;
}

// ------------------------------------------------------------------------------------------------ import

export interface ImportIssue {
  sheet: string;
  /** 1-based spreadsheet row, or null when the problem has no single row (a missing sheet, no areas). */
  row: number | null;
  column: string | null;
  /** Path inside the framework document (see FIELD_CONVENTION), or "file". */
  field: string;
  code: string;
  message: string;
}

export interface ParsedWorkbook {
  /** The document as read (unvalidated); null when the workbook could not be read at all. */
  raw: Record<string, unknown> | null;
  issues: ImportIssue[];
  /** Where a document field came from, to put validation errors on their row. */
  locate(field: string): Pick<ImportIssue, 'sheet' | 'row' | 'column'>;
}

type Cell = string | number | boolean | null;

function cellOf(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if ('richText' in v) return cellOf(v.richText.map((r) => r.text).join(''));
  if ('hyperlink' in v) return cellOf(typeof v.text === 'string' ? v.text : null);
  if ('result' in v) return cellOf(v.result as ExcelJS.CellValue);
  return null; // an error cell (#N/A, …) reads as empty
}

class Reader {
  readonly issues: ImportIssue[] = [];
  constructor(readonly sheet: string) {}

  issue(row: number | null, column: string | null, field: string, code: string, message: string) {
    this.issues.push({ sheet: this.sheet, row, column, field, code, message });
  }

  text(c: Cell): string | undefined {
    return c === null ? undefined : String(c);
  }

  /** A number, also from text with a decimal comma ("1,5"). */
  number(c: Cell, row: number, column: string, field: string): number | undefined {
    if (c === null) return undefined;
    if (typeof c === 'number') return c;
    const s = String(c).replace(/^(-?\d+),(\d+)$/, '$1.$2');
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
    this.issue(row, column, field, 'invalid_type', `"${String(c)}" is not a number`);
    return undefined;
  }

  choice<T>(c: Cell, map: Map<string, T>, row: number, column: string, field: string, allowed: string): T | undefined {
    if (c === null) return undefined;
    const v = typeof c === 'boolean' ? (c ? 'true' : 'false') : norm(String(c));
    if (map.has(v)) return map.get(v);
    this.issue(row, column, field, 'invalid_value', `"${String(c)}" is not one of: ${allowed}`);
    return undefined;
  }

  bool(c: Cell, row: number, column: string, field: string): boolean | undefined {
    return this.choice(c, BOOL_BY_LABEL, row, column, field, `${YES}, ${NO}`);
  }
}

export async function readFrameworkXlsx(buffer: Buffer): Promise<ParsedWorkbook> {
  const wb = new ExcelJS.Workbook();
  const nowhere = { sheet: '', row: null, column: null };
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    return {
      raw: null,
      issues: [{ ...nowhere, field: 'file', code: 'unreadable', message: 'the file is not a readable .xlsx workbook' }],
      locate: () => nowhere,
    };
  }
  const sheetNamed = (name: string) => wb.worksheets.find((w) => norm(w.name) === norm(name));
  const criteriaSheet = sheetNamed(CRITERIA_SHEET);
  const infoSheet = sheetNamed(INFO_SHEET);
  const missing: ImportIssue[] = [CRITERIA_SHEET, INFO_SHEET]
    .filter((n) => !sheetNamed(n))
    .map((n) => ({ sheet: n, row: null, column: null, field: 'file', code: 'missing_sheet', message: `the workbook has no sheet "${n}"` }));
  if (!criteriaSheet || !infoSheet) return { raw: null, issues: missing, locate: () => nowhere };

  const info = readInfo(infoSheet);
  const criteria = readCriteria(criteriaSheet);
  const raw = { ...info.values, criteria: criteria.criteria };
  return {
    raw,
    issues: [...info.reader.issues, ...criteria.reader.issues],
    locate(field) {
      const m = /^criteria\[([^\]#]+)\](?:\.(.*))?$/.exec(field);
      if (m) {
        const row = criteria.rowOf.get(m[1]!) ?? null;
        const rest = m[2] ?? '';
        const column = rest.startsWith('evidence.hint')
          ? COLUMNS.hint
          : rest.startsWith('evidence')
            ? COLUMNS.evidenceRequired
            : COLUMNS[(rest.split(/[.[]/)[0] || 'code') as Column] ?? COLUMNS.code;
        return { sheet: CRITERIA_SHEET, row, column };
      }
      if (field.startsWith('criteria')) return { sheet: CRITERIA_SHEET, row: null, column: null };
      const band = /^bands\[(\d+)\](?:\.(\w+))?/.exec(field);
      if (band) {
        const column = band[2] === 'label' ? BAND_HEADERS[1] : band[2] === 'minIndex' ? BAND_HEADERS[2] : BAND_HEADERS[0];
        return { sheet: INFO_SHEET, row: info.bandRows[Number(band[1])] ?? info.bandHeaderRow, column };
      }
      if (field === 'bands') return { sheet: INFO_SHEET, row: info.bandHeaderRow, column: null };
      const key = field.split(/[.[]/)[0] as InfoField;
      return { sheet: INFO_SHEET, row: info.rowOf.get(key) ?? null, column: key in INFO_FIELDS ? 'Giá trị' : null };
    },
  };
}

function readInfo(ws: ExcelJS.Worksheet) {
  const reader = new Reader(INFO_SHEET);
  const byLabel = reverse(INFO_FIELDS);
  const values: Record<string, unknown> = {};
  const rowOf = new Map<InfoField, number>();
  const bandRows: number[] = [];
  const bands: Array<Record<string, unknown>> = [];
  let bandHeaderRow: number | null = null;
  ws.eachRow((row, r) => {
    const a = cellOf(row.getCell(1).value);
    const b = cellOf(row.getCell(2).value);
    if (bandHeaderRow !== null) {
      const c = cellOf(row.getCell(3).value);
      if (a === null && b === null && c === null) return;
      bandRows.push(r);
      bands.push({
        code: reader.text(a),
        label: reader.text(b),
        minIndex: reader.number(c, r, BAND_HEADERS[2], `bands[${bands.length}].minIndex`),
      });
      return;
    }
    if (a === null) return;
    if (norm(String(a)) === norm(BAND_HEADERS[0])) {
      bandHeaderRow = r;
      return;
    }
    const key = byLabel.get(norm(String(a)));
    if (!key) return; // the header row and any notes an office adds
    rowOf.set(key, r);
    const col = 'Giá trị';
    switch (key) {
      case 'year':
      case 'bonusCap':
      case 'penaltyCap':
        values[key] = reader.number(b, r, col, key);
        break;
      case 'surveyOptional':
      case 'capIndexAt100':
        values[key] = reader.bool(b, r, col, key);
        break;
      case 'legalBasis':
        values[key] = reader.text(b) ?? null;
        break;
      case 'notApplicableScoring':
        values[key] = reader.choice(b, NA_SCORING_BY_LABEL, r, col, key, Object.values(NA_SCORING_LABELS).join(', '));
        break;
      default:
        values[key] = reader.text(b);
    }
  });
  for (const k of ['code', 'name', 'year'] as const) {
    if (!rowOf.has(k)) reader.issue(null, null, k, 'required', `no row "${INFO_FIELDS[k]}"`);
  }
  if (bandHeaderRow === null) reader.issue(null, null, 'bands', 'required', `no band table (a header row starting with "${BAND_HEADERS[0]}")`);
  values.bands = bands;
  // Absent optional settings stay absent so that their defaults apply.
  for (const k of Object.keys(values)) if (values[k] === undefined) delete values[k];
  return { reader, values, rowOf, bandRows, bandHeaderRow: bandHeaderRow as number | null };
}

function readCriteria(ws: ExcelJS.Worksheet) {
  const reader = new Reader(CRITERIA_SHEET);
  const rowOf = new Map<string, number>();
  const nodes = new Map<string, CriterionInput>();
  const criteria: CriterionInput[] = [];
  const header = ws.getRow(1);
  const colOf = new Map<Column, number>();
  header.eachCell((cell, col) => {
    const text = cellOf(cell.value);
    const key = text === null ? undefined : (Object.keys(COLUMNS) as Column[]).find((k) => norm(COLUMNS[k]) === norm(String(text)));
    if (key) colOf.set(key, col);
  });
  const absent = REQUIRED_COLUMNS.filter((k) => !colOf.has(k));
  for (const k of absent) reader.issue(1, COLUMNS[k], 'file', 'missing_column', `row 1 has no column "${COLUMNS[k]}"`);
  if (absent.length > 0) return { reader, criteria, rowOf };

  ws.eachRow((row, r) => {
    if (r === 1) return;
    const get = (k: Column): Cell => (colOf.has(k) ? cellOf(row.getCell(colOf.get(k)!).value) : null);
    const cells = (Object.keys(COLUMNS) as Column[]).map(get);
    if (cells.every((c) => c === null)) return;
    if (rowOf.size >= MAX_NODES) {
      if (rowOf.size === MAX_NODES) reader.issue(r, null, 'criteria', 'too_big', `a framework has at most ${MAX_NODES} criteria`);
      rowOf.set(`#${r}`, r);
      return;
    }
    const code = get('code') === null ? '' : String(get('code'));
    if (!CRITERION_CODE.test(code) || code.length > 32) {
      reader.issue(r, COLUMNS.code, 'code', code ? 'invalid_format' : 'required', code ? `"${code}" is not a criterion code such as 1, 1.2 or 1.2.3` : 'the criterion code is empty');
      return;
    }
    if (rowOf.has(code)) {
      reader.issue(r, COLUMNS.code, `criteria[${code}].code`, 'duplicate', `criterion ${code}: already listed on row ${rowOf.get(code)}`);
      return;
    }
    const parentCode = code.includes('.') ? code.slice(0, code.lastIndexOf('.')) : null;
    const parent = parentCode === null ? null : nodes.get(parentCode);
    if (parentCode !== null && !parent) {
      reader.issue(r, COLUMNS.code, `criteria[${code}].code`, 'not_nested', `criterion ${code}: its parent ${parentCode} must be listed on a row above it`);
      return;
    }
    const field = (f: string) => `criteria[${code}].${f}`;
    const node: CriterionInput = {
      code,
      title: reader.text(get('title')) ?? '',
      maxPoints: reader.number(get('maxPoints'), r, COLUMNS.maxPoints, field('maxPoints')) as number,
    };
    const kind = reader.choice(get('kind'), KIND_BY_LABEL, r, COLUMNS.kind, field('kind'), Object.values(KIND_LABELS).join(', '));
    if (kind !== undefined) node.kind = kind;
    const source = reader.choice(get('source'), SOURCE_BY_LABEL, r, COLUMNS.source, field('source'), Object.values(SOURCE_LABELS).join(', '));
    if (source !== undefined) node.source = source;
    const na = reader.bool(get('naAllowed'), r, COLUMNS.naAllowed, field('naAllowed'));
    if (na !== undefined) node.naAllowed = na;
    const params = get('rule');
    if (params !== null) {
      try {
        node.rule = JSON.parse(String(params)) as Rule;
      } catch {
        reader.issue(r, COLUMNS.rule, field('rule'), 'invalid_json', `criterion ${code}: "${COLUMNS.rule}" is not valid JSON`);
      }
    }
    const hint = reader.text(get('hint'));
    const required = reader.bool(get('evidenceRequired'), r, COLUMNS.evidenceRequired, field('evidence.required'));
    if (hint !== undefined || required !== undefined) node.evidence = { ...(required !== undefined ? { required } : {}), ...(hint ? { hint } : {}) };
    rowOf.set(code, r);
    nodes.set(code, node);
    if (parent) (parent.children ??= []).push(node);
    else criteria.push(node);
  });
  return { reader, criteria, rowOf };
}
