import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition } from '../../lib/blobs/index.js';
import { ValidationError } from '../../lib/errors.js';
import { scopeOf } from '../../auth/policy.js';
import { calendarDate, ctxOf, isoDate, problems, timestamp } from '../../lib/http.js';
import { readSingleFile } from '../../lib/multipart-upload.js';
import { phases } from '../rounds/lifecycle.js';
import { historyKinds, itemStatuses, type HistoryKind } from './assessment.shared.js';
import { ruleSchema } from '../frameworks/frameworks.document.js';
import { leafInputSchema } from '../frameworks/frameworks.schemas.js';

// A file or an official-document reference: each kind carries its own fields, so a client narrows on `kind`.
const evidenceCommon = {
  id: z.string().uuid(),
  phase: z.enum(phases),
  createdAt: timestamp,
  createdBy: z.string(),
};
const evidenceSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('file'),
      ...evidenceCommon,
      filename: z.string().nullable(),
      mime: z.string().nullable(),
      size: z.number().int().nullable(),
      sha256: z.string().nullable(),
      downloadUrl: z.string().describe('GET it with the same credentials as the item'),
    }).meta({ id: 'EvidenceFile' }),
    z.object({
      kind: z.literal('document'),
      ...evidenceCommon,
      docNumber: z.string().nullable(),
      docDate: calendarDate.nullable(),
      issuer: z.string().nullable(),
      title: z.string().nullable(),
      url: z.string().nullable(),
    }).meta({ id: 'EvidenceDocument' }),
  ])
  .meta({
    id: 'Evidence',
    discriminator: { propertyName: 'kind', mapping: { file: '#/components/schemas/EvidenceFile', document: '#/components/schemas/EvidenceDocument' } },
  });

// What each kind of history entry records (the writers in assessments.service, settlement.service and
// results.service). Every member is optional and others pass through: entries written by earlier versions keep
// their shape, and reading an item must never fail on one.
const points = z.number().nullable().optional();
const historyData: Record<HistoryKind, z.ZodObject> = {
  self: z.looseObject({ input: leafInputSchema.nullable().optional(), points, notApplicable: z.boolean().optional(), note: z.string().nullable().optional() }),
  prefilled: z.looseObject({ input: leafInputSchema.nullable().optional(), points, source: z.string().optional(), trace: z.array(z.string()).optional() }),
  evidence_added: z.looseObject({
    evidenceId: z.string().optional(),
    kind: z.enum(['file', 'document']).optional(),
    filename: z.string().nullable().optional(),
    size: z.number().nullable().optional(),
    sha256: z.string().nullable().optional(),
    docNumber: z.string().nullable().optional(),
    docDate: calendarDate.nullable().optional(),
    issuer: z.string().nullable().optional(),
    title: z.string().nullable().optional(),
    url: z.string().nullable().optional(),
  }),
  evidence_removed: z.looseObject({
    evidenceId: z.string().optional(),
    kind: z.enum(['file', 'document']).optional(),
    filename: z.string().nullable().optional(),
    docNumber: z.string().nullable().optional(),
    sha256: z.string().nullable().optional(),
  }),
  appraisal: z.looseObject({ points, confirmNotApplicable: z.boolean().nullable().optional(), requestExplanation: z.boolean().optional(), selfPoints: points }),
  explanation: z.looseObject({ text: z.string().nullable().optional() }),
  final: z.looseObject({ points, appraisalPoints: points, explained: z.boolean().optional() }),
  self_confirmed: z.looseObject({ unitCode: z.string().optional(), criterionCode: z.string().optional(), points, notApplicable: z.boolean().optional() }),
  council_decision: z.looseObject({ points, decidedBy: z.string().optional(), enteredBy: z.string().optional(), phase: z.string().optional(), selfPoints: points }),
  objection: z.looseObject({ reason: z.string().nullable().optional(), selfPoints: points, appraisalPoints: points }),
};

const historyBase = {
  at: timestamp,
  actor: z.string().nullable().describe('Hidden (null) from units for council decisions'),
  actorRole: z.string().nullable(),
  actorUnitCode: z.string().nullable(),
  office: z.string().nullable().optional().describe('The appraising office, shown to units instead of the person'),
  comment: z.string().nullable(),
};
interface HistoryEntry {
  at: string;
  kind: HistoryKind;
  actor: string | null;
  actorRole: string | null;
  actorUnitCode: string | null;
  office?: string | null | undefined;
  comment: string | null;
  data: Record<string, unknown> | null;
}
// Typed as one entry with `kind` a union: the per-kind members are all optional, so this is what a reader can rely on.
const historySchema = (
  z.discriminatedUnion(
    'kind',
    historyKinds.map((kind) => z.object({ ...historyBase, kind: z.literal(kind), data: historyData[kind].nullable() })) as unknown as [z.ZodObject, ...z.ZodObject[]],
  ) as unknown as z.ZodType<HistoryEntry>
)
  .meta({ id: 'ItemHistoryEntry', description: 'One change of the item; `data` holds what it recorded, by `kind`' });

const deciderSchema = z.object({ username: z.string().optional(), office: z.string().nullable() }).nullable();

export const itemSchema = z
  .object({
    criterionCode: z.string(),
    areaCode: z.string(),
    title: z.string(),
    maxPoints: z.number(),
    source: z.enum(['self', 'survey', 'appraisal']),
    naAllowed: z.boolean(),
    rule: ruleSchema.nullable(),
    evidenceRequired: z.boolean(),
    evidenceHint: z.string().nullable(),
    selfInput: leafInputSchema.nullable(),
    selfPoints: z.number().nullable(),
    notApplicable: z.boolean(),
    note: z.string().nullable(),
    evidence: z.array(evidenceSchema),
    missingEvidence: z.boolean(),
    status: z.enum(itemStatuses),
    appraisal: z
      .object({
        points: z.number().nullable(),
        comment: z.string().nullable(),
        requestExplanation: z.boolean(),
        confirmNotApplicable: z.boolean().nullable(),
        by: deciderSchema,
        at: timestamp,
      })
      .nullable()
      .describe('Visible to the unit only from the explanation phase on'),
    explanation: z.object({ text: z.string().nullable(), at: timestamp, by: z.string().nullable() }).nullable(),
    final: z
      .object({
        points: z.number().nullable(),
        notApplicable: z.boolean(),
        source: z.string(),
        councilDecision: z.boolean().optional().describe("The council's decision, entered by the coordinator (by)"),
        comment: z.string().nullable(),
        by: deciderSchema,
        at: timestamp,
      })
      .nullable(),
    objection: z
      .object({ reason: z.string().nullable(), at: timestamp, by: z.string().nullable() })
      .nullable()
      .optional()
      .describe('Kiến nghị: the unit contested an appraisal below its self points'),
    etag: z.string().describe('Send it back as If-Match when writing this item'),
    updatedAt: timestamp,
    mayEditSelf: z.boolean(),
    mayAppraise: z.boolean(),
    mayExplain: z.boolean(),
    mayFinalize: z.boolean(),
  })
  .meta({ id: 'AssessmentItem' });

/** One item as read or written on its own: the list views leave the history out, these always carry it. */
export const itemWithHistorySchema = itemSchema.extend({ history: z.array(historySchema) }).meta({ id: 'AssessmentItemWithHistory' });

const assessmentSchema = z
  .object({
    roundId: z.string(),
    roundName: z.string(),
    phase: z.enum(phases),
    unitCode: z.string(),
    unitName: z.string(),
    groupCode: z.string(),
    frameworkCode: z.string(),
    status: z.enum(['open', 'submitted']),
    submittedAt: timestamp.nullable(),
    submittedBy: z.string().nullable(),
    sentBack: z.object({ at: timestamp, reason: z.string().nullable() }).nullable(),
    selfAssessmentDeadline: calendarDate.nullable(),
    extensionUntil: calendarDate.nullable(),
    progress: z.object({ done: z.number().int(), total: z.number().int(), missingEvidence: z.number().int() }),
    mayEditSelf: z.boolean(),
    maySubmit: z.boolean(),
    items: z.array(itemSchema),
  })
  .meta({ id: 'Assessment' });

export const documentReferenceSchema = z
  .strictObject({
    docNumber: z.string().trim().min(1).max(100).describe('Số ký hiệu văn bản, e.g. 125/KH-UBND'),
    docDate: isoDate,
    issuer: z.string().trim().min(1).max(300),
    title: z.string().trim().min(1).max(1000),
    url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  })
  .meta({ id: 'DocumentReference' });

const unitParams = z.object({ id: z.string().uuid(), unitCode: z.string().min(1).max(32) });
const itemParams = unitParams.extend({ code: z.string().min(1).max(64) });
const evidenceParams = itemParams.extend({ evidenceId: z.string().uuid() });

export const assessmentsRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.assessments;

  app.get(
    '/rounds/:id/assessments/:unitCode',
    {
      schema: {
        tags: ['assessments'],
        operationId: 'getAssessment',
        summary: "A unit's assessment with every item, its points, evidence and ETag",
        params: unitParams,
        response: { 200: assessmentSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => svc.get(ctxOf(req), req.params.id, req.params.unitCode),
  );

  app.get(
    '/rounds/:id/assessments/:unitCode/items/:code',
    {
      schema: {
        tags: ['assessments'],
        operationId: 'getAssessmentItem',
        summary: 'One item with its full history',
        params: itemParams,
        response: { 200: itemWithHistorySchema, ...problems(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const item = await svc.getItem(ctxOf(req), req.params.id, req.params.unitCode, req.params.code);
      return reply.header('etag', item.etag).send(item);
    },
  );

  app.put(
    '/rounds/:id/assessments/:unitCode/items/:code/self',
    {
      schema: {
        tags: ['assessments'],
        operationId: 'putSelfAssessment',
        summary: 'Self-score one criterion (requires If-Match: 428 when missing, 412 when stale)',
        params: itemParams,
        headers: z.object({ 'if-match': z.string().max(200).optional() }),
        body: z.strictObject({
          input: leafInputSchema.nullable().optional(),
          note: z.string().max(5000).nullable().optional(),
          notApplicable: z.boolean().optional().describe('Claim "không phát sinh" (not applicable) where the criterion allows it'),
        }),
        response: { 200: itemWithHistorySchema, ...problems(400, 401, 403, 404, 409, 412, 422, 428) },
      },
    },
    async (req, reply) => {
      const item = await svc.putSelf(ctxOf(req), req.params.id, req.params.unitCode, req.params.code, req.headers['if-match'], req.body);
      return reply.header('etag', item.etag).send(item);
    },
  );

  app.post(
    '/rounds/:id/assessments/:unitCode/items/:code/evidence',
    {
      schema: {
        tags: ['assessments'],
        operationId: 'addEvidence',
        summary: 'Attach evidence: one multipart file (field "file": PDF, DOCX, XLSX, JPG or PNG, checked by content and container: 415 wrong type or HTML, 422 zip bomb or broken PDF; a second file is 400 and nothing is stored) or a JSON official-document reference',
        params: itemParams,
        // JSON bodies are document references; multipart requests carry no parsed body (the file is streamed).
        body: documentReferenceSchema.nullish(),
        response: { 201: z.object({ evidence: evidenceSchema, item: itemWithHistorySchema }), ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const { id, unitCode, code } = req.params;
      if (req.isMultipart()) {
        // One file per request: a second file refuses the whole request (400 naming it) and nothing is stored.
        const { file, rejectExtraFiles } = await readSingleFile(req);
        if (!file || file.fieldname !== 'file') {
          file?.file.resume();
          throw new ValidationError([{ field: 'body.file', message: 'a multipart field named "file" is required', code: 'required' }], undefined, 400);
        }
        return reply.code(201).send(await svc.addFile(ctx, id, unitCode, code, { stream: file.file, filename: file.filename, beforeCommit: rejectExtraFiles }));
      }
      if (!req.body) {
        throw new ValidationError([{ field: 'body', message: 'send a multipart "file" or a JSON document reference', code: 'required' }], undefined, 400);
      }
      return reply.code(201).send(await svc.addDocument(ctx, id, unitCode, code, req.body));
    },
  );

  app.get(
    '/rounds/:id/assessments/:unitCode/items/:code/evidence/:evidenceId',
    {
      schema: {
        tags: ['assessments'],
        operationId: 'downloadEvidence',
        summary: 'Download an evidence file (same access as the item)',
        params: evidenceParams,
        produces: ['application/octet-stream'],
        response: { 200: z.unknown(), ...problems(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const f = await svc.openEvidence(ctxOf(req), req.params.id, req.params.unitCode, req.params.code, req.params.evidenceId);
      reply
        .type(f.mime)
        .header('content-disposition', contentDisposition(f.filename))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store');
      if (f.size !== undefined) reply.header('content-length', f.size);
      if (f.sha256) reply.header('etag', `"${f.sha256}"`);
      return reply.send(f.stream);
    },
  );

  app.delete(
    '/rounds/:id/assessments/:unitCode/items/:code/evidence/:evidenceId',
    {
      schema: {
        tags: ['assessments'],
        operationId: 'removeEvidence',
        params: evidenceParams,
        response: { 200: itemWithHistorySchema, ...problems(401, 403, 404, 409) },
      },
    },
    async (req) => svc.removeEvidence(ctxOf(req), req.params.id, req.params.unitCode, req.params.code, req.params.evidenceId),
  );

  app.put(
    '/rounds/:id/assessments/:unitCode/items/:code/appraisal',
    {
      schema: {
        tags: ['appraisal'],
        operationId: 'putAppraisal',
        summary: 'Appraise one item (assigned appraiser, appraisal phase, If-Match): recognise or adjust the points, confirm an N/A claim, flag for explanation',
        params: itemParams,
        headers: z.object({ 'if-match': z.string().max(200).optional() }),
        body: z.strictObject({
          points: z.number().nullable().optional().describe('Valid for the rule: 0..max, a multiple of the step, or one of the options’/tiers’ points'),
          comment: z.string().max(5000).nullable().optional().describe('Required when the points differ from the self points, when rejecting an N/A claim, or when asking for an explanation'),
          requestExplanation: z.boolean().optional(),
          confirmNotApplicable: z.boolean().optional().describe('For items the unit claimed not applicable'),
        }),
        response: { 200: itemWithHistorySchema, ...problems(400, 401, 403, 404, 409, 412, 422, 428) },
      },
    },
    async (req, reply) => {
      const item = await svc.putAppraisal(ctxOf(req), req.params.id, req.params.unitCode, req.params.code, req.headers['if-match'], req.body);
      return reply.header('etag', item.etag).send(item);
    },
  );

  app.put(
    '/rounds/:id/assessments/:unitCode/items/:code/explanation',
    {
      schema: {
        tags: ['appraisal'],
        operationId: 'putExplanation',
        summary: 'Answer a request for explanation (the unit, explanation phase, flagged items only, If-Match)',
        params: itemParams,
        headers: z.object({ 'if-match': z.string().max(200).optional() }),
        body: z.strictObject({ text: z.string().trim().min(1).max(10_000) }),
        response: { 200: itemWithHistorySchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
      },
    },
    async (req, reply) => {
      const item = await svc.putExplanation(ctxOf(req), req.params.id, req.params.unitCode, req.params.code, req.headers['if-match'], req.body);
      return reply.header('etag', item.etag).send(item);
    },
  );

  app.put(
    '/rounds/:id/assessments/:unitCode/items/:code/final',
    {
      schema: {
        tags: ['appraisal'],
        operationId: 'putFinal',
        summary:
          "Final score (If-Match): an assigned appraiser on a flagged item in final_appraisal; the coordinator records the council's decision on any open non-survey item in final_appraisal and revises any final score in council_review (409 naming the phase otherwise)",
        params: itemParams,
        headers: z.object({ 'if-match': z.string().max(200).optional() }),
        body: z.strictObject({ points: z.number(), comment: z.string().trim().min(1).max(5000) }),
        response: { 200: itemWithHistorySchema, ...problems(400, 401, 403, 404, 409, 412, 422, 428) },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const { id, unitCode, code } = req.params;
      // The coordinator enters the council's decision (settlement); appraisers keep their own final on flagged items.
      const item =
        scopeOf(ctx.actor, 'round.manage') === 'all'
          ? ((await app.services.settlement.councilDecision(ctx, id, unitCode, code, req.headers['if-match'], req.body)) as Awaited<ReturnType<typeof svc.putFinal>>)
          : await svc.putFinal(ctx, id, unitCode, code, req.headers['if-match'], req.body);
      return reply.header('etag', item.etag).send(item);
    },
  );

  app.get(
    '/rounds/:id/appraisal-queue',
    {
      schema: {
        tags: ['appraisal'],
        operationId: 'getAppraisalQueue',
        summary: "An appraiser's items across units (their areas only; everything for the coordinator)",
        params: z.object({ id: z.string().uuid() }),
        querystring: z.strictObject({ unitCode: z.string().max(32).optional(), areaCode: z.string().max(32).optional(), status: z.enum(itemStatuses).optional() }),
        response: { 200: z.array(itemSchema.extend({ unitCode: z.string(), unitName: z.string(), assessmentStatus: z.enum(['open', 'submitted']) })), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => svc.queue(ctxOf(req), req.params.id, req.query),
  );

  app.post(
    '/rounds/:id/assessments/:unitCode/submit',
    {
      schema: {
        tags: ['assessments'],
        operationId: 'submitAssessment',
        summary: 'The unit head submits the self-assessment (422 lists incomplete criteria; Idempotency-Key honoured)',
        params: unitParams,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        body: z.strictObject({ comment: z.string().max(2000).optional() }).nullish(),
        response: {
          200: z.object({ roundId: z.string(), unitCode: z.string(), status: z.literal('submitted'), submittedAt: timestamp, submittedBy: z.string() }),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (req, reply) => {
      const r = await svc.submit(ctxOf(req), req.params.id, req.params.unitCode, req.headers['idempotency-key'], req.body ?? {});
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(r.status as 200).send(r.body);
    },
  );
};
