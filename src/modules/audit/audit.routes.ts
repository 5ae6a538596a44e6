import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../auth/policy.js';
import { auditEvents } from '../../db/schema.js';
import { verifyAuditChain } from '../../lib/audit.js';
import { ctxOf, jsonValue, problems, timestamp } from '../../lib/http.js';

const auditEventSchema = z
  .object({
    seq: z.number().int(),
    at: timestamp,
    actorUsername: z.string().nullable(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    before: jsonValue.describe('The entity before the change (null when created); its shape follows entityType'),
    after: jsonValue.describe('The entity after the change (null when deleted)'),
    requestId: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;

  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        operationId: 'listAuditEvents',
        summary: 'Audit log, newest first (admin, coordinator)',
        querystring: z.strictObject({
          entityType: z.string().max(64).optional(),
          entityId: z.string().max(200).optional(),
          actor: z.string().max(64).optional(),
          action: z.string().max(64).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          beforeSeq: z.coerce.number().int().positive().meta({ format: 'int64' }).optional().describe('Page backwards: events with seq below this'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(auditEventSchema), nextBeforeSeq: z.number().int().nullable() }), ...problems(400, 401, 403) },
      },
    },
    async (req) => {
      const ctx = ctxOf(req);
      authorize(ctx.actor, 'audit.read');
      const q = req.query;
      const conds: SQL[] = [];
      if (q.entityType) conds.push(eq(auditEvents.entityType, q.entityType));
      if (q.entityId) conds.push(eq(auditEvents.entityId, q.entityId));
      if (q.actor) conds.push(eq(auditEvents.actorUsername, q.actor));
      if (q.action) conds.push(eq(auditEvents.action, q.action));
      if (q.from) conds.push(gte(auditEvents.at, new Date(q.from)));
      if (q.to) conds.push(lte(auditEvents.at, new Date(q.to)));
      if (q.beforeSeq) conds.push(lt(auditEvents.seq, q.beforeSeq));
      const rows = await db.select().from(auditEvents).where(and(...conds)).orderBy(desc(auditEvents.seq)).limit(q.limit);
      return {
        // jsonb columns: what was stored is JSON, read back by the driver.
        items: rows.map((r) => ({ ...r, at: r.at.toISOString(), before: r.before as z.infer<typeof jsonValue>, after: r.after as z.infer<typeof jsonValue> })),
        nextBeforeSeq: rows.length === q.limit ? rows[rows.length - 1]!.seq : null,
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        operationId: 'verifyAuditChain',
        summary: 'Recompute the hash chain and name the first broken row',
        response: {
          200: z.object({ valid: z.boolean(), checked: z.number().int(), firstBrokenSeq: z.number().int().nullable(), problems: z.array(z.string()) }),
          ...problems(401, 403),
        },
      },
    },
    async (req) => {
      const ctx = ctxOf(req);
      authorize(ctx.actor, 'audit.read');
      return verifyAuditChain(db);
    },
  );
};
