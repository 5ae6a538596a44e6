// Council decisions on an item, as pure functions: which points an appraiser may give under a rule, and which
// score counts for the index given everything recorded so far (SPEC §7).
import { evaluateLeaf, type SurveyScore } from '../../scoring/index.js';
import type { Criterion } from '../frameworks/frameworks.document.js';
import type { ItemRow } from './assessments.repo.js';

const h = (x: number) => Math.round(x * 100);

/** Why `points` is not a score this criterion can give, or null when it is. */
export function decisionPointsProblem(leaf: Criterion, points: number): string | null {
  if (!Number.isFinite(points) || Math.abs(points * 100 - h(points)) > 1e-6) return 'must be a number with at most 2 decimals';
  if (points < 0 || h(points) > h(leaf.maxPoints)) return `must be between 0 and ${leaf.maxPoints}`;
  const rule = leaf.rule;
  if (!rule) return null;
  const allowed = (values: number[], what: string) => (values.some((v) => h(v) === h(points)) ? null : `must be ${what}: ${[...new Set(values)].join(', ')}`);
  switch (rule.type) {
    case 'manual': {
      const step = rule.step ?? 0.25;
      return h(points) % h(step) === 0 ? null : `must be a multiple of ${step}`;
    }
    case 'binary':
      return allowed([0, leaf.maxPoints], 'one of the rule’s scores');
    case 'options':
      return allowed(rule.options.map((o) => o.points), 'one of the options’ points');
    case 'tiered':
      return allowed([...rule.tiers.map((t) => t.points), rule.otherwise ?? 0], 'one of the tiers’ points');
    case 'proportional':
      return null;
    case 'survey':
      return 'survey-scored criteria take their points from survey results';
  }
}

export type FinalSource = 'final' | 'appraisal' | 'self_confirmed' | 'survey' | 'self_provisional' | 'none';

/**
 * What the survey says for one unit and one survey-scored leaf: the exact score (null when no scored answer),
 * the unit's number of responses and the survey's minimum. A unit with 0 < n < minResponses is treated like a
 * unit without responses (too few answers to be representative).
 */
export interface SurveyOutcome {
  surveyCode: string;
  score: SurveyScore;
  n: number;
  minResponses: number;
}

export interface FinalScore {
  /** null when not applicable (or nothing to count: 0 of max). */
  points: number | null;
  notApplicable: boolean;
  source: FinalSource;
  /** True while a decision is still owed: the score is provisional and blocks council review. */
  open: boolean;
  /** Why it is open, for the open-items report. */
  reason?: 'not_appraised' | 'awaiting_final' | 'survey_missing' | 'survey_below_minimum';
  /** For survey-scored criteria: how the survey decided it (shown in the unit's trace). */
  note?: string;
  /** Number of survey responses of the unit (survey-scored criteria only). */
  surveyN?: number;
}

const n = (v: string | null) => (v === null ? null : Number(v));

/**
 * The score that counts. Survey criteria come from the unit's survey outcome: no responses, or fewer than the
 * survey's minResponses, is N/A when the framework allows it (surveyOptional) and otherwise open. Other criteria:
 * a final decision; else an appraisal, unless explanation was requested; else self points confirmed by the
 * coordinator; else the self points, provisionally.
 */
/**
 * The item fields a decision depends on. Results read only these, for every item of a round at once (issue 14):
 * reading another field here means adding it to DECISION_COLUMNS in results.load.ts (the type check insists).
 */
export type DecisionItem = Pick<ItemRow, 'finalPoints' | 'naConfirmed' | 'appraisalPoints' | 'explanationRequested' | 'selfConfirmedAt' | 'notApplicable' | 'selfPoints' | 'selfInput'>;

export function resolveFinal(leaf: Criterion, item: DecisionItem, opts: { survey?: SurveyOutcome | null; surveyOptional: boolean }): FinalScore {
  if ((leaf.source ?? 'self') === 'survey') return resolveSurvey(leaf, opts.survey ?? null, opts.surveyOptional);
  if (item.finalPoints !== null) return { points: n(item.finalPoints), notApplicable: false, source: 'final', open: false };
  const appraised = item.naConfirmed === true || item.appraisalPoints !== null;
  if (appraised) {
    const score = item.naConfirmed
      ? { points: null, notApplicable: true }
      : { points: n(item.appraisalPoints), notApplicable: false };
    return item.explanationRequested
      ? { ...score, source: 'appraisal', open: true, reason: 'awaiting_final' }
      : { ...score, source: 'appraisal', open: false };
  }
  if (item.selfConfirmedAt) {
    return { points: item.notApplicable ? null : n(item.selfPoints), notApplicable: item.notApplicable, source: 'self_confirmed', open: false };
  }
  return {
    points: item.notApplicable ? null : n(item.selfPoints),
    notApplicable: item.notApplicable,
    source: item.selfInput !== null || item.notApplicable ? 'self_provisional' : 'none',
    open: true,
    reason: 'not_appraised',
  };
}

function resolveSurvey(leaf: Criterion, survey: SurveyOutcome | null, surveyOptional: boolean): FinalScore {
  const count = survey?.n ?? 0;
  const code = survey?.surveyCode ?? (leaf.rule?.type === 'survey' ? leaf.rule.surveyCode : '?');
  const below = survey !== null && count > 0 && count < survey.minResponses;
  if (below || count === 0 || survey === null || survey.score === null || survey.score === undefined) {
    const why = below
      ? `survey ${code}: ${count} response(s), below the minimum of ${survey!.minResponses}`
      : `survey ${code}: no responses`;
    return surveyOptional
      ? { points: null, notApplicable: true, source: 'survey', open: false, note: `${leaf.code}: ${why} → N/A (the framework makes survey criteria optional)`, surveyN: count }
      : { points: null, notApplicable: false, source: 'none', open: true, reason: below ? 'survey_below_minimum' : 'survey_missing', note: `${leaf.code}: ${why} → no score until responses are collected`, surveyN: count };
  }
  const r = evaluateLeaf({ code: leaf.code, maxPoints: leaf.maxPoints, rule: leaf.rule!, naAllowed: leaf.naAllowed ?? false }, {}, { surveyScore: survey.score });
  const note = `${leaf.code}: survey ${code}, ${count} response(s)${survey.minResponses > 0 ? ` (minimum ${survey.minResponses})` : ''}`;
  return r.status === 'scored'
    ? { points: r.points, notApplicable: false, source: 'survey', open: false, note: `${note} → ${r.points}`, surveyN: count }
    : { points: null, notApplicable: true, source: 'survey', open: false, note: `${note} → N/A`, surveyN: count };
}
