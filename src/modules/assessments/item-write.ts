// The hot write path of item writes (issue 14): one statement reads everything a write checks and shows (round,
// assessment, extensions, the item, its history, evidence and the offices of deciders), and one statement writes:
// it share-locks the assessment (a concurrent submit waits), locks the unit's audit stream head, changes the item
// by compare-and-set on the version it was read at, appends the history entry and the audit row (hashed in SQL
// against the locked head) and moves the head. No transaction round trips, no re-read after the write, and writers
// of different units never wait for each other (each unit's assessment is its own audit stream).
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import { hotQuery, jsonRow } from '../../db/hot.js';
import { assessmentItems, assessments, evidence, itemHistory, rounds } from '../../db/schema.js';
import { GENESIS_HASH, prepareAuditDeferred, streamOf, type AuditInput } from '../../lib/audit.js';
import type { AnyCtx } from '../../lib/context.js';
import type { RoundRow } from '../rounds/rounds.repo.js';
import type { AssessmentRow, EvidenceRow, HistoryRow, ItemRow } from './assessments.repo.js';
import type { HistoryKind } from './assessment.shared.js';

/** History kinds written by the unit itself: no appraising office to show for them. */
export const UNIT_HISTORY_KINDS = new Set(['self', 'evidence_added', 'evidence_removed', 'explanation']);

const roundRow = jsonRow(rounds, 'r');
const assessmentRow = jsonRow(assessments, 'a');
const itemRow = jsonRow(assessmentItems, 'i');
const writtenItemRow = jsonRow(assessmentItems, 'upd');
// History and evidence rows have no numeric column: json_agg of the table row gives what jsonRow reads.
const historyRow = jsonRow(itemHistory, 'h');
const evidenceRow = jsonRow(evidence, 'e');
const unitKinds = [...UNIT_HISTORY_KINDS].map((k) => `'${k}'`).join(', ');

const LOAD_SQL = `select ${roundRow.sql}, ${assessmentRow.sql}, case when i.id is null then null else ${itemRow.sql} end,
    (select jsonb_object_agg(x.phase, x.until) from deadline_extensions x where x.assessment_id = a.id),
    (select json_agg(h order by h.seq) from item_history h where h.item_id = i.id),
    (select json_agg(e order by e.created_at) from evidence e where e.item_id = i.id),
    (select json_object_agg(u.username, o.name) from users u join org_units o on o.code = u.org_unit_code
      where u.username in (select $4::text union select unnest(array[i.appraised_by, i.finalized_by, i.self_confirmed_by])
        union select h.actor_username from item_history h where h.item_id = i.id and h.kind not in (${unitKinds})))
  from assessments a join rounds r on r.id = a.round_id
  left join assessment_items i on i.assessment_id = a.id and i.criterion_code = $3
  where a.round_id = $1 and a.unit_code = $2`;

export interface ItemState {
  round: RoundRow;
  assessment: AssessmentRow;
  /** phase → extended last day. */
  extensions: Record<string, string>;
  /** Undefined when the assessment has no item `code`. */
  item: ItemRow | undefined;
  history: HistoryRow[];
  evidence: EvidenceRow[];
  /** username → the name of the user's unit, for the deciders of this item and the actor. */
  offices: Map<string, string>;
}

/** Everything an item write checks and shows, in one statement; undefined when there is no such assessment. */
export async function loadItemState(db: Db, roundId: string, unitCode: string, code: string, actorUsername: string | null): Promise<ItemState | undefined> {
  const [row] = await hotQuery(db, 'item_state_v3', LOAD_SQL, [roundId, unitCode, code, actorUsername]);
  if (!row) return undefined;
  type Json = Record<string, unknown>;
  const [round, assessment, item, extensions, history, ev, offices] = row as [Json, Json, Json | null, Record<string, string> | null, Json[] | null, Json[] | null, Record<string, string> | null];
  return {
    round: roundRow.fromJson(round),
    assessment: assessmentRow.fromJson(assessment),
    extensions: extensions ?? {},
    item: item === null ? undefined : itemRow.fromJson(item),
    history: (history ?? []).map((h) => historyRow.fromJson(h)),
    evidence: (ev ?? []).map((e) => evidenceRow.fromJson(e)),
    offices: new Map(Object.entries(offices ?? {})),
  };
}

type ItemSet = Partial<Omit<typeof assessmentItems.$inferInsert, 'id' | 'assessmentId' | 'version' | 'updatedAt'>>;

export interface ItemWrite {
  /** The item as read: its id, and the version the write is conditional on. */
  item: Pick<ItemRow, 'id' | 'version'>;
  set: ItemSet;
  history: { kind: HistoryKind; data: unknown; comment?: string | null };
  audit: AuditInput;
  /**
   * The assessment must still be in this state when the write happens (it is share-locked by the write, so a
   * submit or a send-back waits): the round in `phase`, and the assessment not in status `unlessStatus`.
   */
  gate: { assessmentId: string; phase: string; unlessStatus?: string };
  /** False for changes that carry no If-Match (evidence): the version is bumped whatever it is. */
  compareVersion?: boolean;
}

export type ItemWriteResult =
  | { ok: true; item: ItemRow; history: HistoryRow }
  | { ok: false; reason: 'version' | 'gate' };

const columns = getTableColumns(assessmentItems) as Record<string, PgColumn>;
// Fixed parameters of every write statement; SET values follow from $FIRST_SET on.
const FIRST_SET = 24;
const statements = new Map<string, { name: string; text: string; keys: string[] }>();

function statementFor(keys: string[], compareVersion: boolean) {
  const cacheKey = `${compareVersion ? 'cas' : 'any'}:${keys.join(',')}`;
  let s = statements.get(cacheKey);
  if (s) return s;
  const set = keys.map((key, i) => {
    const column = columns[key];
    if (!column) throw new Error(`assessment_items has no column '${key}'`);
    return `"${column.name}" = $${FIRST_SET + i}::${column.getSQLType()}`;
  });
  const text = `with gate as materialized (
      select 1 from assessments a join rounds r on r.id = a.round_id
      where a.id = $4::uuid and r.phase = $5::text and ($6::text is null or a.status <> $6::text)
      for share of a
    ), head as materialized (
      select hash from audit_heads where stream = $7::text and exists (select 1 from gate) for update
    ), upd as (
      update assessment_items set ${[...set, 'updated_at = $3::timestamptz', 'version = version + 1'].join(', ')}
      where id = $1::uuid ${compareVersion ? 'and version = $2::int' : 'and $2::int is null'} and exists (select 1 from head)
      returning *
    ), hist as (
      insert into item_history (item_id, at, kind, actor_username, actor_role, actor_unit_code, data, comment)
      select upd.id, $3::timestamptz, $8::text, $9::text, $10::text, $11::text, $12::jsonb, $13::text from upd
      returning seq, data
    ), audit_row as (
      insert into audit_events (at, actor_user_id, actor_username, action, entity_type, entity_id, before, after, request_id, prev_hash, hash, stream)
      select $3::timestamptz, $14::uuid, $15::text, $16::text, $17::text, $18::text, $19::jsonb, $20::jsonb, $21::text, head.hash,
        encode(sha256(convert_to($22::text || head.hash || $23::text, 'UTF8')), 'hex'), $7::text
      from upd, head
      returning seq, hash
    ), moved as (
      update audit_heads set last_seq = audit_row.seq, hash = audit_row.hash from audit_row where audit_heads.stream = $7::text returning 1
    )
    select (select count(*) from gate)::int, (select count(*) from head)::int, (select seq from hist), (select data from hist),
      case when upd.id is null then null else ${writtenItemRow.sql} end
    from (select 1) as one left join upd on true`;
  s = { name: `item_write_v2_${statements.size + 1}`, text, keys };
  statements.set(cacheKey, s);
  return s;
}

const jsonParam = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/**
 * The write as one statement (see the top of this file). Usable on its own (it is then its own transaction) or
 * inside a transaction. Says why nothing was written: the version moved (412) or the gate no longer holds.
 */
export async function writeItem(db: Db, ctx: AnyCtx & { actor: { username: string; role: string; orgUnitCode: string | null } }, w: ItemWrite): Promise<ItemWriteResult> {
  const keys = Object.keys(w.set).filter((k) => (w.set as Record<string, unknown>)[k] !== undefined);
  const compareVersion = w.compareVersion ?? true;
  const statement = statementFor(keys, compareVersion);
  const stream = w.audit.stream ?? streamOf(w.audit.entityType, w.audit.entityId);
  const audit = prepareAuditDeferred(ctx, { ...w.audit, stream });
  const f = audit.fields;
  const values: unknown[] = [
    w.item.id,
    compareVersion ? w.item.version : null,
    ctx.now.toISOString(),
    w.gate.assessmentId,
    w.gate.phase,
    w.gate.unlessStatus ?? null,
    stream,
    w.history.kind,
    ctx.actor.username,
    ctx.actor.role,
    ctx.actor.orgUnitCode,
    jsonParam(w.history.data),
    w.history.comment ?? null,
    f.actorUserId,
    f.actorUsername,
    f.action,
    f.entityType,
    f.entityId,
    jsonParam(f.before),
    jsonParam(f.after),
    f.requestId,
    audit.prefix,
    audit.suffix,
    ...keys.map((key) => {
      const value = (w.set as Record<string, unknown>)[key];
      return value === null ? null : columns[key]!.mapToDriverValue(value);
    }),
  ];
  for (let attempt = 0; ; attempt++) {
    const [row] = await hotQuery(db, statement.name, statement.text, values);
    const [gate, head, seq, data, written] = row as [number, number, string | number | null, unknown, Record<string, unknown> | null];
    if (Number(gate) === 0) return { ok: false, reason: 'gate' };
    if (Number(head) === 0 && attempt === 0) {
      // The stream's first append: create its head, then write (the head row is locked by the write itself).
      await hotQuery(db, 'audit_head_create_v1', 'insert into audit_heads (stream, last_seq, hash) values ($1, 0, $2) on conflict (stream) do nothing', [stream, GENESIS_HASH]);
      continue;
    }
    if (written === null) return { ok: false, reason: 'version' };
    const item = writtenItemRow.fromJson(written);
    const history: HistoryRow = {
      seq: Number(seq),
      itemId: item.id,
      at: ctx.now,
      kind: w.history.kind,
      actorUsername: ctx.actor.username,
      actorRole: ctx.actor.role,
      actorUnitCode: ctx.actor.orgUnitCode,
      data: data ?? null,
      comment: w.history.comment ?? null,
    };
    return { ok: true, item, history };
  }
}

/** The item's current ETag inputs (for a 412 after a lost compare-and-set). */
export async function currentVersion(db: Db, assessmentId: string, code: string): Promise<Pick<ItemRow, 'id' | 'version'> | undefined> {
  const [row] = await hotQuery(db, 'item_version_v1', 'select id, version from assessment_items where assessment_id = $1 and criterion_code = $2', [assessmentId, code]);
  return row ? { id: row[0] as string, version: Number(row[1]) } : undefined;
}
