// Typed domain errors. Services throw these; one error handler maps them to RFC 9457 problem+json.

export interface FieldError {
  /** Dotted path of the offending field, e.g. "body.criteria.2.maxPoints" or "input.percent". */
  field: string;
  message: string;
  code?: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly type: ProblemType;
  readonly title: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: ProblemSlug,
    title: string,
    detail: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = status;
    this.type = problemType(slug);
    this.title = title;
    this.extra = extra;
    this.headers = headers;
  }
}

/**
 * Every problem type the service answers, as `urn:par-index:problem:<slug>`. Typed, so a new slug must be listed here
 * before it compiles: the OpenAPI document publishes this list as the enum of `Problem.type`.
 */
export const PROBLEM_SLUGS = [
  'bad-request',
  'validation',
  'unauthorized',
  'forbidden',
  'password-change-required',
  'not-found',
  'conflict',
  'wrong-phase',
  'publication-altered',
  'precondition-failed',
  'precondition-required',
  'payload-too-large',
  'file-too-large',
  'too-large',
  'uri-too-long',
  'timeout',
  'unsupported-media-type',
  'unsupported-file-type',
  'empty-file',
  'invalid-file-content',
  'rate-limited',
  'overloaded',
  'busy',
  'unavailable',
  'database-unavailable',
  'internal',
] as const;
export type ProblemSlug = (typeof PROBLEM_SLUGS)[number];
export type ProblemType = `urn:par-index:problem:${ProblemSlug}`;

export const problemType = (slug: ProblemSlug): ProblemType => `urn:par-index:problem:${slug}`;
export const PROBLEM_TYPES = PROBLEM_SLUGS.map(problemType) as [ProblemType, ...ProblemType[]];

export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail = 'The request contains invalid fields.', status = 422) {
    super(status, 'validation', 'Validation failed', detail, { errors });
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'Authentication required.') {
    super(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to do this.') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

/** The account's password was set by someone else and must be changed (POST /api/v1/me/password) first. */
export class PasswordChangeRequiredError extends AppError {
  constructor(detail = 'Your password must be changed before anything else: POST /api/v1/me/password, then log in again.') {
    super(403, 'password-change-required', 'Password change required', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id: string) {
    super(404, 'not-found', 'Not found', `${entity} '${id}' was not found.`, { entity, id });
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(409, 'conflict', 'Conflict', detail, extra);
  }
}

/** An edit attempted outside the lifecycle phase that allows it; `phase` names the current phase. */
export class PhaseConflictError extends AppError {
  constructor(phase: string, detail: string) {
    super(409, 'wrong-phase', 'Not allowed in the current phase', detail, { phase });
  }
}

export class PreconditionRequiredError extends AppError {
  constructor(detail = 'This write requires an If-Match header with the current ETag.') {
    super(428, 'precondition-required', 'Precondition required', detail);
  }
}

export class PreconditionFailedError extends AppError {
  constructor(currentEtag: string, detail = 'The resource was changed by someone else; reload and try again.') {
    super(412, 'precondition-failed', 'Precondition failed', detail, { currentEtag });
  }
}

/** The database is unreachable or the connection broke mid-request: nothing was committed; retry later. */
export class DatabaseUnavailableError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(503, 'database-unavailable', 'Service unavailable', 'The database is temporarily unreachable; nothing was saved by this request. Retry shortly.', { retryAfterSeconds }, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

/** Too many heavy requests (results, exports, publication renders) are running; the rest of the service is not affected. */
export class BusyError extends AppError {
  constructor(retryAfterSeconds: number, detail = 'Too many large reports are being prepared right now; retry shortly.') {
    super(503, 'busy', 'Service busy', detail, { retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
  }
}
