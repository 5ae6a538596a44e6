// Reads the settlement checks need for a whole round at once: one query per kind of row, never one per unit.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assessmentItems, assessments, roundAppraisers, rounds, users } from '../../db/schema.js';
import type { ItemRow } from '../assessments/assessments.repo.js';

export interface AssignmentRow {
  userId: string;
  username: string;
  orgUnitCode: string | null;
  active: boolean;
  role: string;
  groupCode: string;
  areaCode: string;
  unitCodes: string[] | null;
}

export const settlementRepo = {
  /** Every appraiser assignment of the round with the person's unit, role and whether the account is active. */
  async assignments(db: Db, roundId: string): Promise<AssignmentRow[]> {
    return db
      .select({
        userId: users.id,
        username: users.username,
        orgUnitCode: users.orgUnitCode,
        active: users.active,
        role: users.role,
        groupCode: roundAppraisers.groupCode,
        areaCode: roundAppraisers.areaCode,
        unitCodes: roundAppraisers.unitCodes,
      })
      .from(roundAppraisers)
      .innerJoin(users, eq(users.id, roundAppraisers.userId))
      .where(eq(roundAppraisers.roundId, roundId));
  },

  /** Unit code, group and submission status of every assessment of the round. */
  async members(db: Db, roundId: string) {
    return db
      .select({ id: assessments.id, unitCode: assessments.unitCode, groupCode: assessments.groupCode, status: assessments.status, position: assessments.position })
      .from(assessments)
      .where(eq(assessments.roundId, roundId))
      .orderBy(assessments.position);
  },

  /**
   * The round, share-locked: a decision written under it cannot interleave with a phase move or a publication
   * (both lock the round for update), so nothing changes after the snapshot was frozen.
   */
  async roundShared(db: Db, roundId: string) {
    const [row] = await db.select().from(rounds).where(eq(rounds.id, roundId)).for('share').limit(1);
    return row;
  },

  /** One item row locked for a guarded write. */
  async lockItem(db: Db, assessmentId: string, criterionCode: string): Promise<ItemRow | undefined> {
    const [row] = await db
      .select()
      .from(assessmentItems)
      .where(and(eq(assessmentItems.assessmentId, assessmentId), eq(assessmentItems.criterionCode, criterionCode)))
      .for('update');
    return row;
  },
};
