import { and, eq, inArray } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { assessmentItems, assessments, deadlineExtensions, orgUnits, roundAppraisers, roundGroups, rounds, users } from '../../db/schema.js';
import { authorize } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { ConflictError, NotFoundError, PhaseConflictError, ValidationError, type FieldError } from '../../lib/errors.js';
import { leavesOf } from '../frameworks/frameworks.document.js';
import { isActiveOn } from '../org-units/org-units.repo.js';
import { nextPhase, phaseIndex, scheduleProblems, scheduledPhases, vietnamDay, type Phase, type ScheduledPhase } from './lifecycle.js';
import { loadFramework, roundsRepo, type RoundGroupRow, type RoundRow } from './rounds.repo.js';

export interface RoundInput {
  year: number;
  name: string;
  groups: { code: string; name: string; frameworkCode: string; unitCodes: string[] }[];
  schedule: Partial<Record<ScheduledPhase, string>>;
}

/** Hooks other capabilities add to the lifecycle (e.g. appraisal completeness before council review). */
export type TransitionGuard = (tx: Db, round: RoundRow, to: Phase) => Promise<void>;

export function presentRound(r: RoundRow, groups: RoundGroupRow[]) {
  return {
    id: r.id,
    year: r.year,
    name: r.name,
    phase: r.phase,
    schedule: r.schedule,
    groups: groups.map((g) => ({ code: g.code, name: g.name, frameworkCode: g.frameworkCode, unitCodes: g.unitCodes })),
    phaseChangedAt: r.phaseChangedAt ? r.phaseChangedAt.toISOString() : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
export type RoundView = ReturnType<typeof presentRound>;

export function createRoundsService(deps: { database: Database; guards?: TransitionGuard[] }) {
  const db = deps.database.db;
  const guards = deps.guards ?? [];

  async function validate(tx: Db, input: RoundInput, today: string) {
    const errors: FieldError[] = [];
    const seenGroups = new Set<string>();
    const seenUnits = new Map<string, string>();
    const allUnitCodes = [...new Set(input.groups.flatMap((g) => g.unitCodes))];
    const units = allUnitCodes.length ? await tx.select().from(orgUnits).where(inArray(orgUnits.code, allUnitCodes)) : [];
    const unitByCode = new Map(units.map((u) => [u.code, u]));
    for (const [gi, g] of input.groups.entries()) {
      if (seenGroups.has(g.code)) errors.push({ field: `body.groups.${gi}.code`, message: `group code '${g.code}' is used twice`, code: 'duplicate' });
      seenGroups.add(g.code);
      const fw = await loadFramework(tx, g.frameworkCode);
      if (!fw) errors.push({ field: `body.groups.${gi}.frameworkCode`, message: `framework '${g.frameworkCode}' does not exist`, code: 'unknown_framework' });
      else if (fw.status !== 'published') {
        errors.push({ field: `body.groups.${gi}.frameworkCode`, message: `framework '${g.frameworkCode}' is a draft; publish it first`, code: 'framework_not_published' });
      }
      for (const [ui, code] of g.unitCodes.entries()) {
        const field = `body.groups.${gi}.unitCodes.${ui}`;
        const unit = unitByCode.get(code);
        if (!unit) errors.push({ field, message: `unit '${code}' does not exist`, code: 'unknown_unit' });
        else if (!isActiveOn(unit, today)) errors.push({ field, message: `unit '${code}' is not active`, code: 'inactive_unit' });
        const other = seenUnits.get(code);
        if (other !== undefined) errors.push({ field, message: `unit '${code}' is already in group '${other}'`, code: 'duplicate' });
        seenUnits.set(code, g.code);
      }
    }
    for (const p of scheduleProblems(input.schedule)) errors.push({ field: `body.schedule.${p.phase}`, message: p.message, code: 'order' });
    if (errors.length) throw new ValidationError(errors);
  }

  /** Opening a round creates one assessment per member unit and one item per leaf criterion. */
  async function openAssessments(tx: Db, round: RoundRow, now: Date) {
    const groups = await roundsRepo.groups(tx, round.id);
    let position = 0;
    for (const g of groups) {
      const fw = await loadFramework(tx, g.frameworkCode);
      if (!fw) throw new ConflictError(`Framework '${g.frameworkCode}' no longer exists.`);
      const leaves = leavesOf(fw.doc);
      for (const unitCode of g.unitCodes) {
        const [a] = await tx
          .insert(assessments)
          .values({ roundId: round.id, groupCode: g.code, unitCode, frameworkCode: g.frameworkCode, position: position++, createdAt: now, updatedAt: now })
          .returning();
        await tx.insert(assessmentItems).values(
          leaves.map((l, i) => ({ assessmentId: a!.id, criterionCode: l.node.code, areaCode: l.area.code, position: i, updatedAt: now })),
        );
      }
    }
  }

  async function requireRound(tx: Db, id: string, lock = false) {
    const round = lock ? await roundsRepo.lockForUpdate(tx, id) : await roundsRepo.find(tx, id);
    if (!round) throw new NotFoundError('Round', id);
    return round;
  }

  return {
    async create(ctx: Ctx, input: RoundInput) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        await validate(tx, input, vietnamDay(ctx.now));
        const [round] = await tx
          .insert(rounds)
          .values({ year: input.year, name: input.name, schedule: input.schedule, createdBy: ctx.actor.username, createdAt: ctx.now, updatedAt: ctx.now })
          .returning();
        const groups = await tx
          .insert(roundGroups)
          .values(input.groups.map((g, i) => ({ roundId: round!.id, code: g.code, name: g.name, frameworkCode: g.frameworkCode, unitCodes: g.unitCodes, position: i })))
          .returning();
        const view = presentRound(round!, groups);
        await recordAudit(tx, ctx, { action: 'round.created', entityType: 'round', entityId: round!.id, after: view });
        return view;
      });
    },

    async list(ctx: Ctx, f: { year?: number | undefined; phase?: Phase | undefined }) {
      authorize(ctx.actor, 'round.read');
      const rows = await roundsRepo.list(db, f);
      const groups = await roundsRepo.groupsOf(db, rows.map((r) => r.id));
      return rows.map((r) => presentRound(r, groups.filter((g) => g.roundId === r.id)));
    },

    async get(ctx: Ctx, id: string) {
      authorize(ctx.actor, 'round.read');
      const round = await requireRound(db, id);
      return presentRound(round, await roundsRepo.groups(db, id));
    },

    async transition(ctx: Ctx, id: string, to: Phase) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        const expected = nextPhase(round.phase);
        if (to !== expected) {
          throw new PhaseConflictError(
            round.phase,
            expected
              ? `The round is in '${round.phase}'; it can only move to '${expected}', not '${to}'.`
              : `The round is '${round.phase}'; it cannot move any further.`,
          );
        }
        if (to === 'published') {
          throw new PhaseConflictError(round.phase, 'A round is published by creating a publication (POST /api/v1/rounds/{id}/publications).');
        }
        for (const guard of guards) await guard(tx, round, to);
        if (to === 'self_assessment') await openAssessments(tx, round, ctx.now);
        const [updated] = await tx.update(rounds).set({ phase: to, phaseChangedAt: ctx.now, updatedAt: ctx.now }).where(eq(rounds.id, id)).returning();
        await recordAudit(tx, ctx, { action: 'round.transition', entityType: 'round', entityId: id, before: { phase: round.phase }, after: { phase: to } });
        return presentRound(updated!, await roundsRepo.groups(tx, id));
      });
    },

    async updateSchedule(ctx: Ctx, id: string, schedule: Partial<Record<ScheduledPhase, string>>) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        if (round.phase === 'published') throw new PhaseConflictError(round.phase, 'A published round cannot change.');
        const problems = scheduleProblems(schedule);
        if (problems.length) throw new ValidationError(problems.map((p) => ({ field: `body.${p.phase}`, message: p.message, code: 'order' })));
        const [updated] = await tx.update(rounds).set({ schedule, updatedAt: ctx.now }).where(eq(rounds.id, id)).returning();
        await recordAudit(tx, ctx, { action: 'round.schedule_changed', entityType: 'round', entityId: id, before: round.schedule, after: schedule });
        return presentRound(updated!, await roundsRepo.groups(tx, id));
      });
    },

    /** Gia hạn: a later deadline for one unit in one phase, with the reason. */
    async extendDeadline(ctx: Ctx, id: string, unitCode: string, input: { phase: ScheduledPhase; until: string; reason: string }) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        if (phaseIndex(round.phase) > phaseIndex(input.phase)) {
          throw new PhaseConflictError(round.phase, `The '${input.phase}' phase is over; its deadline can no longer be extended.`);
        }
        const [a] = await tx.select().from(assessments).where(and(eq(assessments.roundId, id), eq(assessments.unitCode, unitCode))).limit(1);
        if (!a) throw new NotFoundError('Assessment', `${id}/${unitCode}`);
        const roundDeadline = round.schedule[input.phase];
        if (roundDeadline && input.until <= roundDeadline) {
          throw new ValidationError([{ field: 'body.until', message: `must be after the round's deadline for ${input.phase} (${roundDeadline})`, code: 'not_later' }]);
        }
        const [before] = await tx.select().from(deadlineExtensions).where(and(eq(deadlineExtensions.assessmentId, a.id), eq(deadlineExtensions.phase, input.phase)));
        const values = { assessmentId: a.id, phase: input.phase, until: input.until, reason: input.reason, createdBy: ctx.actor.username, createdAt: ctx.now };
        await tx.insert(deadlineExtensions).values(values).onConflictDoUpdate({ target: [deadlineExtensions.assessmentId, deadlineExtensions.phase], set: values });
        const after = { unitCode, phase: input.phase, until: input.until, reason: input.reason };
        await recordAudit(tx, ctx, { action: 'assessment.deadline_extended', entityType: 'assessment', entityId: `${id}/${unitCode}`, before: before ?? null, after });
        return after;
      });
    },

    /**
     * Replaces the appraiser assignments. Each area code applies to every group whose framework has that area
     * (or only to `groupCodes`). An appraiser never appraises their own unit: their unit is skipped within the
     * assignment, and an assignment whose groups hold nothing but their own unit is refused.
     */
    async setAppraisers(ctx: Ctx, id: string, input: { username: string; areaCodes: string[]; groupCodes?: string[] | undefined }[]) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        if (phaseIndex(round.phase) >= phaseIndex('council_review')) {
          throw new PhaseConflictError(round.phase, 'Appraiser assignments are closed once the round reaches council review.');
        }
        const groups = await roundsRepo.groups(tx, id);
        const areasOf = new Map<string, Set<string>>();
        for (const g of groups) {
          const fw = await loadFramework(tx, g.frameworkCode);
          areasOf.set(g.code, new Set((fw?.doc.criteria ?? []).map((c) => c.code)));
        }
        const errors: FieldError[] = [];
        const rows: { roundId: string; userId: string; groupCode: string; areaCode: string }[] = [];
        const seen = new Set<string>();
        for (const [i, a] of input.entries()) {
          if (seen.has(a.username)) errors.push({ field: `body.${i}.username`, message: `'${a.username}' is listed twice`, code: 'duplicate' });
          seen.add(a.username);
          const [user] = await tx.select().from(users).where(eq(users.username, a.username.toLowerCase())).limit(1);
          if (!user || !user.active) {
            errors.push({ field: `body.${i}.username`, message: `no active user '${a.username}'`, code: 'unknown_user' });
            continue;
          }
          if (user.role !== 'appraiser') {
            errors.push({ field: `body.${i}.username`, message: `'${a.username}' has role '${user.role}', not appraiser`, code: 'not_appraiser' });
            continue;
          }
          const targetGroups = a.groupCodes ?? groups.map((g) => g.code);
          for (const [gi, gc] of (a.groupCodes ?? []).entries()) {
            if (!areasOf.has(gc)) errors.push({ field: `body.${i}.groupCodes.${gi}`, message: `the round has no group '${gc}'`, code: 'unknown_group' });
          }
          for (const [ai, area] of a.areaCodes.entries()) {
            const inGroups = targetGroups.filter((gc) => areasOf.get(gc)?.has(area));
            if (inGroups.length === 0) {
              errors.push({ field: `body.${i}.areaCodes.${ai}`, message: `no group's framework has an area '${area}'`, code: 'unknown_area' });
              continue;
            }
            const others = inGroups.filter((gc) => groups.find((g) => g.code === gc)!.unitCodes.some((u) => u !== user.orgUnitCode));
            if (others.length === 0) {
              errors.push({ field: `body.${i}.areaCodes.${ai}`, message: `'${a.username}' would only appraise their own unit '${user.orgUnitCode}'`, code: 'own_unit' });
              continue;
            }
            for (const gc of others) rows.push({ roundId: id, userId: user.id, groupCode: gc, areaCode: area });
          }
        }
        if (errors.length) throw new ValidationError(errors);
        const before = await this.listAppraisersIn(tx, id);
        await tx.delete(roundAppraisers).where(eq(roundAppraisers.roundId, id));
        if (rows.length) await tx.insert(roundAppraisers).values(rows);
        const after = await this.listAppraisersIn(tx, id);
        await recordAudit(tx, ctx, { action: 'round.appraisers_set', entityType: 'round', entityId: id, before, after });
        return after;
      });
    },

    async listAppraisers(ctx: Ctx, id: string) {
      authorize(ctx.actor, 'round.read');
      await requireRound(db, id);
      return this.listAppraisersIn(db, id);
    },

    /** Assignments grouped per appraiser, with the units each one appraises (never their own). */
    async listAppraisersIn(tx: Db, id: string) {
      const rows = await tx
        .select({ username: users.username, displayName: users.displayName, orgUnitCode: users.orgUnitCode, groupCode: roundAppraisers.groupCode, areaCode: roundAppraisers.areaCode })
        .from(roundAppraisers)
        .innerJoin(users, eq(users.id, roundAppraisers.userId))
        .where(eq(roundAppraisers.roundId, id))
        .orderBy(users.username, roundAppraisers.groupCode, roundAppraisers.areaCode);
      const groups = await roundsRepo.groups(tx, id);
      const out = new Map<string, { username: string; displayName: string; orgUnitCode: string | null; assignments: { groupCode: string; areaCode: string; unitCodes: string[] }[] }>();
      for (const r of rows) {
        const entry = out.get(r.username) ?? { username: r.username, displayName: r.displayName, orgUnitCode: r.orgUnitCode, assignments: [] };
        const unitCodes = (groups.find((g) => g.code === r.groupCode)?.unitCodes ?? []).filter((u) => u !== r.orgUnitCode);
        entry.assignments.push({ groupCode: r.groupCode, areaCode: r.areaCode, unitCodes });
        out.set(r.username, entry);
      }
      return [...out.values()];
    },

    /** Trả lại: reopen a submitted self-assessment before appraisal starts, with the reason. */
    async sendBack(ctx: Ctx, id: string, unitCode: string, input: { reason: string }) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        if (round.phase !== 'self_assessment') {
          throw new PhaseConflictError(round.phase, 'A self-assessment can only be sent back before appraisal starts.');
        }
        const [a] = await tx.select().from(assessments).where(and(eq(assessments.roundId, id), eq(assessments.unitCode, unitCode))).for('update').limit(1);
        if (!a) throw new NotFoundError('Assessment', `${id}/${unitCode}`);
        if (a.status !== 'submitted') throw new ConflictError(`The self-assessment of '${unitCode}' has not been submitted; there is nothing to send back.`);
        await tx
          .update(assessments)
          .set({ status: 'open', sentBackAt: ctx.now, sentBackReason: input.reason, updatedAt: ctx.now })
          .where(eq(assessments.id, a.id));
        await recordAudit(tx, ctx, {
          action: 'assessment.sent_back',
          entityType: 'assessment',
          entityId: `${id}/${unitCode}`,
          before: { status: a.status, submittedAt: a.submittedAt },
          after: { status: 'open', reason: input.reason },
        });
        return { unitCode, status: 'open' as const, sentBackAt: ctx.now.toISOString(), reason: input.reason };
      });
    },
  };
}

export type RoundsService = ReturnType<typeof createRoundsService>;
export { scheduledPhases };
