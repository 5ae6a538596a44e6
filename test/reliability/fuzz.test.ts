// A deterministic fuzz run over every operation of the app's own OpenAPI document: hostile path segments, query
// values, headers and bodies (NUL, invalid UTF-8, lone surrogates, numbers beyond int4, wrong types and shapes,
// broken multipart, wrong content types). Seeded, so a failure reproduces exactly; capped in requests and time.
// Asserts: zero 5xx, and every 4xx is problem+json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';

const SEED = 0x18_2026;
const REQUESTS = 1_200;
const TIME_BUDGET_MS = 150_000;

/** mulberry32: tiny, seedable, good enough to pick cases. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema?: Schema }[];
  body?: { type: string; schema?: Schema };
}

let t: TestApp;
let ops: Operation[];
let known: { roundId: string };

beforeAll(async () => {
  t = await createTestApp({ env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '100000', SURVEY_RATE_LIMIT_PER_MINUTE: '100000' } });
  await seedDirectory(t);
  await insertFramework(t);
  known = { roundId: await openRound(t) };
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Schema;
  const resolve = (s: Schema | undefined): Schema | undefined => {
    if (s && typeof s.$ref === 'string') return doc.components?.schemas?.[s.$ref.split('/').pop()!];
    return s;
  };
  ops = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      // Logging out would only turn the rest of the run into 401s.
      if (/logout/.test(path)) continue;
      const content = (op.requestBody?.content ?? {}) as Record<string, Schema>;
      const type = Object.keys(content)[0];
      ops.push({
        method: method.toUpperCase(),
        path,
        params: ((op.parameters ?? []) as Schema[]).map((p) => ({ name: p.name, in: p.in, schema: resolve(p.schema) })),
        ...(type ? { body: { type, schema: resolve(content[type]!.schema) } } : {}),
      });
    }
  }
});
afterAll(() => t.close());

describe('seeded fuzz over the OpenAPI operations', () => {
  it(`${REQUESTS} requests: no 5xx, every 4xx is problem+json`, async () => {
    expect(ops.length).toBeGreaterThan(40);
    const r = rng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const admin = await t.as('admin');
    const coord = await t.as('coord');
    const editor = await t.as('p1.editor');

    // Raw URL pieces (already percent-encoded, some deliberately broken).
    const rawSegments = ['P1', 'CITY', '1.1', known.roundId, '00000000-0000-0000-0000-000000000000', 'P%00', '%00', '%FF', '%C3%28', '%E0%80%80', '%ED%A0%80', '%', '%zz', 'a%2Fb', '..', '%2e%2e', 'x'.repeat(150), '2147483648', '-1', '0', '1e309', 'NaN', 'Ph%C6%B0%E1%BB%9Dng', '%27%20OR%201%3D1--', '%3Cscript%3E'];
    const strings = ['', ' ', 'a\u0000b', '\u0000', '\ud800', 'x\udfffy', 'x'.repeat(5000), 'Phường Bến Nghé', "' OR 1=1--", '<script>alert(1)</script>', '../../etc/passwd', '2147483648', '-2147483649', '9'.repeat(40), 'null', 'true', '{}', '[]', '1.1', 'P1', 'CITY', known.roundId, '2025-11-03', '2025-13-45', 'self_assessment', 'published'];
    const numbers = [0, -1, 1, 2147483647, 2147483648, -2147483649, 1e308, -1e308, 0.1, 1.5, 2 ** 53 + 2, 42];

    const value = (schema: Schema | undefined, depth: number): unknown => {
      const roll = r();
      if (roll < 0.15) return pick(strings);
      if (roll < 0.25) return pick(numbers);
      if (roll < 0.3) return pick([null, true, false, [], {}, [pick(strings)], { [pick(strings)]: pick(numbers) }]);
      const s = schema ?? {};
      if (s.enum) return pick(s.enum as unknown[]);
      const type = Array.isArray(s.type) ? pick(s.type as string[]) : s.type;
      if (type === 'integer' || type === 'number') return pick(numbers);
      if (type === 'boolean') return r() < 0.5;
      if (type === 'array') return depth > 3 ? [] : Array.from({ length: Math.floor(r() * 3) }, () => value(s.items, depth + 1));
      if (type === 'object' || s.properties) return object(s, depth + 1);
      if (s.anyOf || s.oneOf) return value(pick((s.anyOf ?? s.oneOf) as Schema[]), depth + 1);
      return pick(strings);
    };
    const object = (s: Schema | undefined, depth: number): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((s?.properties ?? {}) as Record<string, Schema>)) if (r() < 0.8 && depth < 5) out[k] = value(v, depth);
      if (r() < 0.2) out[pick(strings).slice(0, 20) || 'extra'] = pick(strings);
      return out;
    };
    // A lone surrogate cannot be percent-encoded as UTF-8: send the bytes such a client would (CESU-8).
    const enc = (v: unknown) => {
      try {
        return encodeURIComponent(String(v));
      } catch {
        return '%ED%A0%80';
      }
    };
    const encode = (v: unknown) => (r() < 0.3 ? pick(rawSegments) : enc(v));

    const bodyOf = (op: Operation): { payload?: string | Buffer; type?: string } => {
      const roll = r();
      if (roll < 0.08) return { payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), type: 'application/json' };
      if (roll < 0.14) return { payload: pick(['{', '{"a":', '[1,', 'nul', '"\\ud800"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}']), type: 'application/json' };
      if (roll < 0.2) return { payload: 'x=1', type: pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'text/csv', 'application/octet-stream']) };
      if (roll < 0.28) {
        const part = '--B\r\nContent-Disposition: form-data; name="file"; filename="a\u0000.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 garbage\r\n--B--\r\n';
        const type = pick(['multipart/form-data', 'multipart/form-data; boundary=B', 'multipart/form-data; boundary=C', 'multipart/form-data; boundary=']);
        return { payload: r() < 0.5 ? part : part.slice(0, Math.floor(r() * part.length)), type };
      }
      if (roll < 0.34) return { payload: pick(['a;b;c\n"unterminated', '\ufeffsep=;\n;;;\n', 'id,answer\n1,"x\u0000"\n', Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('latin1')]), type: pick(['text/csv', 'application/json']) };
      if (!op.body) return {};
      const json = op.body.type.includes('json') ? JSON.stringify(value(op.body.schema, 0)) : pick(strings);
      return { payload: json ?? 'null', type: op.body.type.includes('json') ? 'application/json' : op.body.type };
    };

    const started = Date.now();
    const failures: string[] = [];
    const byStatus = new Map<number, number>();
    let sent = 0;
    for (; sent < REQUESTS && Date.now() - started < TIME_BUDGET_MS; sent++) {
      const op = pick(ops);
      const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const p = op.params.find((x) => x.in === 'path' && x.name === name);
        return r() < 0.5 ? encode(value(p?.schema, 0)) : enc(pick(strings.slice(17)));
      });
      const query = op.params
        .filter((p) => p.in === 'query' && r() < 0.6)
        .map((p) => `${enc(p.name)}=${encode(value(p.schema, 0))}`);
      if (r() < 0.1) query.push(`${pick(['%00', '%FF', 'x%00', 'year'])}=${pick(rawSegments)}`);
      const url = path + (query.length ? `?${query.join('&')}` : '');
      const headers: Record<string, string> = { ...pick([admin, admin, coord, editor, {}]) };
      if (r() < 0.1) headers['if-match'] = pick(['*', '"x"', 'W/"1"', '']);
      if (r() < 0.05) headers['x-note'] = pick(['Ã(', 'ok', '\u00ff\u00fe']);
      if (r() < 0.05) headers['idempotency-key'] = pick(strings.slice(6, 12));
      const body = ['POST', 'PUT', 'PATCH'].includes(op.method) || r() < 0.05 ? bodyOf(op) : {};
      if (body.type) headers['content-type'] = body.type;
      const res = await t.app.inject({ method: op.method as 'GET', url, headers, ...(body.payload !== undefined ? { payload: body.payload } : {}) });
      byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
      const label = `#${sent} ${op.method} ${url.slice(0, 160)} [${headers['content-type'] ?? '-'}] → ${res.statusCode} ${res.body.slice(0, 200)}`;
      if (res.statusCode >= 500) failures.push(label);
      else if (res.statusCode >= 400 && !/^application\/problem\+json/.test(String(res.headers['content-type']))) failures.push(`not problem+json: ${label}`);
    }
    expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(1_000);
    // Not vacuous: a good share got past validation into handlers and the database.
    const count = (lo: number, hi: number) => [...byStatus].filter(([s]) => s >= lo && s < hi).reduce((n, [, c]) => n + c, 0);
    console.log('fuzz statuses', Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])));
    expect(count(200, 300)).toBeGreaterThan(50);
    expect(count(400, 500)).toBeGreaterThan(300);
  });
});
