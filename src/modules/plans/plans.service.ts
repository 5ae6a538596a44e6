// Kế hoạch CCHC: the coordinator records the year's plan and its appendix of tasks (or imports the appendix as
// XLSX); lead units (and supporting units, for their part) report progress, with history.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { orgUnits, planTaskProgress, planTaskProgressHistory, planTasks, plans } from '../../db/schema.js';
import { authorize, scopeOf, unitFilter } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../lib/errors.js';
import { vnDate } from '../../lib/http.js';
import { taskStatus } from './feeds.js';
import { readAppendix, type AppendixRead } from './plans.xlsx.js';
import type { DocumentReference } from '../assessments/assessments.service.js';

export interface TaskInput {
  code: string;
  area?: string | null | undefined;
  title: string;
  product?: string | null | undefined;
  leadUnitCode: string;
  supportUnitCodes?: string[] | undefined;
  timeframe?: string | null | undefined;
  dueDates: string[];
}

export interface PlanInput {
  year: number;
  code: string;
  title: string;
  decision?: { number: string; date: string } | null | undefined;
  tasks: TaskInput[];
}

export interface ProgressInput {
  status: 'done' | 'in_progress' | 'not_started';
  completedOn?: string | null | undefined;
  note?: string | null | undefined;
  evidence?: DocumentReference[] | undefined;
}

type PlanRow = typeof plans.$inferSelect;
type TaskRow = typeof planTasks.$inferSelect;
type ProgressRow = typeof planTaskProgress.$inferSelect;

function progressView(p: ProgressRow) {
  return { unitCode: p.unitCode, status: p.status, completedOn: p.completedOn, note: p.note, evidence: p.evidence as DocumentReference[], updatedBy: p.updatedBy, updatedAt: p.updatedAt.toISOString() };
}

export function createPlansService(deps: { database: Database }) {
  const db = deps.database.db;

  async function unitCodesExisting(tx: Db, codes: string[]): Promise<Set<string>> {
    if (codes.length === 0) return new Set();
    return new Set((await tx.select({ code: orgUnits.code }).from(orgUnits).where(inArray(orgUnits.code, [...new Set(codes)]))).map((r) => r.code));
  }

  async function requirePlan(tx: Db, code: string): Promise<PlanRow> {
    const [plan] = await tx.select().from(plans).where(eq(plans.code, code)).limit(1);
    if (!plan) throw new NotFoundError('Plan', code);
    return plan;
  }

  async function view(tx: Db, plan: PlanRow, today: string, onlyUnit: string | null) {
    const tasks = await tx.select().from(planTasks).where(eq(planTasks.planId, plan.id)).orderBy(asc(planTasks.position));
    const progress = tasks.length ? await tx.select().from(planTaskProgress).where(inArray(planTaskProgress.taskId, tasks.map((t) => t.id))) : [];
    const byTask = new Map<string, ProgressRow[]>();
    for (const p of progress) byTask.set(p.taskId, [...(byTask.get(p.taskId) ?? []), p]);
    const visible = onlyUnit ? tasks.filter((t) => t.leadUnitCode === onlyUnit || (t.supportUnitCodes ?? []).includes(onlyUnit)) : tasks;
    return {
      code: plan.code,
      year: plan.year,
      title: plan.title,
      decision: plan.decisionNumber ? { number: plan.decisionNumber, date: plan.decisionDate } : null,
      createdAt: plan.createdAt.toISOString(),
      tasks: visible.map((t) => taskView(t, byTask.get(t.id) ?? [], today)),
    };
  }

  function taskView(t: TaskRow, progress: ProgressRow[], today: string) {
    const lead = progress.find((p) => p.unitCode === t.leadUnitCode);
    return {
      code: t.code,
      area: t.area,
      title: t.title,
      product: t.product,
      leadUnitCode: t.leadUnitCode,
      supportUnitCodes: t.supportUnitCodes ?? [],
      timeframe: t.timeframe,
      dueDates: t.dueDates ?? [],
      status: taskStatus({ dueDates: t.dueDates ?? [], status: lead?.status, completedOn: lead?.completedOn }, today),
      progress: progress.map(progressView),
    };
  }

  async function validateTasks(tx: Db, year: number, tasks: TaskInput[]): Promise<void> {
    const errors: FieldError[] = [];
    const existing = await unitCodesExisting(tx, tasks.flatMap((t) => [t.leadUnitCode, ...(t.supportUnitCodes ?? [])]));
    const codes = new Set<string>();
    tasks.forEach((t, i) => {
      if (codes.has(t.code)) errors.push({ field: `tasks[${i}].code`, code: 'duplicate', message: `task ${t.code} is listed twice` });
      codes.add(t.code);
      if (!existing.has(t.leadUnitCode)) errors.push({ field: `tasks[${i}].leadUnitCode`, code: 'unknown_unit', message: `task ${t.code}: no org unit ${t.leadUnitCode}` });
      (t.supportUnitCodes ?? []).forEach((u, j) => {
        if (!existing.has(u)) errors.push({ field: `tasks[${i}].supportUnitCodes[${j}]`, code: 'unknown_unit', message: `task ${t.code}: no org unit ${u}` });
      });
      t.dueDates.forEach((d, j) => {
        if (!d.startsWith(`${year}-`) && !d.startsWith(`${year + 1}-`) && !d.startsWith(`${year - 1}-`)) {
          errors.push({ field: `tasks[${i}].dueDates[${j}]`, code: 'out_of_range', message: `task ${t.code}: ${d} is not near the plan's year ${year}` });
        }
      });
    });
    if (errors.length) throw new ValidationError(errors, 'The plan has tasks that cannot be recorded.');
  }

  async function insert(ctx: Ctx, input: PlanInput) {
    return db.transaction(async (tx) => {
      await validateTasks(tx, input.year, input.tasks);
      const [clash] = await tx.select({ id: plans.id }).from(plans).where(eq(plans.code, input.code)).limit(1);
      if (clash) throw new ConflictError(`A plan with code ${input.code} exists already.`, { code: input.code });
      const [plan] = await tx
        .insert(plans)
        .values({ code: input.code, year: input.year, title: input.title, decisionNumber: input.decision?.number ?? null, decisionDate: input.decision?.date ?? null, createdBy: ctx.actor.username, createdAt: ctx.now })
        .returning();
      if (input.tasks.length) {
        await tx.insert(planTasks).values(
          input.tasks.map((t, i) => ({
            planId: plan!.id,
            code: t.code,
            position: i,
            area: t.area ?? null,
            title: t.title,
            product: t.product ?? null,
            leadUnitCode: t.leadUnitCode,
            supportUnitCodes: [...new Set(t.supportUnitCodes ?? [])],
            timeframe: t.timeframe ?? null,
            dueDates: [...new Set(t.dueDates)].sort(),
          })),
        );
      }
      await recordAudit(tx, ctx, { action: 'plan.created', entityType: 'plan', entityId: input.code, after: { year: input.year, title: input.title, tasks: input.tasks.length } });
      return view(tx, plan!, vnDate(ctx.now), null);
    });
  }

  return {
    async create(ctx: Ctx, input: PlanInput) {
      authorize(ctx.actor, 'plan.manage');
      return insert(ctx, input);
    },

    async list(ctx: Ctx, q: { year?: number | undefined }) {
      authorize(ctx.actor, 'plan.read');
      const rows = await db.select().from(plans).where(q.year ? eq(plans.year, q.year) : undefined).orderBy(asc(plans.year), asc(plans.code));
      const counts = rows.length ? await db.select({ planId: planTasks.planId }).from(planTasks).where(inArray(planTasks.planId, rows.map((r) => r.id))) : [];
      return rows.map((p) => ({
        code: p.code,
        year: p.year,
        title: p.title,
        decision: p.decisionNumber ? { number: p.decisionNumber, date: p.decisionDate } : null,
        taskCount: counts.filter((c) => c.planId === p.id).length,
      }));
    },

    async get(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'plan.read');
      const plan = await requirePlan(db, code);
      return view(db, plan, vnDate(ctx.now), scopeOf(ctx.actor, 'plan.read') === 'own_unit' ? ctx.actor.orgUnitCode : null);
    },

    /** The appendix as XLSX: a dry run reports what would be created (tasks, unmatched units, unread lines). */
    async importAppendix(ctx: Ctx, meta: { code: string; year: number; title: string; decision?: { number: string; date: string } | null | undefined }, file: Buffer, dryRun: boolean) {
      authorize(ctx.actor, 'plan.manage');
      const units = await db.select({ code: orgUnits.code, name: orgUnits.name }).from(orgUnits);
      const read: AppendixRead = await readAppendix(file, meta.year, units);
      const report = {
        dryRun,
        taskCount: read.tasks.length,
        tasks: read.tasks.map((t) => ({ row: t.row, code: t.code, area: t.area, title: t.title, leadUnitCode: t.leadUnitCode, leadUnitName: t.leadUnitName, supportUnitCodes: t.supportUnitCodes, timeframe: t.timeframe, dueDates: t.dueDates })),
        unmatchedUnits: read.unmatchedUnits,
        errors: read.errors,
        warnings: read.warnings,
      };
      if (dryRun) return { ...report, plan: null };
      if (read.errors.length) throw new ValidationError(read.errors.map((e) => ({ field: e.field, code: e.code, message: e.row ? `row ${e.row}: ${e.message}` : e.message })), 'The appendix has lines that cannot be imported; run a dry run for the full report.');
      const plan = await insert(ctx, {
        ...meta,
        tasks: read.tasks.map((t) => ({ code: t.code, area: t.area, title: t.title, product: t.product, leadUnitCode: t.leadUnitCode!, supportUnitCodes: t.supportUnitCodes, timeframe: t.timeframe, dueDates: t.dueDates })),
      });
      return { ...report, plan };
    },

    /** The lead unit reports the task; a supporting unit reports its own part. History is kept. */
    async putProgress(ctx: Ctx, planCode: string, taskCode: string, unitCode: string, input: ProgressInput) {
      authorize(ctx.actor, 'plan.report', { unitCode, entity: 'Task', id: `${planCode}/${taskCode}` });
      const errors: FieldError[] = [];
      if (input.status === 'done' && !input.completedOn) errors.push({ field: 'completedOn', code: 'required', message: 'a done task needs its completion date' });
      if (input.status !== 'done' && input.completedOn) errors.push({ field: 'completedOn', code: 'not_allowed', message: 'only a done task has a completion date' });
      if (input.completedOn && input.completedOn > vnDate(ctx.now)) errors.push({ field: 'completedOn', code: 'in_future', message: 'the completion date is after today' });
      if (errors.length) throw new ValidationError(errors);
      return db.transaction(async (tx) => {
        const plan = await requirePlan(tx, planCode);
        const [task] = await tx.select().from(planTasks).where(and(eq(planTasks.planId, plan.id), eq(planTasks.code, taskCode))).limit(1);
        if (!task) throw new NotFoundError('Task', `${planCode}/${taskCode}`);
        if (task.leadUnitCode !== unitCode && !(task.supportUnitCodes ?? []).includes(unitCode)) {
          throw new NotFoundError('Task', `${planCode}/${taskCode} for ${unitCode}`);
        }
        const values = {
          status: input.status,
          completedOn: input.completedOn ?? null,
          note: input.note ?? null,
          evidence: input.evidence ?? [],
          updatedBy: ctx.actor.username,
          updatedAt: ctx.now,
        };
        const [row] = await tx
          .insert(planTaskProgress)
          .values({ taskId: task.id, unitCode, ...values })
          .onConflictDoUpdate({ target: [planTaskProgress.taskId, planTaskProgress.unitCode], set: values })
          .returning();
        await tx.insert(planTaskProgressHistory).values({ taskId: task.id, unitCode, data: { ...values, updatedAt: ctx.now.toISOString() }, at: ctx.now, actorUsername: ctx.actor.username });
        await recordAudit(tx, ctx, { action: 'plan.task_progress', entityType: 'plan', entityId: planCode, after: { task: taskCode, unitCode, status: input.status, completedOn: input.completedOn ?? null } });
        const history = await tx
          .select()
          .from(planTaskProgressHistory)
          .where(and(eq(planTaskProgressHistory.taskId, task.id), eq(planTaskProgressHistory.unitCode, unitCode)))
          .orderBy(asc(planTaskProgressHistory.id));
        return {
          ...progressView(row!),
          taskCode,
          late: input.status === 'done' && !!input.completedOn && (task.dueDates ?? []).length > 0 && input.completedOn > (task.dueDates ?? [])[task.dueDates.length - 1]!,
          history: history.map((h) => ({ at: h.at.toISOString(), by: h.actorUsername, data: h.data as Record<string, unknown> })),
        };
      });
    },

    /** Tasks a unit leads or supports across the year's plans, with what it reported (the unit's own list). */
    async unitTasks(ctx: Ctx, unitCode: string, year: number) {
      authorize(ctx.actor, 'plan.read', { unitCode, entity: 'OrgUnit', id: unitCode });
      const filter = unitFilter(ctx.actor, 'plan.read');
      if (filter && filter !== unitCode) throw new NotFoundError('OrgUnit', unitCode);
      const today = vnDate(ctx.now);
      const yearPlans = await db.select().from(plans).where(eq(plans.year, year));
      const out = [];
      for (const p of yearPlans) out.push(...(await view(db, p, today, unitCode)).tasks.map((t) => ({ planCode: p.code, ...t })));
      return out.sort((a, b) => (a.dueDates.at(-1) ?? '9999').localeCompare(b.dueDates.at(-1) ?? '9999'));
    },
  };
}

export type PlansService = ReturnType<typeof createPlansService>;
