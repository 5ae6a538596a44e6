import { and, eq, gt, ilike, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { orgUnitNames, orgUnits, users, type OrgUnitKind } from '../../db/schema.js';

export type OrgUnitRow = typeof orgUnits.$inferSelect;

export interface OrgUnitFilter {
  kind?: OrgUnitKind;
  parentCode?: string;
  /** Active on this date (YYYY-MM-DD) when `active` is true, inactive on it when false. */
  active?: boolean;
  onDate: string;
  q?: string;
  code?: string | null;
}

const activeOn = (d: string) =>
  and(or(isNull(orgUnits.activeFrom), lte(orgUnits.activeFrom, d)), or(isNull(orgUnits.activeTo), gt(orgUnits.activeTo, d)))!;

export const orgUnitsRepo = {
  async find(db: Db, code: string): Promise<OrgUnitRow | undefined> {
    const [row] = await db.select().from(orgUnits).where(eq(orgUnits.code, code)).limit(1);
    return row;
  },

  async lockForUpdate(db: Db, code: string): Promise<OrgUnitRow | undefined> {
    const [row] = await db.select().from(orgUnits).where(eq(orgUnits.code, code)).for('update').limit(1);
    return row;
  },

  async list(db: Db, f: OrgUnitFilter): Promise<OrgUnitRow[]> {
    const conds: SQL[] = [];
    if (f.code !== undefined && f.code !== null) conds.push(eq(orgUnits.code, f.code));
    if (f.kind) conds.push(eq(orgUnits.kind, f.kind));
    if (f.parentCode) conds.push(eq(orgUnits.parentCode, f.parentCode));
    if (f.active === true) conds.push(activeOn(f.onDate));
    if (f.active === false) conds.push(sql`not (${activeOn(f.onDate)})`);
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      conds.push(or(ilike(orgUnits.name, like), ilike(orgUnits.code, like))!);
    }
    return db.select().from(orgUnits).where(and(...conds)).orderBy(orgUnits.code);
  },

  async insert(db: Db, values: typeof orgUnits.$inferInsert): Promise<OrgUnitRow> {
    const [row] = await db.insert(orgUnits).values(values).returning();
    return row!;
  },

  async update(db: Db, code: string, values: Partial<typeof orgUnits.$inferInsert>): Promise<OrgUnitRow> {
    const [row] = await db.update(orgUnits).set(values).where(eq(orgUnits.code, code)).returning();
    return row!;
  },

  async remove(db: Db, code: string) {
    await db.delete(orgUnits).where(eq(orgUnits.code, code));
  },

  /** Ancestors of a unit, nearest first (to refuse parent cycles). */
  async ancestors(db: Db, code: string): Promise<string[]> {
    const res = await db.execute(sql`
      with recursive up(code, parent_code, depth) as (
        select code, parent_code, 0 from org_units where code = ${code}
        union all
        select o.code, o.parent_code, up.depth + 1 from org_units o join up on o.code = up.parent_code where up.depth < 50
      ) select code from up where depth > 0 order by depth`);
    return (res as unknown as { rows: { code: string }[] }).rows.map((r) => r.code);
  },

  /**
   * Every unit this one was formed from, directly or through earlier mergers (predecessors of predecessors),
   * nearest first; the unit itself is not included.
   */
  async predecessorsOf(db: Db, code: string): Promise<{ code: string; name: string; depth: number }[]> {
    const res = await db.execute(sql`
      with recursive back(code, depth, path) as (
        select p.code::text, 1, array[${code}::text, p.code::text]
          from org_units o, jsonb_array_elements_text(o.predecessor_codes) as p(code) where o.code = ${code}
        union all
        select p.code::text, back.depth + 1, back.path || p.code::text
          from back join org_units o on o.code = back.code, jsonb_array_elements_text(o.predecessor_codes) as p(code)
          where back.depth < 20 and not (p.code::text = any(back.path))
      ) select b.code, coalesce(o.name, b.code) as name, min(b.depth)::int as depth from back b left join org_units o on o.code = b.code
        group by b.code, o.name order by depth, b.code`);
    return (res as unknown as { rows: { code: string; name: string; depth: number }[] }).rows;
  },

  /** Dated name history, oldest first; each name holds until the next one's validFrom. */
  async names(db: Db, code: string) {
    return db.select().from(orgUnitNames).where(eq(orgUnitNames.unitCode, code)).orderBy(orgUnitNames.validFrom);
  },

  async recordName(db: Db, values: typeof orgUnitNames.$inferInsert) {
    await db
      .insert(orgUnitNames)
      .values(values)
      .onConflictDoUpdate({ target: [orgUnitNames.unitCode, orgUnitNames.validFrom], set: { name: values.name, recordedBy: values.recordedBy, recordedAt: values.recordedAt } });
  },

  /** What still refers to a unit; a referenced unit can only be deactivated, never deleted. */
  async references(db: Db, code: string): Promise<{ users: number; children: number }> {
    const [u] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.orgUnitCode, code));
    const [c] = await db.select({ n: sql<number>`count(*)::int` }).from(orgUnits).where(eq(orgUnits.parentCode, code));
    // A unit another was formed from carries published history: it is never deleted.
    const [s] = await db.select({ n: sql<number>`count(*)::int` }).from(orgUnits).where(sql`${orgUnits.predecessorCodes} @> ${JSON.stringify([code])}::jsonb`);
    return { users: u?.n ?? 0, children: (c?.n ?? 0) + (s?.n ?? 0) };
  },
};

export function isActiveOn(u: Pick<OrgUnitRow, 'activeFrom' | 'activeTo'>, day: string): boolean {
  return (!u.activeFrom || u.activeFrom <= day) && (!u.activeTo || u.activeTo > day);
}

export function presentOrgUnit(u: OrgUnitRow, today: string) {
  return {
    code: u.code,
    name: u.name,
    kind: u.kind,
    parentCode: u.parentCode,
    activeFrom: u.activeFrom,
    activeTo: u.activeTo,
    predecessorCodes: u.predecessorCodes,
    active: isActiveOn(u, today),
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
