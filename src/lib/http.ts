import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from './context.js';
import { PROBLEM_TYPES, UnauthorizedError } from './errors.js';

export const problemSchema = z
  .object({
    type: z.enum(PROBLEM_TYPES).describe('What went wrong, as a stable URN; branch on it rather than on `title` or `detail`'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('Request id; quote it when reporting a problem'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string(), code: z.string().optional() }))
      .optional()
      .describe('One entry per invalid field (validation, 400 and 422)'),
    // The extra members each problem type carries (src/lib/errors.ts), typed so a client need not guess.
    field: z.string().optional().describe('The one field or part at fault (`file`, `body`, `path`, …)'),
    currentEtag: z.string().optional().describe('412: the current ETag of the item; reload, then send it as If-Match'),
    entity: z.string().optional().describe('404: the kind of object not found (Round, Criterion, …)'),
    id: z.string().optional().describe('404: the identifier that was not found'),
    phase: z.string().optional().describe('409: the round’s current phase'),
    retryAfterSeconds: z.number().int().optional().describe('429, 503: also sent as Retry-After'),
    publicationId: z.string().optional().describe('409 publication-altered: the publication that failed its checks'),
  })
  .passthrough()
  .describe('RFC 9457 problem details')
  .meta({ id: 'Problem' });

/** 412: the stale write's answer always names the current version. */
export const preconditionFailedProblemSchema = problemSchema
  .extend({ currentEtag: z.string().describe('The current ETag of the item; reload, then send it as If-Match') })
  .meta({ id: 'PreconditionFailedProblem' });

/** Any JSON value, for records that hold whatever entity they describe (audit before/after). */
// One level deep on purpose: a schema referring to itself compiles to a TypeScript type that refers to itself,
// which openapi-typescript emits in a form tsc rejects (TS2502), so generated clients would not build.
export const jsonValue = z
  .union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
  .meta({ id: 'JsonValue', description: 'Any JSON value' });

/** Standard error responses for the OpenAPI document. */
export const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, c === 412 ? preconditionFailedProblemSchema : problemSchema])) as Record<number, typeof problemSchema>;

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'not a valid calendar date')
  .meta({ format: 'date' });

// Response fields the service itself writes (Date#toISOString, the database's `date` columns): the format is
// documented for generated clients, but not re-checked on the way out, where a mismatch would turn an answer into a 500.
/** An instant, ISO 8601 (`2026-03-01T08:00:00.000Z`). */
export const timestamp = z.string().meta({ format: 'date-time' });
/** A calendar day, `YYYY-MM-DD`. */
export const calendarDate = z.string().meta({ format: 'date' });

/** The request context for a route that requires authentication. */
export function ctxOf(request: FastifyRequest): Ctx {
  if (!request.actor) throw new UnauthorizedError();
  return { actor: request.actor, requestId: request.id, now: request.server.clock() };
}

// Built once: constructing an Intl.DateTimeFormat per call cost 6 % of the CPU of an item write (issue 14).
// Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975, so the day is plain arithmetic; an
// Intl.DateTimeFormat call costs microseconds and item views ask for it several times per item (issue 14).
const VN_OFFSET_MS = 7 * 3_600_000;

/** Today's date in Vietnam, where deadlines and unit activity dates live. */
export function vnDate(now: Date): string {
  return new Date(now.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The highest quality (q, 0–1) a content-negotiation header (Accept, Accept-Encoding) gives any of `names`
 * (lower-case, exact tokens such as "gzip", "*", "text/html", "application/*"); 0 when none is listed.
 */
export function headerQuality(header: string | undefined, names: readonly string[]): number {
  let best = 0;
  for (const part of (header ?? '').split(',')) {
    const [nameRaw, ...params] = part.split(';');
    if (!names.includes((nameRaw ?? '').trim().toLowerCase())) continue;
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > best) best = Math.min(q, 1);
  }
  return best;
}
