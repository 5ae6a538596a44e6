import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assessmentItems, assessments, deadlineExtensions, evidence, itemHistory, orgUnits, roundMinutes, rounds, users } from '../../db/schema.js';
import type { HistoryKind } from './assessment.shared.js';

export type AssessmentRow = typeof assessments.$inferSelect;
export type ItemRow = typeof assessmentItems.$inferSelect;
export type EvidenceRow = typeof evidence.$inferSelect;
export type HistoryRow = typeof itemHistory.$inferSelect;

export const assessmentsRepo = {
  async find(db: Db, roundId: string, unitCode: string, lock = false): Promise<AssessmentRow | undefined> {
    const q = db.select().from(assessments).where(and(eq(assessments.roundId, roundId), eq(assessments.unitCode, unitCode))).limit(1);
    const [row] = lock ? await q.for('update') : await q;
    return row;
  },

  /** The assessment with its round and its deadline extensions (phase → until) in one query. */
  async findWithRound(db: Db, roundId: string, unitCode: string) {
    const [row] = await db
      .select({
        round: rounds,
        assessment: assessments,
        extensions: sql<Record<string, string> | null>`(select jsonb_object_agg(${deadlineExtensions.phase}, ${deadlineExtensions.until}) from ${deadlineExtensions} where ${deadlineExtensions.assessmentId} = ${assessments.id})`,
      })
      .from(assessments)
      .innerJoin(rounds, eq(rounds.id, assessments.roundId))
      .where(and(eq(assessments.roundId, roundId), eq(assessments.unitCode, unitCode)))
      .limit(1);
    return row;
  },

  async items(db: Db, assessmentId: string): Promise<ItemRow[]> {
    return db.select().from(assessmentItems).where(eq(assessmentItems.assessmentId, assessmentId)).orderBy(asc(assessmentItems.position));
  },

  async item(db: Db, assessmentId: string, criterionCode: string): Promise<ItemRow | undefined> {
    const [row] = await db
      .select()
      .from(assessmentItems)
      .where(and(eq(assessmentItems.assessmentId, assessmentId), eq(assessmentItems.criterionCode, criterionCode)))
      .limit(1);
    return row;
  },


  async evidenceOf(db: Db, itemIds: string[]): Promise<EvidenceRow[]> {
    if (itemIds.length === 0) return [];
    return db.select().from(evidence).where(inArray(evidence.itemId, itemIds)).orderBy(asc(evidence.createdAt));
  },

  async history(db: Db, itemId: string): Promise<HistoryRow[]> {
    return db.select().from(itemHistory).where(eq(itemHistory.itemId, itemId)).orderBy(asc(itemHistory.seq));
  },

  // A kind the API does not know would make the item unreadable (its answer is checked against the kinds).
  async addHistory(db: Db, values: typeof itemHistory.$inferInsert & { kind: HistoryKind }) {
    await db.insert(itemHistory).values(values);
  },

  async extensions(db: Db, assessmentId: string) {
    return db.select().from(deadlineExtensions).where(eq(deadlineExtensions.assessmentId, assessmentId));
  },

  /** username → name of the user's unit (the appraising office), for showing decisions to units. */
  async officesOf(db: Db, usernames: (string | null | undefined)[]): Promise<Map<string, string>> {
    const names = [...new Set(usernames.filter((u): u is string => !!u))];
    if (names.length === 0) return new Map();
    const rows = await db
      .select({ username: users.username, office: orgUnits.name })
      .from(users)
      .innerJoin(orgUnits, eq(orgUnits.code, users.orgUnitCode))
      .where(inArray(users.username, names));
    return new Map(rows.map((r) => [r.username, r.office]));
  },

  async blobKeysIn(db: Db, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await db.select({ key: evidence.blobKey }).from(evidence).where(inArray(evidence.blobKey, keys));
    // Council minutes (round_minutes) share the blob store: their files are referenced too.
    const minutes = await db.select({ key: roundMinutes.blobKey }).from(roundMinutes).where(inArray(roundMinutes.blobKey, keys));
    return new Set([...rows, ...minutes].map((r) => r.key!).filter(Boolean));
  },
};
