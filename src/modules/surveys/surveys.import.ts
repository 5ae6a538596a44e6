// Bulk import of survey exports (KoboToolbox, ODK Central, LimeSurvey) as CSV, JSON or XLSX, streamed: the body
// is read incrementally, rows are checked against the questionnaire one by one and written in batches, so a file
// of a million rows never sits in memory. No database access here: the service passes a sink.
import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { AppError, ValidationError, type FieldError } from '../../lib/errors.js';
import { demographicCode, demographicOptions, questionIndex, type DemographicField, type QuestionInfo, type Respondent, type SurveyDocument } from './surveys.document.js';

export const importFormats = ['csv', 'json', 'xlsx'] as const;
export type ImportFormat = (typeof importFormats)[number];

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const importMimes: Record<ImportFormat, string> = { csv: 'text/csv', json: 'application/json', xlsx: XLSX_MIME };

/** Content types the import reads, and the format each means (null: known to say nothing about the format). */
export const importTypes: Record<string, ImportFormat | null> = {
  [importMimes.csv]: 'csv',
  'application/vnd.ms-excel': 'csv', // what Windows browsers send for a .csv file
  [importMimes.json]: 'json',
  [XLSX_MIME]: 'xlsx',
  'application/octet-stream': null,
};

/** One row of an export: column names and values (CSV and XLSX rows share the header array). */
export interface SourceRecord {
  /** CSV/XLSX: the spreadsheet row (header = row 1). JSON: the position of the response in the array (from 1). */
  row: number;
  keys: readonly string[];
  values: readonly unknown[];
}

/** The file is not a readable CSV/JSON/XLSX: a 422 naming the body. */
export class ImportFormatError extends ValidationError {
  constructor(format: ImportFormat, message: string, code = 'malformed') {
    super([{ field: 'body', code, message }], `The ${format.toUpperCase()} file cannot be read: ${message}`);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super(413, 'payload-too-large', 'Payload too large', `The file is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB accepted (SURVEY_IMPORT_MAX_MB).`);
  }
}

/** Counts and hashes the body as it streams through, and stops it past `maxBytes` (413). */
export function meter(input: Readable, maxBytes: number) {
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > maxBytes) return cb(new PayloadTooLargeError(maxBytes));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const stream = pipeline(input, counter, () => {});
  return {
    stream: stream as Readable,
    get bytes() {
      return bytes;
    },
    sha256: () => hash.digest('hex'),
  };
}

// ------------------------------------------------------------------------------------------------ parsers

/** Picks the delimiter of a CSV from its header line (KoboToolbox exports use ";", most tools ","). */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

export async function* csvRecords(input: Readable, opts: { delimiter?: string | undefined } = {}): AsyncGenerator<SourceRecord> {
  // Peek at the header line to choose the delimiter, then stream everything (peeked bytes first) through csv-parse.
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const peeked: Buffer[] = [];
  let delimiter = opts.delimiter;
  if (!delimiter) {
    let head = '';
    while (head.length < 65_536 && !head.includes('\n')) {
      const next = await it.next();
      if (next.done) break;
      const b = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      peeked.push(b);
      head += b.toString('utf8');
    }
    delimiter = detectDelimiter((head.split('\n')[0] ?? '').replace(/^\uFEFF/, ''));
  }
  const rest: AsyncIterable<Buffer | string> = { [Symbol.asyncIterator]: () => it };
  const source = Readable.from(
    (async function* () {
      yield* peeked;
      yield* rest;
    })(),
  );
  const parser = source.pipe(parseCsv({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: false }));
  source.on('error', (err) => parser.destroy(err));
  let header: string[] | null = null;
  let row = 0;
  try {
    for await (const rec of parser as AsyncIterable<string[]>) {
      row++;
      if (rec.length === 1 && rec[0] === '') continue; // a blank line keeps its row number
      if (!header) {
        header = rec.map((h) => h.trim());
        continue;
      }
      yield { row, keys: header, values: rec };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) throw new ImportFormatError('csv', (err as Error).message);
    throw err;
  }
}

/** Flattens nested groups (ODK Central JSON) into "group/question" keys; repeat groups (arrays) are skipped. */
function flatten(obj: Record<string, unknown>, prefix: string, keys: string[], values: unknown[]) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}/${k}` : k;
    if (Array.isArray(v)) continue;
    if (v !== null && typeof v === 'object') flatten(v as Record<string, unknown>, key, keys, values);
    else {
      keys.push(key);
      values.push(v);
    }
  }
}

function jsonRecord(row: number, value: unknown): SourceRecord {
  let obj = value as Record<string, unknown>;
  // LimeSurvey's JSON export wraps each response as { "<id>": { … } }.
  const entries = Object.keys(obj);
  if (entries.length === 1 && /^\d+$/.test(entries[0]!)) {
    const inner = obj[entries[0]!];
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) obj = inner as Record<string, unknown>;
  }
  const keys: string[] = [];
  const values: unknown[] = [];
  flatten(obj, '', keys, values);
  return { row, keys, values };
}

/**
 * Streams the responses of a JSON export: a top-level array, or the first array of objects directly inside the
 * top-level object (KoboToolbox `results`, ODK Central OData `value`, LimeSurvey `responses`). Only one response is
 * held in memory at a time; arrays of non-objects before it (e.g. a field list) are skipped.
 */
export async function* jsonRecords(input: AsyncIterable<Buffer | string>): AsyncGenerator<SourceRecord> {
  const decoder = new StringDecoder('utf8');
  let depth = 0;
  let inString = false;
  let escape = false;
  let mode: 'seek' | 'array' | 'done' = 'seek';
  let arrayDepth = 0;
  let recording = false;
  let pending = '';
  let row = 0;
  let fromArray = 0;
  let nonObject = false;
  let first = true;
  const fail = (message: string): never => {
    throw new ImportFormatError('json', message);
  };
  for await (const chunk of input) {
    let s = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    let start = 0;
    const out: SourceRecord[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (inString) {
        if (escape) escape = false;
        else if (c === 92) escape = true;
        else if (c === 34) inString = false;
        continue;
      }
      if (c === 34) {
        inString = true;
        if (mode === 'array' && depth === arrayDepth) nonObject = true;
        continue;
      }
      if (c === 123 || c === 91) {
        depth++;
        if (mode === 'seek' && c === 91 && depth <= 2) {
          mode = 'array';
          arrayDepth = depth;
          fromArray = 0;
          nonObject = false;
        } else if (mode === 'array' && depth === arrayDepth + 1) {
          if (c === 123) {
            recording = true;
            start = i;
            pending = '';
          } else nonObject = true;
        }
        continue;
      }
      if (c === 125 || c === 93) {
        if (mode === 'array' && recording && depth === arrayDepth + 1 && c === 125) {
          const text = pending + s.slice(start, i + 1);
          pending = '';
          recording = false;
          row++;
          fromArray++;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (err) {
            fail(`response ${row}: ${(err as Error).message}`);
          }
          out.push(jsonRecord(row, value));
        } else if (mode === 'array' && depth === arrayDepth && c === 93) {
          mode = fromArray === 0 && nonObject ? 'seek' : 'done';
        }
        depth--;
        if (depth < 0) fail('unbalanced brackets');
        continue;
      }
      if (mode === 'array' && depth === arrayDepth && c > 32 && c !== 44) nonObject = true;
    }
    if (recording) pending += s.slice(start);
    yield* out;
  }
  if (inString || depth !== 0) fail('the file ends in the middle of a value (truncated?)');
  if (mode === 'seek') fail('expected an array of responses, or an object holding one (results, value, responses)');
}

function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as { result?: unknown; text?: unknown; richText?: { text: string }[]; error?: unknown };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellValue(o.text);
    if (o.result !== undefined) return cellValue(o.result);
    if (o.error !== undefined) return null;
  }
  return v;
}

/** Streams the first worksheet of an XLSX export (later sheets, e.g. Kobo repeat groups, are read past unused). */
export async function* xlsxRecords(input: Readable): AsyncGenerator<SourceRecord> {
  let header: string[] | null = null;
  let sheet = 0;
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
    for await (const ws of reader) {
      sheet++;
      for await (const r of ws) {
        if (sheet !== 1) continue;
        const cells = (Array.isArray(r.values) ? r.values : []).slice(1).map(cellValue);
        if (!header) {
          if (cells.every((c) => c === null || c === '')) continue;
          header = cells.map((c) => (c === null ? '' : String(c).trim()));
          continue;
        }
        yield { row: r.number, keys: header, values: cells };
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new ImportFormatError('xlsx', `not a readable XLSX workbook (${(err as Error).message})`);
  }
  if (sheet === 0) throw new ImportFormatError('xlsx', 'the workbook has no worksheet');
}

export function recordsOf(format: ImportFormat, input: Readable, opts: { delimiter?: string | undefined } = {}): AsyncGenerator<SourceRecord> {
  if (format === 'csv') return csvRecords(input, opts);
  if (format === 'json') return jsonRecords(input);
  return xlsxRecords(input);
}

// ------------------------------------------------------------------------------------------------ columns

const ID_NAMES = ['instanceid', '_uuid', '__id', 'key', 'id', 'responseid'];
const UNIT_NAMES = ['unitcode', 'unit_code', 'unit', 'ma_don_vi', 'madonvi', 'donvi'];
const SUBMITTED_NAMES = ['_submission_time', 'submissiondate', 'submitdate'];
const DEMOGRAPHIC_NAMES: Record<DemographicField, string[]> = {
  sex: ['sex', 'gender', 'gioi_tinh', 'gioitinh'],
  ageBand: ['ageband', 'age_band', 'age_group', 'do_tuoi', 'dotuoi'],
  occupation: ['occupation', 'nghe_nghiep', 'nghenghiep'],
};

/** "grp/sub/Q1" → "q1"; ODK Central's "meta-instanceID" → "instanceid". */
function baseName(header: string): string {
  const h = header.trim();
  const last = h.slice(h.lastIndexOf('/') + 1).toLowerCase();
  return last.startsWith('meta-') ? last.slice(5) : last;
}

/** The names a header may stand for: itself, its last "/" segment (KoboToolbox), every "-" suffix (ODK Central CSV). */
function candidates(header: string): string[] {
  const h = header.trim();
  const out = [h];
  const slash = h.lastIndexOf('/');
  if (slash >= 0) out.push(h.slice(slash + 1));
  for (let i = h.indexOf('-'); i >= 0; i = h.indexOf('-', i + 1)) out.push(h.slice(i + 1));
  return out;
}

type Column =
  | { kind: 'question'; info: QuestionInfo }
  | { kind: 'id' }
  | { kind: 'unit' }
  | { kind: 'submitted' }
  | { kind: 'demographic'; field: DemographicField }
  | { kind: 'ignored' };

interface Plan {
  columns: Column[];
  idColumn: string | null;
  unitColumn: string | null;
  questions: { column: string; code: string }[];
  ignored: string[];
}

export interface ImportOptions {
  format: ImportFormat;
  dryRun: boolean;
  /** Column holding the unit code (default: unitCode, unit_code, unit, ma_don_vi). */
  unitColumn?: string | undefined;
  /** Every row belongs to this unit (an export of one ward's form); no unit column needed. */
  unitCode?: string | undefined;
  /** Column holding the response id (default: instanceID, _uuid, __id, KEY, id). */
  idColumn?: string | undefined;
  delimiter?: string | undefined;
  batchSize?: number | undefined;
}

function matchesName(header: string, wanted: string): boolean {
  return header.trim() === wanted || header.trim().toLowerCase() === wanted.toLowerCase() || baseName(header) === wanted.toLowerCase();
}

function planOf(keys: readonly string[], doc: SurveyDocument, questions: Map<string, QuestionInfo>, byLower: Map<string, QuestionInfo>, opts: ImportOptions): Plan {
  const columns: Column[] = keys.map(() => ({ kind: 'ignored' }));
  let idIndex = -1;
  if (opts.idColumn) idIndex = keys.findIndex((k) => matchesName(k, opts.idColumn!));
  else {
    for (const name of ID_NAMES) {
      idIndex = keys.findIndex((k) => baseName(k) === name);
      if (idIndex >= 0) break;
    }
  }
  let unitIndex = -1;
  if (!opts.unitCode) {
    if (opts.unitColumn) unitIndex = keys.findIndex((k) => matchesName(k, opts.unitColumn!));
    else {
      for (const name of UNIT_NAMES) {
        unitIndex = keys.findIndex((k) => baseName(k) === name);
        if (unitIndex >= 0) break;
      }
    }
  }
  const plan: Plan = { columns, idColumn: idIndex >= 0 ? keys[idIndex]! : null, unitColumn: unitIndex >= 0 ? keys[unitIndex]! : null, questions: [], ignored: [] };
  const taken = new Set<string>();
  keys.forEach((key, i) => {
    if (i === idIndex) return void (columns[i] = { kind: 'id' });
    if (i === unitIndex) return void (columns[i] = { kind: 'unit' });
    const names = candidates(key);
    const info = names.map((n) => questions.get(n)).find(Boolean) ?? names.map((n) => byLower.get(n.toLowerCase())).find(Boolean);
    if (info && !taken.has(info.question.code)) {
      taken.add(info.question.code);
      columns[i] = { kind: 'question', info };
      plan.questions.push({ column: key, code: info.question.code });
      return;
    }
    const base = baseName(key);
    if (SUBMITTED_NAMES.includes(base)) return void (columns[i] = { kind: 'submitted' });
    for (const field of doc.demographics) {
      if (DEMOGRAPHIC_NAMES[field].includes(base)) return void (columns[i] = { kind: 'demographic', field });
    }
    if (plan.ignored.length < 100 && key !== '') plan.ignored.push(key);
  });
  return plan;
}

function planProblems(plan: Plan, opts: ImportOptions): FieldError[] {
  const errors: FieldError[] = [];
  if (!plan.idColumn) {
    errors.push(
      opts.idColumn
        ? { field: 'query.idColumn', code: 'unknown_column', message: `the file has no column '${opts.idColumn}'` }
        : { field: 'query.idColumn', code: 'no_id_column', message: 'no response id column (instanceID, _uuid, __id, KEY or id); name it with ?idColumn=' },
    );
  }
  if (!plan.unitColumn && !opts.unitCode) {
    errors.push(
      opts.unitColumn
        ? { field: 'query.unitColumn', code: 'unknown_column', message: `the file has no column '${opts.unitColumn}'` }
        : { field: 'query.unitColumn', code: 'no_unit_column', message: 'no unit column (unitCode, unit_code, unit or ma_don_vi); name it with ?unitColumn= or give ?unitCode= for a file of one unit' },
    );
  }
  if (plan.questions.length === 0) errors.push({ field: 'body', code: 'no_question_columns', message: 'no column is named after a question code of the survey (group paths such as grp/Q1 are accepted)' });
  return errors;
}

// ------------------------------------------------------------------------------------------------ rows

export interface ImportRow {
  responseId: string;
  unitCode: string;
  answers: Record<string, string>;
  respondent: Respondent | null;
  submittedAt: Date | null;
}

export interface RowProblem {
  row: number;
  column?: string;
  code: string;
  message: string;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

const MAX_ID = 200;

export interface ImportSink {
  /** Ids among these that the survey already has (dry run). */
  existing(ids: string[]): Promise<Set<string>>;
  /** Inserts the rows, skipping ids the survey already has; returns how many were inserted. */
  insert(rows: ImportRow[]): Promise<number>;
}

export interface ImportReport {
  dryRun: boolean;
  format: ImportFormat;
  /** Data rows read (the header is not counted). */
  rows: number;
  /** Rows written (dry run: that would be written). */
  imported: number;
  /** Rows whose id the survey already has, or that repeat an earlier row of the file: skipped (idempotent). */
  duplicate: number;
  /** Rows refused; `errors` says why, by row. */
  rejected: number;
  errors: RowProblem[];
  errorsTruncated: boolean;
  columns: { id: string | null; unit: string | null; questions: { column: string; code: string }[]; ignored: string[] };
}

const MAX_REPORTED = 1_000;

/**
 * Reads every record, checks it against the questionnaire and the unit directory, and hands valid rows to the sink
 * in batches. Writing overlaps reading: the next batch is parsed while the previous one is being inserted. A dry run
 * writes nothing: duplicates are found by asking the sink which ids exist and by remembering the file's own ids.
 */
export async function runImport(
  records: AsyncIterable<SourceRecord>,
  doc: SurveyDocument,
  unitOf: (code: string) => string | null,
  opts: ImportOptions,
  sink: ImportSink,
): Promise<ImportReport> {
  const questions = questionIndex(doc);
  const byLower = new Map([...questions].map(([k, v]) => [k.toLowerCase(), v]));
  const batchSize = opts.batchSize ?? 2_000;
  const report: ImportReport = {
    dryRun: opts.dryRun,
    format: opts.format,
    rows: 0,
    imported: 0,
    duplicate: 0,
    rejected: 0,
    errors: [],
    errorsTruncated: false,
    columns: { id: null, unit: null, questions: [], ignored: [] },
  };
  const fixedUnit = opts.unitCode ? unitOf(opts.unitCode) : null;
  if (opts.unitCode && !fixedUnit) throw new ValidationError([{ field: 'query.unitCode', code: 'unknown_unit', message: `unit '${opts.unitCode}' does not exist` }]);

  let lastKeys: readonly string[] | null = null;
  let lastSignature = '';
  let plan: Plan | null = null;
  const plans = new Map<string, Plan>();
  const seen = opts.dryRun ? new Set<string>() : null;
  let batch: ImportRow[] = [];
  let inFlight: Promise<void> | null = null;

  const problem = (p: RowProblem) => {
    if (report.errors.length < MAX_REPORTED) report.errors.push(p);
    else report.errorsTruncated = true;
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    if (inFlight) await inFlight;
    if (seen) {
      const existing = await sink.existing(rows.map((r) => r.responseId));
      for (const r of rows) {
        if (existing.has(r.responseId) || seen.has(r.responseId)) report.duplicate++;
        else {
          seen.add(r.responseId);
          report.imported++;
        }
      }
      return;
    }
    const p = sink.insert(rows).then((inserted) => {
      report.imported += inserted;
      report.duplicate += rows.length - inserted;
    });
    // Keep reading while this batch is written; a failure surfaces at the next flush (or the end).
    p.catch(() => {});
    inFlight = p;
  };

  for await (const rec of records) {
    if (rec.keys !== lastKeys) {
      const signature = rec.keys.join('\u0001');
      if (signature !== lastSignature) {
        plan = plans.get(signature) ?? null;
        if (!plan) {
          plan = planOf(rec.keys, doc, questions, byLower, opts);
          if (plans.size === 0) {
            const errors = planProblems(plan, opts);
            if (errors.length > 0) throw new ValidationError(errors, `The file cannot be imported: ${errors[0]!.message}.`);
            report.columns = { id: plan.idColumn, unit: plan.unitColumn, questions: plan.questions, ignored: plan.ignored };
          }
          if (plans.size < 1_000) plans.set(signature, plan);
        }
        lastSignature = signature;
      }
      lastKeys = rec.keys;
    }
    const p = plan!;
    report.rows++;
    const row = rec.row;
    let responseId = '';
    let unit = fixedUnit;
    let unitRaw = '';
    let submittedAt: Date | null = null;
    let respondent: Respondent | null = null;
    const answers: Record<string, string> = {};
    let answered = 0;
    let bad = false;
    for (let i = 0; i < p.columns.length; i++) {
      const col = p.columns[i]!;
      if (col.kind === 'ignored') continue;
      const v = text(rec.values[i]);
      switch (col.kind) {
        case 'question': {
          if (v === '') break;
          const info = col.info;
          const code = info.values.has(v) ? v : (info.byLabel.get(v.normalize('NFC').toLowerCase()) ?? null);
          if (code === null) {
            bad = true;
            const codes = info.question.options.map((o) => o.code).join(', ');
            problem({ row, column: rec.keys[i]!, code: 'invalid_option', message: `row ${row}: column '${rec.keys[i]}': '${v.slice(0, 50)}' is not an option of question ${info.question.code} (${codes})` });
          } else {
            answers[info.question.code] = code;
            answered++;
          }
          break;
        }
        case 'id':
          responseId = v.startsWith('uuid:') ? v.slice(5) : v;
          break;
        case 'unit':
          unitRaw = v;
          if (!fixedUnit) unit = v === '' ? null : unitOf(v);
          break;
        case 'submitted': {
          const t = v === '' ? Number.NaN : Date.parse(v);
          if (!Number.isNaN(t)) submittedAt = new Date(t);
          break;
        }
        case 'demographic': {
          if (v === '') break;
          const code = demographicCode(col.field, v);
          if (code === null) {
            bad = true;
            problem({ row, column: rec.keys[i]!, code: 'invalid_demographic', message: `row ${row}: column '${rec.keys[i]}': '${v.slice(0, 50)}' is not a ${col.field} value (${Object.keys(demographicOptions[col.field]).join(', ')})` });
          } else (respondent ??= {})[col.field] = code;
          break;
        }
      }
    }
    if (responseId === '') {
      bad = true;
      problem({ row, ...(p.idColumn ? { column: p.idColumn } : {}), code: 'missing_id', message: `row ${row}: no response id${p.idColumn ? ` in column '${p.idColumn}'` : ''}` });
    } else if (responseId.length > MAX_ID) {
      bad = true;
      problem({ row, column: p.idColumn ?? '', code: 'invalid_id', message: `row ${row}: the response id is longer than ${MAX_ID} characters` });
    }
    if (!unit) {
      bad = true;
      problem(
        unitRaw === ''
          ? { row, ...(p.unitColumn ? { column: p.unitColumn } : {}), code: 'missing_unit', message: `row ${row}: no unit code${p.unitColumn ? ` in column '${p.unitColumn}'` : ''}` }
          : { row, column: p.unitColumn ?? '', code: 'unknown_unit', message: `row ${row}: unit '${unitRaw.slice(0, 50)}' does not exist` },
      );
    }
    if (!bad && answered === 0) {
      bad = true;
      problem({ row, code: 'no_answers', message: `row ${row}: no answer to any question of the survey` });
    }
    if (bad) {
      report.rejected++;
      continue;
    }
    batch.push({ responseId, unitCode: unit!, answers, respondent, submittedAt });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  if (inFlight) await inFlight;
  return report;
}
