// Driver errors, seen from the outside: which ones mean "the database is unreachable right now" (→ 503 and
// Retry-After, the request may be retried) and how to log one without the bound parameters, which carry password
// hashes, token hashes and personal data (drizzle's "Failed query: … params: …" and pg's `detail`).

/** Seconds a client is told to wait (Retry-After) while the database is unreachable. */
export const DB_RETRY_AFTER_SECONDS = 5;

/**
 * SQLSTATEs that mean the connection, not the statement, failed: class 08 (connection exception), 57P01–57P03
 * (admin/crash shutdown, cannot connect now), 53300 (too many connections).
 */
const unavailableSqlState = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** Node socket errors on the way to the database. */
const unavailableErrno = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** node-postgres and pg-pool report a lost or unobtainable connection only by message. */
const unavailableMessage =
  /^(Connection terminated|Connection terminated unexpectedly|Connection terminated due to connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool|Query read timeout)$/;
/** PGlite closed under us (shutdown) — the embedded equivalent of a lost connection. */
const pgliteClosed = /^PGlite is closed$/;

function* chain(err: unknown): Generator<Record<string, unknown>> {
  let e: unknown = err;
  // drizzle wraps the driver error as `cause`; pg may wrap a socket error the same way.
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    yield e as Record<string, unknown>;
    e = (e as { cause?: unknown }).cause;
  }
}

/** True when the error means the database could not be reached or the connection broke (not a bad statement). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of chain(err)) {
    const code = e.code;
    if (typeof code === 'string' && (unavailableSqlState.test(code) || unavailableErrno.has(code))) return true;
    const message = e.message;
    if (typeof message === 'string' && (unavailableMessage.test(message) || pgliteClosed.test(message))) return true;
    // AggregateError from net.connect when every resolved address refused.
    const errors = e.errors;
    if (Array.isArray(errors) && errors.some((x) => isDatabaseUnavailable(x))) return true;
  }
  return false;
}

const FAILED_QUERY = /^Failed query: ([\s\S]*?)\nparams: [\s\S]*$/;
/** Fields of pg's DatabaseError that describe the failure without quoting row values. */
const safeDbFields = ['code', 'severity', 'constraint', 'table', 'column', 'dataType', 'schema', 'routine', 'errno', 'syscall'] as const;

interface SafeError {
  type: string;
  message: string;
  stack?: string;
  query?: string;
  cause?: SafeError;
  [key: string]: unknown;
}

/**
 * A loggable copy of an error: the SQL text and error code stay, bound parameters and value-quoting details
 * (`params`, pg's `detail`/`where`/`hint`, "Key (x)=(value)" messages) go. Used as pino's `err` serializer, so no
 * log line at any level can carry them.
 */
export function safeError(err: unknown, depth = 0): SafeError | unknown {
  if (!err || typeof err !== 'object') return err;
  const e = err as Record<string, unknown> & { message?: unknown; stack?: unknown; constructor?: { name?: string } };
  const out: SafeError = { type: e.constructor?.name ?? 'Error', message: typeof e.message === 'string' ? e.message : String(e.message) };
  const failed = FAILED_QUERY.exec(out.message);
  if (failed) {
    out.message = 'Failed query';
    out.query = failed[1];
  } else if (typeof e.query === 'string') {
    out.query = e.query;
  }
  // Data exceptions (class 22) quote the offending value: `invalid input syntax for type uuid: "…"`.
  if (typeof e.code === 'string' && e.code.startsWith('22')) out.message = out.message.replace(/"[^"]*"/g, '"[redacted]"');
  // The stack repeats the (possibly multi-line) message: rebuild it from the frames only.
  if (typeof e.stack === 'string') {
    const frames = e.stack.split('\n').filter((l) => /^\s+at /.test(l));
    out.stack = [`${out.type}: ${out.message}`, ...frames].join('\n');
  }
  for (const f of safeDbFields) if (e[f] !== undefined && typeof e[f] !== 'object') out[f] = e[f];
  if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  if (e.cause !== undefined && depth < 4) out.cause = safeError(e.cause, depth + 1) as SafeError;
  return out;
}
