import type { Database, Db } from '../../db/client.js';
import type { Role } from '../../db/schema.js';
import { authorize, unitFilter } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { AnyCtx, Ctx } from '../../lib/context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { vnDate } from '../../lib/http.js';
import { hashPassword } from '../../lib/passwords.js';
import { checkPasswordStrength } from '../auth/auth.service.js';
import { isActiveOn, orgUnitsRepo } from '../org-units/org-units.repo.js';
import { presentUser, usersRepo, type UserRow } from './users.repo.js';

export interface UserInput {
  username: string;
  password: string;
  displayName: string;
  role: Role;
  orgUnitCode?: string | null | undefined;
  /** The first admin with a generated password: it must be changed at first login. */
  mustChangePassword?: boolean | undefined;
}

export interface UserPatch {
  displayName?: string | undefined;
  role?: Role | undefined;
  orgUnitCode?: string | null | undefined;
  active?: boolean | undefined;
  password?: string | undefined;
}

/** Which unit a role is bound to (SPEC §8): own unit for unit roles, the appraising office, the coordinating office. */
const unitRequired: Record<Role, string | null> = {
  admin: null,
  coordinator: 'the coordinating office (Phòng/Sở Nội vụ)',
  appraiser: 'the appraising office',
  unit_editor: 'the unit whose self-assessment they edit',
  unit_head: 'the unit they head',
};

async function checkBinding(db: Db, role: Role, orgUnitCode: string | null | undefined, today: string) {
  const need = unitRequired[role];
  if (!orgUnitCode) {
    if (need) throw new ValidationError([{ field: 'body.orgUnitCode', message: `is required for role '${role}': ${need}`, code: 'required' }]);
    return;
  }
  const unit = await orgUnitsRepo.find(db, orgUnitCode);
  if (!unit) throw new ValidationError([{ field: 'body.orgUnitCode', message: `unit '${orgUnitCode}' does not exist`, code: 'unknown_unit' }]);
  if (!isActiveOn(unit, today)) {
    throw new ValidationError([{ field: 'body.orgUnitCode', message: `unit '${orgUnitCode}' is not active`, code: 'inactive_unit' }]);
  }
}

export function createUsersService(deps: { database: Database }) {
  const db = deps.database.db;

  async function insertUser(tx: Db, ctx: AnyCtx, input: UserInput, passwordHash?: string) {
    const username = input.username.toLowerCase();
    if (await usersRepo.findByUsername(tx, username)) {
      throw new ConflictError(`User '${username}' already exists.`, { field: 'username' });
    }
    await checkBinding(tx, input.role, input.orgUnitCode, vnDate(ctx.now));
    const row = await usersRepo.insert(tx, {
      username,
      displayName: input.displayName,
      role: input.role,
      orgUnitCode: input.orgUnitCode ?? null,
      passwordHash: passwordHash ?? (await hashPassword(input.password)),
      passwordChangedAt: ctx.now,
      mustChangePassword: input.mustChangePassword ?? false,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    await recordAudit(tx, ctx, { action: 'user.created', entityType: 'user', entityId: username, after: auditView(row) });
    return row;
  }

  return {
    async list(ctx: Ctx, f: { role?: Role; orgUnitCode?: string; active?: boolean; q?: string }) {
      const own = unitFilter(ctx.actor, 'user.read');
      if (own !== null && f.orgUnitCode && f.orgUnitCode !== own) return [];
      const rows = await usersRepo.list(db, { ...f, orgUnitCode: own ?? f.orgUnitCode });
      return rows.map(presentUser);
    },

    async get(ctx: Ctx, username: string) {
      const row = await usersRepo.findByUsername(db, username);
      authorize(ctx.actor, 'user.read', { unitCode: row?.orgUnitCode ?? null, entity: 'User', id: username });
      if (!row) throw new NotFoundError('User', username);
      return presentUser(row);
    },

    async create(ctx: Ctx, input: UserInput) {
      authorize(ctx.actor, 'user.write');
      checkPasswordStrength(input.password, 'body.password');
      return presentUser(await db.transaction((tx) => insertUser(tx, ctx, input)));
    },

    /**
     * Used at start-up and for demo data, where no person is acting. `passwordHash` is an argon2 hash of
     * `input.password` made by the caller: the demo's users share one password, and argon2 keeps its salt in the
     * hash, so one hash serves them all instead of one 64 MiB hashing per user on every fresh start (issue 14).
     */
    async createAsSystem(ctx: AnyCtx, input: UserInput, opts: { passwordHash?: string } = {}) {
      return db.transaction((tx) => insertUser(tx, ctx, input, opts.passwordHash));
    },

    async update(ctx: Ctx, username: string, patch: UserPatch) {
      authorize(ctx.actor, 'user.write');
      if (patch.password !== undefined) checkPasswordStrength(patch.password, 'body.password');
      const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
      return db.transaction(async (tx) => {
        const before = await usersRepo.lockForUpdate(tx, username);
        if (!before) throw new NotFoundError('User', username);
        if (before.id === ctx.actor.userId && (patch.active === false || (patch.role && patch.role !== before.role))) {
          throw new ConflictError('You cannot deactivate yourself or change your own role.');
        }
        const role = patch.role ?? before.role;
        const orgUnitCode = patch.orgUnitCode === undefined ? before.orgUnitCode : patch.orgUnitCode;
        if (patch.role !== undefined || patch.orgUnitCode !== undefined) await checkBinding(tx, role, orgUnitCode, vnDate(ctx.now));
        const row = await usersRepo.update(tx, before.id, {
          displayName: patch.displayName ?? before.displayName,
          role,
          orgUnitCode,
          active: patch.active ?? before.active,
          // A password an admin set for someone else is known to two people: its owner must replace it first.
          ...(passwordHash ? { passwordHash, passwordChangedAt: ctx.now, failedLoginCount: 0, lockedUntil: null, mustChangePassword: before.id !== ctx.actor.userId } : {}),
          updatedAt: ctx.now,
        });
        // Tokens carry the old authority: a deactivated user, a new password or a new role must log in again.
        const mustRevoke = passwordHash !== undefined || row.active === false || row.role !== before.role || row.orgUnitCode !== before.orgUnitCode;
        const tokensRevoked = mustRevoke ? await usersRepo.revokeAllTokens(tx, row.id, ctx.now) : 0;
        await recordAudit(tx, ctx, {
          action: 'user.updated',
          entityType: 'user',
          entityId: row.username,
          before: auditView(before),
          after: { ...auditView(row), passwordChanged: passwordHash !== undefined, tokensRevoked },
        });
        return presentUser(row);
      });
    },

    async unlock(ctx: Ctx, username: string) {
      authorize(ctx.actor, 'user.write');
      return db.transaction(async (tx) => {
        const before = await usersRepo.lockForUpdate(tx, username);
        if (!before) throw new NotFoundError('User', username);
        const row = await usersRepo.update(tx, before.id, { failedLoginCount: 0, lockedUntil: null, updatedAt: ctx.now });
        await recordAudit(tx, ctx, { action: 'user.unlocked', entityType: 'user', entityId: row.username, before: { lockedUntil: before.lockedUntil } });
        return presentUser(row);
      });
    },

    adminExists: () => usersRepo.adminExists(db),
  };
}

function auditView(u: UserRow) {
  return { username: u.username, displayName: u.displayName, role: u.role, orgUnitCode: u.orgUnitCode, active: u.active, ...(u.mustChangePassword ? { mustChangePassword: true } : {}) };
}

export type UsersService = ReturnType<typeof createUsersService>;
