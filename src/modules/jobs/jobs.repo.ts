import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { jobRuns } from '../../db/schema.js';

export type JobRunRow = typeof jobRuns.$inferSelect;

export const jobsRepo = {
  /**
   * Claims (name, slot) for this instance. The unique index makes exactly one of several concurrent claims win,
   * on PostgreSQL and PGlite alike; the losers get undefined and skip the run.
   */
  async claim(db: Db, v: { name: string; slot: string; instance: string; startedAt: Date }): Promise<JobRunRow | undefined> {
    const [row] = await db.insert(jobRuns).values(v).onConflictDoNothing({ target: [jobRuns.name, jobRuns.slot] }).returning();
    return row;
  },

  async finish(db: Db, id: string, v: { outcome: 'succeeded' | 'failed'; finishedAt: Date; detail: unknown }): Promise<JobRunRow | undefined> {
    const [row] = await db.update(jobRuns).set({ outcome: v.outcome, finishedAt: v.finishedAt, detail: v.detail as object }).where(eq(jobRuns.id, id)).returning();
    return row;
  },

  async list(db: Db, f: { name?: string | undefined; limit: number }): Promise<JobRunRow[]> {
    const conds: SQL[] = [];
    if (f.name) conds.push(eq(jobRuns.name, f.name));
    return db.select().from(jobRuns).where(and(...conds)).orderBy(desc(jobRuns.startedAt), desc(jobRuns.id)).limit(f.limit);
  },

  /** Drops finished runs started before `before` (the record is kept for JOB_RUNS_RETENTION); returns how many. */
  async prune(db: Db, before: Date): Promise<number> {
    const rows = await db.delete(jobRuns).where(lt(jobRuns.startedAt, before)).returning({ id: jobRuns.id });
    return rows.length;
  },
};
