import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { roundCouncils, roundMinutes } from '../../db/schema.js';

export type CouncilRow = typeof roundCouncils.$inferSelect;
export type MinutesRow = typeof roundMinutes.$inferSelect;

export const councilRepo = {
  async find(db: Db, roundId: string): Promise<CouncilRow | undefined> {
    const [row] = await db.select().from(roundCouncils).where(eq(roundCouncils.roundId, roundId)).limit(1);
    return row;
  },

  async upsert(db: Db, values: typeof roundCouncils.$inferInsert): Promise<CouncilRow> {
    const { roundId: _id, ...set } = values;
    const [row] = await db.insert(roundCouncils).values(values).onConflictDoUpdate({ target: roundCouncils.roundId, set }).returning();
    return row!;
  },

  async minutes(db: Db, roundId: string): Promise<MinutesRow | undefined> {
    const [row] = await db.select().from(roundMinutes).where(eq(roundMinutes.roundId, roundId)).limit(1);
    return row;
  },

  /** Replaces the round's minutes; returns the previous row (its file, if any, is deleted after commit). */
  async replaceMinutes(db: Db, values: typeof roundMinutes.$inferInsert): Promise<{ row: MinutesRow; previous: MinutesRow | undefined }> {
    const [previous] = await db.delete(roundMinutes).where(eq(roundMinutes.roundId, values.roundId)).returning();
    const [row] = await db.insert(roundMinutes).values(values).returning();
    return { row: row!, previous };
  },
};
