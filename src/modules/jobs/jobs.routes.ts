import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf, problems, timestamp } from '../../lib/http.js';

const jobRunSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().describe('survey-personal-data-purge, evidence-sweep, housekeeping'),
    slot: z.string().describe('The period this run covers (its start); one run per job and slot across all instances'),
    instance: z.string().describe('The instance that ran it (INSTANCE_ID, or host name and process id)'),
    startedAt: timestamp,
    finishedAt: timestamp.nullable(),
    outcome: z.enum(['running', 'succeeded', 'failed']),
    detail: z.record(z.string(), z.unknown()).nullable().describe('What the run did (counts), or the error of a failed run'),
  })
  .meta({ id: 'JobRun' });

export const jobsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/jobs/runs',
    {
      schema: {
        tags: ['admin'],
        operationId: 'listJobRuns',
        summary: 'Background job runs (retention purge, evidence sweep, housekeeping), newest first; admin only',
        querystring: z.strictObject({
          name: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.array(jobRunSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => app.services.jobs.list(ctxOf(req), req.query),
  );
};
