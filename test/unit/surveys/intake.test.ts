import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { validateSurveyDocument, type SurveyDocument } from '../../../src/modules/surveys/surveys.document.js';
import { csvRecords, runImport, type ImportOptions, type ImportRow, type ImportSink } from '../../../src/modules/surveys/surveys.import.js';
import { surveyResult, type AnswerCounts } from '../../../src/modules/surveys/surveys.results.js';
import { parseTimestamp } from '../../../src/modules/surveys/surveys.time.js';
import { Fraction, multipleChoiceValue } from '../../../src/scoring/index.js';
import { intakeSurvey, koboCsv, limeCsv, odkCsv } from '../../fixtures/surveys/exports.js';

function docOf(raw: unknown): SurveyDocument {
  const r = validateSurveyDocument(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.document;
}

function sink() {
  const rows: ImportRow[] = [];
  const s: ImportSink = {
    existing: async () => new Map(),
    insert: async (batch) => {
      rows.push(...batch);
      return { inserted: batch.length, updated: 0 };
    },
  };
  return { s, rows };
}
const units = (c: string) => (['P1', 'P2'].includes(c) ? c : null);
const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ format: 'csv', dryRun: false, ...o });

describe('time stamps by tool, never the server zone', () => {
  it('Kobo UTC, ODK by offset, LimeSurvey in the survey zone', () => {
    expect(parseTimestamp('2025-03-01T01:05:10', 'utc')?.toISOString()).toBe('2025-03-01T01:05:10.000Z');
    expect(parseTimestamp('2025-03-01T08:05:10.123+07:00', 'utc')?.toISOString()).toBe('2025-03-01T01:05:10.123Z');
    expect(parseTimestamp('2025-03-01T08:05:10-0500', 'utc')?.toISOString()).toBe('2025-03-01T13:05:10.000Z');
    expect(parseTimestamp('2025-03-01 08:05:10', { zone: 'Asia/Ho_Chi_Minh' })?.toISOString()).toBe('2025-03-01T01:05:10.000Z');
    expect(parseTimestamp('2025-03-01', { zone: 'Asia/Ho_Chi_Minh' })?.toISOString()).toBe('2025-02-28T17:00:00.000Z');
    // Daylight saving: 2025-07-01 09:00 in New York is EDT (−4), 2025-01-15 09:00 is EST (−5).
    expect(parseTimestamp('2025-07-01 09:00:00', { zone: 'America/New_York' })?.toISOString()).toBe('2025-07-01T13:00:00.000Z');
    expect(parseTimestamp('2025-01-15 09:00:00', { zone: 'America/New_York' })?.toISOString()).toBe('2025-01-15T14:00:00.000Z');
    expect(parseTimestamp('01/03/2025 08:05', 'utc')).toBeNull();
    expect(parseTimestamp('2025-13-45T99:00:00', 'utc')).toBeNull();
  });

  it('the same files give the same instants in a process whose TZ is America/New_York', () => {
    // A child process with another server zone imports a Kobo, an ODK and a LimeSurvey file and prints the times.
    const root = path.resolve(import.meta.dirname, '../../..');
    const script = `
      import { Readable } from 'node:stream';
      import { csvRecords, runImport } from './src/modules/surveys/surveys.import.ts';
      import { validateSurveyDocument } from './src/modules/surveys/surveys.document.ts';
      import { intakeSurvey, koboCsv, odkCsv, limeCsv } from './test/fixtures/surveys/exports.ts';
      const doc = validateSurveyDocument(intakeSurvey()).document;
      const out = { tz: Intl.DateTimeFormat().resolvedOptions().timeZone, offset: new Date('2025-03-01T00:00:00').getTimezoneOffset() };
      for (const [name, file] of [['kobo', koboCsv()], ['odk', odkCsv()], ['lime', limeCsv()]]) {
        const rows = [];
        await runImport(csvRecords(Readable.from([file])), doc, (c) => c, { format: 'csv', dryRun: false },
          { existing: async () => new Map(), insert: async (b) => { rows.push(...b); return { inserted: b.length, updated: 0 }; } });
        out[name] = rows.map((r) => r.submittedAt.toISOString());
      }
      console.log(JSON.stringify(out));`;
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env: { TZ: 'America/New_York' }, encoding: 'utf8' });
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out.tz).toBe('America/New_York');
    expect(out.offset).toBe(300); // the child really runs 5 hours behind UTC
    const expected = ['2025-03-01T01:05:10.000Z', '2025-03-01T02:15:00.000Z', '2025-03-02T03:00:00.000Z', '2025-03-02T17:30:00.000Z'];
    expect(out.kobo).toEqual(expected);
    expect(out.odk).toEqual(expected);
    expect(out.lime).toEqual(expected);
  });
});

describe('multiple choice scoring', () => {
  it('mean, max, min of the chosen options, exact, null options left out', () => {
    expect(multipleChoiceValue([1, 0.5], 'mean')).toEqual(Fraction.of(3, 4));
    expect(multipleChoiceValue([1, 0, 0], 'mean')).toEqual(Fraction.of(1, 3));
    expect(multipleChoiceValue([1, null], 'mean')).toBe(1);
    expect(multipleChoiceValue([null, null], 'max')).toBeNull();
    expect(multipleChoiceValue([0.25, 0.75, 0.5], 'max')).toBe(0.75);
    expect(multipleChoiceValue([0.25, 0.75, 0.5], 'min')).toBe(0.25);
  });

  it('results: a question of three answers {a,b}, {c}, {b,c} scores (3/4 + 0 + 1/4)/3 = 1/3, with a normal interval', () => {
    const doc = docOf(intakeSurvey());
    const counts: AnswerCounts = { n: 3, answers: new Map([['Q4', new Map([['a b', 1], ['c', 1], ['b c', 1]])]]) };
    const q4 = surveyResult(doc, counts).questions.find((q) => q.code === 'Q4')!;
    expect(q4).toMatchObject({ n: 3, scoreExact: '1/3', score: 0.3333, interval: { method: 'normal' } });
    // Values 0.75, 0, 0.25: mean 1/3, s² = ((5/12)² + (1/3)² + (1/12)²)/2 = (25 + 16 + 1)/288 = 7/48,
    // half-width = 1.96·√(7/48/3) = 1.96·0.220479… = 0.43214 → [0, 0.7655] (lower bound truncated at 0).
    expect(q4.interval).toEqual({ method: 'normal', lower: 0, upper: 0.7655 });
  });
});

describe('columns', () => {
  it('ignored columns are reported in full up to 1,000, then counted with ignoredTruncated', async () => {
    const extra = Array.from({ length: 1_005 }, (_, i) => `x${i}`);
    const file = [['_uuid', 'unitCode', 'Q1', ...extra].join(','), ['u1', 'P1', '5', ...extra.map(() => '')].join(',')].join('\n');
    const r = await runImport(csvRecords(Readable.from([file])), docOf(intakeSurvey()), units, opts({ dryRun: true }), sink().s);
    expect([r.columns.ignored.length, r.columns.ignoredCount, r.columns.ignoredTruncated, r.columns.ignored[999]]).toEqual([1_000, 1_005, true, 'x999']);
  });

  it('stores a multiple-choice answer as its option codes in definition order; split LimeSurvey Y columns and Kobo 0/1 columns agree', async () => {
    const doc = docOf(intakeSurvey());
    const kobo = sink();
    await runImport(csvRecords(Readable.from([koboCsv()])), doc, units, opts(), kobo.s);
    const lime = sink();
    await runImport(csvRecords(Readable.from([limeCsv()])), doc, units, opts(), lime.s);
    const odk = sink();
    await runImport(csvRecords(Readable.from([odkCsv()])), doc, units, opts(), odk.s);
    const q4 = (rows: ImportRow[]) => rows.map((x) => x.answers.Q4);
    expect(q4(kobo.rows)).toEqual(['a b', 'c', 'a d', 'b c']);
    expect(q4(lime.rows)).toEqual(['a b', 'c', 'a d', 'b c']);
    expect(q4(odk.rows)).toEqual(['a b', 'c', 'a d', 'b c']);
    expect(kobo.rows.map((x) => x.answers['G1[SQ002]'])).toEqual(['5', '0', '4', '5']);
  });

  it('a whole select_multiple column without split columns: "b a" is stored "a b"; an unknown option rejects the row', async () => {
    const doc = docOf(intakeSurvey());
    const s = sink();
    const r = await runImport(csvRecords(Readable.from(['_uuid,unitCode,Q1,Q4\nu1,P1,5,b a\nu2,P1,4,a z\nu3,P1,3,d\n'])), doc, units, opts(), s.s);
    expect(r).toMatchObject({ imported: 2, rejected: 1, answersRejected: 0 });
    expect(r.errors).toEqual([{ row: 3, column: 'Q4', code: 'invalid_option', message: "row 3: column 'Q4': 'a z' is not an option of question Q4 (a, b, c, d)" }]);
    expect(s.rows.map((x) => x.answers.Q4)).toEqual(['a b', 'd']);
  });
});

describe('the survey document', () => {
  it('question codes may be grid rows; sourceName any length but unique; multiple names its score', () => {
    const doc = (patch: (d: ReturnType<typeof intakeSurvey>) => void) => {
      const d = intakeSurvey('SIPAS-D');
      patch(d);
      return validateSurveyDocument(d);
    };
    expect(doc(() => {}).ok).toBe(true);
    const q = (d: ReturnType<typeof intakeSurvey>, i: number) => d.dimensions[1]!.questions[i] as Record<string, unknown>;
    for (const bad of ['G1[]', 'G1[SQ 1]', '1G[SQ001]', `G1[${'S'.repeat(30)}]`, 'G1[SQ001][SQ002]']) {
      const r = doc((d) => (q(d, 0).code = bad));
      expect(r.ok ? [] : r.errors.map((e) => e.field), bad).toEqual(['body.dimensions.1.questions.0.code']);
    }
    const long = doc((d) => (q(d, 0).sourceName = 'x'.repeat(500)));
    expect(long.ok).toBe(true);
    const dup = doc((d) => (q(d, 1).sourceName = 'LICH_SU'));
    expect(dup.ok ? [] : dup.errors.map((e) => [e.field, e.code])).toEqual([['body.dimensions.1.questions.1.sourceName', 'duplicate']]);
    const score = doc((d) => ((d.dimensions[2]!.questions[0] as Record<string, unknown>).multiple = { score: 'median' }));
    expect(score.ok ? [] : score.errors.map((e) => e.field)).toEqual(['body.dimensions.2.questions.0.multiple.score']);
  });
});
