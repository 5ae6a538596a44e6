import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assessmentItems, assessments, deadlineExtensions, roundAppraisers, roundGroups, rounds } from '../../db/schema.js';
import type { FrameworkDocument } from '../frameworks/frameworks.document.js';
import { documentOf, frameworksRepo } from '../frameworks/frameworks.repo.js';

export type RoundRow = typeof rounds.$inferSelect;
export type RoundGroupRow = typeof roundGroups.$inferSelect;
export type AssessmentRow = typeof assessments.$inferSelect;
export type ItemRow = typeof assessmentItems.$inferSelect;

export const roundsRepo = {
  async find(db: Db, id: string): Promise<RoundRow | undefined> {
    const [row] = await db.select().from(rounds).where(eq(rounds.id, id)).limit(1);
    return row;
  },

  async lockForUpdate(db: Db, id: string): Promise<RoundRow | undefined> {
    const [row] = await db.select().from(rounds).where(eq(rounds.id, id)).for('update').limit(1);
    return row;
  },

  async list(db: Db, f: { year?: number | undefined; phase?: RoundRow['phase'] | undefined }) {
    const conds: SQL[] = [];
    if (f.year) conds.push(eq(rounds.year, f.year));
    if (f.phase) conds.push(eq(rounds.phase, f.phase));
    return db.select().from(rounds).where(and(...conds)).orderBy(desc(rounds.year), desc(rounds.createdAt));
  },

  async groups(db: Db, roundId: string): Promise<RoundGroupRow[]> {
    return db.select().from(roundGroups).where(eq(roundGroups.roundId, roundId)).orderBy(asc(roundGroups.position));
  },

  async groupsOf(db: Db, roundIds: string[]): Promise<RoundGroupRow[]> {
    if (roundIds.length === 0) return [];
    return db.select().from(roundGroups).where(inArray(roundGroups.roundId, roundIds)).orderBy(asc(roundGroups.position));
  },

  async assessments(db: Db, roundId: string): Promise<AssessmentRow[]> {
    return db.select().from(assessments).where(eq(assessments.roundId, roundId)).orderBy(asc(assessments.position));
  },

  async extensions(db: Db, assessmentIds: string[]) {
    if (assessmentIds.length === 0) return [];
    return db.select().from(deadlineExtensions).where(inArray(deadlineExtensions.assessmentId, assessmentIds));
  },

  async appraiserAssignments(db: Db, roundId: string, userId?: string) {
    const conds = [eq(roundAppraisers.roundId, roundId)];
    if (userId) conds.push(eq(roundAppraisers.userId, userId));
    return db.select().from(roundAppraisers).where(and(...conds));
  },
};

/** The stored framework document (frameworks table) with its status. */
export async function loadFramework(db: Db, code: string): Promise<{ status: string; doc: FrameworkDocument } | undefined> {
  const row = await frameworksRepo.find(db, code);
  return row ? { status: row.status, doc: documentOf(row) } : undefined;
}
