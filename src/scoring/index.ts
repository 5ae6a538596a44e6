// Pure scoring engine of the PAR INDEX service (SPEC §4, §5): no I/O, no clock, exact decimal arithmetic.
//
// Typical use:
//   evaluateLeaf(leafDef, input, { surveyScore })      → { status: 'scored', points, explanation } | not_applicable
//   const cf = compileFramework(framework)             (validate once; reuse for every unit of a group)
//   aggregateUnit(cf, { finalPoints, notApplicable })  → total, max, index, band, areas, items, trace
//   rankGroup(rows)                                    → rows with competition ranks, ties by Vietnamese name
// Lean batch path (no strings built): evaluateUnitLeaves(cf, inputs, surveyScores) → points in hundredths →
// aggregateHundredths(cf, points). Inputs outside a rule's domain throw ScoringInputError { field, code };
// an invalid framework throws ScoringFrameworkError { path }.

export { ScoringInputError, ScoringFrameworkError } from './errors.js';
export type { ScoringInputErrorCode } from './errors.js';
export { Fraction } from './fraction.js';
export {
  CompiledLeaf,
  compileLeaf,
  evaluateLeaf,
  scoreLeaf,
  leafHundredths,
  validateLeafInput,
  readSurveyScore,
  NOT_APPLICABLE,
} from './leaf.js';
export {
  CompiledFramework,
  compileFramework,
  aggregateUnit,
  aggregateHundredths,
  evaluateUnitLeaves,
  NA_POINTS,
  MISSING_POINTS,
} from './aggregate.js';
export type { CompiledArea, CompiledLeafEntry } from './aggregate.js';
export { rankGroup, compareVietnamese } from './rank.js';
export {
  questionScore,
  responseCount,
  surveyLeafScore,
  dimensionIndex,
  overallIndex,
  wilsonInterval,
  normalInterval,
  multipleChoiceValue,
} from './survey.js';
export type { ExactValue, WeightedIndex, Interval, NormalInterval, AnswerValue, MultipleChoiceScore } from './survey.js';
export type {
  Tier,
  Rule,
  ManualRule,
  BinaryRule,
  OptionsRule,
  TieredRule,
  ProportionalRule,
  SurveyRule,
  LeafInput,
  LeafDef,
  LeafContext,
  LeafResult,
  SurveyScore,
  AreaKind,
  CriterionNode,
  Band,
  ScoringFramework,
  NotApplicableScoring,
  UnitScoresInput,
  UnitResult,
  UnitResultJSON,
  AreaResult,
  ItemResult,
  RankInputRow,
} from './types.js';
