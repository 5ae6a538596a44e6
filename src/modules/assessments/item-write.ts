// The hot write path of self-assessment and appraisal (issue 14): read the item together with its audit stream's
// head, then change the item (compare-and-set on its version), append its history entry and append the audit row
// in ONE statement. Two round trips instead of a dozen, and writers of different units never wait for each other
// (each unit's assessment is its own audit stream).
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import { assessmentItems } from '../../db/schema.js';
import { auditAppendSql, lockAuditHead, prepareAudit, streamOf, type AuditInput } from '../../lib/audit.js';
import type { AnyCtx } from '../../lib/context.js';
import type { ItemRow } from './assessments.repo.js';

type ItemSet = Partial<Omit<typeof assessmentItems.$inferInsert, 'id' | 'assessmentId' | 'version'>>;

export interface ItemForWrite {
  item: ItemRow;
  /** The audit stream head's hash, already locked; null when the stream has no head yet. */
  prevHash: string | null;
}

/**
 * The item as it is now, and (locked until commit) the head of the audit stream it will be recorded in. Locking
 * the head first makes writers of the same unit queue here rather than fail their compare-and-set later.
 */
export async function readItemForWrite(tx: Db, assessmentId: string, code: string, stream: string): Promise<ItemForWrite | undefined> {
  const [row] = await tx
    .select({ item: assessmentItems, prevHash: sql<string | null>`(select hash from audit_heads where stream = ${stream} for update)` })
    .from(assessmentItems)
    .where(and(eq(assessmentItems.assessmentId, assessmentId), eq(assessmentItems.criterionCode, code)))
    .limit(1);
  return row;
}

export interface ItemWrite {
  current: ItemForWrite;
  set: ItemSet;
  history: { kind: string; data: unknown; comment?: string | null };
  audit: AuditInput;
}

/** SET list from column values, encoded by the columns themselves (jsonb, numeric, timestamps). */
function setList(values: ItemSet): SQL {
  const columns = assessmentItems as unknown as Record<string, PgColumn>;
  const parts = Object.entries(values).map(([key, value]) => {
    const column = columns[key];
    if (!column) throw new Error(`assessment_items has no column '${key}'`);
    return sql`${sql.identifier(column.name)} = ${value === null || value === undefined ? null : sql.param(value, column)}`;
  });
  return sql.join(parts, sql`, `);
}

/**
 * Compare-and-set write of one item with its history entry and audit row, as one statement. Returns the item's
 * new state, or undefined when its version moved since it was read (nothing is written then).
 */
export async function writeItem(tx: Db, ctx: AnyCtx & { actor: { username: string; role: string; orgUnitCode: string | null } }, w: ItemWrite): Promise<ItemRow | undefined> {
  const { item } = w.current;
  const stream = w.audit.stream ?? streamOf(w.audit.entityType, w.audit.entityId);
  const prevHash = w.current.prevHash ?? (await lockAuditHead(tx, stream));
  const audit = prepareAudit(ctx, { ...w.audit, stream }, prevHash);
  const set: ItemSet = { ...w.set, updatedAt: ctx.now };
  const data = w.history.data === undefined ? null : JSON.stringify(w.history.data);
  const result = await tx.execute(sql`with upd as (
      update assessment_items set ${setList(set)}, version = version + 1
      where id = ${item.id} and version = ${item.version}
      returning id, version
    ), hist as (
      insert into item_history (item_id, at, kind, actor_username, actor_role, actor_unit_code, data, comment)
      select upd.id, ${ctx.now.toISOString()}::timestamptz, ${w.history.kind}, ${ctx.actor.username}, ${ctx.actor.role}, ${ctx.actor.orgUnitCode},
        ${data}::jsonb, ${w.history.comment ?? null} from upd
      returning 1
    ), ${auditAppendSql(audit, 'upd')}
    select version from upd`);
  const [row] = (result as unknown as { rows: { version: number }[] }).rows;
  if (!row) return undefined;
  return { ...item, ...set, version: Number(row.version) } as ItemRow;
}
