// The published OpenAPI document describes what the service answers (issue 20 items 1–2): problem+json for every
// error, the statuses every operation can meet, and the request id on every response. Checked on the document the
// running app serves, and against a real error answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

type Json = Record<string, any>;
let t: TestApp;
let doc: Json;
const ops: { path: string; method: string; op: Json }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) ops.push({ path, method, op: op as Json });
  }
});
afterAll(() => t.close());

const resolve = (r: Json) => (r.$ref ? doc.components.responses[r.$ref.split('/').pop()] : r);

describe('OpenAPI error responses', () => {
  it('every 4xx and 5xx of every operation is application/problem+json with the Problem schema, and nothing else', () => {
    expect(ops.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const { path, method, op } of ops) {
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
        const content = resolve(r)?.content ?? {};
        if (Object.keys(content).join() !== 'application/problem+json' || content['application/problem+json'].schema.$ref !== '#/components/schemas/Problem') {
          wrong.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every operation documents 400 and 503; authenticated ones 401; operations with a body 413', () => {
    const missing: string[] = [];
    for (const { path, method, op } of ops) {
      const has = (s: string) => s in op.responses;
      const authenticated = (op.security ?? doc.security ?? []).length > 0;
      for (const [s, needed] of [['400', true], ['503', true], ['401', authenticated], ['413', !!op.requestBody]] as const) {
        if (needed && !has(s)) missing.push(`${method.toUpperCase()} ${path} ${s}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('success responses carry x-request-id and a real description, not "Default Response"', () => {
    const bad: string[] = [];
    for (const { path, method, op } of ops) {
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        if (Number(status) >= 400) continue;
        if (!r.headers?.['x-request-id'] || r.description === 'Default Response') bad.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    expect(bad).toEqual([]);
    expect(doc.components.headers.RequestId.schema).toEqual({ type: 'string' });
    expect(resolve({ $ref: '#/components/responses/Problem503' }).headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
  });

  it('If-Match is required on every item write, with 412 and 428 documented and ETag on the answer', () => {
    const writes = ops.filter(({ op }) => (op.parameters ?? []).some((p: Json) => p.in === 'header' && p.name === 'if-match'));
    expect(writes.map((w) => w.op.operationId)).toEqual(expect.arrayContaining(['putSelfAssessment', 'putAppraisal', 'putExplanation', 'putFinal']));
    for (const { op } of writes) {
      expect(op.parameters.find((p: Json) => p.name === 'if-match').required, op.operationId).toBe(true);
      expect(Object.keys(op.responses), op.operationId).toEqual(expect.arrayContaining(['412', '428']));
      expect(op.responses['200'].headers.ETag, op.operationId).toEqual({ $ref: '#/components/headers/ETag' });
    }
  });

  it('declares servers, a license and every tag an operation uses, with a description', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.info.license.name).toBeTruthy();
    const used = new Set(ops.flatMap(({ op }) => op.tags ?? []));
    const declared = new Map((doc.tags as { name: string; description?: string }[]).map((x) => [x.name, x.description]));
    expect([...used].filter((tag) => !declared.get(tag))).toEqual([]);
  });

  it('matches what the service sends: a 404 is application/problem+json with the request id as instance and header', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/public/units/NO-SUCH-UNIT/history' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().instance).toBe(res.headers['x-request-id']);
  });
});
