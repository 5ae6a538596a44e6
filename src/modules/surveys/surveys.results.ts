// Survey results (SPEC §5) from answer counts, with the survey maths of src/scoring/survey.ts: question scores,
// dimension and overall indices (exact, rounded only for display), 95% intervals (Wilson for 0/1 questions,
// normal approximation otherwise), and the score of a survey-scored leaf. Pure: the repo supplies the counts.
import {
  dimensionIndex,
  multipleChoiceValue,
  normalInterval,
  overallIndex,
  questionScore,
  responseCount,
  surveyLeafScore,
  wilsonInterval,
  type AnswerValue,
  type Fraction,
} from '../../scoring/index.js';
import { mappedQuestions, questionIndex, type QuestionInfo, type SurveyDocument } from './surveys.document.js';

/** One unit's (or a pooled group's) responses: how many, and per question how often each option was chosen. */
export interface AnswerCounts {
  n: number;
  answers: Map<string, Map<string, number>>;
}

export const emptyCounts = (): AnswerCounts => ({ n: 0, answers: new Map() });

export function addCount(c: AnswerCounts, question: string, option: string, count: number) {
  let m = c.answers.get(question);
  if (!m) c.answers.set(question, (m = new Map()));
  m.set(option, (m.get(option) ?? 0) + count);
}

/** Pools several units' counts (a group aggregate is computed over all its units' responses). */
export function poolCounts(list: readonly AnswerCounts[]): AnswerCounts {
  const out = emptyCounts();
  for (const c of list) {
    out.n += c.n;
    for (const [q, m] of c.answers) for (const [o, k] of m) addCount(out, q, o, k);
  }
  return out;
}

/**
 * The value of one stored answer: its option's value, or for a multiple-choice question (stored as the chosen option
 * codes separated by spaces) the mean/max/min of the chosen options' values. Undefined: not an answer of this
 * definition, never scored.
 */
function answerValueOf(info: QuestionInfo, answer: string): AnswerValue | null | undefined {
  if (info.values.has(answer)) {
    const v = info.values.get(answer)!;
    return info.multiple ? multipleChoiceValue([v], info.multiple) : v;
  }
  if (!info.multiple || !answer.includes(' ')) return undefined;
  const chosen = answer.split(' ');
  if (!chosen.every((c) => info.values.has(c))) return undefined;
  return multipleChoiceValue(chosen.map((c) => info.values.get(c)!), info.multiple);
}

/** The answer values of one question, one per response that answered it (null = an excluded answer). */
function valuesOf(info: QuestionInfo, counts: Map<string, number> | undefined): (AnswerValue | null)[] {
  const out: (AnswerValue | null)[] = [];
  if (!counts) return out;
  for (const [answer, k] of counts) {
    const v = answerValueOf(info, answer);
    if (v === undefined) continue;
    for (let i = 0; i < k; i++) out.push(v);
  }
  return out;
}

export interface IntervalView {
  method: 'wilson' | 'normal';
  lower: number;
  upper: number;
}

export interface QuestionResult {
  code: string;
  dimensionCode: string;
  /** Responses with a scored (non-null) answer. */
  n: number;
  /** Mean answer value in [0, 1], 4 decimals; null without a scored answer. */
  score: number | null;
  /** The same mean, exact ("p/q"). */
  scoreExact: string | null;
  interval: IntervalView | null;
}

export interface DimensionResult {
  code: string;
  title: string;
  weight: number;
  /** Mean of its question scores × 100, 2 decimals. */
  index: number | null;
  indexExact: string | null;
}

export interface SurveyResult {
  n: number;
  belowMinResponses: boolean;
  /** Weighted mean of the dimension indices, 2 decimals. */
  overallIndex: number | null;
  overallIndexExact: string | null;
  dimensions: DimensionResult[];
  questions: QuestionResult[];
}

function intervalOf(info: QuestionInfo, values: (AnswerValue | null)[]): IntervalView | null {
  if (info.binary) {
    const n = responseCount(values);
    let successes = 0;
    for (const v of values) if (v === 1) successes++;
    const w = wilsonInterval(successes, n);
    return w ? { method: 'wilson', ...w } : null;
  }
  const ni = normalInterval(values);
  return ni ? { method: 'normal', lower: ni.lower, upper: ni.upper } : null;
}

const exact = (f: Fraction | null) => (f === null ? null : f.toString());

export function surveyResult(doc: SurveyDocument, counts: AnswerCounts): SurveyResult {
  const index = questionIndex(doc);
  const questions: QuestionResult[] = [];
  const scores = new Map<string, Fraction | null>();
  for (const [code, info] of index) {
    const values = valuesOf(info, counts.answers.get(code));
    const score = questionScore(values);
    scores.set(code, score);
    questions.push({
      code,
      dimensionCode: info.dimension.code,
      n: responseCount(values),
      score: score === null ? null : score.round(4),
      scoreExact: exact(score),
      interval: intervalOf(info, values),
    });
  }
  const dims = doc.dimensions.map((d) => ({ d, index: dimensionIndex(d.questions.map((q) => scores.get(q.code) ?? null)) }));
  const overall = overallIndex(dims.map(({ d, index }) => ({ index, weight: d.weight })));
  return {
    n: counts.n,
    belowMinResponses: counts.n < doc.minResponses,
    overallIndex: overall === null ? null : overall.round(2),
    overallIndexExact: exact(overall),
    dimensions: dims.map(({ d, index }) => ({ code: d.code, title: d.title, weight: d.weight, index: index === null ? null : index.round(2), indexExact: exact(index) })),
    questions,
  };
}

/**
 * Score in [0, 1] of a survey-scored leaf for a unit: the mean of its mapped questions' scores (questionCodes, or
 * every question of dimensionCode). Null when the unit has no response with a scored answer to them.
 */
export function leafScore(doc: SurveyDocument, rule: { questionCodes?: string[] | undefined; dimensionCode?: string | undefined }, counts: AnswerCounts): Fraction | null {
  if (counts.n === 0) return null;
  const codes = mappedQuestions(doc, rule);
  if (!codes) return null;
  const index = questionIndex(doc);
  return surveyLeafScore(
    codes.map((code) => {
      const info = index.get(code);
      return info ? questionScore(valuesOf(info, counts.answers.get(code))) : null;
    }),
  );
}
