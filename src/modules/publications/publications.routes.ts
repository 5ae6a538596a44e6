import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf, isoDate, problems, timestamp } from '../../lib/http.js';

export const publicationGroupSchema = z.object({ code: z.string(), name: z.string(), frameworkCode: z.string(), units: z.number().int() });

export const publicationSummarySchema = z
  .object({
    id: z.string().uuid(),
    roundId: z.string().uuid(),
    year: z.number().int(),
    decisionNumber: z.string(),
    decisionDate: z.string(),
    decisionIssuer: z.string().nullable().describe('Who issued the decision, e.g. "Ủy ban nhân dân tỉnh Đồng Tháp" (null on older publications)'),
    signerName: z.string().nullable().describe('Người ký quyết định'),
    signerTitle: z.string().nullable().describe('Chức danh người ký'),
    publishedAt: timestamp,
    algorithm: z.literal('Ed25519'),
    hash: z.string().describe('SHA-256 (hex) of the snapshot’s canonical JSON (RFC 8785)'),
    signature: z.string().describe('Ed25519 signature (base64) over the same bytes'),
    keyId: z.string().describe('First 16 hex digits of the SHA-256 of the public key (SPKI DER)'),
    prevHash: z.string().describe('Hash of the publication before this one (64 zeros for the first): the chain'),
    supersedesId: z.string().uuid().nullable().describe('The publication this correction replaces'),
    reason: z.string().nullable().describe('Why this correction was issued'),
    groups: z.array(publicationGroupSchema),
    links: z.object({ json: z.string(), csv: z.string(), xlsx: z.string(), pdf: z.string(), verify: z.string() }),
  })
  .meta({ id: 'PublicationSummary' });

export const publicationsRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.publications;

  app.post(
    '/rounds/:id/publications',
    {
      schema: {
        tags: ['publications'],
        operationId: 'createPublication',
        summary:
          "Publish the round (council_review → published): freeze, hash, sign (the system's electronic signature, Ed25519) and chain its results with the decision (number, date; issuer and signer from the council record) and the council's members and minutes. 409 with `missing` when the council record is incomplete. On a published round, a correction with a reason supersedes the current publication. Idempotency-Key honoured.",
        params: z.object({ id: z.string().uuid() }),
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        body: z.strictObject({
          decisionNumber: z.string().trim().min(1).max(100).describe('e.g. "125/QĐ-UBND"'),
          decisionDate: isoDate.describe('Date of the decision (YYYY-MM-DD)'),
          reason: z.string().trim().min(1).max(2000).optional().describe('Required for a correction, refused otherwise'),
        }),
        response: { 201: publicationSummarySchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req, reply) => {
      const r = await svc.publish(ctxOf(req), req.params.id, req.body, req.headers['idempotency-key']);
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(r.status as 201).send(r.body);
    },
  );
};
