// Integrators read the OpenAPI document in generated SDKs and /docs (issue 20 item 4): every operation says what it
// is for and who may call it, and every request body and JSON success answer has an example recorded from the demo
// province — one that still fits its schema, or linters (oas3-valid-media-example) and readers are misled.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_DOCS, OPERATION_EXAMPLES } from '../../src/lib/openapi/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let t: TestApp;
let doc: Json;
const ops: { id: string; label: string; op: Json }[] = [];
let ajv: Ajv2020;

beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) ops.push({ id: (op as Json).operationId, label: `${method.toUpperCase()} ${path}`, op: op as Json });
  }
  // OAS 3.1 schemas are JSON Schema 2020-12; OpenAPI's own keywords (example, discriminator, xml) are annotations.
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'urn:par-index:openapi', components: doc.components });
});
afterAll(() => t.close());

/** The document's local refs, pointed at the registered copy of its components. */
function anchored(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchored);
  if (schema && typeof schema === 'object') {
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `urn:par-index:openapi${v}` : anchored(v)]));
  }
  return schema;
}

const compiled = new Map<unknown, ValidateFunction>();
function validatorFor(schema: unknown): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(anchored(schema) as object)));
  return v;
}

/** Every media object of an operation's request body and responses, with where it sits. */
function mediaOf(op: Json): { where: string; status: string | null; mediaType: string; media: Json }[] {
  const out: { where: string; status: string | null; mediaType: string; media: Json }[] = [];
  for (const [mediaType, media] of Object.entries((op.requestBody?.content ?? {}) as Record<string, Json>)) out.push({ where: `request ${mediaType}`, status: null, mediaType, media });
  for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
    const response = r.$ref ? doc.components.responses[String(r.$ref).split('/').pop()!] : r;
    for (const [mediaType, media] of Object.entries((response?.content ?? {}) as Record<string, Json>)) out.push({ where: `${status} ${mediaType}`, status, mediaType, media });
  }
  return out;
}

describe('OpenAPI operation documentation', () => {
  it('every operation has a bilingual summary and a description, from one entry per operationId with none left over', () => {
    expect(ops.length).toBeGreaterThan(100);
    const ids = ops.map((o) => o.id);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(ids.filter((id) => !OPERATION_DOCS[id]).sort()).toEqual([]);
    expect(Object.keys(OPERATION_DOCS).filter((id) => !ids.includes(id)).sort()).toEqual([]);
    const bad = ops.filter(({ op }) => !/\S \/ \S/.test(op.summary ?? '') || (op.description ?? '').length < 40).map((o) => o.label);
    expect(bad).toEqual([]);
    // Spot-check that the entries land where they belong.
    const put = ops.find((o) => o.id === 'putSelfAssessment')!.op;
    expect(put.summary).toBe('Lưu điểm tự chấm / Save a self score');
    expect(put.description).toMatch(/428/);
    expect(put.description).toMatch(/412/);
    expect(put.description).toMatch(/self_assessment/);
  });

  it('every operation is tagged with a declared tag that has a Vietnamese and English description', () => {
    const declared = new Map((doc.tags as { name: string; description?: string }[]).map((x) => [x.name, x.description ?? '']));
    const untagged = ops.filter(({ op }) => !(op.tags?.length > 0) || op.tags.some((tag: string) => !declared.has(tag))).map((o) => o.label);
    expect(untagged).toEqual([]);
    for (const [name, description] of declared) expect(description, name).toMatch(/^\S.* \(.+\)$/);
  });

  it('every JSON request body and every 2xx JSON or CSV answer has an example', () => {
    const missing: string[] = [];
    for (const { label, op } of ops) {
      for (const { where, status, mediaType, media } of mediaOf(op)) {
        const needed = status === null ? mediaType === 'application/json' : status.startsWith('2') && (mediaType === 'application/json' || mediaType === 'text/csv');
        if (needed && media.example === undefined && media.examples === undefined) missing.push(`${label} ${where}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every recorded example belongs to an operation, status and media type the document has (no stale entries)', () => {
    const stale: string[] = [];
    for (const [id, ex] of Object.entries(OPERATION_EXAMPLES)) {
      const found = ops.find((o) => o.id === id);
      if (!found) {
        stale.push(id);
        continue;
      }
      const media = mediaOf(found.op);
      for (const mediaType of Object.keys(ex.request ?? {})) if (!media.some((m) => m.status === null && m.mediaType === mediaType)) stale.push(`${id} request ${mediaType}`);
      for (const [status, byType] of Object.entries(ex.responses ?? {})) {
        for (const mediaType of Object.keys(byType)) if (!media.some((m) => m.status === status && m.mediaType === mediaType)) stale.push(`${id} ${status} ${mediaType}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('every example in the document validates against its schema (JSON Schema 2020-12, component refs resolved)', () => {
    const invalid: string[] = [];
    let checked = 0;
    for (const { label, op } of ops) {
      for (const { where, media } of mediaOf(op)) {
        if (!media.schema) continue;
        const examples: [string, unknown][] = [];
        if (media.example !== undefined) examples.push(['example', media.example]);
        for (const [name, e] of Object.entries((media.examples ?? {}) as Record<string, Json>)) if ('value' in e) examples.push([name, e.value]);
        for (const [name, value] of examples) {
          let validate: ValidateFunction;
          try {
            validate = validatorFor(media.schema);
          } catch (err) {
            // A schema ajv cannot compile (e.g. a broken $ref) leaves its examples unchecked: that is a failure too.
            invalid.push(`${label} ${where}: schema does not compile: ${(err as Error).message}`);
            continue;
          }
          checked++;
          if (!validate(value)) invalid.push(`${label} ${where} ${name}: ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    expect(invalid).toEqual([]);
    // Each recorded example was reached: none sits on a media type without a schema.
    const recorded = Object.values(OPERATION_EXAMPLES).reduce((n, e) => n + Object.keys(e.request ?? {}).length + Object.values(e.responses ?? {}).reduce((m, byType) => m + Object.keys(byType).length, 0), 0);
    expect(recorded).toBeGreaterThan(140);
    expect(checked).toBeGreaterThanOrEqual(recorded);
  });

  it('the validator does catch an example that breaks its schema', () => {
    const login = ops.find((o) => o.id === 'login')!.op;
    const validate = validatorFor(login.requestBody.content['application/json'].schema);
    expect(validate(login.requestBody.content['application/json'].example)).toBe(true);
    expect(validate({ username: 'noivu' })).toBe(false);
    const item = ops.find((o) => o.id === 'getAssessmentItem')!.op.responses['200'].content['application/json'];
    expect(validatorFor(item.schema)(item.example)).toBe(true);
    expect(validatorFor(item.schema)({ ...item.example, status: 'no-such-status' })).toBe(false);
  });
});
