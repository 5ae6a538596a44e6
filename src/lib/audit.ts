import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { asc, desc, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditEvents } from '../db/schema.js';
import type { AnyCtx } from './context.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** JSON round-trip so that what we hash is exactly what jsonb gives back (no undefined, Dates as strings). */
function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

export interface HashedFields {
  at: string;
  actorUserId: string | null;
  actorUsername: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  prevHash: string;
}

export function auditHash(fields: HashedFields): string {
  const canonical = canonicalize(fields);
  if (canonical === undefined) throw new Error('audit event cannot be canonicalised');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

// One key for the whole chain: appends serialise so that every row links to exactly one predecessor.
const CHAIN_LOCK = 727_001;

/** Appends to the audit chain. Call inside the transaction of the mutation it records. */
export async function recordAudit(tx: Db, ctx: AnyCtx, input: AuditInput): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
  const [last] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  const fields: HashedFields = {
    at: ctx.now.toISOString(),
    actorUserId: ctx.actor?.userId ?? null,
    actorUsername: ctx.actor?.username ?? 'system',
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    before: normalise(input.before),
    after: normalise(input.after),
    requestId: ctx.requestId,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await tx.insert(auditEvents).values({ ...fields, at: ctx.now, hash: auditHash(fields) });
}

export interface ChainVerification {
  valid: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  problems: string[];
}

/** Recomputes every link; names the first row whose content or link does not match. */
export async function verifyAuditChain(db: Db, batchSize = 1000): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let lastSeq = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.seq} > ${lastSeq}`)
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      checked++;
      lastSeq = row.seq;
      if (row.prevHash !== prevHash) {
        return broken(checked, row.seq, `row ${row.seq}: prev_hash does not match the hash of the row before it (a row was edited, inserted or removed)`);
      }
      const recomputed = auditHash({
        at: row.at.toISOString(),
        actorUserId: row.actorUserId,
        actorUsername: row.actorUsername,
        action: row.action,
        entityType: row.entityType,
        entityId: row.entityId,
        before: row.before ?? null,
        after: row.after ?? null,
        requestId: row.requestId,
        prevHash: row.prevHash,
      });
      if (recomputed !== row.hash) {
        return broken(checked, row.seq, `row ${row.seq}: content does not match its hash (the row was edited)`);
      }
      prevHash = row.hash;
    }
  }
  return { valid: true, checked, firstBrokenSeq: null, problems: [] };
}

function broken(checked: number, seq: number, problem: string): ChainVerification {
  return { valid: false, checked, firstBrokenSeq: seq, problems: [problem] };
}
