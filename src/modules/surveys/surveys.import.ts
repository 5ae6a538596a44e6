// Bulk import of survey exports (KoboToolbox, ODK Central, LimeSurvey) as CSV, JSON or XLSX, streamed: the body
// is read incrementally, rows are checked against the questionnaire one by one and written in batches, so a file
// of a million rows never sits in memory. No database access here: the service passes a sink.
import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { AppError, ValidationError, type FieldError } from '../../lib/errors.js';
import { demographicCode, demographicOptions, normLabel, questionIndex, type DemographicField, type QuestionInfo, type Respondent, type SurveyDocument } from './surveys.document.js';
import { DEFAULT_SURVEY_TIME_ZONE, parseTimestamp, type TimeConvention } from './surveys.time.js';

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

/** The file is not a readable CSV/JSON/XLSX: a 422 naming the body, the line (when known) and the parser's reason. */
export class ImportFormatError extends ValidationError {
  constructor(format: ImportFormat, message: string, code = 'malformed', line?: number) {
    const where = line !== undefined ? `line ${line}: ` : '';
    super([{ field: 'body', code, message: `${where}${message}` }], `The ${format.toUpperCase()} file cannot be read: ${where}${message}`);
    if (line !== undefined) this.extra.line = line;
  }
}

/**
 * What the first bytes say about a file sent as CSV or JSON: a ZIP (an XLSX workbook), a binary file (NUL bytes or
 * bytes that are not UTF-8), or JSON sent as CSV. Null: nothing wrong seen.
 */
function sniff(format: 'csv' | 'json', head: Buffer): ImportFormatError | null {
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) {
    return new ImportFormatError(format, 'this is a ZIP file (an XLSX workbook?): send it with the XLSX content type or ?format=xlsx', 'looks_like_xlsx', 1);
  }
  const nul = head.indexOf(0);
  if (nul >= 0) return new ImportFormatError(format, `a binary file, not text (a NUL byte at offset ${nul})`, 'binary', lineAt(head, nul));
  // A multi-byte character may be cut at the end of the peeked bytes: check only up to the last full line.
  const cut = head.lastIndexOf(10);
  const text = cut > 0 ? head.subarray(0, cut) : head.length < 65_536 ? head : head.subarray(0, head.length - 4);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    return new ImportFormatError(format, 'the file is not UTF-8 text (save it as “CSV UTF-8”, or export it again from the survey tool)', 'not_utf8');
  }
  if (format === 'csv') {
    const first = text.toString('utf8').replace(/^\uFEFF/, '').trimStart()[0];
    if (first === '{' || first === '[') return new ImportFormatError('csv', 'this is JSON, not CSV: send it as application/json or ?format=json', 'looks_like_json', 1);
  }
  return null;
}

function lineAt(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (buf[i] === 10) line++;
  return line;
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
  // Peek at the header line to check the file is text and choose the delimiter, then stream everything (peeked
  // bytes first) through csv-parse.
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const peeked: Buffer[] = [];
  let delimiter = opts.delimiter;
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 65_536 && !head.includes(10)) {
    const next = await it.next();
    if (next.done) break;
    const b = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    peeked.push(b);
    head = peeked.length === 1 ? b : Buffer.concat([head, b]);
  }
  const bad = sniff('csv', head);
  if (bad) throw bad;
  const headerLine = (head.toString('utf8').split('\n')[0] ?? '').replace(/^\uFEFF/, '');
  const detected = detectDelimiter(headerLine);
  if (delimiter && delimiter !== detected && !headerLine.includes(delimiter)) {
    const name = (d: string) => (d === '\t' ? 'tab' : `'${d}'`);
    throw new ImportFormatError('csv', `the header line has no ${name(delimiter)} (the delimiter asked for) but ${name(detected)}: leave ?delimiter= out or give ${name(detected)}`, 'wrong_delimiter', 1);
  }
  delimiter ??= detected;
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
    // csv-parse's own errors (INVALID_OPENING_QUOTE, CSV_INVALID_CLOSING_QUOTE, CSV_QUOTE_NOT_CLOSED, …) carry the line.
    if (err instanceof CsvError) {
      const line = typeof (err as { lines?: unknown }).lines === 'number' ? (err as unknown as { lines: number }).lines : undefined;
      throw new ImportFormatError('csv', `${err.message} (${err.code}); a quote inside a value must be doubled ("") or the whole value quoted`, 'malformed', line);
    }
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
  let line = 1;
  let recordLine = 1;
  const fail = (message: string, at = line): never => {
    throw new ImportFormatError('json', message, 'malformed', at);
  };
  for await (const chunk of input) {
    if (first && typeof chunk !== 'string') {
      const bad = sniff('json', chunk.subarray(0, 65_536));
      if (bad) throw bad;
    }
    let s = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      const lead = s.trimStart();
      if (lead.length > 0) {
        if (lead[0] !== '[' && lead[0] !== '{') fail(`expected JSON ('[' or '{'), found '${lead.slice(0, 20)}' (a CSV file? send it as text/csv)`);
        first = false;
      }
    }
    let start = 0;
    const out: SourceRecord[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) line++;
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
            recordLine = line;
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
            fail(`response ${row}: ${(err as Error).message}`, recordLine);
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
  // Excel date cells have no time zone: the wall-clock time, read later with the tool's convention.
  if (v instanceof Date) return v.toISOString().slice(0, 23);
  if (typeof v === 'object') {
    const o = v as { result?: unknown; text?: unknown; richText?: { text: string }[]; error?: unknown };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellValue(o.text);
    if (o.result !== undefined) return cellValue(o.result);
    if (o.error !== undefined) return null;
  }
  return v;
}

/**
 * Streams the first worksheet of an XLSX export: the main table (KoboToolbox puts it first, LimeSurvey has one sheet).
 * Later sheets (Kobo repeat groups, one row per repetition) are read past unused, each named in `notes`.
 */
export async function* xlsxRecords(input: Readable, notes: string[] = []): AsyncGenerator<SourceRecord> {
  let header: string[] | null = null;
  let sheet = 0;
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
    for await (const ws of reader) {
      sheet++;
      let rows = 0;
      for await (const r of ws) {
        if (sheet !== 1) {
          rows++;
          continue;
        }
        const cells = (Array.isArray(r.values) ? r.values : []).slice(1).map(cellValue);
        if (!header) {
          if (cells.every((c) => c === null || c === '')) continue;
          header = cells.map((c) => (c === null ? '' : String(c).trim()));
          continue;
        }
        yield { row: r.number, keys: header, values: cells };
      }
      if (sheet > 1) {
        const name = (ws as unknown as { name?: string }).name ?? `#${sheet}`;
        notes.push(`worksheet '${name}' (${rows} rows) was not read: only the first worksheet holds one row per response (later sheets are repeat groups)`);
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new ImportFormatError('xlsx', `not a readable XLSX workbook (${(err as Error).message})`);
  }
  if (sheet === 0) throw new ImportFormatError('xlsx', 'the workbook has no worksheet');
}

export function recordsOf(format: ImportFormat, input: Readable, opts: { delimiter?: string | undefined } = {}, notes: string[] = []): AsyncGenerator<SourceRecord> {
  if (format === 'csv') return csvRecords(input, opts);
  if (format === 'json') return jsonRecords(input);
  return xlsxRecords(input, notes);
}

// ------------------------------------------------------------------------------------------------ columns

/**
 * Response id columns by priority, so that an edited submission keeps its identity: KoboToolbox `meta/rootUuid`
 * (meta/instanceID and _uuid change on every edit), ODK Central `__id` (JSON) / `KEY` (CSV) (meta-instanceID
 * changes), then the instance ids and LimeSurvey's `id`. A row takes the first of them that is not empty.
 */
const ID_NAMES = ['rootuuid', '__id', 'key', 'instanceid', '_uuid', 'id', 'responseid'];
/** Columns naming the version of a submission (changes on edit): tells an edited re-import from the same one. */
const VERSION_NAMES = ['instanceid', '_uuid'];
const UNIT_NAMES = ['unitcode', 'unit_code', 'unit', 'ma_don_vi', 'madonvi', 'donvi'];
/** Submission time columns and how each tool writes them (surveys.time.ts). */
const SUBMITTED_NAMES: Record<string, 'utc' | 'offset' | 'local'> = { _submission_time: 'utc', submissiondate: 'offset', submitdate: 'local' };
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

/** A well-known column name, also at the end of an ODK Central group path ("ubnd-unitCode"). */
function isNamed(header: string, name: string): boolean {
  const base = baseName(header);
  return base === name || base.endsWith(`-${name}`);
}

/** The well-known name a header ends with, among `names`. */
function namedAs<T extends string>(header: string, names: readonly T[]): T | undefined {
  return names.find((n) => isNamed(header, n));
}

/**
 * The names a header may stand for: itself, its last "/" segment (KoboToolbox groups), every "-" suffix (ODK Central
 * CSV groups), and for a LimeSurvey grid column Q1[SQ001] also Q1_SQ001.
 */
function candidates(header: string): string[] {
  const h = header.trim();
  const out = [h];
  const slash = h.lastIndexOf('/');
  if (slash >= 0) out.push(h.slice(slash + 1));
  for (let i = h.indexOf('-'); i >= 0; i = h.indexOf('-', i + 1)) out.push(h.slice(i + 1));
  const grid = /^(.+)\[([^\]]+)\]$/.exec(h);
  if (grid) out.push(`${grid[1]}_${grid[2]}`);
  return out;
}

/** How a column was matched to its question (reported, so a coordinator sees why). */
export type MatchBy = 'code' | 'sourceName' | 'label' | 'mapping';

type Column =
  /** covered: the question's split option columns are read instead (see planOf). */
  | { kind: 'question'; info: QuestionInfo; by: MatchBy; covered: boolean }
  /** One option of a multiple-choice question split into its own 0/1 column (Kobo q1/x, ODK g1-q2/m, LimeSurvey Q3[SQ001]). */
  | { kind: 'split'; info: QuestionInfo; option: string; by: MatchBy }
  | { kind: 'id'; rank: number }
  | { kind: 'version' }
  | { kind: 'unit' }
  | { kind: 'submitted'; convention: TimeConvention; limeSurvey: boolean }
  | { kind: 'demographic'; field: DemographicField }
  | { kind: 'ignored' };

interface Plan {
  columns: Column[];
  idColumn: string | null;
  idFallbacks: string[];
  versionColumn: string | null;
  unitColumn: string | null;
  submitted: string[];
  questions: MatchedColumn[];
  demographics: { column: string; field: DemographicField }[];
  ignored: string[];
  /** Split option columns of questions without a whole column: read per row. */
  hasSplit: boolean;
  /** LimeSurvey `submitdate` column: empty = an incomplete response. */
  completeIndex: number;
  /** The first data row under this header has not been seen yet (a Kobo HXL tag row may be it). */
  fresh: boolean;
}

export interface MatchedColumn {
  column: string;
  code: string;
  by: MatchBy;
  /** A split column: the option it stands for. */
  option?: string;
  /** A whole select_multiple column not read because the question's split option columns are in the file. */
  covered?: boolean;
}

export interface ImportOptions {
  format: ImportFormat;
  dryRun: boolean;
  /** Column holding the unit code (default: unitCode, unit_code, unit, ma_don_vi). */
  unitColumn?: string | undefined;
  /** Every row belongs to this unit (an export of one ward's form); no unit column needed. */
  unitCode?: string | undefined;
  /** Column holding the response id (default: meta/rootUuid, __id, KEY, instanceID, _uuid, id). */
  idColumn?: string | undefined;
  delimiter?: string | undefined;
  batchSize?: number | undefined;
  /** Export header → question code, for headers the survey cannot match by itself. */
  columnMap?: Record<string, string> | undefined;
  /** Import LimeSurvey responses without a submitdate (not finished) too; skipped by default. */
  includeIncomplete?: boolean | undefined;
  /** Zone of LimeSurvey's submitdate (the survey server's local time); default Asia/Ho_Chi_Minh. */
  timeZone?: string | undefined;
}

/** A column named in the query: exactly, ignoring case/spacing/normalisation (label headers), or by its last path segment. */
function matchesName(header: string, wanted: string): boolean {
  return header.trim() === wanted || normLabel(header) === normLabel(wanted) || baseName(header) === wanted.toLowerCase();
}

/** Resolves export headers to questions: by code, by sourceName, by explicit mapping, by label (question text, sourceLabels). */
class Matcher {
  private readonly byCode: Map<string, QuestionInfo>;
  private readonly byLower = new Map<string, QuestionInfo>();
  private readonly bySource = new Map<string, QuestionInfo>();
  private readonly byLabel = new Map<string, QuestionInfo | null>();
  private readonly mapping = new Map<string, QuestionInfo>();

  constructor(
    readonly questions: Map<string, QuestionInfo>,
    columnMap: Record<string, string> | undefined,
  ) {
    this.byCode = questions;
    for (const [code, info] of questions) {
      this.byLower.set(code.toLowerCase(), info);
      const src = info.question.sourceName;
      if (src) {
        this.bySource.set(src.toLowerCase(), info);
        const last = src.slice(src.lastIndexOf('/') + 1).toLowerCase();
        if (!this.bySource.has(last)) this.bySource.set(last, info);
      }
      for (const label of [info.question.text, ...(info.question.sourceLabels ?? [])]) {
        const k = normLabel(label);
        // Two questions with the same text (grid rows often share one) cannot be told apart by label.
        const other = this.byLabel.get(k);
        this.byLabel.set(k, other === undefined || other === info ? info : null);
      }
    }
    const errors: FieldError[] = [];
    for (const [header, code] of Object.entries(columnMap ?? {})) {
      const info = questions.get(code);
      if (!info) errors.push({ field: `query.columnMap.${header}`, code: 'unknown_question', message: `the survey has no question '${code}'` });
      else this.mapping.set(normLabel(header), info);
    }
    if (errors.length > 0) throw new ValidationError(errors, `The column mapping is invalid: ${errors[0]!.message}.`);
  }

  resolve(header: string): { info: QuestionInfo; by: MatchBy } | null {
    if (header === '') return null;
    const mapped = this.mapping.get(normLabel(header));
    if (mapped) return { info: mapped, by: 'mapping' };
    const names = candidates(header);
    for (const n of names) {
      const info = this.byCode.get(n);
      if (info) return { info, by: 'code' };
    }
    for (const n of names) {
      const info = this.bySource.get(n.toLowerCase());
      if (info) return { info, by: 'sourceName' };
    }
    for (const n of names) {
      const info = this.byLower.get(n.toLowerCase());
      if (info) return { info, by: 'code' };
    }
    // Label headers (Kobo "labels" export), also with "Group label/Question label" when groups are included.
    const label = this.byLabel.get(normLabel(header)) ?? this.byLabel.get(normLabel(header.slice(header.lastIndexOf('/') + 1)));
    if (label) return { info: label, by: 'label' };
    return null;
  }

  /** A split option column: "q1/x", "g1-q2/m", "Q3[SQ001]", or "Question label/Option label". */
  split(header: string): { info: QuestionInfo; by: MatchBy; option: string } | null {
    const m = /^(.+)\[([^\]]+)\]$/.exec(header) ?? /^(.+)\/([^/]+)$/.exec(header);
    if (!m) return null;
    const q = this.resolve(m[1]!);
    if (!q) return null;
    const raw = m[2]!.trim();
    const option = q.info.values.has(raw) ? raw : (q.info.byLabel.get(normLabel(raw)) ?? null);
    return option === null ? null : { ...q, option };
  }
}

function planOf(keys: readonly string[], doc: SurveyDocument, matcher: Matcher, opts: ImportOptions): Plan {
  const columns: Column[] = keys.map(() => ({ kind: 'ignored' }));
  const ids: { index: number; rank: number }[] = [];
  if (opts.idColumn) {
    const i = keys.findIndex((k) => matchesName(k, opts.idColumn!));
    if (i >= 0) ids.push({ index: i, rank: 0 });
  } else {
    ID_NAMES.forEach((name, rank) => {
      const i = keys.findIndex((k) => isNamed(k, name));
      if (i >= 0 && !ids.some((x) => x.index === i)) ids.push({ index: i, rank });
    });
  }
  let unitIndex = -1;
  if (!opts.unitCode) {
    if (opts.unitColumn) unitIndex = keys.findIndex((k) => matchesName(k, opts.unitColumn!));
    else {
      for (const name of UNIT_NAMES) {
        unitIndex = keys.findIndex((k) => isNamed(k, name));
        if (unitIndex >= 0) break;
      }
    }
  }
  // The version column: an instance id that is not itself the identity (it changes on edit while the root id stays).
  let versionIndex = -1;
  const primary = ids[0];
  if (primary && !namedAs(keys[primary.index]!, VERSION_NAMES)) {
    for (const name of VERSION_NAMES) {
      versionIndex = keys.findIndex((k) => isNamed(k, name));
      if (versionIndex >= 0) break;
    }
    // The version is not an identity: it changes on every edit.
    const asId = ids.findIndex((x) => x.index === versionIndex);
    if (asId >= 0) ids.splice(asId, 1);
  }
  const plan: Plan = {
    columns,
    idColumn: primary ? keys[primary.index]! : null,
    idFallbacks: ids.slice(1).map((x) => keys[x.index]!),
    versionColumn: versionIndex >= 0 ? keys[versionIndex]! : null,
    unitColumn: unitIndex >= 0 ? keys[unitIndex]! : null,
    submitted: [],
    questions: [],
    demographics: [],
    ignored: [],
    hasSplit: false,
    completeIndex: -1,
    fresh: true,
  };
  const whole = new Map<string, { i: number; col: Extract<Column, { kind: 'question' }> }>();
  const splits: { i: number; col: Extract<Column, { kind: 'split' }> }[] = [];
  const zone = opts.timeZone ?? DEFAULT_SURVEY_TIME_ZONE;
  keys.forEach((key, i) => {
    const id = ids.find((x) => x.index === i);
    if (id) return void (columns[i] = { kind: 'id', rank: id.rank });
    if (i === unitIndex) return void (columns[i] = { kind: 'unit' });
    const q = matcher.resolve(key);
    if (q && !whole.has(q.info.question.code)) {
      const col = { kind: 'question' as const, info: q.info, by: q.by, covered: false };
      whole.set(q.info.question.code, { i, col });
      columns[i] = col;
      return;
    }
    if (!q) {
      const sp = matcher.split(key);
      if (sp) {
        const col = { kind: 'split' as const, info: sp.info, option: sp.option, by: sp.by };
        columns[i] = col;
        splits.push({ i, col });
        return;
      }
    }
    if (i === versionIndex) return void (columns[i] = { kind: 'version' });
    const submittedName = namedAs(key, Object.keys(SUBMITTED_NAMES));
    const tool = submittedName ? SUBMITTED_NAMES[submittedName] : undefined;
    if (tool) {
      columns[i] = { kind: 'submitted', convention: tool === 'local' ? { zone } : 'utc', limeSurvey: tool === 'local' };
      plan.submitted.push(key);
      if (tool === 'local' && plan.completeIndex < 0) plan.completeIndex = i;
      return;
    }
    for (const field of doc.demographics) {
      if (namedAs(key, DEMOGRAPHIC_NAMES[field])) {
        plan.demographics.push({ column: key, field });
        return void (columns[i] = { kind: 'demographic', field });
      }
    }
    if (key !== '') plan.ignored.push(key);
  });
  // A multiple-choice question exported both ways (Kobo/ODK "split select multiples"): the split 0/1 columns are read,
  // they are unambiguous where the whole column of a label export joins labels that contain spaces themselves.
  const splitCodes = new Set(splits.map((x) => x.col.info.question.code));
  plan.hasSplit = splits.length > 0;
  for (const [code, { i, col }] of whole) {
    col.covered = splitCodes.has(code);
    plan.questions.push({ column: keys[i]!, code, by: col.by, ...(col.covered ? { covered: true } : {}) });
  }
  for (const { i, col } of splits) plan.questions.push({ column: keys[i]!, code: col.info.question.code, by: col.by, option: col.option });
  plan.questions.sort((a, b) => keys.indexOf(a.column) - keys.indexOf(b.column));
  return plan;
}

function planProblems(plan: Plan, keys: readonly string[], opts: ImportOptions): FieldError[] {
  const errors: FieldError[] = [];
  if (keys.length === 1 && /[;,\t|]/.test(keys[0]!)) {
    const shown = keys[0]!.length > 80 ? `${keys[0]!.slice(0, 80)}…` : keys[0]!;
    return [{ field: 'query.delimiter', code: 'wrong_delimiter', message: `the header line is one single column ('${shown}'): the file uses another delimiter; give it with ?delimiter=, ; or tab` }];
  }
  if (!plan.idColumn) {
    errors.push(
      opts.idColumn
        ? { field: 'query.idColumn', code: 'unknown_column', message: `the file has no column '${opts.idColumn}'` }
        : { field: 'query.idColumn', code: 'no_id_column', message: 'no response id column (meta/rootUuid, __id, KEY, instanceID, _uuid or id); name it with ?idColumn=' },
    );
  }
  if (!plan.unitColumn && !opts.unitCode) {
    errors.push(
      opts.unitColumn
        ? { field: 'query.unitColumn', code: 'unknown_column', message: `the file has no column '${opts.unitColumn}'` }
        : { field: 'query.unitColumn', code: 'no_unit_column', message: 'no unit column (unitCode, unit_code, unit or ma_don_vi); name it with ?unitColumn= or give ?unitCode= for a file of one unit' },
    );
  }
  if (plan.questions.length === 0) {
    errors.push({
      field: 'body',
      code: 'no_question_columns',
      message:
        'no column matches a question of the survey by code (group paths grp/Q1, grp-Q1 and grid columns Q1[SQ001] accepted), sourceName, question text or sourceLabels; map headers with ?columnMap=',
    });
  }
  return errors;
}

// ------------------------------------------------------------------------------------------------ rows

export interface ImportRow {
  responseId: string;
  unitCode: string;
  /** Question code → option code; a multiple-choice answer is its option codes in definition order, space-separated. */
  answers: Record<string, string>;
  respondent: Respondent | null;
  submittedAt: Date | null;
  /** The submission's version id (meta/instanceID): changes when the submission is edited. */
  version?: string | null;
}

export interface RowProblem {
  row: number;
  column?: string;
  code: string;
  message: string;
}

export interface ImportWarning {
  row?: number;
  column?: string;
  question?: string;
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

/** What the survey holds under a response id (dry run: tells an update from a repeat). */
export interface StoredResponse {
  unitCode: string;
  answers: Record<string, string>;
  version: string | null;
  /** A response given on the public form is never replaced by an import. */
  source?: 'form' | 'import';
}

export interface ImportSink {
  /** The responses among these ids that the survey already has (dry run). */
  existing(ids: string[]): Promise<Map<string, StoredResponse>>;
  /**
   * Writes the rows (ids unique within the call): new ids are inserted, ids the survey has are replaced when the
   * unit, the answers or the version differ (an edited submission), and left alone otherwise. Ids already written by
   * this import are left alone (a repeat later in the file).
   */
  insert(rows: ImportRow[]): Promise<{ inserted: number; updated: number }>;
}

/** Whether a stored response would be replaced by a row: the sink's rule, for the dry run. */
export function differs(row: ImportRow, stored: StoredResponse): boolean {
  if (stored.source === 'form') return false;
  if (row.unitCode !== stored.unitCode) return true;
  // A version known on both sides tells an edit apart; without one (LimeSurvey, older imports) the answers do.
  if (row.version && stored.version && row.version !== stored.version) return true;
  const a = Object.keys(row.answers);
  return a.length !== Object.keys(stored.answers).length || a.some((k) => row.answers[k] !== stored.answers[k]);
}

export interface SkipReason {
  code: 'hxl_tags' | 'incomplete';
  count: number;
  message: string;
  /** The first 100 rows skipped for this reason. */
  rows: number[];
}

export interface ColumnsReport {
  /** The response id column, and the ones used when it is empty (in order). */
  id: string | null;
  idFallbacks: string[];
  /** The submission version column (meta/instanceID): an edit changes it. */
  version: string | null;
  unit: string | null;
  submitted: string[];
  /** Every column read as (part of) a question. */
  questions: MatchedColumn[];
  /** Every question of the survey with the columns that answer it ([] = no column: see `missing`). */
  byQuestion: { code: string; columns: string[] }[];
  missing: { code: string; required: boolean }[];
  demographics: { column: string; field: DemographicField }[];
  /** Columns that are none of the above, in full up to 1,000 (then `ignoredTruncated`). */
  ignored: string[];
  ignoredCount: number;
  ignoredTruncated: boolean;
}

export interface ImportReport {
  dryRun: boolean;
  format: ImportFormat;
  /** Data rows read (the header is not counted): imported + updated + duplicate + rejected + skipped. */
  rows: number;
  /** Rows written as new responses (dry run: that would be). */
  imported: number;
  /** Rows replacing an earlier version of the same response (an edited submission re-imported). */
  updated: number;
  /** Rows the survey already has unchanged, or that repeat an earlier row of the file: skipped (idempotent). */
  duplicate: number;
  /** Rows refused; `errors` says why, by row. */
  rejected: number;
  errors: RowProblem[];
  errorsTruncated: boolean;
  /** Rows that are not responses (Kobo's HXL tag row) or not finished (LimeSurvey, without includeIncomplete). */
  skipped: { count: number; reasons: SkipReason[] };
  /** Answers left out of rows that were kept (e.g. several options for a single-choice question). */
  answersRejected: number;
  /** Kept rows' left-out answers, questions without a column, sheets not read: the first 1,000. */
  warnings: ImportWarning[];
  warningsTruncated: boolean;
  columns: ColumnsReport;
}

const MAX_REPORTED = 1_000;
const MAX_IGNORED = 1_000;
const TRUE_CELLS = new Set(['1', 'true', 'y', 'yes', 'x', 'có', 'co']);
const FALSE_CELLS = new Set(['', '0', 'false', 'n', 'no', 'không', 'khong']);

/**
 * The options of a select_multiple value, when it names more than one: option codes separated by spaces ("2 4"), or
 * option labels separated by spaces ("Hài lòng Rất hài lòng", read longest label first). Null otherwise.
 */
function choicesOf(info: QuestionInfo, v: string): string[] | null {
  const parts = v.split(/\s+/);
  if (parts.length > 1 && parts.every((x) => info.values.has(x))) return parts;
  let rest = normLabel(v);
  const labels = [...info.byLabel.keys()].sort((a, b) => b.length - a.length);
  const out: string[] = [];
  while (rest !== '') {
    const label = labels.find((l) => rest === l || rest.startsWith(`${l} `));
    if (!label) return null;
    out.push(info.byLabel.get(label)!);
    rest = rest.slice(label.length).trimStart();
  }
  return out.length > 1 ? out : null;
}

/** An Excel date serial (days since 1899-12-30, no zone) as an ISO wall-clock time "2025-03-01T08:05:10.000". */
function excelWallClock(serial: number): string {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2_958_465) return '';
  return new Date(Math.round((serial - 25_569) * 86_400_000)).toISOString().slice(0, 23);
}

/** A set of chosen options as stored: option codes in the order of the definition, space-separated. */
function joinChoices(info: QuestionInfo, chosen: Iterable<string>): string {
  const set = new Set(chosen);
  return info.question.options.filter((o) => set.has(o.code)).map((o) => o.code).join(' ');
}

/**
 * Reads every record, checks it against the questionnaire and the unit directory, and hands valid rows to the sink
 * in batches. Writing overlaps reading: the next batch is parsed while the previous one is being written. A dry run
 * writes nothing: the sink says which ids exist (and what they hold), the file's own ids are remembered.
 */
export async function runImport(
  records: AsyncIterable<SourceRecord>,
  doc: SurveyDocument,
  unitOf: (code: string) => string | null,
  opts: ImportOptions,
  sink: ImportSink,
  notes: readonly string[] = [],
): Promise<ImportReport> {
  const questions = questionIndex(doc);
  const matcher = new Matcher(questions, opts.columnMap);
  const batchSize = opts.batchSize ?? 2_000;
  const report: ImportReport = {
    dryRun: opts.dryRun,
    format: opts.format,
    rows: 0,
    imported: 0,
    updated: 0,
    duplicate: 0,
    rejected: 0,
    errors: [],
    errorsTruncated: false,
    skipped: { count: 0, reasons: [] },
    answersRejected: 0,
    warnings: [],
    warningsTruncated: false,
    columns: { id: null, idFallbacks: [], version: null, unit: null, submitted: [], questions: [], byQuestion: [], missing: [], demographics: [], ignored: [], ignoredCount: 0, ignoredTruncated: false },
  };
  const fixedUnit = opts.unitCode ? unitOf(opts.unitCode) : null;
  if (opts.unitCode && !fixedUnit) throw new ValidationError([{ field: 'query.unitCode', code: 'unknown_unit', message: `unit '${opts.unitCode}' does not exist` }]);

  // The columns report is the union over every header met (JSON records each have their own keys).
  const matchedKeys = new Set<string>();
  const ignoredSet = new Set<string>();
  const addPlan = (plan: Plan) => {
    const c = report.columns;
    c.id ??= plan.idColumn;
    c.version ??= plan.versionColumn;
    c.unit ??= plan.unitColumn;
    for (const f of plan.idFallbacks) if (!c.idFallbacks.includes(f) && f !== c.id) c.idFallbacks.push(f);
    for (const s of plan.submitted) if (!c.submitted.includes(s)) c.submitted.push(s);
    for (const q of plan.questions) {
      const k = `${q.column}\u0001${q.code}`;
      if (matchedKeys.has(k)) continue;
      matchedKeys.add(k);
      c.questions.push(q);
    }
    for (const d of plan.demographics) if (!c.demographics.some((x) => x.column === d.column)) c.demographics.push(d);
    for (const k of plan.ignored) {
      if (ignoredSet.has(k)) continue;
      ignoredSet.add(k);
      c.ignoredCount++;
      if (c.ignored.length < MAX_IGNORED) c.ignored.push(k);
      else c.ignoredTruncated = true;
    }
  };

  let lastKeys: readonly string[] | null = null;
  let lastSignature = '';
  let plan: Plan | null = null;
  const plans = new Map<string, Plan>();
  const seen = opts.dryRun ? new Set<string>() : null;
  let batch = new Map<string, ImportRow>();
  let inFlight: Promise<void> | null = null;

  const problem = (p: RowProblem) => {
    if (report.errors.length < MAX_REPORTED) report.errors.push(p);
    else report.errorsTruncated = true;
  };
  const warn = (w: ImportWarning) => {
    if (report.warnings.length < MAX_REPORTED) report.warnings.push(w);
    else report.warningsTruncated = true;
  };
  const skip = (code: SkipReason['code'], row: number, message: string) => {
    report.skipped.count++;
    let r = report.skipped.reasons.find((x) => x.code === code);
    if (!r) report.skipped.reasons.push((r = { code, count: 0, message, rows: [] }));
    r.count++;
    if (r.rows.length < 100) r.rows.push(row);
  };

  const flush = async () => {
    if (batch.size === 0) return;
    const rows = [...batch.values()];
    batch = new Map();
    if (inFlight) await inFlight;
    if (seen) {
      const existing = await sink.existing(rows.map((r) => r.responseId));
      for (const r of rows) {
        const stored = existing.get(r.responseId);
        if (seen.has(r.responseId)) report.duplicate++;
        else {
          seen.add(r.responseId);
          if (!stored) report.imported++;
          else if (differs(r, stored)) report.updated++;
          else report.duplicate++;
        }
      }
      return;
    }
    const p = sink.insert(rows).then(({ inserted, updated }) => {
      report.imported += inserted;
      report.updated += updated;
      report.duplicate += rows.length - inserted - updated;
    });
    // Keep reading while this batch is written; a failure surfaces at the next flush (or the end).
    p.catch(() => {});
    inFlight = p;
  };

  const requiredMissing = (): FieldError[] =>
    [...questions.values()]
      .filter((info) => info.question.required && !report.columns.questions.some((q) => q.code === info.question.code))
      .map((info) => ({ field: 'body', code: 'missing_required_question', message: `required question ${info.question.code} ('${info.question.text.slice(0, 80)}') has no column in the file` }));

  for await (const rec of records) {
    if (rec.keys !== lastKeys) {
      const signature = rec.keys.join('\u0001');
      if (signature !== lastSignature) {
        plan = plans.get(signature) ?? null;
        if (!plan) {
          plan = planOf(rec.keys, doc, matcher, opts);
          if (plans.size === 0) {
            const errors = planProblems(plan, rec.keys, opts);
            if (errors.length > 0) throw new ValidationError(errors, `The file cannot be imported: ${errors[0]!.message}.`);
          }
          addPlan(plan);
          // A table's header is the whole story; JSON responses may leave unanswered questions out (checked at the end).
          if (plans.size === 0 && opts.format !== 'json') {
            const errors = requiredMissing();
            if (errors.length > 0) throw new ValidationError(errors, `The file cannot be imported: ${errors[0]!.message}.`);
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
    if (p.fresh) {
      p.fresh = false;
      // KoboToolbox "HXL" exports put a row of #tags under the header: not a response.
      let tags = 0;
      let other = 0;
      for (const v of rec.values) {
        const s = text(v);
        if (s === '') continue;
        if (s.startsWith('#')) tags++;
        else other++;
      }
      if (tags > 0 && other === 0) {
        skip('hxl_tags', row, 'the HXL hashtag row of a KoboToolbox export (#tags under the header): not a response');
        continue;
      }
    }
    if (p.completeIndex >= 0 && !opts.includeIncomplete && text(rec.values[p.completeIndex]) === '') {
      skip('incomplete', row, 'a LimeSurvey response without submitdate: not finished (import them with includeIncomplete=true)');
      continue;
    }
    let responseId = '';
    let idRank = Number.POSITIVE_INFINITY;
    let version: string | null = null;
    let unit = fixedUnit;
    let unitRaw = '';
    let submittedAt: Date | null = null;
    let respondent: Respondent | null = null;
    const answers: Record<string, string> = {};
    let chosen: Map<QuestionInfo, { options: string[]; column: string }> | null = null;
    let answered = 0;
    let bad = false;
    for (let i = 0; i < p.columns.length; i++) {
      const col = p.columns[i]!;
      if (col.kind === 'ignored') continue;
      const v = text(rec.values[i]);
      switch (col.kind) {
        case 'question': {
          if (v === '' || col.covered) break;
          const info = col.info;
          const code = info.values.has(v) ? v : (info.byLabel.get(normLabel(v)) ?? null);
          if (code !== null) {
            answers[info.question.code] = code;
            answered++;
            break;
          }
          // select_multiple exports the chosen options space-separated: "2 4", or labels in a label export.
          const parts = choicesOf(info, v);
          if (parts !== null) {
            if (info.multiple) {
              answers[info.question.code] = joinChoices(info, parts);
              answered++;
            } else {
              report.answersRejected++;
              warn({
                row,
                column: rec.keys[i]!,
                question: info.question.code,
                code: 'multiple_choice',
                message: `row ${row}: column '${rec.keys[i]}': '${v.slice(0, 50)}' chooses several options, but question ${info.question.code} is single choice (select_one); this answer is left out, the row's other answers count. Define the question with "multiple" to score such answers`,
              });
            }
            break;
          }
          bad = true;
          const codes = info.question.options.map((o) => o.code).join(', ');
          problem({ row, column: rec.keys[i]!, code: 'invalid_option', message: `row ${row}: column '${rec.keys[i]}': '${v.slice(0, 50)}' is not an option of question ${info.question.code} (${codes})` });
          break;
        }
        case 'split': {
          const lower = v.toLowerCase();
          if (FALSE_CELLS.has(lower)) break;
          if (TRUE_CELLS.has(lower) || v === col.option || normLabel(v) === normLabel(col.info.question.options.find((o) => o.code === col.option)!.label)) {
            chosen ??= new Map();
            const c = chosen.get(col.info);
            if (c) c.options.push(col.option);
            else chosen.set(col.info, { options: [col.option], column: rec.keys[i]! });
            break;
          }
          bad = true;
          problem({ row, column: rec.keys[i]!, code: 'invalid_option', message: `row ${row}: column '${rec.keys[i]}': '${v.slice(0, 50)}' is not a yes/no mark (1/0, true/false, Y) for option ${col.option} of question ${col.info.question.code}` });
          break;
        }
        case 'id':
          if (v !== '' && col.rank < idRank) {
            responseId = v.startsWith('uuid:') ? v.slice(5) : v;
            idRank = col.rank;
          }
          break;
        case 'version':
          if (v !== '') version = v.startsWith('uuid:') ? v.slice(5) : v;
          break;
        case 'unit':
          unitRaw = v;
          if (!fixedUnit) unit = v === '' ? null : unitOf(v);
          break;
        case 'submitted': {
          if (submittedAt !== null || v === '') break;
          const raw = rec.values[i];
          // The streamed XLSX reader skips styles, so a date cell arrives as its Excel serial number (wall-clock days).
          submittedAt = typeof raw === 'number' && opts.format === 'xlsx' ? parseTimestamp(excelWallClock(raw), col.convention) : parseTimestamp(v, col.convention);
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
    if (chosen) {
      for (const [info, c] of chosen) {
        if (c.options.length === 1 || info.multiple) {
          answers[info.question.code] = info.multiple ? joinChoices(info, c.options) : c.options[0]!;
          answered++;
        } else {
          report.answersRejected++;
          warn({
            row,
            column: c.column,
            question: info.question.code,
            code: 'multiple_choice',
            message: `row ${row}: options ${c.options.join(', ')} are all marked for question ${info.question.code}, which is single choice; this answer is left out, the row's other answers count. Define the question with "multiple" to score such answers`,
          });
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
    // A repeat of an id within one batch: the first row stands (the sink cannot write one id twice in a statement).
    if (batch.has(responseId)) {
      report.duplicate++;
      continue;
    }
    batch.set(responseId, { responseId, unitCode: unit!, answers, respondent, submittedAt, version });
    if (batch.size >= batchSize) await flush();
  }
  await flush();
  if (inFlight) await inFlight;

  const c = report.columns;
  c.byQuestion = [...questions.values()].map((info) => ({ code: info.question.code, columns: c.questions.filter((q) => q.code === info.question.code).map((q) => q.column) }));
  c.missing = [...questions.values()].filter((info) => !c.questions.some((q) => q.code === info.question.code)).map((info) => ({ code: info.question.code, required: info.question.required }));
  if (report.rows > 0 || opts.format === 'json') {
    const errors = requiredMissing();
    if (errors.length > 0) throw new ValidationError(errors, `The file cannot be imported: ${errors[0]!.message}.`);
  }
  for (const m of c.missing) {
    warn({ question: m.code, code: 'question_without_column', message: `question ${m.code} has no column in the file: no response answers it (give the export's name in sourceName, its header in sourceLabels, or map it with ?columnMap=)` });
  }
  for (const n of notes) warn({ code: 'not_read', message: n });
  return report;
}
