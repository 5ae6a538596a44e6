import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf, problems } from '../../lib/http.js';
import { itemWithHistorySchema } from '../assessments/assessments.routes.js';
import { phases } from '../rounds/lifecycle.js';
import { openReasons } from './settlement.service.js';

const openItemSchema = z
  .object({
    unitCode: z.string(),
    criterionCode: z.string(),
    reason: z.enum(openReasons).describe('The first that applies, in this order: ' + openReasons.join(', ')),
    groupCode: z.string(),
    unitName: z.string(),
    title: z.string(),
    areaCode: z.string(),
    surveyN: z.number().int().optional().describe("Survey-scored items: the unit's number of responses"),
  })
  .meta({ id: 'OpenItem' });

export const settlementRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.settlement;

  app.get(
    '/rounds/:id/open-items',
    {
      schema: {
        tags: ['results'],
        operationId: 'getOpenItems',
        summary:
          'Every item of every unit without a final score, with why (coordinator: all; appraisers: their units and areas). An empty list means the round can go to council review and be published.',
        params: z.object({ id: z.string().uuid() }),
        response: {
          200: z.object({ roundId: z.string(), phase: z.enum(phases), items: z.array(openItemSchema), count: z.number().int() }).meta({ id: 'OpenItems' }),
          ...problems(401, 403, 404),
        },
      },
    },
    async (req) => svc.openItems(ctxOf(req), req.params.id),
  );

  app.post(
    '/rounds/:id/assessments/:unitCode/items/:code/objection',
    {
      schema: {
        tags: ['appraisal'],
        operationId: 'raiseObjection',
        summary:
          'Kiến nghị: the unit contests an item appraised below its self points (explanation phase, reason required, If-Match); it is then answered in final_appraisal like a flagged item',
        params: z.object({ id: z.string().uuid(), unitCode: z.string().min(1).max(32), code: z.string().min(1).max(64) }),
        headers: z.object({ 'if-match': z.string().max(200).optional() }),
        body: z.strictObject({ reason: z.string().trim().min(1).max(10_000) }),
        response: { 200: itemWithHistorySchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
      },
    },
    async (req, reply) => {
      const item = (await svc.object(ctxOf(req), req.params.id, req.params.unitCode, req.params.code, req.headers['if-match'], req.body)) as z.infer<typeof itemWithHistorySchema>;
      return reply.header('etag', item.etag).send(item);
    },
  );
};
