// The per-instance store a route gets with `config.rateLimitStore: 'memory'` (the public publication endpoints by
// default). The database store is exercised against real databases in test/integration/instances.test.ts.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/client.js';
import { databaseRateLimitStore } from '../../../src/plugins/rate-limit-store.js';

describe('rate-limit store: per-instance memory windows', () => {
  it('counts per key in a window that starts at the first hit and resets when it ends', () => {
    let now = 1_000_000;
    const Store = databaseRateLimitStore(null as unknown as Db, () => new Date(now));
    const root = new Store({});
    const mem = root.child({ routeInfo: { method: 'GET', url: '/x', config: { rateLimitStore: 'memory' } } } as never);
    const seen: { current: number; ttl: number }[] = [];
    const hit = (key: string) => mem.incr(key, (err, r) => (err ? Promise.reject(err) : seen.push(r!)), 60_000, 3);
    hit('1.2.3.4');
    now += 10_000;
    hit('1.2.3.4');
    hit('5.6.7.8');
    now += 50_000; // exactly the end of the first key's window: a new window
    hit('1.2.3.4');
    expect(seen).toEqual([
      { current: 1, ttl: 60_000 },
      { current: 2, ttl: 50_000 },
      { current: 1, ttl: 60_000 },
      { current: 1, ttl: 60_000 },
    ]);
  });

  it('keeps at most maxKeys windows, dropping the oldest first', () => {
    const now = 0;
    const Store = databaseRateLimitStore(null as unknown as Db, () => new Date(now));
    const mem = new Store({}).child({ routeInfo: { config: { rateLimitStore: 'memory' } } } as never) as unknown as { maxKeys: number; incr: (k: string, cb: (e: Error | null, r?: { current: number }) => void, w: number, m: number) => void };
    const counts: number[] = [];
    for (let i = 0; i < 10_001; i++) mem.incr(`k${i}`, () => undefined, 60_000, 1);
    // k0 was dropped to make room for k10000: it starts again at 1; k1 is still counted.
    mem.incr('k0', (_e, r) => counts.push(r!.current), 60_000, 1);
    mem.incr('k10000', (_e, r) => counts.push(r!.current), 60_000, 1);
    expect(counts).toEqual([1, 2]);
  });
});
