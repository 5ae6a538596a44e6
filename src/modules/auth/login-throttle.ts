// Login throttling (issue 18 item 7, issue 16 item 1). Only FAILED attempts count, in two windows kept in the
// database so that every instance sees the same counts:
//   - per (client address, username): LOGIN_RATE_LIMIT_PER_MINUTE, against guessing one account's password;
//   - per client address: LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE (higher), against spraying many usernames.
// Successful logins never count, so a whole office behind one NAT address can log in on a busy morning.
// The counts do not depend on whether the username exists, so the 429 reveals nothing about accounts.
import { createHash } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { sharedCounters } from '../../lib/shared-counters.js';

const WINDOW_MS = 60_000;

export class LoginThrottledError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate-limited', 'Too many requests', `Too many failed login attempts; retry in ${retryAfterSeconds} s.`, { retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
  }
}

// The username is hashed into the key: any text (even a NUL byte, which a PostgreSQL text cannot hold) gives a
// fixed-size, unambiguous key.
const keysOf = (ip: string, username: string) => ({
  pair: `login:ua:${ip}:${createHash('sha256').update(username, 'utf8').digest('hex')}`,
  address: `login:a:${ip}`,
});

export function createLoginThrottle(db: Db, config: Pick<Config, 'loginRateLimitPerMinute' | 'loginAddressRateLimitPerMinute'>) {
  return {
    /** Refuses the attempt (429) before any password work when either window is full. */
    async check(ip: string, username: string, now: Date): Promise<void> {
      const k = keysOf(ip, username);
      const counts = await sharedCounters.peek(db, [k.pair, k.address], now);
      const pair = counts.get(k.pair);
      const address = counts.get(k.address);
      const waits: number[] = [];
      if (pair && pair.hits >= config.loginRateLimitPerMinute) waits.push(pair.ttlMs);
      if (address && address.hits >= config.loginAddressRateLimitPerMinute) waits.push(address.ttlMs);
      if (waits.length > 0) throw new LoginThrottledError(Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
    },

    /** Counts one failed attempt in both windows. */
    async failed(ip: string, username: string, now: Date): Promise<void> {
      const k = keysOf(ip, username);
      await sharedCounters.hit(db, k.pair, WINDOW_MS, now);
      await sharedCounters.hit(db, k.address, WINDOW_MS, now);
    },
  };
}
