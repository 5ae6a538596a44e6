import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { ValidationError } from './errors.js';

export const requestHash = (scope: string, body: unknown) =>
  createHash('sha256')
    .update(scope + '\n' + (canonicalize(body ?? null) ?? 'null'))
    .digest('hex');

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Runs `run` at most once per (user, Idempotency-Key). The key row is inserted in the same transaction as the
 * work, so a parallel replay waits on the unique key and then returns the stored first response; a failed
 * attempt rolls the key back and may be retried. The same key with another request is a 422.
 */
export async function idempotent<T>(
  db: Db,
  opts: { userId: string; key: string; scope: string; hash: string; now: Date },
  run: (tx: Db) => Promise<{ status: number; body: T }>,
): Promise<IdempotentResult<T>> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(idempotencyKeys)
      .values({ userId: opts.userId, key: opts.key, scope: opts.scope, requestHash: opts.hash, createdAt: opts.now })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) {
      const [row] = await tx
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.userId, opts.userId), eq(idempotencyKeys.key, opts.key)));
      if (!row || row.requestHash !== opts.hash || row.scope !== opts.scope || row.statusCode === null) {
        throw new ValidationError([
          { field: 'header.idempotency-key', message: 'was already used for a different request', code: 'idempotency_key_reused' },
        ]);
      }
      return { status: row.statusCode, body: row.response as T, replayed: true };
    }
    const result = await run(tx);
    await tx
      .update(idempotencyKeys)
      .set({ statusCode: result.status, response: result.body as object })
      .where(and(eq(idempotencyKeys.userId, opts.userId), eq(idempotencyKeys.key, opts.key)));
    return { ...result, replayed: false };
  });
}
