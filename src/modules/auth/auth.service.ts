import { createHash, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { recordAudit } from '../../lib/audit.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { NotFoundError, UnauthorizedError, ValidationError } from '../../lib/errors.js';
import { dummyHash, hashPassword, verifyPassword } from '../../lib/passwords.js';
import { presentUser, usersRepo } from '../users/users.repo.js';
import { createLoginThrottle } from './login-throttle.js';
import { tokensRepo, type TokenRow } from './tokens.repo.js';

export const TOKEN_PREFIX = 'par_';
const TOUCH_INTERVAL_MS = 5 * 60_000;

export const hashToken = (raw: string) => createHash('sha256').update(raw, 'utf8').digest('hex');

function newToken() {
  const raw = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { raw, hash: hashToken(raw), prefix: raw.slice(0, TOKEN_PREFIX.length + 6) };
}

export function presentApiToken(t: TokenRow, now: Date) {
  return {
    id: t.id,
    name: t.name ?? '',
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
    revokedAt: t.revokedAt ? t.revokedAt.toISOString() : null,
    active: !t.revokedAt && t.expiresAt > now,
  };
}

export const MIN_PASSWORD_LENGTH = 10;

export function checkPasswordStrength(password: string, field: string) {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError([{ field, message: `must have at least ${MIN_PASSWORD_LENGTH} characters`, code: 'too_short' }]);
  }
}

export function createAuthService(deps: { database: Database; config: Config; log: FastifyBaseLogger }) {
  const { database, config, log } = deps;
  const db = database.db;
  const throttle = createLoginThrottle(db, config);

  return {
    async login(input: { username: string; password: string }, meta: { requestId: string; now: Date; ip: string }) {
      const username = input.username.trim().toLowerCase();
      // Shared by every instance: failed attempts alternating between instances are limited as if on one.
      await throttle.check(meta.ip, username, meta.now);
      // A wrong password, an unknown or inactive user and a locked account all answer the same 401 with the same
      // body, so the answer tells nobody which usernames exist or are locked; the lock itself is in the audit log
      // (user.locked) and on the user resource (lockedUntil) for admins.
      const refuse = async (reason: string, extra: Record<string, unknown> = {}): Promise<never> => {
        await throttle.failed(meta.ip, username, meta.now);
        log.warn({ username, ip: meta.ip, reason, ...extra }, 'login failed');
        throw new UnauthorizedError('Invalid username or password.');
      };
      const user = await usersRepo.findByUsername(db, username);
      if (!user || !user.active) {
        await verifyPassword(await dummyHash(), input.password);
        return refuse(user ? 'inactive' : 'unknown user');
      }
      // Checked even when locked, so a locked account costs the same time as any other attempt.
      const ok = await verifyPassword(user.passwordHash, input.password);
      if (user.lockedUntil && user.lockedUntil > meta.now) return refuse('account locked', { lockedUntil: user.lockedUntil.toISOString() });
      const systemCtx = { actor: null, requestId: meta.requestId, now: meta.now };
      if (!ok) {
        const lockedNow = await db.transaction(async (tx) => {
          const current = await usersRepo.lockForUpdate(tx, username);
          if (!current) return false;
          const failures = current.failedLoginCount + 1;
          if (failures >= config.loginMaxFailures) {
            const lockedUntil = new Date(meta.now.getTime() + config.loginLockMs);
            await usersRepo.update(tx, current.id, { failedLoginCount: 0, lockedUntil });
            await recordAudit(tx, systemCtx, {
              action: 'user.locked',
              entityType: 'user',
              entityId: current.username,
              after: { lockedUntil: lockedUntil.toISOString(), failures, ip: meta.ip },
            });
            return true;
          }
          await usersRepo.update(tx, current.id, { failedLoginCount: failures });
          return false;
        });
        return refuse('wrong password', { locked: lockedNow });
      }
      const token = newToken();
      const expiresAt = new Date(meta.now.getTime() + config.sessionTtlMs);
      await db.transaction(async (tx) => {
        await usersRepo.update(tx, user.id, { failedLoginCount: 0, lockedUntil: null });
        const row = await tokensRepo.insert(tx, {
          userId: user.id,
          kind: 'session',
          tokenHash: token.hash,
          prefix: token.prefix,
          expiresAt,
          createdAt: meta.now,
        });
        await recordAudit(tx, { ...systemCtx, actor: null }, {
          action: 'auth.login',
          entityType: 'user',
          entityId: user.username,
          after: { tokenId: row.id, kind: 'session', ip: meta.ip },
        });
      });
      return { token: token.raw, expiresAt: expiresAt.toISOString(), mustChangePassword: user.mustChangePassword, user: presentUser(user) };
    },

    /** Resolves a bearer token to the acting user, or null when it is unknown, expired, revoked or the user is inactive. */
    async resolve(raw: string, now: Date): Promise<Actor | null> {
      if (!raw.startsWith(TOKEN_PREFIX) || raw.length > 200) return null;
      const found = await tokensRepo.findLive(db, hashToken(raw), now);
      if (!found || !found.user.active) return null;
      if (!found.token.lastUsedAt || now.getTime() - found.token.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
        await tokensRepo.touch(db, found.token.id, now);
      }
      return {
        userId: found.user.id,
        username: found.user.username,
        displayName: found.user.displayName,
        role: found.user.role,
        orgUnitCode: found.user.orgUnitCode,
        tokenId: found.token.id,
        tokenKind: found.token.kind,
        mustChangePassword: found.user.mustChangePassword,
      };
    },

    async logout(ctx: Ctx) {
      await db.transaction(async (tx) => {
        await tokensRepo.revoke(tx, ctx.actor.tokenId, ctx.now);
        await recordAudit(tx, ctx, { action: 'auth.logout', entityType: 'user', entityId: ctx.actor.username, after: { tokenId: ctx.actor.tokenId } });
      });
    },

    async me(ctx: Ctx) {
      const user = await usersRepo.findById(db, ctx.actor.userId);
      if (!user) throw new UnauthorizedError();
      return presentUser(user);
    },

    async changePassword(ctx: Ctx, input: { currentPassword: string; newPassword: string }) {
      const user = await usersRepo.findById(db, ctx.actor.userId);
      if (!user) throw new UnauthorizedError();
      if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
        throw new ValidationError([{ field: 'body.currentPassword', message: 'is not your current password', code: 'mismatch' }]);
      }
      checkPasswordStrength(input.newPassword, 'body.newPassword');
      const passwordHash = await hashPassword(input.newPassword);
      await db.transaction(async (tx) => {
        await usersRepo.update(tx, user.id, { passwordHash, passwordChangedAt: ctx.now, mustChangePassword: false, updatedAt: ctx.now });
        const revoked = await usersRepo.revokeAllTokens(tx, user.id, ctx.now);
        await recordAudit(tx, ctx, {
          action: 'user.password_changed',
          entityType: 'user',
          entityId: user.username,
          after: { tokensRevoked: revoked, ...(user.mustChangePassword ? { requiredChangeDone: true } : {}) },
        });
      });
    },

    async createApiToken(ctx: Ctx, input: { name: string; expiresInDays?: number | undefined }) {
      const token = newToken();
      const ttl = input.expiresInDays ? input.expiresInDays * 86_400_000 : config.apiTokenTtlMs;
      const row = await db.transaction(async (tx) => {
        const row = await tokensRepo.insert(tx, {
          userId: ctx.actor.userId,
          kind: 'api',
          name: input.name,
          tokenHash: token.hash,
          prefix: token.prefix,
          createdAt: ctx.now,
          expiresAt: new Date(ctx.now.getTime() + ttl),
        });
        await recordAudit(tx, ctx, { action: 'token.created', entityType: 'api_token', entityId: row.id, after: { name: row.name, expiresAt: row.expiresAt } });
        return row;
      });
      return { ...presentApiToken(row, ctx.now), token: token.raw };
    },

    async listApiTokens(ctx: Ctx) {
      const rows = await tokensRepo.listApiTokens(db, ctx.actor.userId);
      return rows.map((r) => presentApiToken(r, ctx.now));
    },

    async revokeApiToken(ctx: Ctx, id: string) {
      return db.transaction(async (tx) => {
        const row = await tokensRepo.findOwned(tx, ctx.actor.userId, id);
        if (!row || row.kind !== 'api') throw new NotFoundError('API token', id);
        const revoked = (await tokensRepo.revoke(tx, id, ctx.now)) ?? row;
        await recordAudit(tx, ctx, { action: 'token.revoked', entityType: 'api_token', entityId: id, before: { revokedAt: row.revokedAt }, after: { revokedAt: revoked.revokedAt } });
        return presentApiToken(revoked, ctx.now);
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
