// Anonymous reading of published results (SPEC §6, §8). Only publications are reachable here: nothing about a
// round is visible anonymously until it is published. Snapshot-derived representations never change, so they
// carry the snapshot hash as a strong ETag and may be cached for a year; conditional requests get a 304.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { headerQuality, problems, timestamp } from '../../lib/http.js';
import type { ExportFormat } from './exports.js';
import { gzipEtag, plainEtag, type Rendered } from './publications.service.js';
import { csvFlavourOf, csvQuery } from '../../lib/csv.js';
import { publicationSummarySchema } from './publications.routes.js';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=60';

/**
 * If-None-Match uses the weak comparison (RFC 9110 §13.1.2): "*" or any listed tag, W/ prefix ignored. Every
 * representation of a publication validates the same immutable snapshot, so either encoding's tag matches.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const tags = [etag, gzipEtag(etag)];
  return header
    .split(',')
    .map((s) => s.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || tags.includes(t));
}

/** True when Accept-Encoding admits gzip (by name or "*") with a non-zero quality. */
export function acceptsGzip(header: string | undefined): boolean {
  return headerQuality(header, ['gzip', '*']) > 0;
}

const n = z.number().nullable();
const bandSchema = z.object({ code: z.string(), label: z.string(), minIndex: z.number() });
const snapshotSchema = z
  .object({
    format: z.literal('par-index/publication@1'),
    id: z.string().uuid(),
    round: z.object({ id: z.string(), year: z.number().int(), name: z.string() }),
    decision: z
      .object({
        number: z.string(),
        date: z.string(),
        issuer: z.string().optional().describe('e.g. "Ủy ban nhân dân tỉnh Đồng Tháp"'),
        signerName: z.string().optional(),
        signerTitle: z.string().optional(),
      })
      .describe('Quyết định số {number} ngày {date} của {issuer}; issuer and signer absent on older publications'),
    council: z
      .object({
        members: z.array(z.object({ name: z.string(), position: z.string() })),
        minutes: z.object({
          kind: z.enum(['file', 'document']),
          filename: z.string().nullable().optional(),
          mime: z.string().nullable().optional(),
          size: z.number().int().nullable().optional(),
          sha256: z.string().nullable().optional().describe('SHA-256 of the minutes file'),
          docNumber: z.string().nullable().optional(),
          docDate: z.string().nullable().optional(),
          issuer: z.string().nullable().optional(),
          title: z.string().nullable().optional(),
          url: z.string().nullable().optional(),
        }),
      })
      .optional()
      .describe("The appraisal council's members and the minutes (biên bản) of its meeting"),
    publishedAt: timestamp,
    prevHash: z.string(),
    supersedes: z.object({ id: z.string(), hash: z.string(), reason: z.string() }).nullable(),
    signer: z.object({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKeyPem: z.string() }),
    groups: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        framework: z.object({
          code: z.string(),
          lineage: z.string(),
          name: z.string(),
          year: z.number().int(),
          version: z.number().int(),
          legalBasis: z.string().nullable(),
          bonusCap: z.number(),
          penaltyCap: z.number(),
          capIndexAt100: z.boolean(),
          surveyOptional: z.boolean(),
          notApplicableScoring: z.enum(['rebase', 'full_points']).optional().describe('How "không phát sinh" counted; absent = rebase'),
          bands: z.array(bandSchema),
          areas: z.array(z.object({ code: z.string(), title: z.string(), kind: z.string(), maxPoints: z.number() })),
          leaves: z.array(z.object({ code: z.string(), title: z.string(), areaCode: z.string(), maxPoints: z.number(), source: z.string(), naAllowed: z.boolean() })),
        }),
        rows: z
          .array(
            z.object({
              rank: z.number().int().nullable(),
              unitCode: z.string(),
              unitName: z.string(),
              total: z.number(),
              max: z.number(),
              index: n,
              band: z.string().nullable(),
              bandLabel: z.string().nullable(),
              selfTotal: z.number(),
              selfIndex: n,
              gap: z.number().describe('total − selfTotal'),
              areas: z.array(z.object({ code: z.string(), title: z.string().nullable(), kind: z.string(), points: z.number(), max: z.number(), index: n, selfPoints: z.number() })),
              items: z.array(z.object({ code: z.string(), points: n, notApplicable: z.boolean(), source: z.string(), selfPoints: n, selfNotApplicable: z.boolean() })),
              surveys: z.array(z.object({ surveyCode: z.string(), index: n, n: z.number().int() })),
              previous: z
                .object({ year: z.number().int(), publicationId: z.string(), decisionNumber: z.string(), frameworkCode: z.string(), index: n, rank: z.number().int().nullable(), band: z.string().nullable(), bandLabel: z.string().nullable() })
                .optional()
                .describe('The same unit in the latest earlier publication of the same framework lineage; absent when none'),
              change: n.optional().describe('index − previous.index'),
              trace: z.array(z.string()).describe('How the engine reached the total and index'),
              digest: z
                .string()
                .optional()
                .describe('SHA-256 of the canonical JSON of the row summary (the `rowDigest` of a history entry); absent in older publications'),
            }),
          )
          .describe('In rank order; ties listed by Vietnamese name'),
      }),
    ),
  })
  .describe('The frozen content: its RFC 8785 canonical JSON is exactly what was hashed and signed')
  .meta({ id: 'PublicationSnapshot' });

const documentSchema = z
  .object({
    id: z.string().uuid(),
    roundId: z.string().uuid(),
    year: z.number().int(),
    decisionNumber: z.string(),
    decisionDate: z.string(),
    publishedAt: timestamp,
    algorithm: z.literal('Ed25519'),
    hash: z.string(),
    signature: z.string(),
    keyId: z.string(),
    prevHash: z.string(),
    supersedesId: z.string().nullable(),
    reason: z.string().nullable(),
    snapshot: snapshotSchema,
  })
  .meta({ id: 'PublicationDocument' });

const listItemSchema = publicationSummarySchema
  .extend({ roundName: z.string(), superseded: z.boolean(), supersededBy: z.string().uuid().nullable() })
  .meta({ id: 'PublicationListItem' });

const verifySchema = z
  .object({
    valid: z.boolean(),
    publicationId: z.string().uuid(),
    algorithm: z.literal('Ed25519'),
    hash: z.string().describe('The published hash'),
    computedHash: z.string().describe('SHA-256 of the stored snapshot as it is now'),
    signature: z.string(),
    keyId: z.string(),
    prevHash: z.string(),
    previousId: z.string().nullable(),
    nextId: z.string().nullable(),
    supersedesId: z.string().nullable(),
    supersededBy: z.string().nullable(),
    problems: z.array(z.string()).describe('Each failed check, naming what does not match'),
  })
  .meta({ id: 'PublicationVerification' });

const historySchema = z
  .object({
    unitCode: z.string(),
    unitName: z.string(),
    predecessors: z.array(z.object({ code: z.string(), name: z.string() })).describe('Units this one was formed from (merged from), nearest first'),
    entries: z.array(
      z.object({
        unitCode: z.string().describe("The row's own unit: this unit or one of its predecessors"),
        predecessor: z.boolean().describe('True for a row of a unit this one was formed from'),
        year: z.number().int(),
        publicationId: z.string(),
        roundId: z.string(),
        decisionNumber: z.string(),
        decisionDate: z.string(),
        publishedAt: timestamp,
        groupCode: z.string(),
        unitName: z.string(),
        frameworkCode: z.string(),
        lineage: z.string(),
        total: z.number(),
        max: z.number(),
        index: n,
        rank: z.number().int().nullable(),
        unitsInGroup: z.number().int(),
        band: z.string().nullable(),
        bandLabel: z.string().nullable(),
        proof: z
          .object({
            publicationHash: z.string().describe('The signed publication hash (SHA-256 of its canonical snapshot)'),
            rowDigest: z
              .string()
              .nullable()
              .describe(
                'SHA-256 of the RFC 8785 canonical JSON of {publicationId, year, groupCode, unitCode, unitName, frameworkCode, lineage, total, max, index, rank, band, bandLabel}; newer snapshots carry it as the row\'s `digest`',
              ),
            status: z
              .enum(['verified', 'row-altered', 'unverifiable'])
              .describe('verified: the values are the signed snapshot\'s; row-altered: the stored index row was changed after publication and the signed values are shown; unverifiable: the stored snapshot fails its hash or signature'),
            problem: z.string().optional(),
          })
          .describe('Ties this entry to the signed publication'),
        links: publicationSummarySchema.shape.links,
      }),
    ),
  })
  .meta({ id: 'UnitHistory' });

const idParams = z.object({ id: z.string().uuid() });

export const publicRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.publications;
  const config = { public: true, rateLimitStore: app.appConfig.publicRateLimitStore, rateLimit: { max: app.appConfig.publicRateLimitPerMinute, timeWindow: 60_000 } };

  const notModified = (reply: FastifyReply, etag: string) => reply.header('etag', etag).header('cache-control', IMMUTABLE).code(304).send();

  /**
   * Sends a snapshot-derived representation: strong ETag, cached for a year, 304 when the client has it. JSON and
   * CSV go out gzip-compressed (precomputed once) to clients that accept it.
   */
  function send(req: FastifyRequest, reply: FastifyReply, r: Rendered, download: boolean) {
    const gz = r.gzip && acceptsGzip(req.headers['accept-encoding']) ? r.gzip : null;
    if (r.gzip) reply.header('vary', 'accept-encoding');
    const etag = gz ? gz.etag : r.etag;
    if (noneMatch(req.headers['if-none-match'], r.etag)) return notModified(reply, etag);
    reply.header('etag', etag).header('cache-control', IMMUTABLE);
    if (download) reply.header('content-disposition', `attachment; filename="${r.filename}"`);
    if (gz) reply.header('content-encoding', 'gzip');
    return reply.type(r.contentType).send(gz ? gz.body : r.body);
  }

  app.get(
    '/public/publications',
    {
      config,
      schema: {
        tags: ['public'],
        operationId: 'listPublications',
        summary: 'Published results, newest year first (current publications; includeSuperseded=true adds the ones corrections replaced)',
        querystring: z.strictObject({
          year: z.coerce.number().int().optional(),
          group: z.string().max(32).optional().describe('Only publications with this group code'),
          roundId: z.string().uuid().optional(),
          includeSuperseded: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => v === 'true'),
        }),
        response: { 200: z.array(listItemSchema), ...problems(400, 429) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', SHORT);
      return svc.list(req.query);
    },
  );

  app.get(
    '/public/publications/:id',
    {
      config,
      schema: {
        tags: ['public'],
        operationId: 'getPublication',
        summary: 'One publication as JSON: the signed snapshot (ranked rows per group, area breakdown) with its hash, signature and key id',
        params: idParams,
        response: { 200: documentSchema, ...problems(400, 404, 409, 429) },
      },
    },
    async (req, reply) => send(req, reply, await svc.document(req.params.id), false) as never,
  );

  for (const format of ['csv', 'xlsx', 'pdf'] as const satisfies readonly ExportFormat[]) {
    const label = { csv: 'CSV (UTF-8 with BOM, Vietnamese headers, 2 decimals)', xlsx: 'XLSX laid out as the decision annex, one sheet per group', pdf: 'PDF (A4 landscape) for the decision annex' }[format];
    app.get(
      `/public/publications/:id.${format}`,
      {
        // Rendering a large publication takes seconds: counted against HEAVY_MAX_CONCURRENT (src/plugins/heavy-limit.ts).
        config: { ...config, heavy: true },
        schema: {
          tags: ['public'],
          operationId: `getPublication${format === 'csv' ? 'Csv' : format === 'xlsx' ? 'Xlsx' : 'Pdf'}`,
          summary: `One publication as ${label}`,
          params: idParams,
          ...(format === 'csv' ? { querystring: csvQuery } : {}),
          produces: [{ csv: 'text/csv', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pdf: 'application/pdf' }[format]],
          response: { 200: z.unknown(), ...problems(400, 404, 409, 429) },
        },
      },
      async (req, reply) => {
        // Answer a conditional request before rendering anything.
        const flavour = format === 'csv' ? csvFlavourOf(req.query as { format?: 'excel' | 'plain' }) : 'excel';
        const hashEtag = await svc.etag(req.params.id);
        const etag = flavour === 'plain' ? plainEtag(hashEtag) : hashEtag;
        if (noneMatch(req.headers['if-none-match'], etag)) {
          const gz = format === 'csv' && acceptsGzip(req.headers['accept-encoding']);
          if (format === 'csv') reply.header('vary', 'accept-encoding');
          return notModified(reply, gz ? gzipEtag(etag) : etag) as never;
        }
        return send(req, reply, await svc.exported(req.params.id, format, flavour), true) as never;
      },
    );
  }

  app.get(
    '/public/publications/:id/verify',
    {
      config,
      schema: {
        tags: ['public'],
        operationId: 'verifyPublication',
        summary: 'Recompute the hash and check the signature and chain link of the stored snapshot; every problem is named',
        params: idParams,
        response: { 200: verifySchema, ...problems(400, 404, 429) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-cache');
      return svc.verify(req.params.id);
    },
  );

  app.get(
    '/public/signing-key',
    {
      config,
      schema: {
        tags: ['public'],
        operationId: 'getSigningKey',
        summary: 'The Ed25519 public key that signs publications',
        response: { 200: z.object({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKeyPem: z.string() }).meta({ id: 'SigningKey' }), ...problems(429) },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return svc.signingKey();
    },
  );

  app.get(
    '/public/units/:unitCode/history',
    {
      config,
      schema: {
        tags: ['public'],
        operationId: 'getUnitHistory',
        summary: "A unit's published index, rank and band by year (current publications only), including the published rows of the units it was formed from, each with its own code and name",
        params: z.object({ unitCode: z.string().min(1).max(32) }),
        response: { 200: historySchema, ...problems(400, 404, 429) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', SHORT);
      return svc.history(req.params.unitCode);
    },
  );
};

