import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition } from '../../lib/blobs/index.js';
import { ValidationError } from '../../lib/errors.js';
import { scopeOf } from '../../auth/policy.js';
import { ctxOf, isoDate, problems } from '../../lib/http.js';
import { readSingleFile } from '../../lib/multipart-upload.js';
import { phases } from '../rounds/lifecycle.js';
import { itemStatuses } from './assessment.shared.js';
import { leafInputSchema } from '../frameworks/frameworks.schemas.js';

const evidenceSchema = z
  .object({
    id: z.string().uuid(),
    kind: z.enum(['file', 'document']),
    filename: z.string().nullable().optional(),
    mime: z.string().nullable().optional(),
    size: z.number().int().nullable().optional(),
    sha256: z.string().nullable().optional(),
    downloadUrl: z.string().optional(),
    docNumber: z.string().nullable().optional(),
    docDate: z.string().nullable().optional(),
    issuer: z.string().nullable().optional(),
    title: z.string().nullable().optional(),
    url: z.string().nullable().optional(),
    phase: z.enum(phases),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'Evidence' });

const historySchema = z.object({
  at: z.string(),
  kind: z.string().describe('self, evidence_added, evidence_removed, appraisal, explanation, final, self_confirmed, council_decision, objection'),
  actor: z.string().nullable().describe('Hidden (null) from units for council decisions'),
  actorRole: z.string().nullable(),
  actorUnitCode: z.string().nullable(),
  office: z.string().nullable().optional().describe('The appraising office, shown to units instead of the person'),
  data: z.unknown(),
  comment: z.string().nullable(),
});

const deciderSchema = z.object({ username: z.string().optional(), office: z.string().nullable() }).nullable();

export const itemSchema = z
  .object({
    criterionCode: z.string(),
    areaCode: z.string(),
    title: z.string(),
    maxPoints: z.number(),
    source: z.enum(['self', 'survey', 'appraisal']),
    naAllowed: z.boolean(),
    rule: z.unknown(),
    evidenceRequired: z.boolean(),
    evidenceHint: z.string().nullable(),
    selfInput: z.unknown().nullable(),
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
        at: z.string(),
      })
      .nullable()
      .describe('Visible to the unit only from the explanation phase on'),
    explanation: z.object({ text: z.string().nullable(), at: z.string(), by: z.string().nullable() }).nullable(),
    final: z
      .object({
        points: z.number().nullable(),
        notApplicable: z.boolean(),
        source: z.string(),
        councilDecision: z.boolean().optional().describe("The council's decision, entered by the coordinator (by)"),
        comment: z.string().nullable(),
        by: deciderSchema,
        at: z.string(),
      })
      .nullable(),
    objection: z
      .object({ reason: z.string().nullable(), at: z.string(), by: z.string().nullable() })
      .nullable()
      .optional()
      .describe('Kiến nghị: the unit contested an appraisal below its self points'),
    etag: z.string().describe('Send it back as If-Match when writing this item'),
    updatedAt: z.string(),
    mayEditSelf: z.boolean(),
    mayAppraise: z.boolean(),
    mayExplain: z.boolean(),
    mayFinalize: z.boolean(),
    history: z.array(historySchema).optional(),
  })
  .meta({ id: 'AssessmentItem' });

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
    submittedAt: z.string().nullable(),
    submittedBy: z.string().nullable(),
    sentBack: z.object({ at: z.string(), reason: z.string().nullable() }).nullable(),
    selfAssessmentDeadline: z.string().nullable(),
    extensionUntil: z.string().nullable(),
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
        response: { 200: itemSchema, ...problems(401, 403, 404) },
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
        response: { 200: itemSchema, ...problems(400, 401, 403, 404, 409, 412, 422, 428) },
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
        response: { 201: z.object({ evidence: evidenceSchema, item: itemSchema }), ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
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
        response: { 200: itemSchema, ...problems(401, 403, 404, 409) },
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
        response: { 200: itemSchema, ...problems(400, 401, 403, 404, 409, 412, 422, 428) },
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
        response: { 200: itemSchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
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
        response: { 200: itemSchema, ...problems(400, 401, 403, 404, 409, 412, 422, 428) },
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
          200: z.object({ roundId: z.string(), unitCode: z.string(), status: z.literal('submitted'), submittedAt: z.string(), submittedBy: z.string() }),
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
