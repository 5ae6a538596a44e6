// Reading a CCHC plan's task appendix from a workbook as offices lay it out: the six columns "Nhiệm vụ chung |
// Nhiệm vụ cụ thể | Sản phẩm | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện" (found by header text, in
// any order), bold group rows ("I. CẢI CÁCH THỂ CHẾ") giving the area, and a task that runs over several lines.
// Unit names are matched to org units; free-text timeframes become due dates. Every line it could not read is
// reported with its row. No I/O beyond the workbook buffer.
import ExcelJS from 'exceljs';
import { parseTimeframe } from './timeframe.js';

export interface ImportIssue {
  row: number | null;
  column: string | null;
  field: string;
  code: string;
  message: string;
}

export interface ImportedTask {
  code: string;
  area: string | null;
  title: string;
  product: string | null;
  leadUnitCode: string | null;
  leadUnitName: string;
  supportUnitCodes: string[];
  timeframe: string | null;
  dueDates: string[];
  row: number;
}

export interface AppendixRead {
  tasks: ImportedTask[];
  /** Errors block the import (no lead unit, no task column); warnings do not (unmatched supporters, no date). */
  errors: ImportIssue[];
  warnings: ImportIssue[];
  unmatchedUnits: string[];
}

const HEADERS = {
  general: 'Nhiệm vụ chung',
  task: 'Nhiệm vụ cụ thể',
  product: 'Sản phẩm',
  lead: 'Cơ quan chủ trì',
  support: 'Cơ quan phối hợp',
  timeframe: 'Thời gian thực hiện',
} as const;
type Col = keyof typeof HEADERS;

export const normName = (s: string) =>
  s
    .normalize('NFC')
    .toLowerCase()
    .replace(/[.,;:()"“”'‘’–-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const ROMAN = /^(i{1,3}|iv|v|vi{0,3}|ix|x)\s*[.)]\s*/i;
const ROMAN_VALUES: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4, v: 5, vi: 6, vii: 7, viii: 8, ix: 9, x: 10 };

function cellText(c: ExcelJS.Cell | undefined): string {
  // A group row merged across the columns repeats its master's value in every cell: read it once, at the master.
  if (c?.isMerged && c.master !== c) return '';
  if (!c || c.value === null || c.value === undefined) return '';
  const v = c.value as unknown;
  if (typeof v === 'object' && v !== null && 'richText' in v) return (v as { richText: { text: string }[] }).richText.map((r) => r.text).join('').trim();
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(c.text ?? v).trim();
}

const isBold = (c: ExcelJS.Cell | undefined) => {
  if (!c) return false;
  if (c.font?.bold) return true;
  const v = c.value as unknown;
  return typeof v === 'object' && v !== null && 'richText' in v && (v as { richText: { font?: { bold?: boolean } }[] }).richText.every((r) => r.font?.bold);
};

export interface UnitName {
  code: string;
  name: string;
}

/** A unit by name: exact (normalised), else the only unit whose name contains the text or is contained in it. */
export function matchUnit(text: string, units: readonly UnitName[]): string | null {
  const t = normName(text);
  if (!t) return null;
  const exact = units.filter((u) => normName(u.name) === t || normName(u.code) === t);
  if (exact.length === 1) return exact[0]!.code;
  const partial = units.filter((u) => {
    const n = normName(u.name);
    return n.length >= 6 && (t.includes(n) || (t.length >= 6 && n.includes(t)));
  });
  return partial.length === 1 ? partial[0]!.code : null;
}

export async function readAppendix(buffer: Buffer, year: number, units: readonly UnitName[]): Promise<AppendixRead> {
  const out: AppendixRead = { tasks: [], errors: [], warnings: [], unmatchedUnits: [] };
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    out.errors.push({ row: null, column: null, field: 'file', code: 'not_a_workbook', message: 'the file is not an XLSX workbook' });
    return out;
  }
  const sheet = wb.worksheets[0];
  if (!sheet) {
    out.errors.push({ row: null, column: null, field: 'file', code: 'no_sheet', message: 'the workbook has no sheet' });
    return out;
  }
  // The header row: the first row holding "Nhiệm vụ cụ thể".
  let headerRow = 0;
  const cols = new Map<Col, number>();
  sheet.eachRow((row, r) => {
    if (headerRow) return;
    row.eachCell((cell, c) => {
      const t = normName(cellText(cell));
      for (const [k, label] of Object.entries(HEADERS) as [Col, string][]) if (t === normName(label)) cols.set(k, c);
    });
    if (cols.has('task')) headerRow = r;
    else cols.clear();
  });
  if (!headerRow) {
    out.errors.push({ row: null, column: HEADERS.task, field: 'file', code: 'no_header', message: `no header row with "${HEADERS.task}"` });
    return out;
  }
  for (const k of ['lead', 'timeframe'] as const) {
    if (!cols.has(k)) out.errors.push({ row: headerRow, column: HEADERS[k], field: k, code: 'missing_column', message: `no column "${HEADERS[k]}"` });
  }
  if (out.errors.length) return out;

  const unmatched = new Set<string>();
  let area: string | null = null;
  let areaCount = 0;
  let taskInArea = 0;
  let current: ImportedTask | null = null;
  const get = (row: ExcelJS.Row, k: Col) => (cols.has(k) ? cellText(row.getCell(cols.get(k)!)) : '');
  const finish = () => {
    if (!current) return;
    const t = current;
    if (!t.leadUnitName) out.errors.push({ row: t.row, column: HEADERS.lead, field: `tasks[${t.code}].leadUnitCode`, code: 'no_lead', message: `task ${t.code}: no lead unit` });
    else if (!t.leadUnitCode) {
      out.errors.push({ row: t.row, column: HEADERS.lead, field: `tasks[${t.code}].leadUnitCode`, code: 'unknown_unit', message: `task ${t.code}: no org unit is named "${t.leadUnitName}"` });
      unmatched.add(t.leadUnitName);
    }
    t.dueDates = t.timeframe ? parseTimeframe(t.timeframe, year).dueDates : [];
    if (t.dueDates.length === 0) {
      out.warnings.push({ row: t.row, column: HEADERS.timeframe, field: `tasks[${t.code}].dueDates`, code: 'unreadable_timeframe', message: `task ${t.code}: no due date could be read from "${t.timeframe ?? ''}"` });
    }
    out.tasks.push(t);
    current = null;
  };

  for (let r = headerRow + 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const general = get(row, 'general');
    const taskText = get(row, 'task');
    const lead = get(row, 'lead');
    const product = get(row, 'product');
    const support = get(row, 'support');
    const timeframe = get(row, 'timeframe');
    const firstCol = cellText(row.getCell(1));
    const nonEmpty = [general, taskText, lead, product, support, timeframe].filter(Boolean).length;
    if (nonEmpty === 0 && !firstCol) continue;
    // A group row: bold, no lead or time: it names the area of the tasks below it.
    const groupText = taskText || general || firstCol;
    if (!lead && !timeframe && !product && (isBold(row.getCell(cols.get('task') ?? 1)) || isBold(row.getCell(1)) || ROMAN.test(groupText))) {
      finish();
      areaCount++;
      const roman = ROMAN.exec(groupText);
      area = roman ? String(ROMAN_VALUES[roman[1]!.toLowerCase()] ?? areaCount) : String(areaCount);
      taskInArea = 0;
      continue;
    }
    const numbered = /^(\d+(?:\.\d+)*)\s*[.)]\s*/.exec(taskText);
    // A line without its own lead unit and without a new number continues the task above.
    if (current && !lead && !numbered) {
      const c = current as ImportedTask;
      if (taskText) c.title = `${c.title}\n${taskText}`;
      if (product) c.product = c.product ? `${c.product}\n${product}` : product;
      if (support) c.supportUnitCodes.push(...matchSupport(support));
      if (timeframe) c.timeframe = c.timeframe ? `${c.timeframe}; ${timeframe}` : timeframe;
      continue;
    }
    finish();
    if (!taskText) {
      out.warnings.push({ row: r, column: HEADERS.task, field: 'row', code: 'no_task', message: `row ${r}: no task text; the line was skipped` });
      continue;
    }
    taskInArea++;
    const n = numbered ? numbered[1]! : String(taskInArea);
    current = {
      code: area ? `${area}.${n}` : n,
      area,
      title: numbered ? taskText.slice(numbered[0].length).trim() : taskText,
      product: product || null,
      leadUnitName: lead,
      leadUnitCode: lead ? matchUnit(lead, units) : null,
      supportUnitCodes: support ? matchSupport(support) : [],
      timeframe: timeframe || null,
      dueDates: [],
      row: r,
    };
  }
  finish();

  // Task codes must be unique within the plan.
  const seen = new Map<string, number>();
  for (const t of out.tasks) {
    const at = seen.get(t.code);
    if (at !== undefined) out.errors.push({ row: t.row, column: HEADERS.task, field: `tasks[${t.code}].code`, code: 'duplicate', message: `task ${t.code}: already on row ${at}` });
    else seen.set(t.code, t.row);
  }
  out.unmatchedUnits = [...unmatched].sort();
  return out;

  function matchSupport(text: string): string[] {
    const codes: string[] = [];
    for (const part of text.split(/[;\n]/)) {
      const p = part.replace(/^[-–•\s]+/, '').trim();
      if (!p) continue;
      const code = matchUnit(p, units);
      if (code) codes.push(code);
      else unmatched.add(p);
    }
    return [...new Set(codes)];
  }
}
