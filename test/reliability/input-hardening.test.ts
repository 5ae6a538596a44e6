// Hostile input, case by case (the seeded fuzz run is fuzz.test.ts): each answer is a 4xx problem+json naming
// the field, never a 500, and nothing saved before is lost. Also: /health/live is never shed and heavy endpoints
// have their own concurrency limit.
import Fastify, { type InjectOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProblemHandlers } from '../../src/plugins/problem.js';
import { frameworkErrors, registerInputGuard } from '../../src/plugins/input-guard.js';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';

const PROBLEM = /^application\/problem\+json/;

let t: TestApp;
let roundId: string;
beforeAll(async () => {
  // Inside the self-assessment phase (deadline 2025-11-03), so item writes are allowed; sessions outlive the clock.
  const now = new Date('2025-10-20T03:00:00Z');
  t = await createTestApp({ clock: () => now, env: { HEAVY_MAX_CONCURRENT: '1', SESSION_TTL_HOURS: '8760' } });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

async function problem(req: InjectOptions, status: number | number[], field?: string) {
  const res = await t.app.inject(req);
  const statuses = Array.isArray(status) ? status : [status];
  expect(statuses, `${res.statusCode} ${res.body}`).toContain(res.statusCode);
  expect(res.headers['content-type']).toMatch(PROBLEM);
  const body = res.json();
  expect(body.status).toBe(res.statusCode);
  if (field) expect(JSON.stringify(body.errors ?? body.field), res.body).toContain(`"${field}"`);
  return body;
}

describe('NUL bytes and invalid UTF-8', () => {
  it('in a path segment, anonymous and authenticated', async () => {
    await problem({ method: 'GET', url: '/api/v1/public/units/P%00/history' }, 400, 'path');
    await problem({ method: 'GET', url: '/api/v1/org-units/P%FF', headers: await t.as('admin') }, 400, 'path');
    await problem({ method: 'GET', url: `/api/v1/rounds/${roundId}/assessments/P1%C3%28/items/1.1`, headers: await t.as('admin') }, 400, 'path');
  });

  it('in the query string', async () => {
    const b = await problem({ method: 'GET', url: '/api/v1/public/publications?group=a%00b' }, 400, 'query.group');
    expect(b.detail).toMatch(/NUL/);
    await problem({ method: 'GET', url: '/api/v1/public/publications?group=%E0%80' }, 400, 'query.group');
  });

  it('in JSON strings (the login username), raw JSON bytes and lone surrogates', async () => {
    await problem({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ad\u0000min', password: PASSWORD } }, 400, 'body.username');
    await problem(
      { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: Buffer.from([0x7b, 0x22, 0x75, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
      400,
      'body',
    );
    await problem(
      { method: 'POST', url: '/api/v1/org-units', headers: { ...(await t.as('admin')), 'content-type': 'application/json' }, payload: '{"code":"X1","name":"\\ud800","kind":"commune"}' },
      400,
      'body.name',
    );
    // Nothing was created by the refused requests; a normal login still works.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/org-units/X1', headers: await t.as('admin') })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } })).statusCode).toBe(200);
  });

  it('in a header', async () => {
    // Node hands header bytes over as latin1: "Ã(" is the invalid UTF-8 sequence C3 28.
    await problem({ method: 'GET', url: '/api/v1/public/publications', headers: { 'x-client-note': 'Ã(' } }, 400, 'header.x-client-note');
  });
});

describe('numbers beyond their column', () => {
  it('?year=2147483648 is a 400 naming the field; the int4 bounds themselves are accepted', async () => {
    await problem({ method: 'GET', url: '/api/v1/public/publications?year=2147483648' }, 400, 'query.year');
    await problem({ method: 'GET', url: '/api/v1/public/publications?year=-2147483649' }, 400, 'query.year');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/public/publications?year=2147483647' })).statusCode).toBe(200);
  });

  it('integers in bodies are held to int4 unless the schema declares int64 or a narrower bound', async () => {
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerProblemHandlers(app);
    registerInputGuard(app);
    app.post(
      '/x',
      { schema: { body: z.object({ n: z.number().int(), items: z.array(z.object({ k: z.int().min(1) })), seq: z.number().int().meta({ format: 'int64' }), small: z.number().int().max(10) }) } },
      async () => ({ ok: true }),
    );
    await app.ready();
    const post = (body: object) => app.inject({ method: 'POST', url: '/x', payload: body });
    const ok = { n: 2147483647, items: [{ k: 1 }], seq: 2 ** 40, small: 3 };
    expect((await post(ok)).statusCode).toBe(200);
    const tooBig = await post({ ...ok, n: 2147483648, items: [{ k: 1 }, { k: 3e9 }] });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.n', 'body.items.1.k']);
    // A narrower bound is the schema's own business (reported by validation, still a 400).
    expect((await post({ ...ok, small: 3e9 })).statusCode).toBe(400);
    await app.close();
  });
});

describe('every 4xx from any layer is problem+json', () => {
  it('router: unknown route 404, bad percent-encoding 400, over-long path segment 414', async () => {
    await problem({ method: 'GET', url: '/api/v1/nowhere' }, 404);
    await problem({ method: 'GET', url: '/api/v1/public/units/%E0%A4%A/history' }, 400);
    // An over-long segment is a 404 where other routes could still match, a 414 where it cannot: problem+json either way.
    await problem({ method: 'GET', url: `/api/v1/public/units/${'x'.repeat(500)}/history` }, [404, 414]);
    const app = Fastify({ frameworkErrors });
    registerProblemHandlers(app);
    app.get('/a/:id', async () => ({ ok: true }));
    const long = await app.inject({ method: 'GET', url: `/a/${'x'.repeat(500)}` });
    expect(long.statusCode).toBe(414);
    expect(long.headers['content-type']).toMatch(PROBLEM);
    expect(long.json()).toMatchObject({ status: 414, type: 'urn:par-index:problem:uri-too-long', field: 'path' });
    await app.close();
  });

  it('body parser: malformed JSON 400, wrong content type 415, wrong body type 400', async () => {
    await problem({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' }, 400);
    await problem({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/xml' }, payload: '<login/>' }, 415);
    await problem({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '[1,2,3]' }, 400);
    await problem({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '"admin"' }, 400);
  });

  it('multipart without a boundary or with a mismatched one', async () => {
    const headers = await t.as('p1.editor');
    const url = `/api/v1/rounds/${roundId}/assessments/P1/items/1.1/evidence`;
    const part = '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--abc--\r\n';
    await problem({ method: 'POST', url, headers: { ...headers, 'content-type': 'multipart/form-data' }, payload: part }, [400, 406, 415]);
    await problem({ method: 'POST', url, headers: { ...headers, 'content-type': 'multipart/form-data; boundary=zzz' }, payload: part }, [400, 415, 422]);
    await problem({ method: 'POST', url, headers: { ...headers, 'content-type': 'multipart/form-data; boundary=abc' }, payload: part.slice(0, 60) }, [400, 415, 422]);
  });
});

describe('load shedding and heavy endpoints', () => {
  it('/health/live is never shed while other routes get 503', async () => {
    const shed = await createTestApp({ env: { MAX_EVENT_LOOP_DELAY_MS: '100' } });
    try {
      for (let i = 0; i < 6; i++) {
        const until = Date.now() + 300;
        while (Date.now() < until);
        await new Promise((r) => setImmediate(r));
      }
      const [api, live] = await Promise.all([
        shed.app.inject({ method: 'GET', url: '/api/v1/public/publications' }),
        shed.app.inject({ method: 'GET', url: '/health/live' }),
      ]);
      expect(api.statusCode).toBe(503);
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ status: 'ok' });
    } finally {
      await shed.close();
    }
  });

  it('results beyond HEAVY_MAX_CONCURRENT get 503 + Retry-After at once while item reads and writes go on', async () => {
    const coord = await t.as('coord');
    const editor = await t.as('p1.head');
    const item = `/api/v1/rounds/${roundId}/assessments/P1/items/1.1`;
    const etag = (await t.app.inject({ method: 'GET', url: item, headers: editor })).json().etag as string;
    const [a, b, write, live] = await Promise.all([
      t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/results`, headers: coord }),
      t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/results.csv`, headers: coord }),
      t.app.inject({ method: 'PUT', url: `${item}/self`, headers: { ...editor, 'if-match': etag }, payload: { input: { option: 'ON_TIME' }, note: 'Kế hoạch số 12/KH-UBND' } }),
      t.app.inject({ method: 'GET', url: '/health/live' }),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses).toEqual([200, 503]);
    const busy = a.statusCode === 503 ? a : b;
    expect(busy.headers['content-type']).toMatch(PROBLEM);
    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.json().type).toBe('urn:par-index:problem:busy');
    expect(write.statusCode, write.body).toBeLessThan(300);
    expect(live.statusCode).toBe(200);
    // The slot is released: the next results request succeeds.
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/results`, headers: coord })).statusCode).toBe(200);
  });
});
