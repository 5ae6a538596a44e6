// Settlement (chốt kết quả): what keeps a round from reaching publication and the ways out of it, so that a round
// always can be published (issue 13). The checks before appraisal (units that never submitted, unit/area pairs
// nobody may appraise), the open-items report that council review and publication refuse on, council decisions
// the coordinator records on any open item, and objections (kiến nghị) a unit opens during explanation.
import type { Database, Db } from '../../db/client.js';
import { scopeOf } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { ConflictError, ForbiddenError, NotFoundError, PhaseConflictError, PreconditionFailedError, ValidationError } from '../../lib/errors.js';
import { leavesOf, type Criterion } from '../frameworks/frameworks.document.js';
import { assessmentsRepo } from '../assessments/assessments.repo.js';
import { writeItem, type ItemWrite } from '../assessments/item-write.js';
import { etagOf, matches, num, requireIfMatch } from '../assessments/assessment.shared.js';
import { decisionPointsProblem, resolveFinal } from '../assessments/decision.js';
import type { GroupOutcome, ResultsService } from '../results/results.service.js';
import { effectiveDeadline, withinDeadline } from '../rounds/lifecycle.js';
import { loadFramework, roundsRepo, type RoundRow } from '../rounds/rounds.repo.js';
import type { TransitionGuard } from '../rounds/rounds.service.js';
import { settlementRepo, type AssignmentRow } from './settlement.repo.js';

/** Why an item has no final score, the first that applies (the order is the contract). */
export const openReasons = ['no_eligible_appraiser', 'survey_missing', 'survey_below_minimum', 'explanation_pending', 'council_only', 'not_appraised'] as const;
export type OpenReason = (typeof openReasons)[number];

export interface OpenItem {
  unitCode: string;
  criterionCode: string;
  reason: OpenReason;
  groupCode: string;
  unitName: string;
  title: string;
  areaCode: string;
  /** Survey-scored items: the unit's number of responses. */
  surveyN?: number;
}

export interface UncoveredPair {
  unitCode: string;
  areaCode: string;
  groupCode: string;
}

interface GroupShape {
  code: string;
  frameworkCode: string;
  unitCodes: string[];
  surveyOptional: boolean;
  leaves: Map<string, { node: Criterion; areaCode: string }>;
  /** Areas with at least one criterion a person appraises (not survey-scored), in framework order. */
  appraisableAreas: string[];
  /** Whether the framework has anything for the unit to self-assess (a survey-only framework has nothing to submit). */
  hasSelfItems: boolean;
}

const sourceOf = (c: Criterion) => c.source ?? 'self';

/** An assignment makes its person eligible for a unit unless they belong to it, or it names other units only. */
function eligibleFor(a: AssignmentRow, unitCode: string): boolean {
  return a.active && a.role === 'appraiser' && a.orgUnitCode !== unitCode && (a.unitCodes === null || a.unitCodes.includes(unitCode));
}

export function createSettlementService(deps: {
  database: Database;
  results: Pick<ResultsService, 'compute'>;
  /** Renders an item after a write, exactly as GET …/items/{code} shows it. */
  itemView: (ctx: Ctx, roundId: string, unitCode: string, code: string) => Promise<unknown>;
}) {
  const db = deps.database.db;

  async function shapeOf(tx: Db, roundId: string): Promise<GroupShape[]> {
    const out: GroupShape[] = [];
    for (const g of await roundsRepo.groups(tx, roundId)) {
      const fw = await loadFramework(tx, g.frameworkCode);
      if (!fw) throw new NotFoundError('Framework', g.frameworkCode);
      const leaves = new Map(leavesOf(fw.doc).map((l) => [l.node.code, { node: l.node, areaCode: l.area.code }]));
      const areas: string[] = [];
      for (const l of leaves.values()) if (sourceOf(l.node) !== 'survey' && !areas.includes(l.areaCode)) areas.push(l.areaCode);
      out.push({
        code: g.code,
        frameworkCode: g.frameworkCode,
        unitCodes: g.unitCodes,
        surveyOptional: fw.doc.surveyOptional,
        leaves,
        appraisableAreas: areas,
        hasSelfItems: [...leaves.values()].some((l) => sourceOf(l.node) === 'self'),
      });
    }
    return out;
  }

  /** Every unit/area pair of appraisable criteria with nobody eligible to appraise it. */
  function uncoveredOf(shape: GroupShape[], assignments: AssignmentRow[]): UncoveredPair[] {
    const byGroupArea = new Map<string, AssignmentRow[]>();
    for (const a of assignments) {
      const key = `${a.groupCode}\u0000${a.areaCode}`;
      byGroupArea.set(key, [...(byGroupArea.get(key) ?? []), a]);
    }
    const out: UncoveredPair[] = [];
    for (const g of shape) {
      for (const unitCode of g.unitCodes) {
        for (const areaCode of g.appraisableAreas) {
          const candidates = byGroupArea.get(`${g.code}\u0000${areaCode}`) ?? [];
          if (!candidates.some((a) => eligibleFor(a, unitCode))) out.push({ unitCode, areaCode, groupCode: g.code });
        }
      }
    }
    return out;
  }

  async function coverage(tx: Db, roundId: string) {
    const shape = await shapeOf(tx, roundId);
    const assignments = await settlementRepo.assignments(tx, roundId);
    return { shape, assignments, uncovered: uncoveredOf(shape, assignments) };
  }

  /**
   * The open-items report from the results the engine computed (the same outcomes publication freezes): every
   * item whose score is still open, with the first reason that applies.
   */
  async function openItemsFrom(tx: Db, round: RoundRow, groups: GroupOutcome[]): Promise<OpenItem[]> {
    const { shape, uncovered } = await coverage(tx, round.id);
    const uncoveredSet = new Set(uncovered.map((u) => `${u.groupCode}\u0000${u.unitCode}\u0000${u.areaCode}`));
    const shapes = new Map(shape.map((g) => [g.code, g]));
    const out: OpenItem[] = [];
    for (const g of groups) {
      const gs = shapes.get(g.code);
      for (const r of g.rows) {
        for (const i of r.items) {
          if (!i.final.open) continue;
          const source = gs?.leaves.get(i.code) ? sourceOf(gs.leaves.get(i.code)!.node) : 'self';
          let reason: OpenReason;
          if (source === 'survey') reason = i.final.reason === 'survey_below_minimum' ? 'survey_below_minimum' : 'survey_missing';
          else if (uncoveredSet.has(`${g.code}\u0000${r.unitCode}\u0000${i.areaCode}`)) reason = 'no_eligible_appraiser';
          else if (i.final.reason === 'awaiting_final') reason = 'explanation_pending';
          else if (source === 'appraisal') reason = 'council_only';
          else reason = 'not_appraised';
          out.push({
            unitCode: r.unitCode,
            criterionCode: i.code,
            reason,
            groupCode: g.code,
            unitName: r.unitName,
            title: i.title,
            areaCode: i.areaCode,
            ...(source === 'survey' && i.final.surveyN !== undefined ? { surveyN: i.final.surveyN } : {}),
          });
        }
      }
    }
    return out;
  }

  async function openItemsOf(tx: Db, round: RoundRow): Promise<OpenItem[]> {
    return openItemsFrom(tx, round, await deps.results.compute(tx, round));
  }

  /**
   * Before appraisal: every member unit with something to self-assess has submitted, and every unit/area pair
   * has an eligible appraiser; `force` moves on anyway (audited with the lists). Before council review: no
   * item is open.
   */
  const transitionGuard: TransitionGuard = async (tx, round, to, opts) => {
    if (to === 'appraisal') {
      const { shape, uncovered } = await coverage(tx, round.id);
      const needsSubmit = new Set(shape.filter((g) => g.hasSelfItems).map((g) => g.code));
      const unsubmittedUnits = (await settlementRepo.members(tx, round.id)).filter((m) => m.status !== 'submitted' && needsSubmit.has(m.groupCode)).map((m) => m.unitCode);
      if (unsubmittedUnits.length === 0 && uncovered.length === 0) return;
      const pairs = uncovered.map((u) => ({ unitCode: u.unitCode, areaCode: u.areaCode }));
      if (!opts?.force) {
        const parts = [
          unsubmittedUnits.length ? `${unsubmittedUnits.length} unit(s) have not submitted their self-assessment` : '',
          pairs.length ? `${pairs.length} unit/area pair(s) have no eligible appraiser` : '',
        ].filter(Boolean);
        throw new ConflictError(`${parts.join('; ')}. Resolve them, or move on with "force": true (the self-assessments freeze as entered).`, {
          phase: round.phase,
          unsubmittedUnits,
          uncovered: pairs,
        });
      }
      if (opts.ctx) {
        await recordAudit(tx, opts.ctx, { action: 'round.transition_forced', entityType: 'round', entityId: round.id, before: { phase: round.phase }, after: { phase: to, unsubmittedUnits, uncovered: pairs } });
      }
      return;
    }
    if (to === 'council_review') {
      const open = await openItemsOf(tx, round);
      if (open.length) {
        throw new ConflictError(`${open.length} item(s) have no final score yet; decide them (appraisers, or the council's decision) or confirm the self points before council review.`, {
          phase: round.phase,
          openItems: open.slice(0, 500),
          count: open.length,
        });
      }
    }
  };

  async function requireRound(tx: Db, id: string) {
    const round = await roundsRepo.find(tx, id);
    if (!round) throw new NotFoundError('Round', id);
    return round;
  }

  /** Loads the unit's assessment and the criterion, 404 when either is not in the round. */
  async function target(tx: Db, roundId: string, unitCode: string, code: string) {
    const round = await settlementRepo.roundShared(tx, roundId);
    if (!round) throw new NotFoundError('Round', roundId);
    const assessment = await assessmentsRepo.find(tx, roundId, unitCode);
    if (!assessment) throw new NotFoundError('Assessment', `${roundId}/${unitCode}`);
    const fw = await loadFramework(tx, assessment.frameworkCode);
    const leaf = fw ? leavesOf(fw.doc).find((l) => l.node.code === code) : undefined;
    if (!fw || !leaf) throw new NotFoundError('Criterion', code);
    return { round, assessment, leaf: leaf.node, surveyOptional: fw.doc.surveyOptional };
  }

  async function lockedItem(tx: Db, assessmentId: string, code: string, ifMatch: string | undefined) {
    requireIfMatch(ifMatch);
    const item = await settlementRepo.lockItem(tx, assessmentId, code);
    if (!item) throw new NotFoundError('Criterion', code);
    if (!matches(ifMatch, etagOf(item))) throw new PreconditionFailedError(etagOf(item));
    return item;
  }

  /**
   * The one-statement item write on an item this transaction has locked and matched; it fails only when the round
   * left the phase the checks saw (a transition committed meanwhile).
   */
  async function writeLocked(tx: Db, ctx: Ctx, w: ItemWrite) {
    const r = await writeItem(tx, ctx, w);
    if (!r.ok) throw new ConflictError('The round changed phase while this decision was being recorded; reload and try again.', { phase: w.gate.phase });
  }

  return {
    transitionGuard,
    openItemsFrom,
    coverage,

    /** GET /rounds/{id}/open-items: everything for the coordinator, an appraiser's units and areas, 403 for others. */
    async openItems(ctx: Ctx, roundId: string) {
      const scope = scopeOf(ctx.actor, 'assessment.read');
      if (scope !== 'all' && scope !== 'assigned_areas') throw new ForbiddenError('The open-items report is for the coordinator and the appraisers.');
      const round = await requireRound(db, roundId);
      let items = await openItemsOf(db, round);
      if (scope === 'assigned_areas') {
        const mine = (await settlementRepo.assignments(db, roundId)).filter((a) => a.userId === ctx.actor.userId);
        items = items.filter((i) => mine.some((a) => a.groupCode === i.groupCode && a.areaCode === i.areaCode && eligibleFor(a, i.unitCode)));
      }
      return { roundId, phase: round.phase, items, count: items.length };
    },

    /** GET /rounds/{id}/appraisers: the assignments and every unit/area pair nobody eligible appraises. */
    async appraisers<T>(roundId: string, assignments: T[]) {
      const { uncovered } = await coverage(db, roundId);
      return { assignments, uncovered };
    },

    /**
     * Quyết định của Hội đồng: the coordinator records the council's decision on an item. In final_appraisal
     * only on items still open (self-sourced, council-only, flagged; any unit, the coordinating office's own
     * included); in council_review on any item, revising what was decided. Never on survey-scored items.
     */
    async councilDecision(ctx: Ctx, roundId: string, unitCode: string, code: string, ifMatch: string | undefined, body: { points: number; comment: string }) {
      if (scopeOf(ctx.actor, 'round.manage') !== 'all') throw new ForbiddenError('Only the coordinator records the council’s decisions.');
      await db.transaction(async (tx) => {
        const t = await target(tx, roundId, unitCode, code);
        const phase = t.round.phase;
        if (phase !== 'final_appraisal' && phase !== 'council_review') {
          throw new PhaseConflictError(phase, `The council's decisions are recorded in 'final_appraisal' (open items) and 'council_review' (revisions); the round is in '${phase}'.`);
        }
        if (sourceOf(t.leaf) === 'survey') throw new ConflictError(`Criterion ${code} is scored from survey results; the council does not decide its points.`, { phase });
        const item = await lockedItem(tx, t.assessment.id, code, ifMatch);
        const before = resolveFinal(t.leaf, item, { surveyOptional: t.surveyOptional, survey: null });
        if (phase === 'final_appraisal' && !before.open) {
          throw new ConflictError(`Criterion ${code} of ${unitCode} already has a final score (${before.source}); the council revises final scores in council_review.`, { phase });
        }
        const problem = decisionPointsProblem(t.leaf, body.points);
        if (problem) throw new ValidationError([{ field: 'body.points', message: `criterion ${code}: ${problem}`, code: 'invalid_points' }]);
        const data = {
          points: body.points,
          decidedBy: 'council',
          enteredBy: ctx.actor.username,
          phase,
          previous: { points: before.points, notApplicable: before.notApplicable, source: before.source, open: before.open },
          selfPoints: num(item.selfPoints),
          appraisalPoints: num(item.appraisalPoints),
        };
        // Item, history and audit row in one statement (item-write.ts); the item is already locked and matched.
        await writeLocked(tx, ctx, {
          item,
          set: { finalPoints: body.points.toFixed(2), finalComment: body.comment, finalizedBy: ctx.actor.username, finalizedAt: ctx.now, finalByCouncil: true },
          history: { kind: 'council_decision', data, comment: body.comment },
          audit: {
            action: 'item.council_decision',
            entityType: 'assessment_item',
            entityId: `${roundId}/${unitCode}/${code}`,
            before: { points: num(item.finalPoints), comment: item.finalComment, finalizedBy: item.finalizedBy, byCouncil: item.finalByCouncil, resolved: data.previous },
            after: { ...data, comment: body.comment },
          },
          gate: { assessmentId: t.assessment.id, phase },
        });
      });
      return deps.itemView(ctx, roundId, unitCode, code);
    },

    /**
     * Kiến nghị: during explanation the unit contests an item appraised below its self points, with the reason.
     * The item then counts as flagged: it stays open until an appraiser (or the council) decides it in
     * final_appraisal.
     */
    async object(ctx: Ctx, roundId: string, unitCode: string, code: string, ifMatch: string | undefined, body: { reason: string }) {
      const own = scopeOf(ctx.actor, 'assessment.edit_self') === 'own_unit';
      const reads = scopeOf(ctx.actor, 'assessment.read');
      if (!own) {
        if (reads === 'own_unit' && ctx.actor.orgUnitCode !== unitCode) throw new NotFoundError('Assessment', `${roundId}/${unitCode}`);
        throw new ForbiddenError('Only the unit itself raises an objection (kiến nghị) on its appraisal.');
      }
      if (ctx.actor.orgUnitCode !== unitCode) throw new NotFoundError('Assessment', `${roundId}/${unitCode}`);
      await db.transaction(async (tx) => {
        const t = await target(tx, roundId, unitCode, code);
        const phase = t.round.phase;
        if (phase !== 'explanation') throw new PhaseConflictError(phase, `Objections (kiến nghị) are raised in the 'explanation' phase; the round is in '${phase}'.`);
        const extension = (await assessmentsRepo.extensions(tx, t.assessment.id)).find((e) => e.phase === 'explanation')?.until;
        if (!withinDeadline(ctx.now, t.round.schedule.explanation, extension)) {
          throw new PhaseConflictError(phase, `The explanation deadline (${effectiveDeadline(t.round.schedule.explanation, extension)}) has passed; ask the coordinator for an extension.`);
        }
        const item = await lockedItem(tx, t.assessment.id, code, ifMatch);
        if (item.explanationRequested) {
          throw new ConflictError(`Criterion ${code} is already open for explanation; answer it with PUT …/items/${code}/explanation.`, { phase });
        }
        const self = num(item.selfPoints);
        const appraised = item.naConfirmed === true ? null : num(item.appraisalPoints);
        if (item.appraisedAt === null || self === null || appraised === null || Math.round(appraised * 100) >= Math.round(self * 100)) {
          throw new ConflictError(`An objection is possible only on an item appraised below its self points; criterion ${code} was ${appraised === null ? 'not appraised with points' : `appraised at ${appraised}`}${self === null ? ' and has no self points' : ` against ${self} self-assessed`}.`, { phase, code: 'not_below_self' });
        }
        const data = { reason: body.reason, selfPoints: self, appraisalPoints: appraised };
        await writeLocked(tx, ctx, {
          item,
          set: {
            explanationRequested: true,
            explanationText: body.reason,
            explainedAt: ctx.now,
            explainedBy: ctx.actor.username,
            objectionReason: body.reason,
            objectedAt: ctx.now,
            objectedBy: ctx.actor.username,
          },
          history: { kind: 'objection', data, comment: body.reason },
          audit: { action: 'item.objection_raised', entityType: 'assessment_item', entityId: `${roundId}/${unitCode}/${code}`, before: { explanationRequested: false }, after: data },
          gate: { assessmentId: t.assessment.id, phase },
        });
      });
      return deps.itemView(ctx, roundId, unitCode, code);
    },
  };
}

export type SettlementService = ReturnType<typeof createSettlementService>;
