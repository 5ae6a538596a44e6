import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { STATUS_CODES } from 'node:http';
import { AppError, DatabaseUnavailableError, problemType, type FieldError, type ProblemSlug } from '../lib/errors.js';
import { DB_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../lib/db-errors.js';
import { localizeProblem, problemLanguage } from './problem-i18n.js';

export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/**
 * Sends a problem; `body.title`/`body.detail` are the English text, turned into Vietnamese unless the client
 * prefers English (problem-i18n.ts). `i18n` gives what the translation needs (the thrown error, field errors...).
 */
export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  body: { type: string; title: string; detail: string } & Record<string, unknown>,
  i18n: Parameters<typeof localizeProblem>[3] = {},
) {
  const lang = problemLanguage(request);
  const text = localizeProblem(lang, status, body, { requestId: request.id, ...i18n });
  return reply
    .code(status)
    .type(PROBLEM_JSON)
    .header('content-language', lang)
    .header('vary', 'Accept-Language')
    .send({ ...body, ...text, status, instance: request.id });
}

/** "/criteria/2/maxPoints" in context "body" → "body.criteria.2.maxPoints". */
function fieldOf(context: string | undefined, instancePath: string | undefined, missing?: string): string {
  const parts = (instancePath ?? '').split('/').filter(Boolean);
  if (missing) parts.push(missing);
  return [context ?? 'body', ...parts].join('.');
}

const pgCodes: Record<string, { status: number; slug: ProblemSlug; title: string; detail: string }> = {
  '23505': { status: 409, slug: 'conflict', title: 'Conflict', detail: 'An object with the same identifier already exists.' },
  '23503': { status: 409, slug: 'conflict', title: 'Conflict', detail: 'The object is referenced by, or refers to, another object that does not allow this change.' },
  '23514': { status: 422, slug: 'validation', title: 'Validation failed', detail: 'The values violate a data rule.' },
  '40001': { status: 409, slug: 'conflict', title: 'Conflict', detail: 'A concurrent change conflicted with this one; retry.' },
  '40P01': { status: 409, slug: 'conflict', title: 'Conflict', detail: 'A concurrent change conflicted with this one; retry.' },
  // Data exceptions: a value the column cannot hold slipped past the input guard. Never a 500.
  '22001': { status: 422, slug: 'validation', title: 'Validation failed', detail: 'A text value is longer than allowed.' },
  '22003': { status: 422, slug: 'validation', title: 'Validation failed', detail: 'A number is out of the range that can be stored.' },
  '22007': { status: 400, slug: 'validation', title: 'Validation failed', detail: 'A date or time value is malformed.' },
  '22008': { status: 400, slug: 'validation', title: 'Validation failed', detail: 'A date or time value is out of range.' },
  '22021': { status: 400, slug: 'validation', title: 'Validation failed', detail: 'A text value contains bytes that are not valid UTF-8 (or a NUL character).' },
  '22P02': { status: 400, slug: 'validation', title: 'Validation failed', detail: 'A value has the wrong format for its type.' },
  '22P05': { status: 400, slug: 'validation', title: 'Validation failed', detail: 'A text value contains a character that cannot be stored.' },
  '54000': { status: 422, slug: 'validation', title: 'Validation failed', detail: 'A value is too large to be stored.' },
};

/** busboy (under @fastify/multipart) reports a broken multipart body by message only, without a status. */
const BROKEN_MULTIPART = /^(Multipart: Boundary not found|Malformed part header|Unexpected end of (form|file|multipart data)|(Part|Preamble) terminated early due to unexpected end of multipart data|Malformed urlencoded form|Unsupported content type|The needle cannot)/;

export function pgCodeOf(err: unknown): string | undefined {
  let e: unknown = err;
  // drizzle wraps driver errors in DrizzleQueryError with the driver error as `cause`.
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function registerProblemHandlers(app: FastifyInstance) {
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 404, {
      type: problemType('not-found'),
      title: 'Not found',
      detail: `No route ${request.method} ${request.url.split('?')[0]}.`,
    }, { route: `${request.method} ${request.url.split('?')[0]}` }),
  );

  app.setErrorHandler((caught: FastifyError, request, reply) => {
    let err = caught;
    // A lost or unobtainable database connection fails this request only: 503 + Retry-After, nothing committed.
    if (!(err instanceof AppError) && isDatabaseUnavailable(err)) {
      request.log.warn({ err }, 'database unavailable');
      err = new DatabaseUnavailableError(DB_RETRY_AFTER_SECONDS) as unknown as FastifyError;
    }
    if (!(err instanceof AppError) && typeof err.message === 'string' && BROKEN_MULTIPART.test(err.message) && !err.statusCode) {
      return sendProblem(reply, request, 400, { type: problemType('bad-request'), title: 'Bad request', detail: `The multipart body is malformed: ${err.message}.`, field: 'body' });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors: FieldError[] = err.validation.flatMap((v) => {
        const keys = (v.params as { keys?: unknown }).keys;
        // An unknown field is named itself, so a client sees which of its fields is not accepted.
        if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
          return keys.map((k) => ({ field: fieldOf(err.validationContext, v.instancePath, String(k)), message: 'is not an accepted field', code: v.keyword }));
        }
        return [{ field: fieldOf(err.validationContext, v.instancePath), message: v.message ?? 'invalid', code: v.keyword }];
      });
      request.log.info({ errors }, 'request validation failed');
      return sendProblem(reply, request, 400, {
        type: problemType('validation'),
        title: 'Validation failed',
        detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      }, { errors });
    }
    if (err instanceof AppError) {
      if (err.status === 401 || err.status === 403 || err.status === 423) {
        request.log.warn({ status: err.status, detail: err.message, user: request.actor?.username }, 'access denied');
      }
      reply.headers(err.headers);
      return sendProblem(reply, request, err.status, { type: err.type, title: err.title, detail: err.message, ...err.extra }, { err });
    }
    const pgCode = pgCodeOf(err);
    if (pgCode && pgCodes[pgCode]) {
      const p = pgCodes[pgCode];
      request.log.info({ pgCode }, 'database constraint mapped to problem');
      return sendProblem(reply, request, p.status, { type: problemType(p.slug), title: p.title, detail: p.detail });
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, unsupported media type, body too large, rate limit...
      return sendProblem(reply, request, err.statusCode, {
        type: problemType(err.statusCode === 429 ? 'rate-limited' : 'bad-request'),
        title: err.statusCode === 429 ? 'Too many requests' : err.statusCode === 413 ? 'Payload too large' : err.statusCode === 400 ? 'Bad request' : (STATUS_CODES[err.statusCode] ?? 'Bad request'),
        detail: err.message,
      });
    } else {
      request.log.error({ err }, 'unhandled error');
    }
    // Never leak SQL, stacks or internals; the request id lets the operator find the log line.
    return sendProblem(reply, request, 500, {
      type: problemType('internal'),
      title: 'Internal server error',
      detail: `An unexpected error occurred. Quote request id ${request.id} when reporting it.`,
    });
  });
}

/** Shared zod-free JSON schema shape for documenting problem responses. */
export { problemType };
