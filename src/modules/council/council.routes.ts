import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition } from '../../lib/blobs/index.js';
import { ValidationError } from '../../lib/errors.js';
import { ctxOf, isoDate, problems, timestamp } from '../../lib/http.js';
import { councilRequirements } from './council.service.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const councilBody = z.strictObject({
  members: z
    .array(z.strictObject({ name: text(200).describe('Họ và tên'), position: text(300).describe('Chức vụ, vai trò trong hội đồng') }))
    .min(1)
    .max(100)
    .describe('Thành viên hội đồng thẩm định'),
  decisionIssuer: text(300).describe('Who issues the publishing decision, e.g. "Ủy ban nhân dân tỉnh Đồng Tháp"'),
  signerName: text(200).describe('Người ký quyết định'),
  signerTitle: text(200).describe('Chức danh người ký, e.g. "Chủ tịch" or "KT. Chủ tịch - Phó Chủ tịch"'),
});

const minutesDocumentBody = z
  .strictObject({
    docNumber: text(100).describe('Số ký hiệu của biên bản, e.g. 05/BB-HĐTĐ'),
    docDate: isoDate,
    issuer: text(300),
    title: text(1000),
    url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  })
  .meta({ id: 'MinutesDocumentReference' });

const councilSchema = z
  .object({
    roundId: z.string().uuid(),
    members: z.array(z.object({ name: z.string(), position: z.string() })),
    decisionIssuer: z.string().nullable(),
    signerName: z.string().nullable(),
    signerTitle: z.string().nullable(),
    minutes: z
      .object({
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
        createdBy: z.string(),
        createdAt: timestamp,
      })
      .nullable()
      .describe('Biên bản họp hội đồng'),
    missing: z.array(z.enum(councilRequirements)).describe('What publication still needs; empty when complete'),
    updatedBy: z.string().nullable(),
    updatedAt: timestamp.nullable(),
  })
  .meta({ id: 'RoundCouncil' });

const idParams = z.object({ id: z.string().uuid() });

export const councilRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.council;

  app.get(
    '/rounds/:id/council',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'getRoundCouncil',
        summary: "The council's members, the minutes (biên bản) and the decision's issuer and signer; `missing` lists what publication still needs (coordinator, appraisers)",
        params: idParams,
        response: { 200: councilSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => svc.get(ctxOf(req), req.params.id),
  );

  app.put(
    '/rounds/:id/council',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'putRoundCouncil',
        summary: "Record the council's members and who issues and signs the publishing decision (coordinator; before publication; audited)",
        params: idParams,
        body: councilBody,
        response: { 200: councilSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => svc.put(ctxOf(req), req.params.id, req.body),
  );

  app.put(
    '/rounds/:id/council/minutes',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'putRoundCouncilMinutes',
        summary: 'Record the minutes (biên bản) of the council meeting: a multipart file (field "file": PDF, DOCX, XLSX, JPG or PNG, checked by content) or a JSON document reference; replaces earlier minutes',
        params: idParams,
        body: minutesDocumentBody.nullish(),
        response: { 200: councilSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (req) => {
      const ctx = ctxOf(req);
      if (req.isMultipart()) {
        const file = await req.file();
        if (!file || file.fieldname !== 'file') {
          file?.file.resume();
          throw new ValidationError([{ field: 'body.file', message: 'a multipart field named "file" is required', code: 'required' }], undefined, 400);
        }
        return svc.putMinutesFile(ctx, req.params.id, { stream: file.file, filename: file.filename });
      }
      if (!req.body) throw new ValidationError([{ field: 'body', message: 'send a multipart "file" or a JSON document reference', code: 'required' }], undefined, 400);
      return svc.putMinutesDocument(ctx, req.params.id, req.body);
    },
  );

  app.get(
    '/rounds/:id/council/minutes/file',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'downloadRoundCouncilMinutes',
        summary: 'Download the uploaded minutes file (coordinator, appraisers)',
        params: idParams,
        produces: ['application/octet-stream'],
        response: { 200: z.unknown(), ...problems(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const f = await svc.openMinutes(ctxOf(req), req.params.id);
      reply.type(f.mime).header('content-disposition', contentDisposition(f.filename)).header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store');
      if (f.size !== undefined) reply.header('content-length', f.size);
      if (f.sha256) reply.header('etag', `"${f.sha256}"`);
      return reply.send(f.stream);
    },
  );
};
