// The published OpenAPI document describes what the service answers (issue 20 items 1–3): problem+json for every
// error, the statuses every operation can meet, the request id on every response, and schemas precise enough for a
// generated client (unions, required fields, formats, uploads, downloads). Checked on the document the running app
// serves, and against real answers.
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
        // A 412 uses the Problem that requires `currentEtag`.
        const schema = status === '412' ? '#/components/schemas/PreconditionFailedProblem' : '#/components/schemas/Problem';
        if (Object.keys(content).join() !== 'application/problem+json' || content['application/problem+json'].schema.$ref !== schema) {
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
    expect(doc.components.schemas.Problem.properties.type.enum).toContain(res.json().type);
  });
});

const schemas = () => doc.components.schemas as Record<string, Json>;
const opById = (id: string) => ops.find(({ op }) => op.operationId === id)!.op;

/** Every subschema of the document, with where it is. */
function* walk(node: unknown, at: string): Generator<[string, Json]> {
  if (Array.isArray(node)) for (const [i, v] of node.entries()) yield* walk(v, `${at}/${i}`);
  else if (node && typeof node === 'object') {
    yield [at, node as Json];
    for (const [k, v] of Object.entries(node)) yield* walk(v, `${at}/${k}`);
  }
}

describe('OpenAPI schemas are precise', () => {
  it('has one component per schema: no duplicate *Input variants', () => {
    const names = Object.keys(schemas());
    expect(names.filter((n) => n.endsWith('InputInput'))).toEqual([]);
    // An input variant survives only if it differs from its output variant.
    for (const n of names.filter((x) => x.endsWith('Input') && names.includes(x.slice(0, -5)))) {
      expect(schemas()[n], n).not.toEqual(schemas()[n.slice(0, -5)]);
    }
    expect(names).toEqual(expect.arrayContaining(['LeafInput', 'DocumentReference', 'FrameworkDocument', 'FrameworkRule']));
    // Every $ref resolves.
    const dangling = [...walk(doc, '#')].filter(([, n]) => typeof n.$ref === 'string' && n.$ref.startsWith('#/components/schemas/') && !schemas()[n.$ref.split('/').pop() ?? '']);
    expect(dangling.map(([at]) => at)).toEqual([]);
  });

  it('an item names its rule and self input by their schemas; single-item answers always carry the history', () => {
    const item = schemas().AssessmentItem!;
    expect(item.properties.rule).toEqual({ anyOf: [{ $ref: '#/components/schemas/FrameworkRule' }, { type: 'null' }] });
    expect(item.properties.selfInput).toEqual({ anyOf: [{ $ref: '#/components/schemas/LeafInput' }, { type: 'null' }] });
    expect(item.properties.history).toBeUndefined();
    const withHistory = schemas().AssessmentItemWithHistory!;
    expect(withHistory.required).toContain('history');
    expect(withHistory.properties.history.items).toEqual({ $ref: '#/components/schemas/ItemHistoryEntry' });
    // One variant per kind, each naming what its entry records; a self entry's input is a LeafInput.
    const entries = schemas().ItemHistoryEntry!.oneOf as Json[];
    expect(entries.map((e) => e.properties.kind.const)).toEqual(expect.arrayContaining(['self', 'prefilled', 'appraisal', 'final', 'council_decision', 'objection']));
    const self = entries.find((e) => e.properties.kind.const === 'self')!;
    expect(self.properties.data.anyOf[0].properties.input).toEqual({ anyOf: [{ $ref: '#/components/schemas/LeafInput' }, { type: 'null' }] });
    for (const id of ['getAssessmentItem', 'putSelfAssessment', 'putAppraisal', 'putExplanation', 'putFinal', 'removeEvidence']) {
      expect(opById(id).responses['200'].content['application/json'].schema, id).toEqual({ $ref: '#/components/schemas/AssessmentItemWithHistory' });
    }
    expect(schemas().Assessment!.properties.items.items).toEqual({ $ref: '#/components/schemas/AssessmentItem' });
  });

  it('Evidence is a union discriminated by kind, each kind with its own required fields', () => {
    const evidence = schemas().Evidence!;
    expect(evidence.oneOf).toEqual([{ $ref: '#/components/schemas/EvidenceFile' }, { $ref: '#/components/schemas/EvidenceDocument' }]);
    expect(evidence.discriminator.propertyName).toBe('kind');
    expect(schemas().EvidenceFile!.properties.kind.const).toBe('file');
    expect(schemas().EvidenceFile!.required).toEqual(expect.arrayContaining(['downloadUrl', 'sha256', 'size']));
    expect(schemas().EvidenceDocument!.required).toEqual(expect.arrayContaining(['docNumber', 'docDate', 'issuer', 'title']));
    expect(schemas().EvidenceDocument!.properties.docDate).toEqual({ anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] });
  });

  it('Round.schedule lists its phases as dated properties; timestamps are date-time', () => {
    const schedule = schemas().Round!.properties.schedule;
    expect(Object.keys(schedule.properties)).toEqual(['self_assessment', 'appraisal', 'explanation', 'final_appraisal', 'council_review']);
    expect(schedule.properties.appraisal).toEqual({ type: 'string', format: 'date' });
    expect(schemas().Round!.properties.createdAt).toEqual({ type: 'string', format: 'date-time' });
    expect(schemas().AuditEvent!.properties.at).toEqual({ type: 'string', format: 'date-time' });
    // No response property named *At / at is left a bare string.
    const bare = [...walk(schemas(), '#/components/schemas')].flatMap(([at, n]) =>
      Object.entries((n.properties ?? {}) as Record<string, Json>)
        .filter(([name, p]) => /(^at|At)$/.test(name) && p.type === 'string' && !p.format)
        .map(([name]) => `${at}/${name}`),
    );
    expect(bare).toEqual([]);
  });

  it('has no required-but-undefined properties and no empty schema in a union', () => {
    const problems: string[] = [];
    for (const [at, n] of walk(doc, '#')) {
      if (Array.isArray(n.required) && n.type === 'object' && n.properties === undefined && n.additionalProperties !== undefined) problems.push(`${at} requires keys it does not define`);
      if (Array.isArray(n.required) && n.properties) for (const r of n.required as string[]) if (!(r in n.properties)) problems.push(`${at} requires ${r}`);
      for (const k of ['anyOf', 'oneOf'] as const) if (Array.isArray(n[k]) && (n[k] as Json[]).some((x) => Object.keys(x).length === 0)) problems.push(`${at}/${k} has {}`);
    }
    expect(problems).toEqual([]);
    expect(schemas().AuditEvent!.properties.before.$ref).toBe('#/components/schemas/JsonValue');
  });

  it('problem types are an enum of the service’s URNs, and problem extras are typed', () => {
    const problem = schemas().Problem!;
    expect(problem.properties.type.enum).toEqual(expect.arrayContaining(['urn:par-index:problem:validation', 'urn:par-index:problem:not-found', 'urn:par-index:problem:precondition-failed', 'urn:par-index:problem:wrong-phase', 'urn:par-index:problem:rate-limited']));
    expect(problem.properties.type.enum.every((u: string) => /^urn:par-index:problem:[a-z-]+$/.test(u))).toBe(true);
    for (const extra of ['errors', 'currentEtag', 'entity', 'id', 'phase', 'retryAfterSeconds']) expect(problem.properties[extra], extra).toBeDefined();
    expect(schemas().PreconditionFailedProblem!.required).toContain('currentEtag');
  });

  it('documents the evidence and minutes uploads as multipart (field file) beside the JSON reference', () => {
    for (const [id, json] of [['addEvidence', 'DocumentReference'], ['putRoundCouncilMinutes', 'MinutesDocumentReference']] as const) {
      const content = opById(id).requestBody.content;
      expect(content['application/json'].schema, id).toEqual({ $ref: `#/components/schemas/${json}` });
      expect(content['multipart/form-data'].schema.required, id).toEqual(['file']);
      expect(content['multipart/form-data'].schema.properties.file, id).toEqual(expect.objectContaining({ type: 'string', format: 'binary' }));
    }
  });

  it('documents downloads as binary strings of their media types with Content-Disposition', () => {
    const downloads = ops.filter(({ op }) => Object.keys(op.responses['200']?.content ?? {}).some((m) => !m.endsWith('json')));
    expect(downloads.map(({ op }) => op.operationId)).toEqual(expect.arrayContaining(['downloadEvidence', 'getRoundResultsXlsx', 'getRoundResultsCsv', 'getPublicationPdf', 'getSurveyQrPng']));
    for (const { op } of downloads) {
      for (const [media, c] of Object.entries(op.responses['200'].content as Record<string, Json>)) {
        expect(c.schema, `${op.operationId} ${media}`).toEqual({ type: 'string', format: 'binary' });
      }
      expect(op.responses['200'].headers['Content-Disposition'], op.operationId).toEqual({ $ref: '#/components/headers/ContentDisposition' });
    }
    expect(Object.keys(opById('getPublicationPdf').responses['200'].content)).toEqual(['application/pdf']);
  });

  it('429 documents Retry-After and the rate-limit headers; 503 Retry-After', () => {
    const r429 = resolve({ $ref: '#/components/responses/Problem429' });
    expect(Object.keys(r429.headers)).toEqual(expect.arrayContaining(['Retry-After', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']));
    expect(resolve({ $ref: '#/components/responses/Problem503' }).headers['Retry-After']).toBeDefined();
  });
});

