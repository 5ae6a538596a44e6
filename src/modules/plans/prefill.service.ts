// Criteria fed by the year (issue 17): when a round's self-assessment opens, and on demand, each fed item's self
// input is pre-filled from the tracked data of the round's year (plan tasks, reports, findings), with the trace
// of what was counted. The tracked numbers are kept beside the item, so when the unit enters other numbers (with
// a note) appraisers see both and that they differ.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import {
  assessmentItems,
  inspectionFindings,
  inspections,
  itemHistory,
  periodReports,
  planTaskProgress,
  planTasks,
  plans,
  reportExtensions,
  reportPeriods,
  trackedInputs,
  type FeedSource,
} from '../../db/schema.js';
import { authorize, scopeOf } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { AnyCtx, Ctx } from '../../lib/context.js';
import { NotFoundError, PhaseConflictError } from '../../lib/errors.js';
import { evaluateLeaf, ScoringInputError } from '../../scoring/index.js';
import { leavesOf, type Criterion } from '../frameworks/frameworks.document.js';
import { loadFramework, roundsRepo } from '../rounds/rounds.repo.js';
import { countFindings, countPlanTasks, countReports, type FeedCount, type FindingFact, type ReportFact, type TaskFact } from './feeds.js';

/** Everything tracked in one year, read once for all units of a round. */
interface YearFacts {
  tasks: TaskFact[];
  reports: ReportFact[];
  findings: FindingFact[];
}

async function readYear(db: Db, year: number): Promise<YearFacts> {
  const taskRows = await db
    .select({ planCode: plans.code, code: planTasks.code, title: planTasks.title, leadUnitCode: planTasks.leadUnitCode, dueDates: planTasks.dueDates, id: planTasks.id })
    .from(planTasks)
    .innerJoin(plans, eq(plans.id, planTasks.planId))
    .where(eq(plans.year, year))
    .orderBy(asc(plans.code), asc(planTasks.position));
  const progress = taskRows.length ? await db.select().from(planTaskProgress).where(inArray(planTaskProgress.taskId, taskRows.map((t) => t.id))) : [];
  const tasks = taskRows.map((t): TaskFact => {
    const p = progress.find((x) => x.taskId === t.id && x.unitCode === t.leadUnitCode);
    return { planCode: t.planCode, code: t.code, title: t.title, leadUnitCode: t.leadUnitCode, dueDates: t.dueDates ?? [], status: p?.status, completedOn: p?.completedOn ?? null };
  });
  const periods = await db.select().from(reportPeriods).where(eq(reportPeriods.year, year)).orderBy(asc(reportPeriods.dueDate));
  const ids = periods.map((p) => p.id);
  const sent = ids.length ? await db.select().from(periodReports).where(inArray(periodReports.periodId, ids)) : [];
  const exts = ids.length ? await db.select().from(reportExtensions).where(inArray(reportExtensions.periodId, ids)) : [];
  const reports = periods.map(
    (p): ReportFact => ({
      label: p.label,
      year: p.year,
      unitCodes: p.unitCodes ?? [],
      dueDate: p.dueDate,
      extensions: new Map(exts.filter((e) => e.periodId === p.id).map((e) => [e.unitCode, e.dueDate])),
      submittedOn: new Map(sent.filter((r) => r.periodId === p.id).map((r) => [r.unitCode, r.submittedOn])),
    }),
  );
  const insp = await db.select().from(inspections).where(eq(inspections.year, year)).orderBy(asc(inspections.date));
  const fs = insp.length ? await db.select().from(inspectionFindings).where(inArray(inspectionFindings.inspectionId, insp.map((i) => i.id))) : [];
  const findings = fs
    .sort((a, b) => a.position - b.position)
    .map((f): FindingFact => {
      const i = insp.find((x) => x.id === f.inspectionId)!;
      return { inspectionDate: i.date, year: i.year, unitCode: i.unitCode, code: f.code, dueDate: f.dueDate, remediedOn: f.remediedOn };
    });
  return { tasks, reports, findings };
}

export function countFeed(source: FeedSource, unitCode: string, year: number, facts: YearFacts): FeedCount {
  switch (source) {
    case 'plan_tasks_on_time':
      return countPlanTasks(unitCode, year, facts.tasks);
    case 'reports_on_time':
      return countReports(unitCode, year, facts.reports);
    case 'findings_remedied':
      return countFindings(unitCode, year, facts.findings);
  }
}

const sameInput = (a: unknown, n: number, d: number) => {
  const x = a as { numerator?: unknown; denominator?: unknown } | null;
  return !!x && x.numerator === n && x.denominator === d;
};

export function createPrefillService(deps: { database: Database }) {
  const db = deps.database.db;

  /**
   * Pre-fills the fed items of a round (all units, or one). An item the unit has not touched, or still holding the
   * previous tracked numbers, takes the new ones; an item the unit changed keeps its own numbers. Idempotent.
   */
  async function prefillIn(tx: Db, ctx: AnyCtx, roundId: string, onlyUnit: string | null) {
    const round = await roundsRepo.find(tx, roundId);
    if (!round) throw new NotFoundError('Round', roundId);
    const groups = await roundsRepo.groups(tx, roundId);
    const fedByGroup = new Map<string, Criterion[]>();
    for (const g of groups) {
      const fw = await loadFramework(tx, g.frameworkCode);
      const fed = (fw ? leavesOf(fw.doc) : []).map((v) => v.node).filter((n) => n.feed);
      if (fed.length) fedByGroup.set(g.code, fed);
    }
    const out: { unitCode: string; criterionCode: string; source: FeedSource; numerator: number; denominator: number; applied: boolean; trace: string[] }[] = [];
    if (fedByGroup.size === 0) return out;
    const facts = await readYear(tx, round.year);
    const assessments = (await roundsRepo.assessments(tx, roundId)).filter((a) => fedByGroup.has(a.groupCode) && (!onlyUnit || a.unitCode === onlyUnit));
    if (onlyUnit && assessments.length === 0) throw new NotFoundError('Assessment', `${roundId}/${onlyUnit}`);
    for (const a of assessments) {
      const leaves = fedByGroup.get(a.groupCode)!;
      const items = await tx
        .select()
        .from(assessmentItems)
        .where(and(eq(assessmentItems.assessmentId, a.id), inArray(assessmentItems.criterionCode, leaves.map((l) => l.code))))
        .for('update');
      const previous = items.length ? await tx.select().from(trackedInputs).where(inArray(trackedInputs.itemId, items.map((i) => i.id))) : [];
      for (const leaf of leaves) {
        const item = items.find((i) => i.criterionCode === leaf.code);
        if (!item) continue;
        const c = countFeed(leaf.feed!.source, a.unitCode, round.year, facts);
        const before = previous.find((p) => p.itemId === item.id);
        const values = { source: c.source, numerator: c.numerator, denominator: c.denominator, trace: c.trace, computedAt: ctx.now };
        await tx.insert(trackedInputs).values({ itemId: item.id, ...values }).onConflictDoUpdate({ target: trackedInputs.itemId, set: values });
        // The unit's own numbers win once it has changed them; untouched or still-tracked inputs follow the data.
        const untouched = item.selfInput === null && !item.notApplicable;
        const stillTracked = before !== undefined && sameInput(item.selfInput, before.numerator, before.denominator);
        const applied = (untouched || stillTracked) && !sameInput(item.selfInput, c.numerator, c.denominator) && a.status !== 'submitted';
        if (applied) {
          const input = { numerator: c.numerator, denominator: c.denominator };
          let r: ReturnType<typeof evaluateLeaf>;
          try {
            r = evaluateLeaf({ code: leaf.code, maxPoints: leaf.maxPoints, rule: leaf.rule!, naAllowed: leaf.naAllowed ?? false }, input);
          } catch (err) {
            // E.g. 0 of 0 on a criterion that may not be N/A: the unit enters it by hand; the trace says why.
            if (!(err instanceof ScoringInputError)) throw err;
            out.push({ unitCode: a.unitCode, criterionCode: leaf.code, source: c.source, numerator: c.numerator, denominator: c.denominator, applied: false, trace: [...c.trace, `not pre-filled: ${err.message}`] });
            continue;
          }
          const points = r.status === 'scored' ? r.points : null;
          await tx
            .update(assessmentItems)
            .set({ selfInput: input, selfPoints: points === null ? null : points.toFixed(2), notApplicable: r.status !== 'scored', selfUpdatedAt: ctx.now, selfUpdatedBy: 'tracked-data', version: item.version + 1, updatedAt: ctx.now })
            .where(eq(assessmentItems.id, item.id));
          await tx.insert(itemHistory).values({ itemId: item.id, at: ctx.now, kind: 'prefilled', actorUsername: ctx.actor?.username ?? null, actorRole: ctx.actor?.role ?? null, actorUnitCode: ctx.actor?.orgUnitCode ?? null, data: { input, points, source: c.source, trace: c.trace } });
        }
        out.push({ unitCode: a.unitCode, criterionCode: leaf.code, source: c.source, numerator: c.numerator, denominator: c.denominator, applied, trace: c.trace });
      }
    }
    return out;
  }

  return {
    prefillIn,

    /** POST …/assessments/{unitCode}/prefill: the coordinator (or the unit itself) refreshes from tracked data. */
    async prefill(ctx: Ctx, roundId: string, unitCode: string) {
      authorize(ctx.actor, 'assessment.edit_self', { unitCode, entity: 'Assessment', id: `${roundId}/${unitCode}` });
      return db.transaction(async (tx) => {
        const round = await roundsRepo.find(tx, roundId);
        if (!round) throw new NotFoundError('Round', roundId);
        if (round.phase !== 'self_assessment') throw new PhaseConflictError(round.phase, 'Tracked data pre-fills self-assessment only while it is open.');
        const items = await prefillIn(tx, ctx, roundId, unitCode);
        await recordAudit(tx, ctx, { action: 'assessment.prefilled', entityType: 'assessment', entityId: `${roundId}/${unitCode}`, after: { items: items.map((i) => ({ criterionCode: i.criterionCode, numerator: i.numerator, denominator: i.denominator, applied: i.applied })) } });
        return { roundId, unitCode, items };
      });
    },

    /** What the tracked data says for a unit's fed items, beside the unit's own input: for appraisers. */
    async tracked(ctx: Ctx, roundId: string, unitCode: string) {
      authorize(ctx.actor, 'assessment.read');
      const assessment = (await roundsRepo.assessments(db, roundId)).find((a) => a.unitCode === unitCode);
      if (!assessment) throw new NotFoundError('Assessment', `${roundId}/${unitCode}`);
      if (scopeOf(ctx.actor, 'assessment.read') === 'assigned_areas') {
        // An appraiser sees the units assigned to them (all units of the group, or the listed ones), never their own.
        const mine = await roundsRepo.appraiserAssignments(db, roundId, ctx.actor.userId);
        const assigned = mine.some((m) => m.groupCode === assessment.groupCode && (!m.unitCodes || m.unitCodes.length === 0 || m.unitCodes.includes(unitCode)));
        if (!assigned || ctx.actor.orgUnitCode === unitCode) throw new NotFoundError('Assessment', `${roundId}/${unitCode}`);
      } else authorize(ctx.actor, 'assessment.read', { unitCode, entity: 'Assessment', id: `${roundId}/${unitCode}` });
      const rows = await db
        .select({ code: assessmentItems.criterionCode, selfInput: assessmentItems.selfInput, tracked: trackedInputs })
        .from(trackedInputs)
        .innerJoin(assessmentItems, eq(assessmentItems.id, trackedInputs.itemId))
        .where(eq(assessmentItems.assessmentId, assessment.id))
        .orderBy(asc(assessmentItems.position));
      return rows.map((r) => ({
        criterionCode: r.code,
        source: r.tracked.source,
        tracked: { numerator: r.tracked.numerator, denominator: r.tracked.denominator },
        unitInput: r.selfInput as { numerator?: number; denominator?: number } | null,
        differs: !sameInput(r.selfInput, r.tracked.numerator, r.tracked.denominator),
        trace: r.tracked.trace,
        computedAt: r.tracked.computedAt.toISOString(),
      }));
    },
  };
}

export type PrefillService = ReturnType<typeof createPrefillService>;
