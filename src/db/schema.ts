// The single drizzle schema for both drivers (node-postgres and PGlite).
// Points and indices are numeric (exact), never float columns.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const orgUnitKinds = ['province', 'department', 'district', 'commune', 'agency'] as const;
export type OrgUnitKind = (typeof orgUnitKinds)[number];

export const roles = ['admin', 'coordinator', 'appraiser', 'unit_editor', 'unit_head'] as const;
export type Role = (typeof roles)[number];

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Đơn vị: departments, communes/wards, the coordinating and appraising offices. Units are never renamed away: history stays. */
export const orgUnits = pgTable(
  'org_units',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: orgUnitKinds }).notNull(),
    parentCode: text('parent_code').references((): any => orgUnits.code, { onDelete: 'restrict' }),
    activeFrom: date('active_from', { mode: 'string' }),
    activeTo: date('active_to', { mode: 'string' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('org_units_parent_idx').on(t.parentCode),
    check('org_units_active_range', sql`${t.activeTo} is null or ${t.activeFrom} is null or ${t.activeTo} >= ${t.activeFrom}`),
  ],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    orgUnitCode: text('org_unit_code').references(() => orgUnits.code, { onDelete: 'restrict' }),
    passwordHash: text('password_hash').notNull(),
    active: boolean('active').notNull().default(true),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: ts('locked_until'),
    passwordChangedAt: ts('password_changed_at').notNull().defaultNow(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_username_uq').on(t.username), index('users_org_unit_idx').on(t.orgUnitCode)],
);

export const tokenKinds = ['session', 'api'] as const;

/** Opaque bearer tokens; only their SHA-256 is stored. */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: tokenKinds }).notNull(),
    name: text('name'),
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('auth_tokens_hash_uq').on(t.tokenHash), index('auth_tokens_user_idx').on(t.userId)],
);

/**
 * Append-only, hash-chained record of every state change. `hash` covers `prevHash` and the row's canonical JSON,
 * so editing or deleting any row breaks the chain from that row on.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorUsername: text('actor_username'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_entity_idx').on(t.entityType, t.entityId),
    index('audit_actor_idx').on(t.actorUsername),
    index('audit_at_idx').on(t.at),
  ],
);
