// Public types of the scoring engine (SPEC §3, §4, §9). Numbers in documents are JS numbers read as the
// decimals they denote; the engine computes on exact integers and returns numbers with at most 2 decimals.

import type { Fraction } from './fraction.js';

/** One tier of a `tiered` rule: exactly one bound, compared against the input (percent, ratio as percent, count). */
export type Tier = { gte?: number; gt?: number; lte?: number; lt?: number; points: number };

export type ManualRule = { type: 'manual'; step?: number };
export type BinaryRule = { type: 'binary' };
export type OptionsRule = { type: 'options'; options: { code: string; label: string; points: number }[] };
export type TieredRule = {
  type: 'tiered';
  input: 'percent' | 'ratio' | 'count';
  tiers: Tier[];
  otherwise?: number;
};
export type ProportionalRule = { type: 'proportional'; input: 'percent' | 'ratio'; direction: 'higher' | 'lower' };
export type SurveyRule = { type: 'survey'; surveyCode: string; questionCodes?: string[]; dimensionCode?: string };

export type Rule = ManualRule | BinaryRule | OptionsRule | TieredRule | ProportionalRule | SurveyRule;

/** Self/appraisal input of a leaf; which fields are read depends on the rule (SPEC §9). */
export type LeafInput = {
  points?: number;
  value?: boolean;
  option?: string;
  percent?: number;
  numerator?: number;
  denominator?: number;
  count?: number;
};

export interface LeafDef {
  code: string;
  maxPoints: number;
  rule: Rule;
  naAllowed?: boolean;
}

/** Survey score of the unit for a `survey` leaf: a value in [0, 1]; null/undefined = no responses. */
export type SurveyScore = string | number | Fraction | null | undefined;

export interface LeafContext {
  surveyScore?: SurveyScore;
}

export type LeafResult =
  | { status: 'scored'; points: number; explanation: string }
  | { status: 'not_applicable'; reason: string };

export type AreaKind = 'regular' | 'bonus' | 'penalty';

export interface CriterionNode {
  code: string;
  title?: string;
  maxPoints: number;
  kind?: AreaKind;
  source?: 'self' | 'survey' | 'appraisal';
  naAllowed?: boolean;
  rule?: Rule;
  children?: CriterionNode[];
}

export interface Band {
  code: string;
  label?: string;
  minIndex: number;
}

export type NotApplicableScoring = 'rebase' | 'full_points';

export interface ScoringFramework {
  bonusCap: number;
  penaltyCap: number;
  /** Default true: the index never exceeds 100 even when bonus points push total above max. */
  capIndexAt100?: boolean;
  /**
   * How a regular leaf confirmed "không phát sinh" (N/A) counts. `rebase` (default): it leaves both points and max.
   * `full_points`: it is awarded its full points (points and max both include it), as many provinces rule.
   * Survey-scored leaves always re-base (no responses is not an achievement), and N/A in bonus and penalty areas
   * always counts 0 (neither a bonus earned nor a penalty incurred).
   */
  notApplicableScoring?: NotApplicableScoring;
  bands: Band[];
  criteria: CriterionNode[];
}

export interface UnitScoresInput {
  /** Final points per leaf code; undefined/null = no final score (counts 0 of the leaf's max unless N/A). */
  finalPoints: Record<string, number | string | null | undefined>;
  /** Leaf codes confirmed not applicable ("không phát sinh"). */
  notApplicable: readonly string[];
}

export interface AreaResult {
  code: string;
  title: string | undefined;
  kind: AreaKind;
  /** Σ points of the area's leaves (bonus and penalty: before the framework's cap). */
  points: number;
  /** Σ max of applicable leaves; for bonus and penalty areas at most the framework's bonusCap / penaltyCap. */
  max: number;
  /** points / max × 100, half-up to 2 decimals; null when every leaf of the area is N/A (max 0), and always null
   * for bonus and penalty areas. */
  index: number | null;
}

export interface ItemResult {
  code: string;
  title: string | undefined;
  areaCode: string;
  kind: AreaKind;
  /** null when N/A (the leaf's max when the framework awards full points for N/A). Missing counts 0 (`missing: true`). */
  points: number | null;
  max: number;
  notApplicable: boolean;
  missing: boolean;
}

export interface UnitResult {
  /** Σ regular + min(bonus, bonusCap) − min(penalty, penaltyCap), never below 0. */
  readonly total: number;
  /** Σ applicable max of regular areas. */
  readonly max: number;
  /** total / max × 100 half-up to 2 decimals (capped at 100 unless capIndexAt100 is false); null when max is 0. */
  readonly index: number | null;
  /** The index before the 100 cap (equal to `index` when not capped). */
  readonly indexUncapped: number | null;
  readonly band: string | null;
  readonly bandLabel: string | null;
  /** Σ points of regular areas. */
  readonly regularPoints: number;
  /** Bonus after the cap. */
  readonly bonus: number;
  /** Penalty (a positive deduction) after the cap. */
  readonly penalty: number;
  readonly bonusRaw: number;
  readonly penaltyRaw: number;
  /** True when regular + bonus − penalty was negative and the total was floored at 0. */
  readonly flooredAtZero: boolean;
  /** True when the index was capped at 100. */
  readonly cappedAt100: boolean;
  readonly areas: AreaResult[];
  /**
   * One entry per leaf, in framework order. Derived data, built on first read (a getter: object spread does not
   * copy it; JSON.stringify does, through toJSON).
   */
  readonly items: ItemResult[];
  /**
   * Human-readable explanation of every step: each leaf's points, area sums, caps, the floor, the index formula
   * and the band. Built on first read, like `items`.
   */
  readonly trace: string[];
  /** Plain object with every field, `items` and `trace` included. */
  toJSON(): UnitResultJSON;
}

export type UnitResultJSON = {
  -readonly [K in Exclude<keyof UnitResult, 'toJSON'>]: UnitResult[K];
};

export interface RankInputRow {
  unitCode: string;
  unitName: string;
  index: number | null;
}
