import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
  await seedDirectory(t);
});
afterAll(() => t.close());

const PROBLEM = /^application\/problem\+json/;

describe('problem+json', () => {
  it('unknown route is a 404 problem whose instance is the request id echoed in the header', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    const body = res.json();
    expect(body).toMatchObject({ status: 404, title: 'Không tìm thấy', type: expect.stringContaining('not-found') });
    expect(body.detail).toContain('/api/v1/nothing-here');
    expect(body.instance).toBe(res.headers['x-request-id']);
  });

  it('keeps a well-formed incoming x-request-id and replaces a malformed one', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers['x-request-id']).toBe('abc-123');
    const bad = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'x y <script>' } });
    expect(bad.headers['x-request-id']).not.toBe('x y <script>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('validation errors name every invalid field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/org-units',
      headers: await t.as('admin'),
      payload: { code: 'bad code!', kind: 'village', activeFrom: '2025-02-30' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    const body = res.json();
    const fields = body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['body.activeFrom', 'body.code', 'body.kind', 'body.name']);
    expect(body.instance).toBe(res.headers['x-request-id']);
    expect(body.detail).toContain('body.kind');
  });

  it('unknown fields are rejected and named (no mass assignment)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/org-units',
      headers: await t.as('admin'),
      payload: { code: 'NEW1', name: 'Đơn vị mới', kind: 'commune', createdAt: '2000-01-01' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'body.createdAt', code: 'unrecognized_keys' })]);
    const check = await t.app.inject({ method: 'GET', url: '/api/v1/org-units/NEW1', headers: await t.as('admin') });
    expect(check.statusCode).toBe(404);
  });

  it('malformed JSON is a 400 problem, an oversized body a 413 problem', async () => {
    const headers = { ...(await t.as('admin')), 'content-type': 'application/json' };
    const malformed = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: '{"code": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toMatch(PROBLEM);
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/v1/org-units',
      headers,
      payload: JSON.stringify({ code: 'BIG', name: 'x'.repeat(5000), kind: 'commune' }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().status).toBe(413);
  });

  it('a unique violation from the database becomes 409', async () => {
    const headers = await t.as('admin');
    const payload = { code: 'DUP', name: 'Đơn vị trùng', kind: 'commune' };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload })).statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(PROBLEM);
  });

  it('sends security headers and no CORS grant by default', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://evil.example' } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('500s never leak internals', () => {
  it('hides SQL and stack, carries the request id', async () => {
    const database = await createTestDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', CORS_ORIGINS: 'https://portal.example.gov.vn' });
    const app = await buildApp({ config, database, logger: false });
    app.get('/boom', { config: { public: true } }, async () => {
      await database.db.execute('select * from secret_table_that_does_not_exist' as never);
      return 'unreachable';
    });
    await app.ready();
    try {
      const res = await app.inject({ method: 'GET', url: '/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).not.toMatch(/secret_table|select|stack|at .*\.ts/i);
      expect(res.json().instance).toBe(res.headers['x-request-id']);
      expect(res.json().detail).toContain(res.headers['x-request-id'] as string);

      const cors = await app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://portal.example.gov.vn' } });
      expect(cors.headers['access-control-allow-origin']).toBe('https://portal.example.gov.vn');
      const other = await app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://evil.example' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('load shedding', () => {
  it('answers 503 problem+json with Retry-After while the event loop lags, and recovers', async () => {
    const shed = await createTestApp({ env: { MAX_EVENT_LOOP_DELAY_MS: '100' } });
    try {
      const before = await shed.app.inject({ method: 'GET', url: '/health/live' });
      expect(before.statusCode).toBe(200);
      // under-pressure compares the mean loop delay of each 1 s sample with the threshold, so keep the loop
      // ~300 ms late on every turn for longer than one sample.
      for (let i = 0; i < 6; i++) {
        const until = Date.now() + 300;
        while (Date.now() < until);
        await new Promise((r) => setImmediate(r));
      }
      const res = await shed.app.inject({ method: 'GET', url: '/api/v1/public/publications' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.headers['retry-after']).toBe('10');
      expect(res.json()).toMatchObject({ status: 503, title: 'Hệ thống đang quá tải', instance: res.headers['x-request-id'] });
      // The next samples see an idle loop again.
      await new Promise((r) => setTimeout(r, 2_200));
      const after = await shed.app.inject({ method: 'GET', url: '/api/v1/public/publications' });
      expect(after.statusCode).toBe(200);
    } finally {
      await shed.close();
    }
  });
});

describe('API documentation', () => {
  it('serves the OpenAPI 3.1 document and the docs page from local assets', async () => {
    const spec = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(spec.statusCode).toBe(200);
    const doc = spec.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/auth/login'].post.operationId).toBe('login');
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/org-units'].post.requestBody).toBeDefined();
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
    const asset = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(asset.statusCode).toBe(200);
  });
});
