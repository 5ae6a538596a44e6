// Báo cáo định kỳ: the coordinator opens a reporting period (quarter, 6 months, year, ad hoc) with its data
// cut-off and due date for a list of units; each unit sends its report (a document reference); the status of each
// is on time, late or missing from the due date, or from an extension the coordinator granted (recorded).
import { asc, eq, inArray } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { orgUnits, periodReports, reportExtensions, reportPeriods, reportPeriodKinds } from '../../db/schema.js';
import { authorize, unitFilter } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../lib/errors.js';
import { vnDate } from '../../lib/http.js';
import { reportStatus } from './feeds.js';
import type { DocumentReference } from '../assessments/assessments.service.js';

export interface PeriodInput {
  year: number;
  kind: (typeof reportPeriodKinds)[number];
  label: string;
  cutoffFrom: string;
  cutoffTo: string;
  dueDate: string;
  unitCodes: string[];
}

type PeriodRow = typeof reportPeriods.$inferSelect;

export function createReportsService(deps: { database: Database }) {
  const db = deps.database.db;

  async function requirePeriod(id: string): Promise<PeriodRow> {
    const [p] = await db.select().from(reportPeriods).where(eq(reportPeriods.id, id)).limit(1);
    if (!p) throw new NotFoundError('ReportPeriod', id);
    return p;
  }

  type Sent = typeof periodReports.$inferSelect;
  type Extension = typeof reportExtensions.$inferSelect;

  /** Every report and extension of these periods in two queries (a year's list must not cost a query per period). */
  async function loadFor(periodIds: string[], tx: Db = db) {
    const byPeriod = new Map<string, { reports: Map<string, Sent>; extensions: Map<string, Extension> }>(periodIds.map((id) => [id, { reports: new Map(), extensions: new Map() }]));
    if (periodIds.length === 0) return byPeriod;
    for (const r of await tx.select().from(periodReports).where(inArray(periodReports.periodId, periodIds))) byPeriod.get(r.periodId)?.reports.set(r.unitCode, r);
    for (const e of await tx.select().from(reportExtensions).where(inArray(reportExtensions.periodId, periodIds))) byPeriod.get(e.periodId)?.extensions.set(e.unitCode, e);
    return byPeriod;
  }

  // Reads through `tx` inside a transaction: the embedded database has one connection, so `db` would wait on it.
  async function view(p: PeriodRow, today: string, onlyUnit: string | null, tx: Db = db, loaded?: Awaited<ReturnType<typeof loadFor>>) {
    const { reports, extensions } = (loaded ?? (await loadFor([p.id], tx))).get(p.id)!;
    const units = (p.unitCodes ?? []).filter((u) => !onlyUnit || u === onlyUnit);
    return {
      id: p.id,
      year: p.year,
      kind: p.kind,
      label: p.label,
      cutoffFrom: p.cutoffFrom,
      cutoffTo: p.cutoffTo,
      dueDate: p.dueDate,
      unitCodes: p.unitCodes ?? [],
      units: units.map((u) => {
        const r = reports.get(u);
        const ext = extensions.get(u);
        const due = ext?.dueDate ?? p.dueDate;
        return {
          unitCode: u,
          dueDate: due,
          extension: ext ? { dueDate: ext.dueDate, reason: ext.reason, grantedBy: ext.grantedBy } : null,
          status: reportStatus(due, r?.submittedOn, today),
          submittedOn: r?.submittedOn ?? null,
          document: (r?.document as DocumentReference | undefined) ?? null,
        };
      }),
    };
  }

  return {
    async create(ctx: Ctx, input: PeriodInput) {
      authorize(ctx.actor, 'plan.manage');
      const errors: FieldError[] = [];
      if (input.cutoffTo < input.cutoffFrom) errors.push({ field: 'cutoffTo', code: 'out_of_range', message: 'the cut-off ends before it starts' });
      if (input.dueDate < input.cutoffTo) errors.push({ field: 'dueDate', code: 'out_of_range', message: 'the report is due before its data cut-off ends' });
      const unique = [...new Set(input.unitCodes)];
      const known = new Set((await db.select({ code: orgUnits.code }).from(orgUnits)).map((r) => r.code));
      unique.forEach((u) => {
        if (!known.has(u)) errors.push({ field: `unitCodes[${input.unitCodes.indexOf(u)}]`, code: 'unknown_unit', message: `no org unit ${u}` });
      });
      if (errors.length) throw new ValidationError(errors);
      return db.transaction(async (tx) => {
        const [p] = await tx.insert(reportPeriods).values({ ...input, unitCodes: unique, createdBy: ctx.actor.username, createdAt: ctx.now }).returning();
        await recordAudit(tx, ctx, { action: 'report_period.created', entityType: 'report_period', entityId: p!.id, after: { ...input, unitCodes: unique } });
        return view(p!, vnDate(ctx.now), null, tx);
      });
    },

    async list(ctx: Ctx, q: { year?: number | undefined }) {
      authorize(ctx.actor, 'plan.read');
      const only = unitFilter(ctx.actor, 'plan.read');
      const rows = await db.select().from(reportPeriods).where(q.year ? eq(reportPeriods.year, q.year) : undefined).orderBy(asc(reportPeriods.dueDate));
      const today = vnDate(ctx.now);
      const visible = rows.filter((p) => !only || (p.unitCodes ?? []).includes(only));
      const loaded = await loadFor(visible.map((p) => p.id));
      return Promise.all(visible.map((p) => view(p, today, only, db, loaded)));
    },

    async get(ctx: Ctx, id: string) {
      authorize(ctx.actor, 'plan.read');
      const p = await requirePeriod(id);
      const only = unitFilter(ctx.actor, 'plan.read');
      if (only && !(p.unitCodes ?? []).includes(only)) throw new NotFoundError('ReportPeriod', id);
      return view(p, vnDate(ctx.now), only);
    },

    /** A unit sends its report: once (409 when already sent); the day it was sent in Vietnam is what counts. */
    async submit(ctx: Ctx, id: string, unitCode: string, document: DocumentReference) {
      authorize(ctx.actor, 'plan.report', { unitCode, entity: 'ReportPeriod', id });
      const p = await requirePeriod(id);
      if (!(p.unitCodes ?? []).includes(unitCode)) throw new NotFoundError('ReportPeriod', `${id} for ${unitCode}`);
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(periodReports)
          .values({ periodId: id, unitCode, submittedAt: ctx.now, submittedOn: vnDate(ctx.now), document, submittedBy: ctx.actor.username })
          .onConflictDoNothing()
          .returning();
        if (!row) throw new ConflictError(`${unitCode} has already sent its report for ${p.label}.`, { unitCode, periodId: id });
        await recordAudit(tx, ctx, { action: 'report_period.report_sent', entityType: 'report_period', entityId: id, after: { unitCode, submittedOn: row.submittedOn, document } });
        const v = await view(p, vnDate(ctx.now), unitCode, tx);
        return v.units[0]!;
      });
    },

    /** The coordinator extends a unit's due date, with the reason; recorded and audited. */
    async extend(ctx: Ctx, id: string, unitCode: string, input: { dueDate: string; reason: string }) {
      authorize(ctx.actor, 'plan.manage');
      const p = await requirePeriod(id);
      if (!(p.unitCodes ?? []).includes(unitCode)) throw new NotFoundError('ReportPeriod', `${id} for ${unitCode}`);
      if (input.dueDate <= p.dueDate) throw new ValidationError([{ field: 'dueDate', code: 'out_of_range', message: `an extension must be after the period's due date ${p.dueDate}` }]);
      return db.transaction(async (tx) => {
        const values = { dueDate: input.dueDate, reason: input.reason, grantedBy: ctx.actor.username, grantedAt: ctx.now };
        await tx.insert(reportExtensions).values({ periodId: id, unitCode, ...values }).onConflictDoUpdate({ target: [reportExtensions.periodId, reportExtensions.unitCode], set: values });
        await recordAudit(tx, ctx, { action: 'report_period.extended', entityType: 'report_period', entityId: id, after: { unitCode, ...input } });
        return (await view(p, vnDate(ctx.now), unitCode, tx)).units[0]!;
      });
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
