import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { hotQuery, jsonRow } from '../../db/hot.js';
import { authTokens, users } from '../../db/schema.js';

export type TokenRow = typeof authTokens.$inferSelect;

const tokenRow = jsonRow(authTokens, 't');
const userRow = jsonRow(users, 'u');
const FIND_LIVE_SQL = `select ${tokenRow.sql}, ${userRow.sql} from auth_tokens t join users u on u.id = t.user_id
  where t.token_hash = $1 and t.revoked_at is null and t.expires_at > $2::timestamptz limit 1`;

export const tokensRepo = {
  async insert(db: Db, values: typeof authTokens.$inferInsert): Promise<TokenRow> {
    const [row] = await db.insert(authTokens).values(values).returning();
    return row!;
  },

  /**
   * A live token (not revoked, not expired) with its user. Runs on every API request, so it is a fixed prepared
   * statement (issue 14) rather than a query built per request; the unique index on token_hash answers it.
   */
  async findLive(db: Db, tokenHash: string, now: Date): Promise<{ token: TokenRow; user: typeof users.$inferSelect } | undefined> {
    const [row] = await hotQuery(db, 'token_live_v2', FIND_LIVE_SQL, [tokenHash, now.toISOString()]);
    return row ? { token: tokenRow.fromJson(row[0] as Record<string, unknown>), user: userRow.fromJson(row[1] as Record<string, unknown>) } : undefined;
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
