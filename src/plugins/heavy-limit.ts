// Heavy endpoints (round results, result exports, publication renders) run at most N at a time. They take
// seconds of CPU on a large round; without a cap a burst of them queues everything else behind them, item
// writes included. Over the cap the answer is 503 + Retry-After at once, before any work is done. Routes opt in
// with `config: { heavy: true }`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BusyError } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Counted against HEAVY_MAX_CONCURRENT (src/plugins/heavy-limit.ts). */
    heavy?: boolean;
  }
}

const HOLDS = Symbol('heavySlot');
type Holder = FastifyRequest & { [HOLDS]?: boolean };

export function registerHeavyLimit(app: FastifyInstance, opts: { maxConcurrent: number; retryAfterSeconds: number }) {
  let running = 0;
  const release = async (request: FastifyRequest) => {
    const r = request as Holder;
    if (r[HOLDS]) {
      r[HOLDS] = false;
      running--;
    }
  };
  // preHandler: after authentication and validation, so refused or invalid requests never take a slot.
  app.addHook('preHandler', async (request) => {
    if (!request.routeOptions.config?.heavy || opts.maxConcurrent <= 0) return;
    if (running >= opts.maxConcurrent) {
      request.log.warn({ running, max: opts.maxConcurrent }, 'heavy request refused: concurrency limit reached');
      throw new BusyError(opts.retryAfterSeconds);
    }
    running++;
    (request as Holder)[HOLDS] = true;
  });
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);
  return { get running() { return running; } };
}
