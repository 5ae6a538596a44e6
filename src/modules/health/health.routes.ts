import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemType } from '../../lib/errors.js';
import { problems } from '../../lib/http.js';
import { sendProblem } from '../../plugins/problem.js';

const READY_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health/live',
    {
      // Liveness answers from the event loop alone: never the database, and never shed by under-pressure (a
      // busy but healthy process must not be killed by its orchestrator). Returning nothing lets the request on.
      config: { public: true, pressureHandler: () => undefined },
      schema: { tags: ['health'], operationId: 'live', summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        operationId: 'ready',
        summary: 'The service can serve requests (database reachable)',
        response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['pg', 'pglite']) }), ...problems(503) },
      },
    },
    async (req, reply) => {
      try {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          app.database.ping(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('database ping timed out')), READY_TIMEOUT_MS);
          }),
        ]).finally(() => clearTimeout(timer));
        return { status: 'ok' as const, database: app.database.driver };
      } catch (err) {
        req.log.warn({ err: { message: (err as Error).message } }, 'readiness: database unreachable');
        return sendProblem(reply, req, 503, {
          type: problemType('unavailable'),
          title: 'Service unavailable',
          detail: 'The database is unreachable.',
        });
      }
    },
  );
};
