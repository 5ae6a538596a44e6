// Background jobs on several instances (issue 16 item 4). Every instance ticks; a run of a job belongs to a slot
// (its period, e.g. the hour), and the one instance whose claim of (job, slot) wins runs it while the others skip.
// Each run is a row in job_runs (instance, start, end, outcome, what it did), listed for admins at
// GET /api/v1/jobs/runs. No lock is held while a job works, so a slow job never blocks a hot path, and an
// instance that dies mid-run leaves its row 'running' (visible) while the next slot runs again elsewhere.
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import { authorize } from '../../auth/policy.js';
import type { Ctx } from '../../lib/context.js';
import { jobsRepo, type JobRunRow } from './jobs.repo.js';

export interface JobDefinition {
  name: string;
  /** One run per period (ms), cluster-wide. */
  periodMs: number;
  /** The work; its result (counts) is stored as the run's detail. */
  run(now: Date): Promise<Record<string, unknown>>;
}

/** The slot a moment falls in: the start of its period, as an ISO instant (periods are aligned to the epoch). */
export const slotOf = (now: Date, periodMs: number) => new Date(Math.floor(now.getTime() / periodMs) * periodMs).toISOString();

export function presentJobRun(r: JobRunRow) {
  return {
    id: r.id,
    name: r.name,
    slot: r.slot,
    instance: r.instance,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
    outcome: r.outcome,
    detail: (r.detail ?? null) as Record<string, unknown> | null,
  };
}
export type JobRunView = ReturnType<typeof presentJobRun>;

export function createJobsService(deps: { database: Database; instanceId: string; log: FastifyBaseLogger }) {
  const db = deps.database.db;
  return {
    /**
     * Runs `job` for the slot `now` falls in unless another instance (or an earlier tick) has claimed it.
     * Returns the finished run, or null when the slot was taken. A failing job is recorded as failed, not thrown.
     */
    async runIfDue(job: JobDefinition, now: Date, clock: () => Date = () => new Date()): Promise<JobRunView | null> {
      const claimed = await jobsRepo.claim(db, { name: job.name, slot: slotOf(now, job.periodMs), instance: deps.instanceId, startedAt: now });
      if (!claimed) return null;
      let outcome: 'succeeded' | 'failed' = 'succeeded';
      let detail: unknown;
      try {
        detail = await job.run(now);
      } catch (err) {
        outcome = 'failed';
        detail = { error: err instanceof Error ? err.message : String(err) };
        deps.log.warn({ job: job.name, err }, 'background job failed');
      }
      const done = await jobsRepo.finish(db, claimed.id, { outcome, finishedAt: clock(), detail });
      return presentJobRun(done ?? claimed);
    },

    async list(ctx: Ctx, f: { name?: string | undefined; limit: number }) {
      authorize(ctx.actor, 'system.read');
      return (await jobsRepo.list(db, f)).map(presentJobRun);
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;

/**
 * Ticks every `tickMs` (at once, then periodically) and runs whatever job is due on this instance. Ticks never
 * overlap on one instance; returns a stop function that also waits for a tick in progress.
 */
export function startScheduler(opts: { jobs: JobsService; definitions: JobDefinition[]; clock: () => Date; log: FastifyBaseLogger; tickMs?: number }) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      for (const job of opts.definitions) {
        if (stopped) break;
        try {
          const run = await opts.jobs.runIfDue(job, opts.clock(), opts.clock);
          if (run) opts.log.info({ job: run.name, slot: run.slot, outcome: run.outcome, detail: run.detail }, 'background job ran');
        } catch (err) {
          // The claim itself failed (database unreachable): the next tick tries again.
          opts.log.warn({ job: job.name, err }, 'background job could not be claimed');
        }
      }
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, opts.tickMs ?? 60_000);
  timer.unref();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
