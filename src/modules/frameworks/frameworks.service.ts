import type { Database, Db } from '../../db/client.js';
import type { FrameworkStatus } from '../../db/schema.js';
import { authorize } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { AnyCtx, Ctx, SystemCtx } from '../../lib/context.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../lib/errors.js';
import { summarise, type FrameworkDocument } from './frameworks.document.js';
import { diffFrameworks } from './frameworks.diff.js';
import { documentColumns, documentOf, frameworksRepo, type FrameworkRow } from './frameworks.repo.js';
import { simulate, type SimulationUnit } from './frameworks.simulate.js';
import { surveyReferencesOf, validateFrameworkDocument, type SurveyReference } from './frameworks.validate.js';
import { readFrameworkXlsx, writeFrameworkXlsx, type ImportIssue } from './frameworks.xlsx.js';

/**
 * Hook of the surveys module (checkSurveyReferences, wired in app.ts): returns one error per survey rule that names a
 * survey, question or dimension that does not exist. Without it only the shape of survey references is validated.
 */
export type SurveyReferenceCheck = (db: Db, refs: SurveyReference[]) => Promise<FieldError[]>;

export interface CloneInput {
  code: string;
  year?: number | undefined;
  name?: string | undefined;
  legalBasis?: string | null | undefined;
  lineage?: string | undefined;
}

type Checked = { ok: true; document: FrameworkDocument } | { ok: false; errors: FieldError[] };

function summaryOf(row: FrameworkRow) {
  const doc = documentOf(row);
  return {
    code: row.code,
    lineage: row.lineage,
    name: row.name,
    year: row.year,
    legalBasis: row.legalBasis,
    status: row.status,
    version: row.version,
    clonedFrom: row.clonedFrom,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
    ...summarise(doc),
  };
}

export function presentFramework(row: FrameworkRow) {
  return { ...summaryOf(row), ...documentOf(row) };
}

/** What the audit chain keeps of a framework: its identity and, for content changes, the whole document. */
function auditView(row: FrameworkRow, withDocument: boolean) {
  const { code, lineage, year, version, status, clonedFrom } = row;
  return { code, lineage, year, version, status, clonedFrom, ...(withDocument ? { document: documentOf(row) } : {}) };
}

function immutable(row: FrameworkRow): ConflictError {
  return new ConflictError(
    `Framework '${row.code}' is published and cannot change; clone it into a new draft (POST /api/v1/frameworks/${row.code}/clone).`,
    // Not `status`: that member of a problem is the HTTP status.
    { frameworkStatus: row.status },
  );
}

function invalid(errors: FieldError[]): ValidationError {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ValidationError(errors, `The framework document is invalid: ${errors[0]!.message}${more}.`);
}

export function createFrameworksService(deps: { database: Database; checkSurveyReferences?: SurveyReferenceCheck }) {
  const db = deps.database.db;

  async function check(tx: Db, raw: unknown): Promise<Checked> {
    const r = validateFrameworkDocument(raw);
    if (!r.ok || !deps.checkSurveyReferences) return r;
    const errors = await deps.checkSurveyReferences(tx, surveyReferencesOf(r.document));
    return errors.length > 0 ? { ok: false, errors } : r;
  }

  async function validated(tx: Db, raw: unknown): Promise<FrameworkDocument> {
    const r = await check(tx, raw);
    if (!r.ok) throw invalid(r.errors);
    return r.document;
  }

  /** The document of a workbook, or every problem located on its sheet, row and column. */
  async function readWorkbook(buffer: Buffer) {
    const parsed = await readFrameworkXlsx(buffer);
    const located = (e: FieldError): ImportIssue => ({ ...parsed.locate(e.field), field: e.field, code: e.code ?? 'invalid', message: e.message });
    if (parsed.issues.length > 0 || !parsed.raw) return { document: null, issues: parsed.issues, located };
    const r = await check(db, parsed.raw);
    return r.ok ? { document: r.document, issues: [], located } : { document: null, issues: r.errors.map(located), located };
  }

  async function find(tx: Db, code: string, lock = false): Promise<FrameworkRow> {
    const row = lock ? await frameworksRepo.lockForUpdate(tx, code) : await frameworksRepo.find(tx, code);
    if (!row) throw new NotFoundError('Framework', code);
    return row;
  }

  async function insertDraft(tx: Db, ctx: AnyCtx, doc: FrameworkDocument, action: string, clonedFrom: string | null = null) {
    if (await frameworksRepo.find(tx, doc.code)) {
      throw new ConflictError(`Framework '${doc.code}' already exists.`, { field: 'code' });
    }
    const row = await frameworksRepo.insert(tx, {
      ...documentColumns(doc),
      status: 'draft',
      version: await frameworksRepo.nextVersion(tx, doc.lineage, doc.year),
      clonedFrom,
      createdBy: ctx.actor?.username ?? 'system',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    // A clone's content is its source's, already in the chain; a new document is recorded whole.
    await recordAudit(tx, ctx, { action, entityType: 'framework', entityId: row.code, after: auditView(row, clonedFrom === null) });
    return row;
  }

  async function publishRow(tx: Db, ctx: AnyCtx, code: string) {
    const before = await find(tx, code, true);
    if (before.status === 'published') throw immutable(before);
    // Validation rules may have tightened since the draft was saved: what is published must pass today's.
    await validated(tx, documentOf(before));
    const row = await frameworksRepo.update(tx, code, { status: 'published', publishedAt: ctx.now, updatedAt: ctx.now });
    await recordAudit(tx, ctx, { action: 'framework.published', entityType: 'framework', entityId: code, before: auditView(before, false), after: auditView(row, false) });
    return row;
  }

  return {
    async list(ctx: Ctx, f: { year?: number | undefined; status?: FrameworkStatus | undefined; lineage?: string | undefined; q?: string | undefined }) {
      authorize(ctx.actor, 'framework.read');
      return (await frameworksRepo.list(db, f)).map(summaryOf);
    },

    async get(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'framework.read');
      return presentFramework(await find(db, code));
    },

    async exportDocument(ctx: Ctx, code: string): Promise<FrameworkDocument> {
      authorize(ctx.actor, 'framework.read');
      return documentOf(await find(db, code));
    },

    async exportXlsx(ctx: Ctx, code: string): Promise<Buffer> {
      authorize(ctx.actor, 'framework.read');
      return writeFrameworkXlsx(documentOf(await find(db, code)));
    },

    /** `raw` is the request body as sent: the validator names every problem by criterion code. */
    async create(ctx: Ctx, raw: unknown) {
      authorize(ctx.actor, 'framework.write');
      return db.transaction(async (tx) => presentFramework(await insertDraft(tx, ctx, await validated(tx, raw), 'framework.created')));
    },

    async update(ctx: Ctx, code: string, raw: unknown) {
      authorize(ctx.actor, 'framework.write');
      return db.transaction(async (tx) => {
        const before = await find(tx, code, true);
        if (before.status === 'published') throw immutable(before);
        const doc = await validated(tx, raw);
        if (doc.code !== code) {
          throw invalid([{ field: 'code', code: 'immutable', message: `the code of framework ${code} never changes (got ${doc.code}); clone it to make a framework with another code` }]);
        }
        const moved = doc.lineage !== before.lineage || doc.year !== before.year;
        const row = await frameworksRepo.update(tx, code, {
          ...documentColumns(doc),
          ...(moved ? { version: await frameworksRepo.nextVersion(tx, doc.lineage, doc.year, code) } : {}),
          updatedAt: ctx.now,
        });
        await recordAudit(tx, ctx, { action: 'framework.updated', entityType: 'framework', entityId: code, before: auditView(before, true), after: auditView(row, true) });
        return presentFramework(row);
      });
    },

    async publish(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'framework.write');
      return db.transaction(async (tx) => presentFramework(await publishRow(tx, ctx, code)));
    },

    /** A new draft with the source's criteria, for another year or a corrected version. */
    async clone(ctx: Ctx, code: string, input: CloneInput) {
      authorize(ctx.actor, 'framework.write');
      return db.transaction(async (tx) => {
        const source = documentOf(await find(tx, code));
        const year = input.year ?? source.year;
        const doc = await validated(tx, {
          ...source,
          code: input.code,
          year,
          // "… năm 2025" becomes "… năm 2026" when only the year is given.
          name: input.name ?? source.name.replaceAll(String(source.year), String(year)),
          legalBasis: input.legalBasis !== undefined ? input.legalBasis : source.legalBasis,
          lineage: input.lineage ?? source.lineage,
        });
        return presentFramework(await insertDraft(tx, ctx, doc, 'framework.cloned', code));
      });
    },

    /** What changed from framework `from` to framework `code`. */
    async diff(ctx: Ctx, code: string, from: string) {
      authorize(ctx.actor, 'framework.read');
      const [base, target] = [await find(db, from), await find(db, code)];
      return diffFrameworks(documentOf(base), documentOf(target));
    },

    async simulate(ctx: Ctx, code: string, units: SimulationUnit[]) {
      authorize(ctx.actor, 'framework.read');
      const seen = new Map<string, number>();
      const dups: FieldError[] = [];
      units.forEach((u, i) => {
        if (seen.has(u.unitCode)) dups.push({ field: `units.${i}.unitCode`, code: 'duplicate', message: `unit ${u.unitCode} is listed twice (also units.${seen.get(u.unitCode)})` });
        seen.set(u.unitCode, i);
      });
      if (dups.length > 0) throw new ValidationError(dups);
      return simulate(documentOf(await find(db, code)), units);
    },

    /**
     * Reads an XLSX in the offices' layout and reports every problem with its sheet and row. Nothing is written;
     * `importXlsx` does the same checks and creates the draft.
     */
    async importDryRun(ctx: Ctx, buffer: Buffer) {
      authorize(ctx.actor, 'framework.write');
      const { document, issues, located } = await readWorkbook(buffer);
      const errors = [...issues];
      if (document && (await frameworksRepo.find(db, document.code))) {
        errors.push(located({ field: 'code', code: 'exists', message: `framework ${document.code} already exists; change the code to import the workbook as a new draft` }));
      }
      return {
        valid: errors.length === 0,
        errors,
        framework: document ? { code: document.code, name: document.name, year: document.year, ...summarise(document) } : null,
        document,
      };
    },

    /** Creates a draft from an XLSX: 422 with the rows of every problem, 409 when the code exists. */
    async importXlsx(ctx: Ctx, buffer: Buffer) {
      authorize(ctx.actor, 'framework.write');
      const { document, issues } = await readWorkbook(buffer);
      if (!document) throw new ValidationError(issues, `The workbook has ${issues.length} problem(s): ${issues[0]!.message}.`);
      return db.transaction(async (tx) => presentFramework(await insertDraft(tx, ctx, document, 'framework.imported')));
    },

    /** Demo data and start-up: create and publish a framework as the system (audited like any other). */
    async installPublished(ctx: SystemCtx, raw: unknown) {
      return db.transaction(async (tx) => {
        const row = await insertDraft(tx, ctx, await validated(tx, raw), 'framework.created');
        return presentFramework(await publishRow(tx, ctx, row.code));
      });
    },
  };
}

export type FrameworksService = ReturnType<typeof createFrameworksService>;
