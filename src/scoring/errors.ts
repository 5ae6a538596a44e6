// Errors of the pure scoring engine. They carry the offending field so the HTTP layer can map them to a
// 422 problem+json `errors[]` entry ({ field, code, message }) without parsing messages.

/** Machine-readable reason of a rejected input. */
export type ScoringInputErrorCode =
  | 'missing'
  | 'invalid_type'
  | 'out_of_range'
  | 'not_integer'
  | 'not_multiple_of_step'
  | 'too_many_decimals'
  | 'unknown_option'
  | 'unknown_criterion'
  | 'not_a_leaf'
  | 'duplicate'
  | 'denominator_zero';

/**
 * A value supplied for scoring (a leaf input, final points, a survey score, a ranking row) is outside the
 * domain of its rule. The engine never clamps: it throws this instead.
 */
export class ScoringInputError extends Error {
  override readonly name = 'ScoringInputError';
  /** Dotted path of the offending field, e.g. `input.percent`, `finalPoints.1.2`, `ctx.surveyScore`. */
  readonly field: string;
  readonly code: ScoringInputErrorCode;
  /** Leaf criterion the input belongs to, when known (batch evaluation sets it). */
  readonly criterionCode: string | undefined;

  constructor(field: string, code: ScoringInputErrorCode, message: string, criterionCode?: string) {
    super(message);
    this.field = field;
    this.code = code;
    this.criterionCode = criterionCode;
  }

  /** Shape of one entry of a problem+json `errors[]`. */
  toFieldError(): { field: string; code: string; message: string } {
    return { field: this.field, code: this.code, message: this.message };
  }
}

/**
 * The framework (criteria tree, a leaf rule, caps, bands) is itself invalid, e.g. a tier with two bounds, a
 * parent whose maxPoints is not the sum of its children, a manual step that is not a multiple of 0.01.
 */
export class ScoringFrameworkError extends Error {
  override readonly name = 'ScoringFrameworkError';
  /** Path inside the framework document, e.g. `criteria[0].children[1].rule.tiers[0]`. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}
