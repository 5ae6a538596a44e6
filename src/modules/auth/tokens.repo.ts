import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { authTokens, users } from '../../db/schema.js';

export type TokenRow = typeof authTokens.$inferSelect;

export const tokensRepo = {
  async insert(db: Db, values: typeof authTokens.$inferInsert): Promise<TokenRow> {
    const [row] = await db.insert(authTokens).values(values).returning();
    return row!;
  },

  /** A live token (not revoked, not expired) with its user. */
  async findLive(db: Db, tokenHash: string, now: Date) {
    const [row] = await db
      .select({ token: authTokens, user: users })
      .from(authTokens)
      .innerJoin(users, eq(users.id, authTokens.userId))
      .where(and(eq(authTokens.tokenHash, tokenHash), isNull(authTokens.revokedAt), gt(authTokens.expiresAt, now)))
      .limit(1);
    return row;
  },

  async touch(db: Db, id: string, now: Date) {
    await db.update(authTokens).set({ lastUsedAt: now }).where(eq(authTokens.id, id));
  },

  async revoke(db: Db, id: string, now: Date) {
    const rows = await db
      .update(authTokens)
      .set({ revokedAt: now })
      .where(and(eq(authTokens.id, id), isNull(authTokens.revokedAt)))
      .returning();
    return rows[0];
  },

  async listApiTokens(db: Db, userId: string) {
    return db
      .select()
      .from(authTokens)
      .where(and(eq(authTokens.userId, userId), eq(authTokens.kind, 'api')))
      .orderBy(desc(authTokens.createdAt));
  },

  async findOwned(db: Db, userId: string, id: string) {
    const [row] = await db.select().from(authTokens).where(and(eq(authTokens.userId, userId), eq(authTokens.id, id))).limit(1);
    return row;
  },
};
