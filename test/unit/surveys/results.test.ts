import { describe, expect, it } from 'vitest';
import { evaluateLeaf } from '../../../src/scoring/index.js';
import { validateSurveyDocument, type SurveyDocument } from '../../../src/modules/surveys/surveys.document.js';
import { addCount, emptyCounts, leafScore, poolCounts, surveyResult, type AnswerCounts } from '../../../src/modules/surveys/surveys.results.js';
import { surveyDoc } from '../../helpers/surveys.js';

function docOf(raw: unknown): SurveyDocument {
  const r = validateSurveyDocument(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.document;
}

/** Counts from a list of responses ({ question: option }). */
function countsOf(responses: Record<string, string>[]): AnswerCounts {
  const c = emptyCounts();
  c.n = responses.length;
  for (const r of responses) for (const [q, o] of Object.entries(r)) addCount(c, q, o, 1);
  return c;
}

describe('survey vector (test/fixtures/scoring-vectors.json "survey")', () => {
  // Q1: 1, 0, 1, (null), 1 → 3/4; Q2: (null), 1, 1, 0, 1 → 3/4; a leaf of max 2 on Q1+Q2 → 2 × 3/4 = 1.5.
  const doc = docOf(surveyDoc('SIPAS-V'));
  const counts = countsOf([
    { Q1: '5', Q2: '0' },
    { Q1: '3', Q2: '4' },
    { Q1: '4', Q2: '4' },
    { Q1: '0', Q2: '2' },
    { Q1: '5', Q2: '5' },
  ]);

  it('question scores exclude null answers', () => {
    const r = surveyResult(doc, counts);
    expect(r.questions.map((q) => [q.code, q.n, q.scoreExact, q.score])).toEqual([
      ['Q1', 4, '3/4', 0.75],
      ['Q2', 4, '3/4', 0.75],
    ]);
    expect(r.n).toBe(5);
  });

  it('the leaf score is the mean of the mapped questions, and the engine gives 2 × 3/4 = 1.5', () => {
    const score = leafScore(doc, { questionCodes: ['Q1', 'Q2'] }, counts);
    expect(score?.toString()).toBe('3/4');
    expect(leafScore(doc, { dimensionCode: 'TIEP_CAN' }, counts)?.toString()).toBe('3/4');
    const r = evaluateLeaf({ code: '8.1', maxPoints: 2, rule: { type: 'survey', surveyCode: 'SIPAS-V', questionCodes: ['Q1', 'Q2'] } }, {}, { surveyScore: score });
    expect(r).toMatchObject({ status: 'scored', points: 1.5 });
  });

  it('no responses → no score (null), so the engine treats the criterion as missing or N/A', () => {
    expect(leafScore(doc, { questionCodes: ['Q1'] }, emptyCounts())).toBeNull();
    // Responses that only answered "không trả lời" give no score either.
    expect(leafScore(doc, { questionCodes: ['Q1'] }, countsOf([{ Q1: '0' }]))).toBeNull();
  });
});

describe('indices with null answers and dimension weights (hand-computed)', () => {
  // Dimension A (weight 2): Q1 0/1 scale, Q2 graded (1, .75, .5, 0); dimension B (weight 1): Q3 graded.
  const doc = docOf(surveyDoc('S-W', { A: ['Q1', 'Q2'], B: ['Q3'] }, {}, ['Q2', 'Q3']));
  doc.dimensions[0]!.weight = 2;
  const counts = countsOf([
    { Q1: '5', Q2: 'A', Q3: 'B' }, // 1, 1, .75
    { Q1: '3', Q2: 'B', Q3: 'X' }, // 0, .75, null
    { Q1: '0', Q2: 'C', Q3: 'C' }, // null, .5, .5
    { Q1: '4', Q2: 'X', Q3: 'D' }, // 1, null, 0
    { Q1: '2', Q2: 'D' }, //          0, 0, (unanswered)
  ]);
  const r = surveyResult(doc, counts);

  it('question scores: Q1 2/4, Q2 2.25/4 = 9/16, Q3 1.25/3 = 5/12', () => {
    expect(r.questions.map((q) => [q.code, q.n, q.scoreExact, q.score])).toEqual([
      ['Q1', 4, '1/2', 0.5],
      ['Q2', 4, '9/16', 0.5625],
      ['Q3', 3, '5/12', 0.4167],
    ]);
  });

  it('dimension index = mean question score × 100: A (1/2 + 9/16)/2 × 100 = 53.125 → 53.13; B 41.67', () => {
    expect(r.dimensions.map((d) => [d.code, d.weight, d.indexExact, d.index])).toEqual([
      ['A', 2, '425/8', 53.13],
      ['B', 1, '125/3', 41.67],
    ]);
  });

  it('overall index = weighted mean of dimensions: (2 × 53.125 + 41.667) / 3 = 1775/36 = 49.31', () => {
    expect([r.overallIndexExact, r.overallIndex]).toEqual(['1775/36', 49.31]);
  });

  it('95% intervals: Wilson for the 0/1 question, normal approximation for graded ones (truncated to [0, 1])', () => {
    // Q1 2/4: centre 0.5, half = 1.96·√(0.0625 + 0.060025) / 1.9604 = 0.349964 → [0.1500, 0.8500].
    // Q2 mean .5625, s² = .546875/3, se = √(s²/4) = .213478, half .418417 → [0.1441, 0.9809].
    // Q3 mean .416667, s² = .291667/2, se = √(s²/3) = .220479, half .432139 → [−0.0155 → 0, 0.8488].
    expect(r.questions.map((q) => q.interval)).toEqual([
      { method: 'wilson', lower: 0.15, upper: 0.85 },
      { method: 'normal', lower: 0.1441, upper: 0.9809 },
      { method: 'normal', lower: 0, upper: 0.8488 },
    ]);
  });

  it('a zero weight leaves a dimension out of the overall index', () => {
    const d2 = structuredClone(doc);
    d2.dimensions[1]!.weight = 0;
    expect(surveyResult(d2, counts).overallIndexExact).toBe('425/8');
  });

  it('flags units below minResponses', () => {
    expect(surveyResult({ ...doc, minResponses: 5 }, counts).belowMinResponses).toBe(false);
    expect(surveyResult({ ...doc, minResponses: 6 }, counts).belowMinResponses).toBe(true);
  });
});

describe('Wilson intervals against a published table (Newcombe 1998, Table I, score method)', () => {
  const doc = docOf(surveyDoc('S-N', { A: ['Q1'] }));
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%d of %d satisfied → [%d, %d]', (s, n, lower, upper) => {
    const c = emptyCounts();
    c.n = n + 3;
    addCount(c, 'Q1', '4', s);
    addCount(c, 'Q1', '2', n - s);
    addCount(c, 'Q1', '0', 3); // "không trả lời": outside n
    const q = surveyResult(doc, c).questions[0]!;
    expect(q.n).toBe(n);
    expect(q.interval).toEqual({ method: 'wilson', lower, upper });
  });
});

describe('group aggregates', () => {
  it('pool the units’ responses (not a mean of unit indices)', () => {
    const doc = docOf(surveyDoc('S-G', { A: ['Q1'] }));
    const a = countsOf([{ Q1: '5' }, { Q1: '5' }, { Q1: '5' }]); // 3/3
    const b = countsOf([{ Q1: '1' }]); // 0/1
    const pooled = surveyResult(doc, poolCounts([a, b]));
    expect([pooled.n, pooled.questions[0]!.scoreExact, pooled.overallIndex]).toEqual([4, '3/4', 75]);
  });
});
