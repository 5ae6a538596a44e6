// Rate-limit counters kept in the database, so every instance behind a load balancer counts against the same
// limit (issue 16). One row per key; its window starts at the first hit and a hit after the window has expired
// starts a new one. The upsert is a single statement, atomic under concurrent hits from several instances, and
// runs the same on PostgreSQL and on the embedded PGlite.
import { inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { rateLimitCounters } from '../db/schema.js';

// Both drivers answer db.execute with { rows }.
const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

export interface CounterState {
  /** Hits in the current window, this one included. */
  hits: number;
  /** Milliseconds until the window ends (≥ 0). */
  ttlMs: number;
}

export const sharedCounters = {
  /** Counts one hit on `key` and returns the window's count. */
  async hit(db: Db, key: string, windowMs: number, now: Date): Promise<CounterState> {
    const expires = new Date(now.getTime() + windowMs);
    const [row] = rowsOf<{ hits: number; expires_at: string | Date }>(
      await db.execute(sql`
        insert into rate_limit_counters as c (key, window_start, expires_at, hits)
        values (${key}, ${now.toISOString()}::timestamptz, ${expires.toISOString()}::timestamptz, 1)
        on conflict (key) do update set
          hits = case when c.expires_at <= excluded.window_start then 1 else c.hits + 1 end,
          window_start = case when c.expires_at <= excluded.window_start then excluded.window_start else c.window_start end,
          expires_at = case when c.expires_at <= excluded.window_start then excluded.expires_at else c.expires_at end
        returning hits, expires_at`),
    );
    return { hits: Number(row!.hits), ttlMs: Math.max(0, new Date(row!.expires_at).getTime() - now.getTime()) };
  },

  /** The current windows' counts of `keys` without counting (a key with no live window reads 0). */
  async peek(db: Db, keys: string[], now: Date): Promise<Map<string, CounterState>> {
    const out = new Map<string, CounterState>();
    if (keys.length === 0) return out;
    const rows = await db.select().from(rateLimitCounters).where(inArray(rateLimitCounters.key, keys));
    for (const r of rows) {
      if (r.expiresAt <= now) continue;
      out.set(r.key, { hits: r.hits, ttlMs: r.expiresAt.getTime() - now.getTime() });
    }
    return out;
  },

  /** Drops windows that ended before `now` (background job); returns how many. */
  async prune(db: Db, now: Date): Promise<number> {
    const rows = await db.delete(rateLimitCounters).where(lt(rateLimitCounters.expiresAt, now)).returning({ key: rateLimitCounters.key });
    return rows.length;
  },
};
