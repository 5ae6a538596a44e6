import { createHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import { asc, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditEvents, auditHeads } from '../db/schema.js';
import type { AnyCtx } from './context.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  /** Chain to link into; by default derived from the entity (streamOf). */
  stream?: string;
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

/**
 * Which chain a row links into. Item and assessment writes of one unit share that unit's stream, public survey
 * answers of one unit share theirs, so unrelated units never wait for each other; everything else (directory,
 * users, frameworks, rounds, publications) stays in the one 'global' chain, as before migration 0006.
 */
export function streamOf(entityType: string, entityId: string): string {
  if (entityType === 'assessment_item' || entityType === 'assessment') {
    const [roundId, unitCode] = entityId.split('/');
    return `assessment:${roundId}/${unitCode}`;
  }
  if (entityType === 'survey_response') {
    // entityId is `${surveyCode}/${responseId}`; the unit is not in it, so the survey is the stream.
    return `survey:${entityId.split('/')[0]}`;
  }
  return 'global';
}

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/**
 * Locks the stream's head row (creating it on the first append) and returns the hash to link to. Concurrent
 * appends to the same stream wait here until the holder commits; appends to other streams do not.
 */
export async function lockAuditHead(tx: Db, stream: string): Promise<string> {
  const [head] = rowsOf<{ hash: string }>(
    await tx.execute(sql`insert into audit_heads (stream, last_seq, hash) values (${stream}, 0, ${GENESIS_HASH})
      on conflict (stream) do update set stream = excluded.stream returning hash`),
  );
  return head!.hash;
}

export interface PreparedAudit {
  stream: string;
  fields: HashedFields;
  hash: string;
}

/** The row to append, hashed against `prevHash` (from lockAuditHead in the same transaction). */
export function prepareAudit(ctx: AnyCtx, input: AuditInput, prevHash: string): PreparedAudit {
  const fields = auditFields(ctx, input, prevHash);
  return { stream: input.stream ?? streamOf(input.entityType, input.entityId), fields, hash: auditHash(fields) };
}

function auditFields(ctx: AnyCtx, input: AuditInput, prevHash: string): HashedFields {
  return {
    at: ctx.now.toISOString(),
    actorUserId: ctx.actor?.userId ?? null,
    actorUsername: ctx.actor?.username ?? 'system',
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    before: normalise(input.before),
    after: normalise(input.after),
    requestId: ctx.requestId,
    prevHash,
  };
}

// Stands in for the previous hash in the canonical text; a quote cannot occur unescaped inside any string value,
// so `"prevHash":"<marker>"` is found only as a key, and the top-level key comes after `before` and `after`.
const PREV_MARKER = `@prev-${randomBytes(8).toString('hex')}@`;

export interface DeferredAudit {
  stream: string;
  fields: Omit<HashedFields, 'prevHash'>;
  /** The canonical text hashed is `prefix + prevHash + suffix` (UTF-8), so SQL can link and hash the row. */
  prefix: string;
  suffix: string;
}

/**
 * The row to append when the previous hash is only known inside the appending statement (the head is locked by
 * that statement): the hash is `sha256(prefix || head.hash || suffix)`, the same bytes auditHash would hash.
 */
export function prepareAuditDeferred(ctx: AnyCtx, input: AuditInput): DeferredAudit {
  const marked = auditFields(ctx, input, PREV_MARKER);
  const canonical = canonicalize(marked);
  if (canonical === undefined) throw new Error('audit event cannot be canonicalised');
  const key = `"prevHash":"${PREV_MARKER}"`;
  const at = canonical.lastIndexOf(key) + key.length - PREV_MARKER.length - 1;
  const fields: Partial<HashedFields> = marked;
  delete fields.prevHash;
  const stream = input.stream ?? streamOf(input.entityType, input.entityId);
  return { stream, fields: fields as DeferredAudit['fields'], prefix: canonical.slice(0, at), suffix: canonical.slice(at + PREV_MARKER.length) };
}

/**
 * SQL that appends the prepared row and moves its stream head, as one statement. `gate` names a CTE that must
 * return a row for the append to happen (e.g. the compare-and-set update of the audited change); without it the
 * append is unconditional. Usable as the tail of a larger WITH statement.
 */
export function auditAppendSql(a: PreparedAudit, gate?: string): SQL {
  const f = a.fields;
  const json = (v: unknown) => (v === null ? sql`null` : sql`${JSON.stringify(v)}::jsonb`);
  const from = gate ? sql` from ${sql.raw(gate)}` : sql``;
  return sql`audit_row as (
      insert into audit_events (at, actor_user_id, actor_username, action, entity_type, entity_id, before, after, request_id, prev_hash, hash, stream)
      select ${f.at}::timestamptz, ${f.actorUserId}::uuid, ${f.actorUsername}, ${f.action}, ${f.entityType}, ${f.entityId}, ${json(f.before)}, ${json(f.after)},
        ${f.requestId}, ${f.prevHash}, ${a.hash}, ${a.stream}${from}
      returning seq
    ), audit_head as (
      update audit_heads set last_seq = audit_row.seq, hash = ${a.hash} from audit_row where audit_heads.stream = ${a.stream} returning 1
    )`;
}

/** Appends to the row's audit stream. Call inside the transaction of the mutation it records. */
export async function recordAudit(tx: Db, ctx: AnyCtx, input: AuditInput): Promise<void> {
  const stream = input.stream ?? streamOf(input.entityType, input.entityId);
  const prepared = prepareAudit(ctx, { ...input, stream }, await lockAuditHead(tx, stream));
  await tx.execute(sql`with ${auditAppendSql(prepared)} select 1`);
}

export interface ChainVerification {
  valid: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  problems: string[];
}

/**
 * Recomputes every link of every stream and names the first row whose content or link does not match; then checks
 * each stream's head still points at its last row (a removed tail) and that no stream lost its head. Runs in one
 * repeatable-read snapshot so that appends committing meanwhile are either wholly seen or not at all.
 */
export async function verifyAuditChain(db: Db, batchSize = 1000): Promise<ChainVerification> {
  return db.transaction(
    async (tx) => {
      const last = new Map<string, { seq: number; hash: string }>();
      let checked = 0;
      let lastSeq = 0;
      for (;;) {
        const rows = await tx
          .select()
          .from(auditEvents)
          .where(sql`${auditEvents.seq} > ${lastSeq}`)
          .orderBy(asc(auditEvents.seq))
          .limit(batchSize);
        if (rows.length === 0) break;
        for (const row of rows) {
          checked++;
          lastSeq = row.seq;
          const prev = last.get(row.stream)?.hash ?? GENESIS_HASH;
          if (row.prevHash !== prev) {
            return broken(checked, row.seq, `row ${row.seq}: prev_hash does not match the hash of the row before it in chain '${row.stream}' (a row was edited, inserted or removed)`);
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
          last.set(row.stream, { seq: row.seq, hash: row.hash });
        }
      }
      const heads = await tx.select().from(auditHeads).orderBy(asc(auditHeads.lastSeq));
      const headed = new Set<string>();
      for (const head of heads) {
        headed.add(head.stream);
        const tail = last.get(head.stream);
        if (head.lastSeq === 0 && !tail) continue; // created by an append that then rolled back
        if (!tail || tail.seq !== head.lastSeq || tail.hash !== head.hash) {
          const present = tail ? `its last row present is ${tail.seq}` : 'none of its rows is present';
          return broken(checked, head.lastSeq, `row ${head.lastSeq}: chain '${head.stream}' ends there but ${present} (rows at the end of the chain were removed)`);
        }
      }
      for (const [stream, tail] of last) {
        if (!headed.has(stream)) return broken(checked, tail.seq, `row ${tail.seq}: chain '${stream}' has no head record (audit_heads was edited)`);
      }
      return { valid: true, checked, firstBrokenSeq: null, problems: [] };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

function broken(checked: number, seq: number, problem: string): ChainVerification {
  return { valid: false, checked, firstBrokenSeq: seq, problems: [problem] };
}
