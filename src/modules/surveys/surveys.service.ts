import type { Readable } from 'node:stream';
import QRCode from 'qrcode';
import type { Config } from '../../config.js';
import type { Database, Db } from '../../db/client.js';
import { authorize } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx, SystemCtx } from '../../lib/context.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError, type FieldError } from '../../lib/errors.js';
import { compareVietnamese } from '../../scoring/index.js';
import type { SurveyReferenceCheck } from '../frameworks/frameworks.service.js';
import { orgUnitsRepo } from '../org-units/org-units.repo.js';
import type { SurveyIndicesSource } from '../publications/publications.service.js';
import type { SurveyIndex } from '../publications/snapshot.js';
import { loadFramework, roundsRepo } from '../rounds/rounds.repo.js';
import type { SurveyScoreSource, SurveyScoresSource } from '../results/results.service.js';
import { demographicCode, demographicFields, demographicOptions, questionIndex, validateSurveyDocument, type DemographicField, type Respondent, type SurveyDocument } from './surveys.document.js';
import { meter, recordsOf, runImport, type ImportOptions, type ImportReport, type ImportRow } from './surveys.import.js';
import { documentOfSurvey, surveyColumns, surveyLeaves, surveysRepo, type SurveyRow } from './surveys.repo.js';
import { emptyCounts, leafScore, poolCounts, surveyResult, type AnswerCounts } from './surveys.results.js';

export function presentSurvey(row: SurveyRow, responseCount: number) {
  const doc = documentOfSurvey(row);
  return {
    ...doc,
    status: row.status,
    version: row.version,
    questionCount: doc.dimensions.reduce((n, d) => n + d.questions.length, 0),
    responseCount,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
  };
}

/** The questionnaire as the public form shows it: no option values, no counts, nothing about respondents. */
export function publicSurvey(doc: SurveyDocument) {
  return {
    code: doc.code,
    name: doc.name,
    kind: doc.kind,
    year: doc.year,
    description: doc.description,
    dimensions: doc.dimensions.map((d) => ({
      code: d.code,
      title: d.title,
      questions: d.questions.map((q) => ({ code: q.code, text: q.text, required: q.required, multiple: q.multiple !== undefined, options: q.options.map((o) => ({ code: o.code, label: o.label })) })),
    })),
    demographics: doc.demographics.map((field) => ({ field, options: Object.entries(demographicOptions[field]).map(([code, label]) => ({ code, label })) })),
  };
}

function invalid(errors: FieldError[]): ValidationError {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ValidationError(errors, `The survey document is invalid: ${errors[0]!.field}: ${errors[0]!.message}${more}.`);
}

/**
 * Framework hook: every survey rule must name an existing survey, and its question or dimension codes must exist in
 * it. Field names follow the framework convention (criteria[8.1].rule.questionCodes[0]).
 */
export const checkSurveyReferences: SurveyReferenceCheck = async (db, refs) => {
  const rows = await surveysRepo.findMany(db, [...new Set(refs.map((r) => r.surveyCode))]);
  const docs = new Map(rows.map((r) => [r.code, documentOfSurvey(r)]));
  const errors: FieldError[] = [];
  for (const ref of refs) {
    const doc = docs.get(ref.surveyCode);
    if (!doc) {
      errors.push({ field: `${ref.field}.surveyCode`, code: 'unknown_survey', message: `criterion ${ref.criterionCode}: survey ${ref.surveyCode} does not exist; create it first (POST /api/v1/surveys)` });
      continue;
    }
    const questions = questionIndex(doc);
    (ref.questionCodes ?? []).forEach((q, i) => {
      if (!questions.has(q)) errors.push({ field: `${ref.field}.questionCodes[${i}]`, code: 'unknown_question', message: `criterion ${ref.criterionCode}: survey ${ref.surveyCode} has no question ${q}` });
    });
    if (ref.dimensionCode && !doc.dimensions.some((d) => d.code === ref.dimensionCode)) {
      errors.push({ field: `${ref.field}.dimensionCode`, code: 'unknown_dimension', message: `criterion ${ref.criterionCode}: survey ${ref.surveyCode} has no dimension ${ref.dimensionCode}` });
    }
  }
  return errors;
};

/**
 * Engine hook: a unit's outcome for a survey-scored leaf: the exact score ("p/q" Fraction, the mean of the mapped
 * questions' scores over the unit's responses; null when no scored response), the unit's n and the survey's
 * minResponses. Null when the survey does not exist.
 */
export const surveyScoreOf: SurveyScoreSource = async (db, { unitCode, rule }) => {
  const found = await surveysRepo.unitCountsByCode(db, rule.surveyCode, unitCode);
  if (!found) return null;
  const doc = documentOfSurvey(found.survey);
  return { surveyCode: rule.surveyCode, score: leafScore(doc, rule, found.counts), n: found.counts.n, minResponses: doc.minResponses };
};

/**
 * The same outcomes for many units at once (issue 14: results in set-based queries): one counts query per survey
 * the rules use, whatever the number of units; the returned lookup answers like surveyScoreOf.
 */
export const surveyScoresOf: SurveyScoresSource = async (db, { unitCodes, rules }) => {
  const bySurvey = new Map<string, { doc: SurveyDocument; counts: Map<string, AnswerCounts> } | null>();
  for (const code of new Set(rules.map((r) => r.surveyCode))) {
    const survey = await surveysRepo.find(db, code);
    bySurvey.set(code, survey ? { doc: documentOfSurvey(survey), counts: await surveysRepo.answerCounts(db, survey.id, unitCodes) } : null);
  }
  return (unitCode, rule) => {
    const found = bySurvey.get(rule.surveyCode);
    if (!found) return null;
    const counts = found.counts.get(unitCode) ?? emptyCounts();
    return { surveyCode: rule.surveyCode, score: leafScore(found.doc, rule, counts), n: counts.n, minResponses: found.doc.minResponses };
  };
};

/**
 * Publication hook: each unit's survey indices (overall index 0–100 with n) for the surveys its group's framework
 * scores from. Units below the survey's minResponses get a null index (public outputs never show them).
 */
export const surveyIndicesOf: SurveyIndicesSource = async (db, roundId, unitCodes) => {
  const wanted = new Set(unitCodes);
  const groups = await roundsRepo.groups(db, roundId);
  const unitsBySurvey = new Map<string, Set<string>>();
  for (const g of groups) {
    const fw = await loadFramework(db, g.frameworkCode);
    for (const leaf of surveyLeaves(fw?.doc.criteria ?? [])) {
      if (leaf.node.rule?.type !== 'survey') continue;
      const set = unitsBySurvey.get(leaf.node.rule.surveyCode) ?? new Set<string>();
      for (const u of g.unitCodes) if (wanted.has(u)) set.add(u);
      unitsBySurvey.set(leaf.node.rule.surveyCode, set);
    }
  }
  const out = new Map<string, SurveyIndex[]>();
  for (const row of (await surveysRepo.findMany(db, [...unitsBySurvey.keys()])).sort((a, b) => (a.code < b.code ? -1 : 1))) {
    const doc = documentOfSurvey(row);
    const units = [...unitsBySurvey.get(row.code)!];
    const counts = await surveysRepo.answerCounts(db, row.id, units);
    for (const u of units) {
      const r = surveyResult(doc, counts.get(u) ?? emptyCounts());
      const list = out.get(u) ?? [];
      list.push({ surveyCode: row.code, index: r.belowMinResponses ? null : r.overallIndex, n: r.n });
      out.set(u, list);
    }
  }
  return out;
};

export interface PublicResponseInput {
  responseId: string;
  answers: Record<string, string | null>;
  respondent?: Partial<Record<DemographicField, string | null>> | undefined;
  website?: string | undefined;
}

export interface IntakeMeta {
  requestId: string;
  now: Date;
}

/** The QR code of a form link, as printed on the unit's poster (the API images and the web's link sheet). */
export function qrImage(url: string, format: 'png' | 'svg', size: number): Promise<Buffer | string> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  return format === 'png' ? QRCode.toBuffer(url, { ...options, type: 'png', width: size }) : QRCode.toString(url, { ...options, type: 'svg', width: size });
}

export function createSurveysService(deps: { database: Database; config: Config }) {
  const db = deps.database.db;
  const { config } = deps;

  async function requireSurvey(tx: Db, code: string, lock = false) {
    const row = lock ? await surveysRepo.lockForUpdate(tx, code) : await surveysRepo.find(tx, code);
    if (!row) throw new NotFoundError('Survey', code);
    return row;
  }

  async function requirePublished(code: string) {
    const row = await surveysRepo.find(db, code);
    if (!row || row.status !== 'published') throw new NotFoundError('Survey', code);
    return row;
  }

  function validated(raw: unknown): SurveyDocument {
    const r = validateSurveyDocument(raw);
    if (!r.ok) throw invalid(r.errors);
    return r.document;
  }

  /** A new version must still answer every framework rule that scores from this survey. */
  async function referenceProblems(tx: Db, doc: SurveyDocument): Promise<FieldError[]> {
    const refs = await surveysRepo.referencesTo(tx, doc.code);
    const questions = questionIndex(doc);
    const errors: FieldError[] = [];
    for (const ref of refs) {
      const where = `framework ${ref.frameworkCode}, criterion ${ref.criterionCode}`;
      if (ref.rule.dimensionCode && !doc.dimensions.some((d) => d.code === ref.rule.dimensionCode)) {
        errors.push({ field: 'body.dimensions', code: 'referenced', message: `${where} scores from dimension ${ref.rule.dimensionCode}, which this version removes` });
      }
      for (const q of ref.rule.questionCodes ?? []) {
        if (!questions.has(q)) errors.push({ field: 'body.dimensions', code: 'referenced', message: `${where} scores from question ${q}, which this version removes` });
      }
    }
    return errors;
  }

  function auditView(row: SurveyRow, withDocument: boolean) {
    return { code: row.code, status: row.status, version: row.version, ...(withDocument ? { document: documentOfSurvey(row) } : {}) };
  }

  /** Units of rounds now collecting responses to this survey, with the groups they are in. */
  async function openUnits(tx: Db, code: string, unitCode?: string) {
    const groups = await surveysRepo.intakeGroups(tx, code, unitCode);
    return { groups, units: new Set(groups.flatMap((g) => g.unitCodes)) };
  }

  function checkAnswers(doc: SurveyDocument, input: PublicResponseInput): { answers: Record<string, string>; respondent: Respondent | null } {
    const questions = questionIndex(doc);
    const errors: FieldError[] = [];
    const answers: Record<string, string> = {};
    for (const [code, value] of Object.entries(input.answers)) {
      const info = questions.get(code);
      if (!info) {
        errors.push({ field: `body.answers.${code}`, code: 'unknown_question', message: `survey ${doc.code} has no question ${code}` });
        continue;
      }
      if (value === null || value === '') continue;
      // A multiple-choice answer is its option codes separated by spaces, stored in the order of the definition.
      const chosen = info.multiple ? value.trim().split(/\s+/) : [value];
      const wrong = chosen.find((c) => !info.values.has(c));
      if (wrong !== undefined) {
        const why = !info.multiple && value.trim().includes(' ') && value.trim().split(/\s+/).every((c) => info.values.has(c)) ? ' (question ' + code + ' is single choice: choose one option)' : '';
        errors.push({ field: `body.answers.${code}`, code: 'invalid_option', message: `'${value}' is not an option of question ${code} (${info.question.options.map((o) => o.code).join(', ')})${why}` });
        continue;
      }
      answers[code] = info.multiple ? info.question.options.filter((o) => chosen.includes(o.code)).map((o) => o.code).join(' ') : value;
    }
    for (const [code, info] of questions) {
      if (info.question.required && answers[code] === undefined && !errors.some((e) => e.field === `body.answers.${code}`)) {
        errors.push({ field: `body.answers.${code}`, code: 'required', message: `question ${code} needs an answer` });
      }
    }
    if (errors.length === 0 && Object.keys(answers).length === 0) errors.push({ field: 'body.answers', code: 'no_answers', message: 'answer at least one question' });
    let respondent: Respondent | null = null;
    for (const [field, value] of Object.entries(input.respondent ?? {}) as [DemographicField, string | null][]) {
      if (value === null || value === '') continue;
      if (!doc.demographics.includes(field)) {
        errors.push({ field: `body.respondent.${field}`, code: 'not_collected', message: `survey ${doc.code} does not ask for ${field}; leave it out` });
        continue;
      }
      const code = demographicCode(field, value);
      if (code === null) errors.push({ field: `body.respondent.${field}`, code: 'invalid_value', message: `must be one of ${Object.keys(demographicOptions[field]).join(', ')}` });
      else (respondent ??= {})[field] = code;
    }
    if (errors.length > 0) throw new ValidationError(errors, `The response is invalid: ${errors[0]!.field}: ${errors[0]!.message}.`);
    return { answers, respondent };
  }

  return {
    async list(ctx: Ctx, f: { kind?: SurveyRow['kind'] | undefined; status?: SurveyRow['status'] | undefined; year?: number | undefined }) {
      authorize(ctx.actor, 'survey.read');
      const rows = await surveysRepo.list(db, f);
      const counts = await surveysRepo.responseCounts(db, rows.map((r) => r.id));
      return rows.map((r) => presentSurvey(r, counts.get(r.id) ?? 0));
    },

    async get(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'survey.read');
      const row = await requireSurvey(db, code);
      return presentSurvey(row, (await surveysRepo.responseCounts(db, [row.id])).get(row.id) ?? 0);
    },

    /** `raw` is the body as sent: validateSurveyDocument names every problem (422). */
    async create(ctx: Ctx, raw: unknown) {
      authorize(ctx.actor, 'survey.manage');
      const doc = validated(raw);
      return db.transaction(async (tx) => {
        if (await surveysRepo.find(tx, doc.code)) throw new ConflictError(`Survey '${doc.code}' already exists.`, { field: 'code' });
        const row = await surveysRepo.insert(tx, { ...surveyColumns(doc), status: 'draft', version: 1, createdBy: ctx.actor.username, createdAt: ctx.now, updatedAt: ctx.now });
        await recordAudit(tx, ctx, { action: 'survey.created', entityType: 'survey', entityId: row.code, after: auditView(row, true) });
        return presentSurvey(row, 0);
      });
    },

    /**
     * Replaces the questionnaire: a new version (version + 1) while the survey has no responses; once it has any
     * it is immutable (409). A version must keep every question and dimension a framework scores from.
     * `expectedVersion` (the web editor's form) refuses to overwrite a version saved meanwhile by someone else (412).
     */
    async update(ctx: Ctx, code: string, raw: unknown, opts: { expectedVersion?: number } = {}) {
      authorize(ctx.actor, 'survey.manage');
      const doc = validated(raw);
      if (doc.code !== code) throw invalid([{ field: 'body.code', code: 'immutable', message: `the code of survey ${code} never changes (got ${doc.code}); create a new survey instead` }]);
      return db.transaction(async (tx) => {
        const before = await requireSurvey(tx, code, true);
        if (await surveysRepo.hasResponses(tx, before.id)) {
          throw new ConflictError(`Survey '${code}' has responses and can no longer change; create a survey with a new code for a new questionnaire.`, { surveyStatus: before.status });
        }
        if (opts.expectedVersion !== undefined && opts.expectedVersion !== before.version) {
          throw new PreconditionFailedError(`"${before.version}"`, `Survey '${code}' is now version ${before.version} (you edited version ${opts.expectedVersion}); reload it and apply your changes again.`);
        }
        const refs = await referenceProblems(tx, doc);
        if (refs.length > 0) throw invalid(refs);
        const row = await surveysRepo.update(tx, code, { ...surveyColumns(doc), version: before.version + 1, updatedAt: ctx.now });
        await recordAudit(tx, ctx, { action: 'survey.updated', entityType: 'survey', entityId: code, before: auditView(before, true), after: auditView(row, true) });
        return presentSurvey(row, 0);
      });
    },

    /** Opens the questionnaire to responses (public form and import). */
    async publish(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'survey.manage');
      return db.transaction(async (tx) => {
        const before = await requireSurvey(tx, code, true);
        if (before.status === 'published') throw new ConflictError(`Survey '${code}' is already published.`, { surveyStatus: before.status });
        const row = await surveysRepo.update(tx, code, { status: 'published', publishedAt: ctx.now, updatedAt: ctx.now });
        await recordAudit(tx, ctx, { action: 'survey.published', entityType: 'survey', entityId: code, before: auditView(before, false), after: auditView(row, false) });
        return presentSurvey(row, 0);
      });
    },

    /** Anonymous: a published questionnaire, for the public form. */
    async publicDefinition(code: string) {
      return publicSurvey(documentOfSurvey(await requirePublished(code)));
    },

    /** Anonymous: the form of one unit: the questionnaire, the unit's name, and whether it takes responses now. */
    async publicUnitForm(code: string, unitCode: string) {
      const row = await requirePublished(code);
      const unit = await orgUnitsRepo.find(db, unitCode);
      if (!unit) throw new NotFoundError('Org unit', unitCode);
      const { units } = await openUnits(db, code, unitCode);
      return { survey: publicSurvey(documentOfSurvey(row)), unit: { code: unit.code, name: unit.name }, open: units.has(unitCode) };
    },

    /**
     * Anonymous form submission. Idempotent by the client's responseId: a retry of the same response answers 200
     * `duplicate`; the same id with other answers is a 409. A filled honeypot (`website`) is answered as accepted
     * and nothing is stored.
     */
    async submit(meta: IntakeMeta, code: string, unitCode: string, input: PublicResponseInput): Promise<{ created: boolean; body: { responseId: string; status: 'accepted' | 'duplicate' } }> {
      const row = await requirePublished(code);
      const doc = documentOfSurvey(row);
      const unit = await orgUnitsRepo.find(db, unitCode);
      if (!unit) throw new NotFoundError('Org unit', unitCode);
      const { units } = await openUnits(db, code, unitCode);
      if (!units.has(unitCode)) {
        throw new ConflictError(`Unit '${unitCode}' is not collecting responses to survey '${code}': no round open for this survey has it.`, { reason: 'not_open' });
      }
      if (input.website && input.website.trim() !== '') return { created: true, body: { responseId: input.responseId, status: 'accepted' } };
      const { answers, respondent } = checkAnswers(doc, input);
      const ctx: SystemCtx = { actor: null, requestId: meta.requestId, now: meta.now };
      return db.transaction(async (tx) => {
        const inserted = await surveysRepo.insertResponse(tx, { surveyId: row.id, unitCode, responseId: input.responseId, source: 'form', answers, submittedAt: meta.now, createdAt: meta.now });
        if (!inserted) {
          const existing = await surveysRepo.findResponse(tx, row.id, input.responseId);
          const same = existing && existing.unitCode === unitCode && sameAnswers(existing.answers, answers);
          if (!same) throw new ConflictError(`Response id '${input.responseId}' was already used for a different response; generate a new id.`, { field: 'responseId' });
          return { created: false, body: { responseId: input.responseId, status: 'duplicate' as const } };
        }
        if (respondent) await surveysRepo.insertRespondent(tx, inserted.id, respondent, meta.now);
        await recordAudit(tx, ctx, {
          action: 'survey.response_submitted',
          entityType: 'survey_response',
          entityId: `${code}/${input.responseId}`,
          // Never the respondent's demographics: those stay in survey_respondents until purged.
          after: { surveyCode: code, unitCode, responseId: input.responseId, source: 'form', answers },
        });
        return { created: true, body: { responseId: input.responseId, status: 'accepted' as const } };
      });
    },

    /** Address of a unit's public form (printed as a QR code at the one-stop desk). */
    async link(ctx: Ctx, code: string, unitCode: string, baseUrl = config.publicBaseUrl) {
      authorize(ctx.actor, 'survey.manage');
      const row = await requireSurvey(db, code);
      const unit = await orgUnitsRepo.find(db, unitCode);
      if (!unit) throw new NotFoundError('Org unit', unitCode);
      const { units } = await openUnits(db, code, unitCode);
      return { surveyCode: row.code, unitCode: unit.code, unitName: unit.name, url: formUrl(baseUrl, row.code, unit.code), open: row.status === 'published' && units.has(unit.code) };
    },

    /** The form addresses of every unit now collecting responses to the survey (to print them all). */
    async links(ctx: Ctx, code: string, baseUrl = config.publicBaseUrl) {
      authorize(ctx.actor, 'survey.manage');
      const row = await requireSurvey(db, code);
      const { units } = await openUnits(db, code);
      const names = new Map((await surveysRepo.units(db, [...units])).map((u) => [u.code, u.name]));
      return [...units]
        .map((u) => ({ surveyCode: row.code, unitCode: u, unitName: names.get(u) ?? u, url: formUrl(baseUrl, row.code, u), open: row.status === 'published' }))
        .sort((a, b) => compareVietnamese(a.unitName, b.unitName));
    },

    async qr(ctx: Ctx, code: string, unitCode: string, format: 'png' | 'svg', size: number, baseUrl = config.publicBaseUrl): Promise<Buffer | string> {
      const { url } = await this.link(ctx, code, unitCode, baseUrl);
      return qrImage(url, format, size);
    },

    /**
     * Bulk import of an export file, streamed. Dry run: the same checks and counts, nothing written. Otherwise one
     * transaction for the whole file (all or nothing) with one audit event; rows whose id the survey already has are
     * skipped, so importing the same file again imports nothing.
     */
    async importResponses(ctx: Ctx, code: string, body: Readable, opts: ImportOptions): Promise<ImportReport & { bytes: number; sha256: string }> {
      authorize(ctx.actor, 'survey.manage');
      const row = await requireSurvey(db, code);
      if (row.status !== 'published') throw new ConflictError(`Survey '${code}' is a draft; publish it before importing responses.`, { surveyStatus: row.status });
      const doc = documentOfSurvey(row);
      const known = await surveysRepo.unitCodes(db);
      const lower = new Map([...known.keys()].map((k) => [k.toLowerCase(), k]));
      const unitOf = (c: string) => known.get(c) ?? lower.get(c.toLowerCase()) ?? null;
      const metered = meter(body, config.surveyImportMaxBytes);
      const notes: string[] = [];
      const records = recordsOf(opts.format, metered.stream, opts, notes);
      const existing = (tx: Db) => (ids: string[]) => surveysRepo.existingResponses(tx, row.id, ids);
      if (opts.dryRun) {
        const report = await runImport(
          records,
          doc,
          unitOf,
          opts,
          {
            existing: existing(db),
            insert: async () => {
              throw new Error('a dry run never writes');
            },
          },
          notes,
        );
        return { ...report, bytes: metered.bytes, sha256: metered.sha256() };
      }
      return db.transaction(async (tx) => {
        const report = await runImport(records, doc, unitOf, opts, { existing: existing(tx), insert: (rows) => surveysRepo.insertBatch(tx, row.id, 'import', rows, ctx.now) }, notes);
        const sha256 = metered.sha256();
        await recordAudit(tx, ctx, {
          action: 'survey.responses_imported',
          entityType: 'survey',
          entityId: code,
          after: {
            format: opts.format,
            bytes: metered.bytes,
            sha256,
            rows: report.rows,
            imported: report.imported,
            updated: report.updated,
            duplicate: report.duplicate,
            rejected: report.rejected,
            skipped: report.skipped.count,
            answersRejected: report.answersRejected,
          },
        });
        return { ...report, bytes: metered.bytes, sha256 };
      });
    },

    /**
     * Results per unit (n, question scores with 95% intervals, dimension and overall indices, the minResponses flag)
     * and per round group whose framework scores from this survey (all its units' responses pooled).
     */
    async results(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'survey.results');
      const row = await requireSurvey(db, code);
      const doc = documentOfSurvey(row);
      const counts = await surveysRepo.answerCounts(db, row.id);
      const groups = await surveysRepo.resultGroups(db, code);
      const unitCodes = [...new Set([...counts.keys(), ...groups.flatMap((g) => g.unitCodes)])];
      const names = new Map((await surveysRepo.units(db, unitCodes)).map((u) => [u.code, u.name]));
      const units = unitCodes
        .map((u) => ({ unitCode: u, unitName: names.get(u) ?? u, ...surveyResult(doc, counts.get(u) ?? emptyCounts()) }))
        .sort((a, b) => compareVietnamese(a.unitName, b.unitName) || (a.unitCode < b.unitCode ? -1 : 1));
      const byUnit = new Map(units.map((u) => [u.unitCode, u]));
      const demographics = doc.demographics.length > 0 ? await surveysRepo.demographicCounts(db, row.id) : [];
      return {
        surveyCode: row.code,
        name: row.name,
        kind: row.kind,
        status: row.status,
        version: row.version,
        minResponses: row.minResponses,
        n: units.reduce((s, u) => s + u.n, 0),
        units,
        groups: groups.map((g) => {
          const pooled = surveyResult(doc, poolCounts(g.unitCodes.map((u) => counts.get(u) ?? emptyCounts())));
          const { belowMinResponses: _b, ...rest } = pooled;
          return {
            roundId: g.roundId,
            roundName: g.roundName,
            year: g.year,
            phase: g.phase,
            groupCode: g.code,
            groupName: g.name,
            frameworkCode: g.frameworkCode,
            units: g.unitCodes.length,
            unitsWithResponses: g.unitCodes.filter((u) => (byUnit.get(u)?.n ?? 0) > 0).length,
            unitsBelowMinResponses: g.unitCodes.filter((u) => byUnit.get(u)?.belowMinResponses ?? true).length,
            ...rest,
          };
        }),
        respondents: demographicFields
          .filter((f) => doc.demographics.includes(f))
          .map((field) => ({ field, counts: demographics.filter((d) => d.field === field).map((d) => ({ value: d.value, n: d.n })) })),
      };
    },

    /** Demo data and start-up: create and publish a survey as the system (audited like any other). */
    async installPublished(ctx: SystemCtx, raw: unknown) {
      const doc = validated(raw);
      return db.transaction(async (tx) => {
        if (await surveysRepo.find(tx, doc.code)) throw new ConflictError(`Survey '${doc.code}' already exists.`, { field: 'code' });
        const draft = await surveysRepo.insert(tx, { ...surveyColumns(doc), status: 'draft', version: 1, createdBy: 'system', createdAt: ctx.now, updatedAt: ctx.now });
        await recordAudit(tx, ctx, { action: 'survey.created', entityType: 'survey', entityId: draft.code, after: auditView(draft, true) });
        const row = await surveysRepo.update(tx, doc.code, { status: 'published', publishedAt: ctx.now, updatedAt: ctx.now });
        await recordAudit(tx, ctx, { action: 'survey.published', entityType: 'survey', entityId: doc.code, before: auditView(draft, false), after: auditView(row, false) });
        return presentSurvey(row, 0);
      });
    },

    /** Demo data: responses added as the system, already checked (one audit event). */
    async addResponsesAsSystem(ctx: SystemCtx, code: string, rows: ImportRow[], label: string) {
      return db.transaction(async (tx) => {
        const row = await requireSurvey(tx, code);
        const { inserted: imported } = await surveysRepo.insertBatch(tx, row.id, 'import', rows, ctx.now);
        await recordAudit(tx, ctx, { action: 'survey.responses_imported', entityType: 'survey', entityId: code, after: { source: label, rows: rows.length, imported } });
        return imported;
      });
    },

    /** Deletes respondents' demographics older than the retention period (start-up and hourly). */
    async purgePersonalData(ctx: SystemCtx): Promise<number> {
      const before = new Date(ctx.now.getTime() - config.surveyPersonalDataRetentionDays * 86_400_000);
      return db.transaction(async (tx) => {
        const purged = await surveysRepo.purgeRespondents(tx, before);
        if (purged > 0) {
          await recordAudit(tx, ctx, {
            action: 'survey.personal_data_purged',
            entityType: 'survey_respondent',
            entityId: 'retention',
            after: { collectedBefore: before.toISOString(), retentionDays: config.surveyPersonalDataRetentionDays, purged },
          });
        }
        return purged;
      });
    },
  };
}

function sameAnswers(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** The web UI's page for one unit's form (`/khao-sat/{code}/{unitCode}`) under the public base URL. */
export function formUrl(baseUrl: string, code: string, unitCode: string): string {
  return `${baseUrl}/khao-sat/${encodeURIComponent(code)}/${encodeURIComponent(unitCode)}`;
}

export type SurveysService = ReturnType<typeof createSurveysService>;
