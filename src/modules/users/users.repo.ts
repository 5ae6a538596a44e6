import { and, eq, ilike, isNull, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { authTokens, users } from '../../db/schema.js';

export type UserRow = typeof users.$inferSelect;

export interface UserFilter {
  role?: string;
  orgUnitCode?: string | null;
  active?: boolean;
  q?: string;
}

export const usersRepo = {
  async findByUsername(db: Db, username: string): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(eq(users.username, username.toLowerCase())).limit(1);
    return row;
  },

  async findById(db: Db, id: string): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  },

  async lockForUpdate(db: Db, username: string): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(eq(users.username, username.toLowerCase())).for('update').limit(1);
    return row;
  },

  async list(db: Db, f: UserFilter): Promise<UserRow[]> {
    const conds: SQL[] = [];
    if (f.role) conds.push(eq(users.role, f.role as UserRow['role']));
    if (f.orgUnitCode) conds.push(eq(users.orgUnitCode, f.orgUnitCode));
    if (f.active !== undefined) conds.push(eq(users.active, f.active));
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      conds.push(or(ilike(users.username, like), ilike(users.displayName, like))!);
    }
    return db.select().from(users).where(and(...conds)).orderBy(users.username);
  },

  async insert(db: Db, values: typeof users.$inferInsert): Promise<UserRow> {
    const [row] = await db.insert(users).values(values).returning();
    return row!;
  },

  async update(db: Db, id: string, values: Partial<typeof users.$inferInsert>): Promise<UserRow> {
    const [row] = await db.update(users).set(values).where(eq(users.id, id)).returning();
    return row!;
  },

  /** Revokes every live token of a user (password change, deactivation). Returns how many. */
  async revokeAllTokens(db: Db, userId: string, now: Date): Promise<number> {
    const rows = await db
      .update(authTokens)
      .set({ revokedAt: now })
      .where(and(eq(authTokens.userId, userId), isNull(authTokens.revokedAt)))
      .returning({ id: authTokens.id });
    return rows.length;
  },

  async adminExists(db: Db): Promise<boolean> {
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.role, 'admin')).limit(1);
    return !!row;
  },
};

/** The public shape of a user: never the password hash or lockout counters. */
export function presentUser(u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    orgUnitCode: u.orgUnitCode,
    active: u.active,
    lockedUntil: u.lockedUntil ? u.lockedUntil.toISOString() : null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
export type PublicUser = ReturnType<typeof presentUser>;
