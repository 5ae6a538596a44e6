// Summaries, descriptions and examples of every operation, applied to the generated document by
// finishOpenApiDocument rather than spread over the route files: the route schemas say what is accepted, these say
// what it is for and what a real exchange looks like.
import { OPERATION_DOCS, type OperationDoc } from './operations.js';
// Recorded from the demo province (Đồng Tháp) driven through the API, lists cut to two entries;
// test/integration/openapi-examples.test.ts validates each against its schema.
import recorded from './examples.json' with { type: 'json' };

type Json = Record<string, unknown>;

/** operationId → request media type → example, and status → media type → example. */
export interface OperationExamples {
  request?: Record<string, unknown>;
  responses?: Record<string, Record<string, unknown>>;
}

export const OPERATION_EXAMPLES: Record<string, OperationExamples> = recorded as Record<string, OperationExamples>;
export { OPERATION_DOCS, type OperationDoc };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

function setExample(content: Json | undefined, mediaType: string, example: unknown) {
  const media = content?.[mediaType] as Json | undefined;
  // A media type the route no longer declares is left alone; the test reports the stale entry.
  if (media) media.example = example;
}

export function applyOperationDocs(doc: Json): void {
  for (const pathItem of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = pathItem[method] as Json | undefined;
      const id = op?.operationId as string | undefined;
      if (!op || !id) continue;
      const docs = OPERATION_DOCS[id];
      if (docs) {
        op.summary = docs.summary;
        op.description = docs.description;
      }
      const ex = OPERATION_EXAMPLES[id];
      if (!ex) continue;
      for (const [mediaType, example] of Object.entries(ex.request ?? {})) setExample((op.requestBody as Json | undefined)?.content as Json | undefined, mediaType, example);
      const responses = (op.responses ?? {}) as Record<string, Json>;
      for (const [status, byType] of Object.entries(ex.responses ?? {})) {
        for (const [mediaType, example] of Object.entries(byType)) setExample(responses[status]?.content as Json | undefined, mediaType, example);
      }
    }
  }
}
