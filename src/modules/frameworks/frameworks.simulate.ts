// "What would these units score?" on any framework, drafts included: evaluates each unit's leaf inputs with the
// scoring engine, aggregates and ranks them. Pure. Input problems do not abort the run: they are reported on the
// leaf and the unit (field `units.<i>.inputs.<leafCode>.<input field>`), and that leaf counts as missing (0).
import {
  aggregateUnit,
  compileFramework,
  evaluateLeaf,
  rankGroup,
  ScoringInputError,
  type CompiledFramework,
  type LeafInput,
  type UnitResultJSON,
} from '../../scoring/index.js';
import type { FieldError as AnyFieldError } from '../../lib/errors.js';
import { leavesOf, type Criterion, type FrameworkDocument } from './frameworks.document.js';

/** Every simulation error carries a machine-readable code. */
type FieldError = Required<AnyFieldError>;

export interface SimulationUnit {
  unitCode: string;
  unitName: string;
  inputs: Record<string, LeafInput>;
  notApplicable?: string[] | undefined;
  surveyScores?: Record<string, number | string> | undefined;
}

export type LeafOutcome =
  | { code: string; status: 'scored'; points: number; explanation: string }
  | { code: string; status: 'not_applicable'; reason: string }
  | { code: string; status: 'missing'; reason: string }
  | { code: string; status: 'error'; error: FieldError };

export interface SimulatedUnit {
  unitCode: string;
  unitName: string;
  /** True when every leaf was scored or N/A without an input error. */
  complete: boolean;
  errors: FieldError[];
  leaves: LeafOutcome[];
  result: Omit<UnitResultJSON, 'items'>;
  rank: number | null;
}

export interface SimulationResult {
  units: SimulatedUnit[];
  ranking: Array<{ rank: number | null; unitCode: string; unitName: string; index: number | null; band: string | null }>;
}

export function simulate(doc: FrameworkDocument, units: SimulationUnit[]): SimulationResult {
  const cf = compileFramework(doc);
  const leaves = new Map(leavesOf(doc).map((v) => [v.node.code, v.node]));
  const simulated = units.map((u, i) => simulateUnit(doc, cf, leaves, u, `units.${i}`));
  const ranked = rankGroup(simulated.map((s) => ({ unitCode: s.unitCode, unitName: s.unitName, index: s.result.index, band: s.result.band })));
  const rankOf = new Map(ranked.map((r) => [r.unitCode, r.rank]));
  return {
    units: simulated.map((s) => ({ ...s, rank: rankOf.get(s.unitCode) ?? null })),
    ranking: ranked.map((r) => ({ rank: r.rank, unitCode: r.unitCode, unitName: r.unitName, index: r.index, band: r.band })),
  };
}

function simulateUnit(
  doc: FrameworkDocument,
  cf: CompiledFramework,
  leaves: Map<string, Criterion>,
  unit: SimulationUnit,
  at: string,
): Omit<SimulatedUnit, 'rank'> {
  const errors: FieldError[] = [];
  const fail = (field: string, code: string, message: string): FieldError => {
    const e = { field, code, message };
    errors.push(e);
    return e;
  };
  const notLeaf = (code: string) => `"${code}" is not a leaf criterion of ${doc.code}`;

  for (const code of Object.keys(unit.inputs)) {
    if (!leaves.has(code)) fail(`${at}.inputs.${code}`, 'unknown_criterion', notLeaf(code));
  }
  for (const code of Object.keys(unit.surveyScores ?? {})) {
    const leaf = leaves.get(code);
    if (!leaf) fail(`${at}.surveyScores.${code}`, 'unknown_criterion', notLeaf(code));
    else if (leaf.rule?.type !== 'survey') fail(`${at}.surveyScores.${code}`, 'not_a_survey_criterion', `criterion ${code}: is not scored from a survey`);
  }
  const claimedNa = new Set<string>();
  (unit.notApplicable ?? []).forEach((code, j) => {
    const leaf = leaves.get(code);
    if (!leaf) fail(`${at}.notApplicable.${j}`, 'unknown_criterion', notLeaf(code));
    else if (!leaf.naAllowed) fail(`${at}.notApplicable.${j}`, 'na_not_allowed', `criterion ${code}: may not be declared not applicable ("không phát sinh")`);
    else claimedNa.add(code);
  });

  const evaluate = (code: string, leaf: Criterion): LeafOutcome => {
    if (claimedNa.has(code)) return { code, status: 'not_applicable', reason: 'declared not applicable ("không phát sinh")' };
    const isSurvey = leaf.rule?.type === 'survey';
    const input = unit.inputs[code];
    const surveyScore = unit.surveyScores?.[code];
    if (isSurvey && input !== undefined) {
      const message = `criterion ${code}: is scored from survey results, never self-scored; give surveyScores.${code} instead`;
      return { code, status: 'error', error: fail(`${at}.inputs.${code}`, 'survey_not_self_scored', message) };
    }
    if (isSurvey && surveyScore === undefined) {
      return doc.surveyOptional
        ? { code, status: 'not_applicable', reason: 'no survey score; the framework makes survey criteria optional (surveyOptional)' }
        : { code, status: 'missing', reason: 'no survey score; without surveyOptional a round could not be finalised' };
    }
    if (input === undefined && !isSurvey) return { code, status: 'missing', reason: 'no input: counts 0 of the maximum' };
    try {
      const r = evaluateLeaf(cf.leaf(code)!, input ?? {}, { surveyScore });
      return r.status === 'scored' ? { code, status: 'scored', points: r.points, explanation: r.explanation } : { code, status: 'not_applicable', reason: r.reason };
    } catch (e) {
      if (!(e instanceof ScoringInputError)) throw e;
      const field = e.field === 'ctx.surveyScore' ? `${at}.surveyScores.${code}` : `${at}.inputs.${code}${e.field.replace(/^input/, '')}`;
      return { code, status: 'error', error: fail(field, e.code, `criterion ${code}: ${e.message}`) };
    }
  };
  const outcomes = [...leaves].map(([code, leaf]) => evaluate(code, leaf));

  const finalPoints: Record<string, number> = {};
  const notApplicable: string[] = [];
  for (const o of outcomes) {
    if (o.status === 'scored') finalPoints[o.code] = o.points;
    else if (o.status === 'not_applicable') notApplicable.push(o.code);
  }
  // Items repeat the leaf outcomes above; the rest is the engine's aggregation as is.
  const { items: _items, ...result } = aggregateUnit(cf, { finalPoints, notApplicable }).toJSON();
  return {
    unitCode: unit.unitCode,
    unitName: unit.unitName,
    complete: outcomes.every((o) => o.status === 'scored' || o.status === 'not_applicable'),
    errors,
    leaves: outcomes,
    result,
  };
}
