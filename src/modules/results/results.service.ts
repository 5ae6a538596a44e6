// Live results of a round (SPEC §4, §7): the engine applied to the scores that count now, per group, with the
// self-vs-appraised gaps and what is still open. The same computation guards the move to council review and
// feeds publication.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { assessmentItems, orgUnits } from '../../db/schema.js';
import { scopeOf } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { ForbiddenError, NotFoundError, PhaseConflictError } from '../../lib/errors.js';
import { aggregateUnit, rankGroup, type SurveyRule } from '../../scoring/index.js';
import { leavesOf, type Criterion } from '../frameworks/frameworks.document.js';
import { assessmentsRepo } from '../assessments/assessments.repo.js';
import { resolveFinal, type FinalScore, type SurveyOutcome } from '../assessments/decision.js';
import { loadFramework, roundsRepo, type RoundRow } from '../rounds/rounds.repo.js';
import { loadFrameworkCached } from '../frameworks/frameworks.cache.js';
import { itemsOfRound, type ResultItem } from './results.load.js';

/** The unit's survey outcome for a survey-scored leaf (score, n, minimum); null when the survey does not exist. */
export type SurveyScoreSource = (db: Db, args: { roundId: string; unitCode: string; year: number; rule: SurveyRule }) => Promise<SurveyOutcome | null>;

const noSurveys: SurveyScoreSource = async () => null;

/** Batch form (issue 14): every unit's outcomes for the given rules at once; returns a synchronous lookup. */
export type SurveyScoresSource = (
  db: Db,
  args: { roundId: string; year: number; unitCodes: string[]; rules: SurveyRule[] },
) => Promise<(unitCode: string, rule: SurveyRule) => SurveyOutcome | null>;

export interface ItemOutcome {
  code: string;
  title: string;
  areaCode: string;
  max: number;
  selfPoints: number | null;
  selfNotApplicable: boolean;
  final: FinalScore;
}

export interface UnitOutcome {
  unitCode: string;
  unitName: string;
  /** False when the round moved on (forced) before the unit submitted: its self-assessment froze as entered. */
  submitted?: boolean;
  total: number;
  max: number;
  index: number | null;
  band: string | null;
  bandLabel: string | null;
  rank: number | null;
  selfTotal: number;
  selfIndex: number | null;
  gap: number;
  areas: { code: string; title: string | null; kind: string; points: number; max: number; index: number | null; selfPoints: number }[];
  openItems: number;
  items: ItemOutcome[];
  trace: string[];
}

export interface GroupOutcome {
  code: string;
  name: string;
  frameworkCode: string;
  rows: UnitOutcome[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function createResultsService(deps: { database: Database; surveyScoreOf?: SurveyScoreSource; surveyScoresOf?: SurveyScoresSource }) {
  const db = deps.database.db;
  const surveyScoreOf = deps.surveyScoreOf ?? noSurveys;

  /** Survey outcomes of the group's units: one batch when available, else one call per unit and leaf. */
  async function surveyLookup(tx: Db, round: RoundRow, unitCodes: string[], rules: SurveyRule[]) {
    if (rules.length === 0) return async () => null;
    if (deps.surveyScoresOf) {
      const lookup = await deps.surveyScoresOf(tx, { roundId: round.id, year: round.year, unitCodes, rules });
      return async (unitCode: string, rule: SurveyRule) => lookup(unitCode, rule);
    }
    return (unitCode: string, rule: SurveyRule) => surveyScoreOf(tx, { roundId: round.id, unitCode, year: round.year, rule });
  }

  async function compute(tx: Db, round: RoundRow): Promise<GroupOutcome[]> {
    const groups = await roundsRepo.groups(tx, round.id);
    const all = await roundsRepo.assessments(tx, round.id);
    const names = new Map(
      (all.length ? await tx.select().from(orgUnits).where(inArray(orgUnits.code, all.map((a) => a.unitCode))) : []).map((u) => [u.code, u.name]),
    );
    const roundItems = await itemsOfRound(tx, round.id);
    const out: GroupOutcome[] = [];
    for (const g of groups) {
      // Cached per published framework; items of the whole round and survey counts come in set-based queries.
      const fw = await loadFrameworkCached(deps.database, tx, g.frameworkCode);
      if (!fw) throw new NotFoundError('Framework', g.frameworkCode);
      const compiled = fw.compiled();
      const leaves = fw.leaves;
      const rows: Omit<UnitOutcome, 'rank'>[] = [];
      const members = all.filter((x) => x.groupCode === g.code);
      const surveyRules = leaves.flatMap(({ node }) => ((node.source ?? 'self') === 'survey' && node.rule?.type === 'survey' ? [node.rule] : []));
      const surveyOf = await surveyLookup(tx, round, members.map((a) => a.unitCode), surveyRules);
      for (const a of members) {
        const itemRows = roundItems.get(a.id) ?? new Map<string, ResultItem>();
        const finalPoints: Record<string, number | null> = {};
        const selfPoints: Record<string, number | null> = {};
        const finalNa: string[] = [];
        const selfNa: string[] = [];
        const items: ItemOutcome[] = [];
        for (const { node, area } of leaves) {
          const item = itemRows.get(node.code);
          if (!item) continue;
          const source = node.source ?? 'self';
          const survey = source === 'survey' && node.rule?.type === 'survey' ? await surveyOf(a.unitCode, node.rule) : null;
          const final = resolveFinal(node, item, { surveyOptional: fw.doc.surveyOptional, survey });
          finalPoints[node.code] = final.points;
          if (final.notApplicable) finalNa.push(node.code);
          // The self total compares like with like: the unit's own claims where it scores, the same score elsewhere.
          const self = source === 'self' ? { points: item.notApplicable ? null : item.selfPoints === null ? null : Number(item.selfPoints), na: item.notApplicable } : { points: final.points, na: final.notApplicable };
          selfPoints[node.code] = self.points;
          if (self.na) selfNa.push(node.code);
          items.push({ code: node.code, title: node.title, areaCode: area.code, max: node.maxPoints, selfPoints: source === 'self' ? self.points : null, selfNotApplicable: source === 'self' && item.notApplicable, final });
        }
        const result = aggregateUnit(compiled, { finalPoints, notApplicable: finalNa });
        const selfResult = aggregateUnit(compiled, { finalPoints: selfPoints, notApplicable: selfNa });
        rows.push({
          unitCode: a.unitCode,
          unitName: names.get(a.unitCode) ?? a.unitCode,
          submitted: a.status === 'submitted',
          total: result.total,
          max: result.max,
          index: result.index,
          band: result.band,
          bandLabel: result.bandLabel,
          selfTotal: selfResult.total,
          selfIndex: selfResult.index,
          gap: round2(result.total - selfResult.total),
          areas: result.areas.map((ar, i) => ({ code: ar.code, title: ar.title ?? null, kind: ar.kind, points: ar.points, max: ar.max, index: ar.index, selfPoints: selfResult.areas[i]!.points })),
          openItems: items.filter((i) => i.final.open).length,
          items,
          // How each survey criterion was decided (n against the survey's minimum) precedes the engine's steps.
          trace: [...items.flatMap((i) => (i.final.note ? [i.final.note] : [])), ...result.trace],
        });
      }
      out.push({ code: g.code, name: g.name, frameworkCode: g.frameworkCode, rows: rankGroup(rows) });
    }
    return out;
  }

  function openItemsOf(groups: GroupOutcome[]) {
    return groups.flatMap((g) =>
      g.rows.flatMap((r) =>
        r.items.filter((i) => i.final.open).map((i) => ({ groupCode: g.code, unitCode: r.unitCode, unitName: r.unitName, criterionCode: i.code, title: i.title, areaCode: i.areaCode, reason: i.final.reason! })),
      ),
    );
  }

  function discrepancies(groups: GroupOutcome[], limit = 50) {
    const byGap = <T extends { gap: number }>(xs: T[]) => xs.filter((x) => x.gap !== 0).sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap)).slice(0, limit);
    const units = byGap(groups.flatMap((g) => g.rows.map((r) => ({ groupCode: g.code, unitCode: r.unitCode, unitName: r.unitName, selfTotal: r.selfTotal, total: r.total, gap: r.gap }))));
    const areas = byGap(
      groups.flatMap((g) => g.rows.flatMap((r) => r.areas.map((a) => ({ groupCode: g.code, unitCode: r.unitCode, unitName: r.unitName, areaCode: a.code, title: a.title, selfPoints: a.selfPoints, points: a.points, gap: round2(a.points - a.selfPoints) })))),
    );
    const items = byGap(
      groups.flatMap((g) =>
        g.rows.flatMap((r) =>
          r.items
            .filter((i) => i.selfPoints !== null && i.final.points !== null)
            .map((i) => ({ groupCode: g.code, unitCode: r.unitCode, unitName: r.unitName, criterionCode: i.code, title: i.title, selfPoints: i.selfPoints!, points: i.final.points!, gap: round2(i.final.points! - i.selfPoints!) })),
        ),
      ),
    );
    return { units, areas, items };
  }

  async function requireRound(id: string) {
    const round = await roundsRepo.find(db, id);
    if (!round) throw new NotFoundError('Round', id);
    return round;
  }

  return {
    compute,

    /**
     * Coordinators see everything; an appraiser sees only the areas assigned to them (no totals or ranks, which
     * depend on other offices' work).
     */
    async results(ctx: Ctx, roundId: string) {
      const scope = scopeOf(ctx.actor, 'assessment.read');
      if (scope !== 'all' && scope !== 'assigned_areas') throw new ForbiddenError('Results are for the coordinator and the appraisers.');
      const round = await requireRound(roundId);
      const groups = await compute(db, round);
      const open = openItemsOf(groups);
      if (scope === 'all') return { roundId, phase: round.phase, groups, discrepancies: discrepancies(groups), openItems: open };
      const assigned = await roundsRepo.appraiserAssignments(db, roundId, ctx.actor.userId);
      const limited = groups
        .map((g) => {
          // Assignments limited to some units (unitCodes) reach only those units.
          const areasOf = (unitCode: string) => new Set(assigned.filter((a) => a.groupCode === g.code && (a.unitCodes === null || a.unitCodes.includes(unitCode))).map((a) => a.areaCode));
          return {
            ...g,
            rows: g.rows
              .filter((r) => r.unitCode !== ctx.actor.orgUnitCode && areasOf(r.unitCode).size > 0)
              .map((r) => ({ r, areas: areasOf(r.unitCode) }))
              .map(({ r, areas }) => ({ ...r, total: null, max: null, index: null, band: null, bandLabel: null, rank: null, selfTotal: null, selfIndex: null, gap: null, trace: [], areas: r.areas.filter((a) => areas.has(a.code)), items: r.items.filter((i) => areas.has(i.areaCode)), openItems: r.items.filter((i) => areas.has(i.areaCode) && i.final.open).length })),
          };
        })
        .filter((g) => g.rows.length > 0);
      const visible = new Set(limited.flatMap((g) => g.rows.flatMap((r) => r.items.map((i) => `${r.unitCode}/${i.code}`))));
      return { roundId, phase: round.phase, groups: limited, discrepancies: null, openItems: open.filter((o) => visible.has(`${o.unitCode}/${o.criterionCode}`)) };
    },

    /** Xác nhận điểm tự chấm: the coordinator accepts self points for items nobody appraised (bulk, with a reason). */
    async confirmSelfPoints(ctx: Ctx, roundId: string, input: { reason: string; unitCodes?: string[] | undefined; criterionCodes?: string[] | undefined; includeNotApplicable?: boolean | undefined }) {
      if (scopeOf(ctx.actor, 'round.manage') !== 'all') throw new ForbiddenError('Only the coordinator confirms self points.');
      return db.transaction(async (tx) => {
        const round = await roundsRepo.lockForUpdate(tx, roundId);
        if (!round) throw new NotFoundError('Round', roundId);
        if (round.phase !== 'final_appraisal') {
          throw new PhaseConflictError(round.phase, 'Self points are confirmed in the final_appraisal phase, before council review.');
        }
        const groups = await roundsRepo.groups(tx, roundId);
        const sources = new Map<string, Map<string, Criterion>>();
        for (const g of groups) {
          const fw = await loadFramework(tx, g.frameworkCode);
          sources.set(g.code, new Map((fw ? leavesOf(fw.doc) : []).map((v) => [v.node.code, v.node])));
        }
        const confirmed: { unitCode: string; criterionCode: string; points: number | null; notApplicable: boolean }[] = [];
        for (const a of await roundsRepo.assessments(tx, roundId)) {
          if (input.unitCodes && !input.unitCodes.includes(a.unitCode)) continue;
          const candidates = await tx
            .select()
            .from(assessmentItems)
            .where(and(eq(assessmentItems.assessmentId, a.id), isNull(assessmentItems.appraisedAt), isNull(assessmentItems.selfConfirmedAt)))
            .for('update');
          for (const item of candidates) {
            const leaf = sources.get(a.groupCode)?.get(item.criterionCode);
            if (!leaf || (leaf.source ?? 'self') !== 'self') continue;
            if (input.criterionCodes && !input.criterionCodes.includes(item.criterionCode)) continue;
            // An N/A claim nobody checked stays open unless the coordinator asks for it explicitly.
            if (item.notApplicable && input.includeNotApplicable !== true) continue;
            await tx
              .update(assessmentItems)
              .set({ selfConfirmedBy: ctx.actor.username, selfConfirmedAt: ctx.now, selfConfirmedReason: input.reason, version: item.version + 1, updatedAt: ctx.now })
              .where(eq(assessmentItems.id, item.id));
            const entry = { unitCode: a.unitCode, criterionCode: item.criterionCode, points: item.selfPoints === null ? null : Number(item.selfPoints), notApplicable: item.notApplicable };
            await assessmentsRepo.addHistory(tx, { itemId: item.id, kind: 'self_confirmed', data: entry, comment: input.reason, at: ctx.now, actorUsername: ctx.actor.username, actorRole: ctx.actor.role, actorUnitCode: ctx.actor.orgUnitCode });
            confirmed.push(entry);
          }
        }
        await recordAudit(tx, ctx, { action: 'round.self_points_confirmed', entityType: 'round', entityId: roundId, after: { reason: input.reason, count: confirmed.length, items: confirmed } });
        return { confirmed: confirmed.length, items: confirmed };
      });
    },
  };
}

export type ResultsService = ReturnType<typeof createResultsService>;
