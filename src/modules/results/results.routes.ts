import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csvFlavourOf, csvQuery } from '../../lib/csv.js';
import { ctxOf, problems } from '../../lib/http.js';
import { phases } from '../rounds/lifecycle.js';
import { resultsExport, XLSX_TYPE } from './results.export.js';

const n = z.number().nullable();
const areaSchema = z.object({ code: z.string(), title: z.string().nullable(), kind: z.string(), points: z.number(), max: z.number(), index: n, selfPoints: z.number() });
const itemOutcomeSchema = z.object({
  code: z.string(),
  title: z.string(),
  areaCode: z.string(),
  max: z.number(),
  selfPoints: n,
  selfNotApplicable: z.boolean(),
  final: z.object({
    points: n,
    notApplicable: z.boolean(),
    source: z.string(),
    open: z.boolean(),
    reason: z.string().optional(),
    note: z.string().optional().describe('Survey criteria: how the survey decided it (responses against the minimum)'),
    surveyN: z.number().int().optional().describe('Survey criteria: the unit’s number of responses'),
  }),
});
const rowSchema = z
  .object({
    unitCode: z.string(),
    unitName: z.string(),
    submitted: z.boolean().optional().describe('False when the round moved to appraisal (forced) before the unit submitted; its self-assessment froze as entered'),
    total: n,
    max: n,
    index: n,
    band: z.string().nullable(),
    bandLabel: z.string().nullable(),
    rank: z.number().int().nullable(),
    selfTotal: n,
    selfIndex: n,
    gap: n.describe('total − selfTotal'),
    areas: z.array(areaSchema),
    openItems: z.number().int().describe('Items still without a final score: while > 0 the row is provisional'),
    items: z.array(itemOutcomeSchema).optional().describe('Per-item outcomes: only with ?include=trace'),
    trace: z.array(z.string()).optional().describe('How the engine reached the total and index: only with ?include=trace'),
  })
  .meta({ id: 'ResultRow' });
const openItemSchema = z.object({ groupCode: z.string(), unitCode: z.string(), unitName: z.string(), criterionCode: z.string(), title: z.string(), areaCode: z.string(), reason: z.string() });
const gap = { groupCode: z.string(), unitCode: z.string(), unitName: z.string(), gap: z.number() };
const resultsSchema = z
  .object({
    roundId: z.string(),
    phase: z.enum(phases),
    groups: z.array(z.object({ code: z.string(), name: z.string(), frameworkCode: z.string(), rows: z.array(rowSchema) })),
    discrepancies: z
      .object({
        units: z.array(z.object({ ...gap, selfTotal: z.number(), total: z.number() })),
        areas: z.array(z.object({ ...gap, areaCode: z.string(), title: z.string().nullable(), selfPoints: z.number(), points: z.number() })),
        items: z.array(z.object({ ...gap, criterionCode: z.string(), title: z.string(), selfPoints: z.number(), points: z.number() })),
      })
      .nullable()
      .describe('Largest self-vs-appraised gaps (coordinator only)'),
    openItems: z.array(openItemSchema).optional().describe('Every item still without a final score: only with ?include=trace (else GET /rounds/{id}/open-items)'),
  })
  .meta({ id: 'RoundResults' });

const idParams = z.object({ id: z.string().uuid() });

export const resultsRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.results;

  app.get(
    '/rounds/:id/results',
    {
      config: { heavy: true },
      schema: {
        tags: ['results'],
        operationId: 'getRoundResults',
        summary: 'Live results: per group ranked rows with area breakdown, self total and gap, per-item trace; discrepancy and open-items reports',
        params: idParams,
        querystring: z.strictObject({
          include: z.enum(['trace']).optional().describe('trace: add per-item outcomes, the engine trace and the open-items list to every row (large: ≈ 50 MB at 1,000 units)'),
        }),
        response: { 200: resultsSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const full = await svc.results(ctxOf(req), req.params.id);
      if (req.query.include === 'trace') return full;
      // Slim by default (issue 14): totals, areas, band and rank per unit; 1,000 units stay a few MB.
      const { openItems: _open, ...rest } = full;
      return { ...rest, groups: full.groups.map((g) => ({ ...g, rows: g.rows.map(({ items: _items, trace: _trace, ...row }) => row) })) };
    },
  );

  for (const report of ['results', 'discrepancies'] as const) {
    for (const format of ['csv', 'xlsx'] as const) {
      app.get(
        `/rounds/:id/${report}.${format}`,
        {
          config: { heavy: true },
          schema: {
            tags: ['results'],
            operationId: `getRound${report === 'results' ? 'Results' : 'Discrepancies'}${format === 'csv' ? 'Csv' : 'Xlsx'}`,
            summary: `${report === 'results' ? 'Live results' : 'Discrepancy and open-items report'} as ${format.toUpperCase()}`,
            params: idParams,
            ...(format === 'csv' ? { querystring: csvQuery } : {}),
            produces: [format === 'csv' ? 'text/csv' : XLSX_TYPE],
            response: { 200: z.unknown(), ...problems(401, 403, 404) },
          },
        },
        async (req, reply) => {
          const file = await resultsExport(await svc.results(ctxOf(req), req.params.id), report, format, csvFlavourOf(req.query as { format?: 'excel' | 'plain' }));
          reply.header('content-disposition', `attachment; filename="${file.filename}"`);
          return reply.type(file.contentType).send(file.body);
        },
      );
    }
  }

  app.post(
    '/rounds/:id/confirm-self-points',
    {
      schema: {
        tags: ['results'],
        operationId: 'confirmSelfPoints',
        summary: 'Accept the self points of items nobody appraised (coordinator, final_appraisal phase, with a reason); N/A claims only with includeNotApplicable',
        params: idParams,
        body: z.strictObject({
          reason: z.string().trim().min(1).max(2000),
          unitCodes: z.array(z.string().max(32)).optional(),
          criterionCodes: z.array(z.string().max(64)).optional(),
          includeNotApplicable: z.boolean().optional().describe('Also confirm "không phát sinh" (N/A) claims nobody appraised; without it they stay open'),
        }),
        response: {
          200: z.object({ confirmed: z.number().int(), items: z.array(z.object({ unitCode: z.string(), criterionCode: z.string(), points: n, notApplicable: z.boolean() })) }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => svc.confirmSelfPoints(ctxOf(req), req.params.id, req.body),
  );
};
