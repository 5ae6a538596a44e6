import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { assessments, deadlineExtensions, orgUnits, roundAppraisers, roundGroups, rounds, users } from '../../db/schema.js';
import { authorize } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { ConflictError, NotFoundError, PhaseConflictError, ValidationError, type FieldError } from '../../lib/errors.js';
import { leavesOf } from '../frameworks/frameworks.document.js';
import { isActiveOn } from '../org-units/org-units.repo.js';
import { nextPhase, phaseIndex, scheduleProblems, scheduledPhases, vietnamDay, type Phase, type ScheduledPhase } from './lifecycle.js';
import { loadFramework, roundsRepo, type RoundGroupRow, type RoundRow } from './rounds.repo.js';
import { insertGroupAssessments } from './open-round.js';

export interface RoundInput {
  year: number;
  name: string;
  groups: { code: string; name: string; frameworkCode: string; unitCodes: string[] }[];
  schedule: Partial<Record<ScheduledPhase, string>>;
  /** Accept frameworks whose year differs from the round's (e.g. last year's set reused), with the reason. */
  allowFrameworkYear?: { reason: string } | undefined;
}

/** Hooks other capabilities add to the lifecycle (e.g. appraisal completeness before council review). */
export type TransitionGuard = (tx: Db, round: RoundRow, to: Phase, opts?: { force: boolean; ctx?: Ctx }) => Promise<void>;

export function presentRound(r: RoundRow, groups: RoundGroupRow[]) {
  return {
    id: r.id,
    year: r.year,
    name: r.name,
    phase: r.phase,
    schedule: r.schedule,
    groups: groups.map((g) => ({ code: g.code, name: g.name, frameworkCode: g.frameworkCode, unitCodes: g.unitCodes })),
    phaseChangedAt: r.phaseChangedAt ? r.phaseChangedAt.toISOString() : null,
    cancelled: r.cancelledAt !== null,
    cancelledAt: r.cancelledAt ? r.cancelledAt.toISOString() : null,
    cancelledBy: r.cancelledBy,
    cancelReason: r.cancelReason,
    frameworkYearReason: r.frameworkYearReason,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
export type RoundView = ReturnType<typeof presentRound>;

/** Work that follows a phase change in the same transaction (e.g. pre-filling fed items when self-assessment opens). */
export type TransitionEffect = (tx: Db, round: RoundRow, to: Phase, ctx: Ctx) => Promise<void>;

export function createRoundsService(deps: { database: Database; guards?: TransitionGuard[]; effects?: TransitionEffect[] }) {
  const db = deps.database.db;
  const guards = deps.guards ?? [];

  async function validate(tx: Db, input: RoundInput, today: string) {
    const errors: FieldError[] = [];
    const otherYear: { groupCode: string; frameworkCode: string; frameworkYear: number }[] = [];
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
      } else if (fw.doc.year !== input.year) otherYear.push({ groupCode: g.code, frameworkCode: g.frameworkCode, frameworkYear: fw.doc.year });
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
    if (otherYear.length && !input.allowFrameworkYear) {
      const list = otherYear.map((o) => `${o.frameworkCode} (${o.frameworkYear})`).join(', ');
      throw new ConflictError(
        `The round is for ${input.year} but uses framework(s) of another year: ${list}. Use that year's framework, or give allowFrameworkYear with the reason.`,
        { field: 'body.groups', frameworkYearMismatch: otherYear },
      );
    }
    await refuseUnitsInOtherRounds(tx, input.year, allUnitCodes);
    return { otherYear };
  }

  /**
   * A unit is assessed once per year: any unit already in a non-cancelled round of the same year is a 409 naming
   * the units and those rounds. Callers hold the year's advisory lock, so two creations cannot both pass.
   */
  async function refuseUnitsInOtherRounds(tx: Db, year: number, unitCodes: string[], exceptRoundId?: string) {
    if (unitCodes.length === 0) return;
    const others = await tx.select().from(rounds).where(and(eq(rounds.year, year), sql`${rounds.cancelledAt} is null`));
    const candidates = others.filter((r) => r.id !== exceptRoundId);
    if (candidates.length === 0) return;
    const groups = await roundsRepo.groupsOf(tx, candidates.map((r) => r.id));
    const wanted = new Set(unitCodes);
    const clashes: { unitCode: string; roundId: string; roundName: string }[] = [];
    for (const g of groups) {
      const r = candidates.find((c) => c.id === g.roundId)!;
      for (const u of g.unitCodes) if (wanted.has(u)) clashes.push({ unitCode: u, roundId: r.id, roundName: r.name });
    }
    if (clashes.length === 0) return;
    const unitCodesInOther = [...new Set(clashes.map((c) => c.unitCode))].sort();
    const otherRounds = [...new Map(clashes.map((c) => [c.roundId, { id: c.roundId, name: c.roundName }])).values()];
    throw new ConflictError(
      `${unitCodesInOther.length} unit(s) are already in another round of ${year} (${otherRounds.map((r) => `'${r.name}'`).join(', ')}): ${unitCodesInOther.join(', ')}. Cancel that round or leave the units out.`,
      { unitCodes: unitCodesInOther, otherRounds, clashes },
    );
  }

  /** Serialises round creation per year (transaction-scoped advisory lock). */
  const lockYear = (tx: Db, year: number) => tx.execute(sql`select pg_advisory_xact_lock(727005, ${year})`);

  /** A cancelled round is closed: nothing moves it on or changes it any more. */
  function refuseCancelled(round: RoundRow) {
    if (round.cancelledAt) throw new ConflictError(`The round was cancelled (${round.cancelReason ?? ''}); it can no longer change.`, { phase: round.phase, cancelled: true });
  }

  /** Opening a round creates one assessment per member unit and one item per leaf criterion. */
  async function openAssessments(tx: Db, round: RoundRow, now: Date) {
    const groups = await roundsRepo.groups(tx, round.id);
    let position = 0;
    for (const g of groups) {
      const fw = await loadFramework(tx, g.frameworkCode);
      if (!fw) throw new ConflictError(`Framework '${g.frameworkCode}' no longer exists.`);
      const leaves = leavesOf(fw.doc).map((l) => ({ code: l.node.code, areaCode: l.area.code }));
      // Set-based: two statements per group whatever the number of units (issue 14).
      await insertGroupAssessments(tx, round, g, leaves, position, now);
      position += g.unitCodes.length;
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
        await lockYear(tx, input.year);
        const { otherYear } = await validate(tx, input, vietnamDay(ctx.now));
        const frameworkYearReason = otherYear.length && input.allowFrameworkYear ? input.allowFrameworkYear.reason : null;
        const [round] = await tx
          .insert(rounds)
          .values({ year: input.year, name: input.name, schedule: input.schedule, frameworkYearReason, createdBy: ctx.actor.username, createdAt: ctx.now, updatedAt: ctx.now })
          .returning();
        const groups = await tx
          .insert(roundGroups)
          .values(input.groups.map((g, i) => ({ roundId: round!.id, code: g.code, name: g.name, frameworkCode: g.frameworkCode, unitCodes: g.unitCodes, position: i })))
          .returning();
        const view = presentRound(round!, groups);
        await recordAudit(tx, ctx, { action: 'round.created', entityType: 'round', entityId: round!.id, after: view });
        if (frameworkYearReason !== null) {
          await recordAudit(tx, ctx, { action: 'round.framework_year_allowed', entityType: 'round', entityId: round!.id, after: { year: input.year, frameworks: otherYear, reason: frameworkYearReason } });
        }
        return view;
      });
    },

    /** Hủy đợt đánh giá: the coordinator cancels a round that was not published, with the reason (audited). */
    async cancel(ctx: Ctx, id: string, input: { reason: string }) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        if (round.phase === 'published') throw new PhaseConflictError(round.phase, 'A published round cannot be cancelled; issue a correction instead.');
        if (round.cancelledAt) throw new ConflictError(`The round was already cancelled on ${round.cancelledAt.toISOString()}.`, { phase: round.phase, cancelled: true });
        const [updated] = await tx
          .update(rounds)
          .set({ cancelledAt: ctx.now, cancelledBy: ctx.actor.username, cancelReason: input.reason, updatedAt: ctx.now })
          .where(eq(rounds.id, id))
          .returning();
        await recordAudit(tx, ctx, { action: 'round.cancelled', entityType: 'round', entityId: id, before: { phase: round.phase, cancelled: false }, after: { phase: round.phase, cancelled: true, reason: input.reason } });
        return presentRound(updated!, await roundsRepo.groups(tx, id));
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

    /** `force` moves on past the settlement checks (units that never submitted, unit/area pairs nobody appraises). */
    async transition(ctx: Ctx, id: string, to: Phase, opts: { force?: boolean | undefined } = {}) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        refuseCancelled(round);
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
        for (const guard of guards) await guard(tx, round, to, { force: opts.force === true, ctx });
        if (to === 'self_assessment') await openAssessments(tx, round, ctx.now);
        const [updated] = await tx.update(rounds).set({ phase: to, phaseChangedAt: ctx.now, updatedAt: ctx.now }).where(eq(rounds.id, id)).returning();
        for (const effect of deps.effects ?? []) await effect(tx, updated!, to, ctx);
        await recordAudit(tx, ctx, { action: 'round.transition', entityType: 'round', entityId: id, before: { phase: round.phase }, after: { phase: to } });
        return presentRound(updated!, await roundsRepo.groups(tx, id));
      });
    },

    async updateSchedule(ctx: Ctx, id: string, schedule: Partial<Record<ScheduledPhase, string>>) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        if (round.phase === 'published') throw new PhaseConflictError(round.phase, 'A published round cannot change.');
        refuseCancelled(round);
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
        refuseCancelled(round);
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
    async setAppraisers(ctx: Ctx, id: string, input: { username: string; areaCodes: string[]; groupCodes?: string[] | undefined; unitCodes?: string[] | undefined }[]) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        const round = await requireRound(tx, id, true);
        refuseCancelled(round);
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
        const rows: { roundId: string; userId: string; groupCode: string; areaCode: string; unitCodes: string[] | null }[] = [];
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
          // unitCodes: the person appraises these units only (a council splitting communes between people).
          for (const [ui, uc] of (a.unitCodes ?? []).entries()) {
            if (!groups.some((g) => g.unitCodes.includes(uc))) errors.push({ field: `body.${i}.unitCodes.${ui}`, message: `unit '${uc}' is not in the round`, code: 'unknown_unit' });
            else if (uc === user.orgUnitCode) errors.push({ field: `body.${i}.unitCodes.${ui}`, message: `'${a.username}' belongs to '${uc}' and never appraises their own unit`, code: 'own_unit' });
          }
          // Units named but none valid: the errors above say why; the areas cannot be checked against them.
          if (a.unitCodes && !a.unitCodes.some((uc) => uc !== user.orgUnitCode && groups.some((g) => g.unitCodes.includes(uc)))) continue;
          const targetGroups = (a.groupCodes ?? groups.map((g) => g.code)).filter((gc) => !a.unitCodes || groups.find((g) => g.code === gc)?.unitCodes.some((u) => a.unitCodes!.includes(u)));
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
            for (const gc of others) {
              const members = groups.find((g) => g.code === gc)!.unitCodes;
              rows.push({ roundId: id, userId: user.id, groupCode: gc, areaCode: area, unitCodes: a.unitCodes ? a.unitCodes.filter((u) => members.includes(u)) : null });
            }
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
        .select({ username: users.username, displayName: users.displayName, orgUnitCode: users.orgUnitCode, groupCode: roundAppraisers.groupCode, areaCode: roundAppraisers.areaCode, unitCodes: roundAppraisers.unitCodes })
        .from(roundAppraisers)
        .innerJoin(users, eq(users.id, roundAppraisers.userId))
        .where(eq(roundAppraisers.roundId, id))
        .orderBy(users.username, roundAppraisers.groupCode, roundAppraisers.areaCode);
      const groups = await roundsRepo.groups(tx, id);
      const out = new Map<string, { username: string; displayName: string; orgUnitCode: string | null; assignments: { groupCode: string; areaCode: string; unitCodes: string[] }[] }>();
      for (const r of rows) {
        const entry = out.get(r.username) ?? { username: r.username, displayName: r.displayName, orgUnitCode: r.orgUnitCode, assignments: [] };
        const unitCodes = (groups.find((g) => g.code === r.groupCode)?.unitCodes ?? []).filter((u) => u !== r.orgUnitCode && (r.unitCodes === null || r.unitCodes.includes(u)));
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
        refuseCancelled(round);
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
