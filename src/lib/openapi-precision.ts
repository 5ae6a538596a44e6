// Document-level precision passes over the generated OpenAPI document (issue 20 items 2–3), for what the route
// schemas cannot say themselves: file uploads beside a JSON body, downloads as binary with their media types, and
// one component per schema where fastify-type-provider-zod emits an input and an output variant of each.
// Pure: a document in, the same document (mutated) out.

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const REF_PREFIX = '#/components/schemas/';
const BINARY = { type: 'string', format: 'binary' };

/**
 * Routes that read a multipart file when the request is multipart (`req.isMultipart()`), and a JSON body
 * otherwise. The route's zod body describes only the JSON form, so the file form is added here.
 */
const MULTIPART_UPLOADS: Record<string, { description: string }> = {
  addEvidence: { description: 'Tệp tài liệu kiểm chứng (evidence file): PDF, DOCX, XLSX, JPG or PNG, checked by content; one file per request' },
  putRoundCouncilMinutes: { description: 'Biên bản họp hội đồng (minutes file): PDF, DOCX, XLSX, JPG or PNG, checked by content; replaces earlier minutes' },
};

export const CONTENT_DISPOSITION_HEADER = {
  description: 'attachment (or inline) with the file name to save the download under',
  schema: { type: 'string' },
};

function operations(doc: Json): Json[] {
  const out: Json[] = [];
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    for (const m of METHODS) if (item[m]) out.push(item[m] as Json);
  }
  return out;
}

const isJson = (media: string) => media === 'application/json' || media.endsWith('+json');

/** Uploads: `multipart/form-data` with the one `file` field beside the JSON document reference. */
function documentUploads(doc: Json) {
  for (const op of operations(doc)) {
    const upload = MULTIPART_UPLOADS[String(op.operationId)];
    const body = op.requestBody as { content?: Record<string, Json> } | undefined;
    if (!upload || !body?.content) continue;
    // The JSON form is the reference itself; `null` only stands for "no JSON body" (the multipart form).
    const json = body.content['application/json'];
    const anyOf = (json?.schema as Json | undefined)?.anyOf as Json[] | undefined;
    if (json && anyOf) json.schema = anyOf.find((s) => s.type !== 'null') ?? json.schema;
    body.content['multipart/form-data'] = {
      schema: { type: 'object', required: ['file'], properties: { file: { ...BINARY, description: upload.description } } },
      encoding: { file: { contentType: 'application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, image/jpeg, image/png' } },
    };
  }
}

/** Downloads: every non-JSON success body is a binary string of its media type, named by Content-Disposition. */
function documentDownloads(doc: Json) {
  for (const op of operations(doc)) {
    for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
      if (!status.startsWith('2') || !r.content) continue;
      const media = Object.keys(r.content as Json).filter((m) => !isJson(m));
      if (media.length === 0) continue;
      for (const m of media) ((r.content as Record<string, Json>)[m]!).schema = { ...BINARY };
      r.headers = { ...((r.headers as Json | undefined) ?? {}), 'Content-Disposition': { $ref: '#/components/headers/ContentDisposition' } };
    }
  }
}

function rewriteRefs(value: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, map));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX) && map.has(v.slice(REF_PREFIX.length)) ? REF_PREFIX + map.get(v.slice(REF_PREFIX.length)) : rewriteRefs(v, map);
  }
  return out;
}

function collectRefs(value: unknown, into: Set<string>) {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) into.add(v.slice(REF_PREFIX.length));
      else collectRefs(v, into);
    }
  }
}

/**
 * fastify-type-provider-zod (v7) derives an input registry (`<id>Input`) and an output registry (`<id>`) from the one
 * zod registry, so every named schema appears twice. An input variant that is the output variant (once its own refs
 * are unified the same way) is the same schema: it is folded into the one name. One that really differs (an object
 * a request may extend, a default the output always has) keeps its own name; one no operation uses is dropped.
 */
function unifyInputComponents(doc: Json) {
  const components = (doc.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, unknown>;
  const same = new Map<string, string>();
  for (const name of Object.keys(schemas)) {
    if (name.endsWith('Input') && schemas[name.slice(0, -'Input'.length)]) same.set(name, name.slice(0, -'Input'.length));
  }
  // Greatest fixpoint: assume every pair merges, drop the pairs that differ under that assumption, repeat.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [input, output] of [...same]) {
      if (JSON.stringify(rewriteRefs(schemas[input], same)) !== JSON.stringify(rewriteRefs(schemas[output], same))) {
        same.delete(input);
        changed = true;
      }
    }
  }
  for (const input of same.keys()) delete schemas[input];
  const rewritten = rewriteRefs(doc, same) as Json;
  Object.assign(doc, rewritten);
  // Input variants of response-only schemas: nothing reaches them from an operation (directly or through schemas).
  const docSchemas = ((doc.components as Json).schemas ?? {}) as Record<string, unknown>;
  const roots = new Set<string>();
  collectRefs({ ...doc, components: { ...(doc.components as Json), schemas: {} } }, roots);
  const reachable = new Set<string>();
  const visit = (name: string) => {
    if (reachable.has(name) || !docSchemas[name]) return;
    reachable.add(name);
    const inner = new Set<string>();
    collectRefs(docSchemas[name], inner);
    inner.forEach(visit);
  };
  roots.forEach(visit);
  for (const name of Object.keys(docSchemas)) if (name.endsWith('Input') && !reachable.has(name)) delete docSchemas[name];
}

export function preciseOpenApiDocument<T extends Json>(doc: T): T {
  const components = ((doc as Json).components ??= {}) as Json;
  components.headers = { ...((components.headers as Json | undefined) ?? {}), ContentDisposition: CONTENT_DISPOSITION_HEADER };
  documentUploads(doc);
  documentDownloads(doc);
  unifyInputComponents(doc);
  // Shared problem responses no operation declares (500: every operation may meet it, none lists it).
  // (Read again: unifying rewrote the document's objects.)
  const responses = ((((doc as Json).components as Json).responses ?? {}) as Json);
  const used = JSON.stringify((doc as Json).paths ?? {});
  for (const name of Object.keys(responses)) if (!used.includes(`"#/components/responses/${name}"`)) delete responses[name];
  return doc;
}
