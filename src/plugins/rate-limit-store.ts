// A store for @fastify/rate-limit that keeps its counters in the database (lib/shared-counters.ts), so a limit
// holds across every instance behind the load balancer instead of multiplying by the number of instances.
//
// A route may opt out with `config.rateLimitStore: 'memory'`: the anonymous publication endpoints do by default
// (PUBLIC_RATE_LIMIT_STORE), because a database write per public read costs more on publication day than an
// N-times-looser per-instance limit saves.
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/context.js';
import { sharedCounters } from '../lib/shared-counters.js';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** What @fastify/rate-limit passes to child(): the route's merged limit options with the route itself. */
interface ChildParams {
  routeInfo?: { method?: string | string[]; url?: string; config?: { rateLimitStore?: 'memory' | 'database' } };
}

/** Per-process fixed windows (one instance's view), bounded in size. */
class MemoryStore implements FastifyRateLimitStore {
  readonly #windows = new Map<string, { hits: number; endsAt: number }>();
  constructor(readonly clock: Clock, readonly maxKeys = 10_000) {}

  incr(key: string, cb: Callback, timeWindow: number) {
    const now = this.clock().getTime();
    let w = this.#windows.get(key);
    if (!w || w.endsAt <= now) {
      w = { hits: 0, endsAt: now + timeWindow };
      this.#windows.delete(key);
      if (this.#windows.size >= this.maxKeys) {
        // Oldest first (insertion order): drop expired windows, then the oldest live one.
        for (const [k, v] of this.#windows) {
          if (v.endsAt <= now || this.#windows.size >= this.maxKeys) this.#windows.delete(k);
          else break;
        }
      }
      this.#windows.set(key, w);
    }
    w.hits++;
    cb(null, { current: w.hits, ttl: w.endsAt - now });
  }

  child(): FastifyRateLimitStore {
    return new MemoryStore(this.clock, this.maxKeys);
  }
}

class DatabaseStore implements FastifyRateLimitStore {
  constructor(
    readonly db: Db,
    readonly clock: Clock,
    /** Route identity: the same client address on two routes counts separately, as the in-memory store did. */
    readonly namespace: string,
  ) {}

  incr(key: string, cb: Callback, timeWindow: number) {
    sharedCounters.hit(this.db, `rl:${this.namespace}:${key}`, timeWindow, this.clock()).then(
      (s) => cb(null, { current: s.hits, ttl: s.ttlMs }),
      (err: Error) => cb(err),
    );
  }

  child(routeOptions: unknown): FastifyRateLimitStore {
    const route = (routeOptions as ChildParams).routeInfo;
    if (route?.config?.rateLimitStore === 'memory') return new MemoryStore(this.clock);
    const method = Array.isArray(route?.method) ? route.method.join(',') : (route?.method ?? '*');
    return new DatabaseStore(this.db, this.clock, `${method} ${route?.url ?? '*'}`);
  }
}

/** The store class to give @fastify/rate-limit (it instantiates it once and asks it for a child per route). */
export function databaseRateLimitStore(db: Db, clock: Clock) {
  return class extends DatabaseStore {
    constructor(_options: FastifyRateLimitOptions) {
      super(db, clock, 'global');
    }
  };
}
