import { describe, expect, it } from 'vitest';
import { decisionPointsProblem, resolveFinal } from '../../src/modules/assessments/decision.js';
import type { Criterion } from '../../src/modules/frameworks/frameworks.document.js';
import type { ItemRow } from '../../src/modules/assessments/assessments.repo.js';

const leaf = (rule: Criterion['rule'], maxPoints = 2, source: Criterion['source'] = 'self'): Criterion => ({ code: '1.1', title: 't', maxPoints, rule, source, naAllowed: true });

const item = (over: Partial<ItemRow> = {}): ItemRow =>
  ({
    id: 'x', assessmentId: 'a', criterionCode: '1.1', areaCode: '1', position: 0, version: 1,
    selfInput: null, selfPoints: null, notApplicable: false, note: null, selfUpdatedAt: null, selfUpdatedBy: null,
    appraisalPoints: null, appraisalComment: null, naConfirmed: null, explanationRequested: false, appraisedBy: null, appraisedAt: null,
    explanationText: null, explainedAt: null, explainedBy: null, finalPoints: null, finalComment: null, finalizedBy: null, finalizedAt: null,
    selfConfirmedBy: null, selfConfirmedAt: null, selfConfirmedReason: null, updatedAt: new Date(0),
    ...over,
  }) as ItemRow;

describe('points a council may give', () => {
  it.each([
    [{ type: 'manual', step: 0.25 } as const, 1.75, null],
    [{ type: 'manual', step: 0.25 } as const, 1.3, 'must be a multiple of 0.25'],
    [{ type: 'manual', step: 0.25 } as const, 2.25, 'must be between 0 and 2'],
    [{ type: 'binary' } as const, 2, null],
    [{ type: 'binary' } as const, 1, 'must be one of the rule’s scores: 0, 2'],
    [{ type: 'options', options: [{ code: 'A', label: 'a', points: 2 }, { code: 'B', label: 'b', points: 0.5 }] } as const, 0.5, null],
    [{ type: 'options', options: [{ code: 'A', label: 'a', points: 2 }, { code: 'B', label: 'b', points: 0.5 }] } as const, 1, 'must be one of the options’ points: 2, 0.5'],
    [{ type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 } as const, 0, null],
    [{ type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 } as const, 1.5, 'must be one of the tiers’ points: 2, 1, 0'],
    [{ type: 'proportional', input: 'ratio', direction: 'lower' } as const, 1.85, null],
    [{ type: 'proportional', input: 'ratio', direction: 'lower' } as const, 1.855, 'must be a number with at most 2 decimals'],
    [{ type: 'proportional', input: 'ratio', direction: 'lower' } as const, -0.01, 'must be between 0 and 2'],
  ])('%j with %s → %s', (rule, points, expected) => {
    expect(decisionPointsProblem(leaf(rule as Criterion['rule']), points)).toBe(expected);
  });
});

describe('which score counts', () => {
  const manual = leaf({ type: 'manual', step: 0.25 });
  const opts = { surveyOptional: false };
  it('self points are provisional and open until someone decides', () => {
    expect(resolveFinal(manual, item({ selfInput: { points: 1.5 }, selfPoints: '1.50' }), opts)).toEqual({ points: 1.5, notApplicable: false, source: 'self_provisional', open: true, reason: 'not_appraised' });
  });
  it('an appraisal decides unless an explanation was requested; a final decision always wins', () => {
    const appraised = item({ selfPoints: '1.50', appraisalPoints: '1.00', appraisedAt: new Date() });
    expect(resolveFinal(manual, appraised, opts)).toMatchObject({ points: 1, source: 'appraisal', open: false });
    expect(resolveFinal(manual, { ...appraised, explanationRequested: true }, opts)).toMatchObject({ points: 1, open: true, reason: 'awaiting_final' });
    expect(resolveFinal(manual, { ...appraised, explanationRequested: true, finalPoints: '2.00' }, opts)).toMatchObject({ points: 2, source: 'final', open: false });
  });
  it('a confirmed N/A claim is not applicable; a rejected one scores what the council gave', () => {
    expect(resolveFinal(manual, item({ notApplicable: true, naConfirmed: true, appraisedAt: new Date() }), opts)).toMatchObject({ points: null, notApplicable: true, open: false });
    expect(resolveFinal(manual, item({ notApplicable: true, naConfirmed: false, appraisalPoints: '0.00', appraisedAt: new Date() }), opts)).toMatchObject({ points: 0, notApplicable: false });
  });
  it('confirmed self points close the item', () => {
    expect(resolveFinal(manual, item({ selfPoints: '0.75', selfConfirmedAt: new Date() }), opts)).toMatchObject({ points: 0.75, source: 'self_confirmed', open: false });
  });
  it('survey criteria: 2 × 3/4 = 1.5; no responses is N/A only when the framework allows it', () => {
    const survey = leaf({ type: 'survey', surveyCode: 'S', questionCodes: ['Q1'] }, 2, 'survey');
    const outcome = (score: string | null, n: number, minResponses = 0) => ({ surveyCode: 'S', score, n, minResponses });
    expect(resolveFinal(survey, item(), { surveyOptional: false, survey: outcome('3/4', 12) })).toMatchObject({ points: 1.5, source: 'survey', open: false, surveyN: 12 });
    expect(resolveFinal(survey, item(), { surveyOptional: true, survey: outcome(null, 0) })).toMatchObject({ notApplicable: true, open: false });
    expect(resolveFinal(survey, item(), { surveyOptional: false, survey: outcome(null, 0) })).toMatchObject({ open: true, reason: 'survey_missing' });
    // The survey does not exist (or was never linked): nothing to count, same as no responses.
    expect(resolveFinal(survey, item(), { surveyOptional: false, survey: null })).toMatchObject({ open: true, reason: 'survey_missing' });
  });
  // Survey minimum (issue 13 item 5): 0 < n < minResponses counts as no responses; n = minResponses scores.
  it.each([
    // n, minResponses, surveyOptional → expected
    [3, 30, false, { points: null, notApplicable: false, open: true, reason: 'survey_below_minimum', surveyN: 3 }],
    [29, 30, false, { points: null, open: true, reason: 'survey_below_minimum', surveyN: 29 }],
    [29, 30, true, { points: null, notApplicable: true, open: false, source: 'survey', surveyN: 29 }],
    [30, 30, false, { points: 1.5, notApplicable: false, open: false, source: 'survey', surveyN: 30 }],
    [1, 0, false, { points: 1.5, open: false, surveyN: 1 }],
    [0, 30, false, { points: null, open: true, reason: 'survey_missing', surveyN: 0 }],
  ] as const)('n=%i with minimum %i (optional %s)', (n, minResponses, surveyOptional, expected) => {
    const survey = leaf({ type: 'survey', surveyCode: 'S', questionCodes: ['Q1'] }, 2, 'survey');
    const got = resolveFinal(survey, item(), { surveyOptional, survey: { surveyCode: 'S', score: n === 0 ? null : '3/4', n, minResponses } });
    expect(got).toMatchObject(expected);
  });
  it('the trace note says why a survey criterion was not scored', () => {
    const survey = leaf({ type: 'survey', surveyCode: 'S', questionCodes: ['Q1'] }, 2, 'survey');
    expect(resolveFinal(survey, item(), { surveyOptional: false, survey: { surveyCode: 'S', score: '3/4', n: 3, minResponses: 30 } }).note).toBe(
      '1.1: survey S: 3 response(s), below the minimum of 30 → no score until responses are collected',
    );
    expect(resolveFinal(survey, item(), { surveyOptional: true, survey: { surveyCode: 'S', score: '3/4', n: 3, minResponses: 30 } }).note).toBe(
      '1.1: survey S: 3 response(s), below the minimum of 30 → N/A (the framework makes survey criteria optional)',
    );
    expect(resolveFinal(survey, item(), { surveyOptional: false, survey: { surveyCode: 'S', score: '3/4', n: 30, minResponses: 30 } }).note).toBe(
      '1.1: survey S, 30 response(s) (minimum 30) → 1.5',
    );
  });
});
