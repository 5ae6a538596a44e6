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

export interface FinalScore {
  /** null when not applicable (or nothing to count: 0 of max). */
  points: number | null;
  notApplicable: boolean;
  source: FinalSource;
  /** True while a decision is still owed: the score is provisional and blocks council review. */
  open: boolean;
  /** Why it is open, for the open-items report. */
  reason?: 'not_appraised' | 'awaiting_final' | 'survey_missing';
}

const n = (v: string | null) => (v === null ? null : Number(v));

/**
 * The score that counts. Survey criteria come from `surveyScore` (null = no responses: N/A when the framework
 * allows it, otherwise open). Otherwise: a final decision; else an appraisal, unless explanation was requested;
 * else self points confirmed by the coordinator; else the self points, provisionally.
 */
export function resolveFinal(leaf: Criterion, item: ItemRow, opts: { surveyScore?: SurveyScore; surveyOptional: boolean }): FinalScore {
  if ((leaf.source ?? 'self') === 'survey') {
    if (opts.surveyScore === null || opts.surveyScore === undefined) {
      return opts.surveyOptional
        ? { points: null, notApplicable: true, source: 'survey', open: false }
        : { points: null, notApplicable: false, source: 'none', open: true, reason: 'survey_missing' };
    }
    const r = evaluateLeaf({ code: leaf.code, maxPoints: leaf.maxPoints, rule: leaf.rule!, naAllowed: leaf.naAllowed ?? false }, {}, { surveyScore: opts.surveyScore });
    return r.status === 'scored' ? { points: r.points, notApplicable: false, source: 'survey', open: false } : { points: null, notApplicable: true, source: 'survey', open: false };
  }
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
