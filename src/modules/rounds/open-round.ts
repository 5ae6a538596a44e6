// Opening a round (draft → self_assessment) creates one assessment per member unit and one item per unit × leaf
// criterion: 120,000 items for 1,000 units. Two set-based statements per group instead of one INSERT per unit
// (issue 14: 16–22 s → well under 2 s at 1,000 units).
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { RoundGroupRow, RoundRow } from './rounds.repo.js';

export interface OpenLeaf {
  code: string;
  areaCode: string;
}

/**
 * Inserts the group's assessments (positions from `firstPosition` on, in the group's unit order) and all their
 * items. Returns the number of assessments and items created.
 */
export async function insertGroupAssessments(tx: Db, round: RoundRow, group: RoundGroupRow, leaves: OpenLeaf[], firstPosition: number, now: Date) {
  if (group.unitCodes.length === 0) return { assessments: 0, items: 0 };
  const at = now.toISOString();
  // Arrays travel as one jsonb parameter each: the same on node-postgres and PGlite, and no parameter-count limit.
  const units = JSON.stringify(group.unitCodes.map((code, i) => ({ code, pos: firstPosition + i })));
  const leafRows = JSON.stringify(leaves.map((l, i) => ({ code: l.code, area: l.areaCode, pos: i })));
  await tx.execute(sql`insert into assessments (round_id, group_code, unit_code, framework_code, position, created_at, updated_at)
    select ${round.id}::uuid, ${group.code}, u.code, ${group.frameworkCode}, u.pos, ${at}::timestamptz, ${at}::timestamptz
    from jsonb_to_recordset(${units}::jsonb) as u(code text, pos int)`);
  const inserted = await tx.execute(sql`insert into assessment_items (assessment_id, criterion_code, area_code, position, updated_at)
    select a.id, l.code, l.area, l.pos, ${at}::timestamptz
    from assessments a cross join jsonb_to_recordset(${leafRows}::jsonb) as l(code text, area text, pos int)
    where a.round_id = ${round.id}::uuid and a.group_code = ${group.code}
    order by a.position, l.pos`);
  const items = (inserted as unknown as { affectedRows?: number; rowCount?: number | null }).rowCount ?? (inserted as { affectedRows?: number }).affectedRows ?? -1;
  return { assessments: group.unitCodes.length, items };
}
