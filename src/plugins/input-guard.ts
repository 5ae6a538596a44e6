// Hostile-input hardening in one place, for every route (API and web): NUL bytes and invalid UTF-8 in the path,
// query string, headers and JSON bodies, and integers beyond what their column can hold (int4 unless the schema
// says otherwise). Each is a 400 problem+json naming the field, answered before any handler or SQL runs; without
// this PostgreSQL rejects such values mid-request (22021, 22003) and the client saw a 500.
import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { z } from 'zod';
import { ValidationError, problemType, type FieldError } from '../lib/errors.js';
import { sendProblem } from './problem.js';

export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;

/** Bytes of a URL component after percent-decoding ('%ZZ' and other stray '%' stay literal, as the router does). */
function percentBytes(s: string, plusIsSpace: boolean): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (plusIsSpace && c === 0x2b) {
      out.push(0x20);
    } else if (c < 0x80) {
      out.push(c);
    } else {
      // Raw non-ASCII in the request line arrives as latin1 from Node's parser: one byte per char.
      for (const b of Buffer.from(s[i]!, c <= 0xff ? 'latin1' : 'utf8')) out.push(b);
    }
  }
  return Buffer.from(out);
}

function badBytes(bytes: Buffer): string | null {
  if (bytes.includes(0)) return 'must not contain NUL (0x00) characters';
  if (!isUtf8(bytes)) return 'is not valid UTF-8';
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a decoded string cannot be stored as PostgreSQL text, or null. */
function badString(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(s)) return 'is not valid Unicode (lone surrogate)';
  return null;
}

/** The printable name of a query parameter for the error (its own bytes may be the problem). */
function printable(bytes: Buffer): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not be echoed
  const s = bytes.toString('utf8').replace(/[\u0000-\u001f\u007f\ufffd]/g, '?');
  return s.length > 64 ? s.slice(0, 64) + '…' : s;
}

export function urlErrors(rawUrl: string): FieldError[] {
  const errors: FieldError[] = [];
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const pathProblem = badBytes(percentBytes(path, false));
  if (pathProblem) errors.push({ field: 'path', message: pathProblem, code: 'invalid_string' });
  if (q !== -1) {
    for (const pair of rawUrl.slice(q + 1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const name = percentBytes(eq === -1 ? pair : pair.slice(0, eq), true);
      const value = eq === -1 ? null : percentBytes(pair.slice(eq + 1), true);
      const problem = badBytes(name) ?? (value ? badBytes(value) : null);
      if (problem) errors.push({ field: `query.${printable(name)}`, message: problem, code: 'invalid_string' });
    }
  }
  return errors;
}

export function headerErrors(headers: Record<string, string | string[] | undefined>): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, v] of Object.entries(headers)) {
    for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
      // Node hands header bytes over as latin1; reinterpret them to check the UTF-8 the client meant.
      const problem = badBytes(Buffer.from(value, 'latin1'));
      if (problem) errors.push({ field: `header.${name}`, message: problem, code: 'invalid_string' });
    }
  }
  return errors;
}

/** NUL and lone surrogates anywhere in a parsed body/params/query (keys included). */
export function valueErrors(value: unknown, field: string, errors: FieldError[] = [], depth = 0): FieldError[] {
  if (errors.length >= 20 || depth > 64) return errors;
  if (typeof value === 'string') {
    const problem = badString(value);
    if (problem) errors.push({ field, message: problem, code: 'invalid_string' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => valueErrors(v, `${field}.${i}`, errors, depth + 1));
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value) && typeof (value as { pipe?: unknown }).pipe !== 'function') {
    for (const [k, v] of Object.entries(value)) {
      const keyProblem = badString(k);
      // eslint-disable-next-line no-control-regex -- the NUL being reported must not be echoed
      if (keyProblem) errors.push({ field: `${field}.${k.replace(/[\u0000\ud800-\udfff]/g, '?')}`, message: `name ${keyProblem}`, code: 'invalid_string' });
      else valueErrors(v, `${field}.${k}`, errors, depth + 1);
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------------------
// Integer ranges. zod's .int() allows any safe integer (±2^53); the columns behind almost every integer input are
// int4. An integer without an explicit narrower bound is held to int4; a field stored as int8 says so with
// `.meta({ format: 'int64' })` (which also documents it in the OpenAPI document).

type JsonSchema = { [k: string]: unknown };
const SAFE = Number.MAX_SAFE_INTEGER;

function toJsonSchema(schema: unknown): JsonSchema | null {
  if (!(schema instanceof z.ZodType)) return null;
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return null;
  }
}

function intErrors(schema: JsonSchema | undefined, root: JsonSchema, value: unknown, field: string, errors: FieldError[], depth = 0) {
  if (!schema || value === undefined || value === null || depth > 32 || errors.length >= 20) return;
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    intErrors((root.$defs as Record<string, JsonSchema> | undefined)?.[ref.slice(8)], root, value, field, errors, depth + 1);
    return;
  }
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const subs = schema[k];
    if (Array.isArray(subs)) for (const s of subs as JsonSchema[]) intErrors(s, root, value, field, errors, depth + 1);
  }
  const type = schema.type;
  const isInt = type === 'integer' || (Array.isArray(type) && type.includes('integer'));
  if (isInt && schema.format !== 'int64') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (Number.isFinite(n)) {
      const max = typeof schema.maximum === 'number' && schema.maximum < SAFE ? schema.maximum : INT4_MAX;
      const min = typeof schema.minimum === 'number' && schema.minimum > -SAFE ? schema.minimum : INT4_MIN;
      // Only the int4 bound is ours; a narrower bound is reported by the schema validation itself.
      if ((n > INT4_MAX && max >= INT4_MAX) || (n < INT4_MIN && min <= INT4_MIN)) {
        if (!errors.some((e) => e.field === field)) errors.push({ field, message: `must be between ${INT4_MIN} and ${INT4_MAX}`, code: 'too_big' });
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items && typeof items === 'object' && !Array.isArray(items)) value.forEach((v, i) => intErrors(items as JsonSchema, root, v, `${field}.${i}`, errors, depth + 1));
    return;
  }
  if (typeof value === 'object') {
    const props = schema.properties as Record<string, JsonSchema> | undefined;
    const extra = schema.additionalProperties;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const s = props?.[k] ?? (extra && typeof extra === 'object' ? (extra as JsonSchema) : undefined);
      intErrors(s, root, v, `${field}.${k}`, errors, depth + 1);
    }
  }
}

interface IntChecks {
  params?: JsonSchema;
  querystring?: JsonSchema;
  body?: JsonSchema;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Integer-bearing input schemas of the route, as JSON Schema (set by the input guard at registration). */
    intChecks?: IntChecks;
  }
}

function sendFieldErrors(request: FastifyRequest, reply: FastifyReply, errors: FieldError[]) {
  request.log.info({ errors }, 'hostile or unstorable input refused');
  const err = new ValidationError(errors, errors.map((e) => `${e.field}: ${e.message}`).join('; '), 400);
  return sendProblem(reply, request, 400, { type: err.type, title: err.title, detail: err.message, ...err.extra });
}

/**
 * Fastify's router answers a bad percent-encoding (400) and an over-long path parameter (414) itself, as plain
 * JSON; this turns them into problem+json like every other error.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  return sendProblem(reply, request, status, {
    type: problemType(status === 414 ? 'uri-too-long' : 'bad-request'),
    title: status === 414 ? 'URI too long' : 'Bad request',
    detail: err.code === 'FST_ERR_BAD_URL' ? 'The URL path is not validly percent-encoded.' : err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long.' : 'The request is malformed.',
    field: 'path',
  });
}

/** Node's HTTP parser refused the request (bad bytes in a header, header overflow, timeout): problem+json on the socket. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
  const body = JSON.stringify({
    type: problemType(status === 408 ? 'timeout' : status === 400 ? 'bad-request' : 'too-large'),
    title: STATUS_CODES[status],
    status,
    detail: status === 400 ? 'The HTTP request is malformed (invalid characters in the request line or a header).' : `${STATUS_CODES[status]}.`,
  });
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function registerInputGuard(app: FastifyInstance) {
  app.addHook('onRoute', (route: RouteOptions) => {
    const s = route.schema as Record<string, unknown> | undefined;
    if (!s) return;
    const checks: IntChecks = {};
    for (const k of ['params', 'querystring', 'body'] as const) {
      const js = toJsonSchema(s[k]);
      if (js && JSON.stringify(js).includes('"integer"')) checks[k] = js;
    }
    if (checks.params || checks.querystring || checks.body) route.config = { ...route.config, intChecks: checks };
  });

  app.addHook('onRequest', async (request, reply) => {
    const errors = [...urlErrors(request.raw.url ?? '/'), ...headerErrors(request.headers)];
    if (errors.length > 0) return sendFieldErrors(request, reply, errors);
  });

  // JSON bodies: the raw bytes must be UTF-8 (the default parser would silently turn bad bytes into U+FFFD).
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new ValidationError([{ field: 'body', message: 'is not valid UTF-8', code: 'invalid_string' }], 'body: is not valid UTF-8', 400), undefined);
      return;
    }
    defaultJson(request, bytes.toString('utf8'), done);
  });

  app.addHook('preValidation', async (request, reply) => {
    const errors: FieldError[] = [];
    valueErrors(request.params, 'params', errors);
    valueErrors(request.query, 'query', errors);
    valueErrors(request.body, 'body', errors);
    const checks = request.routeOptions.config?.intChecks;
    if (checks) {
      if (checks.params) intErrors(checks.params, checks.params, request.params, 'params', errors);
      if (checks.querystring) intErrors(checks.querystring, checks.querystring, request.query, 'query', errors);
      if (checks.body) intErrors(checks.body, checks.body, request.body, 'body', errors);
    }
    if (errors.length > 0) return sendFieldErrors(request, reply, errors);
  });
}
