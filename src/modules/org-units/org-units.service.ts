import type { Database } from '../../db/client.js';
import type { OrgUnitKind } from '../../db/schema.js';
import { authorize, unitFilter } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { vnDate } from '../../lib/http.js';
import { orgUnitsRepo, presentOrgUnit, type OrgUnitRow } from './org-units.repo.js';

export interface OrgUnitInput {
  code: string;
  name: string;
  kind: OrgUnitKind;
  parentCode?: string | null | undefined;
  activeFrom?: string | null | undefined;
  activeTo?: string | null | undefined;
}

export type OrgUnitPatch = Partial<Omit<OrgUnitInput, 'code'>>;

function checkRange(from: string | null | undefined, to: string | null | undefined) {
  if (from && to && to < from) {
    throw new ValidationError([{ field: 'body.activeTo', message: 'must not be before activeFrom', code: 'range' }]);
  }
}

export function createOrgUnitsService(deps: { database: Database }) {
  const db = deps.database.db;

  async function requireParent(tx: typeof db, parentCode: string | null | undefined) {
    if (!parentCode) return;
    const parent = await orgUnitsRepo.find(tx, parentCode);
    if (!parent) throw new ValidationError([{ field: 'body.parentCode', message: `unit '${parentCode}' does not exist`, code: 'unknown_unit' }]);
  }

  return {
    async list(ctx: Ctx, f: { kind?: OrgUnitKind; parentCode?: string; active?: boolean; q?: string }) {
      const code = unitFilter(ctx.actor, 'org_unit.read');
      const today = vnDate(ctx.now);
      const rows = await orgUnitsRepo.list(db, { ...f, onDate: today, code });
      return rows.map((r) => presentOrgUnit(r, today));
    },

    async get(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'org_unit.read', { unitCode: code, entity: 'Org unit', id: code });
      const row = await orgUnitsRepo.find(db, code);
      if (!row) throw new NotFoundError('Org unit', code);
      return presentOrgUnit(row, vnDate(ctx.now));
    },

    async create(ctx: Ctx, input: OrgUnitInput) {
      authorize(ctx.actor, 'org_unit.write');
      checkRange(input.activeFrom, input.activeTo);
      return db.transaction(async (tx) => {
        if (await orgUnitsRepo.find(tx, input.code)) {
          throw new ConflictError(`Org unit '${input.code}' already exists.`, { field: 'code' });
        }
        await requireParent(tx, input.parentCode);
        const row = await orgUnitsRepo.insert(tx, {
          code: input.code,
          name: input.name,
          kind: input.kind,
          parentCode: input.parentCode ?? null,
          activeFrom: input.activeFrom ?? null,
          activeTo: input.activeTo ?? null,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        });
        await recordAudit(tx, ctx, { action: 'org_unit.created', entityType: 'org_unit', entityId: row.code, after: auditView(row) });
        return presentOrgUnit(row, vnDate(ctx.now));
      });
    },

    async update(ctx: Ctx, code: string, patch: OrgUnitPatch) {
      authorize(ctx.actor, 'org_unit.write');
      return db.transaction(async (tx) => {
        const before = await orgUnitsRepo.lockForUpdate(tx, code);
        if (!before) throw new NotFoundError('Org unit', code);
        const next = { ...before, ...stripUndefined(patch) };
        checkRange(next.activeFrom, next.activeTo);
        if (patch.parentCode !== undefined && patch.parentCode !== before.parentCode && patch.parentCode !== null) {
          if (patch.parentCode === code) {
            throw new ValidationError([{ field: 'body.parentCode', message: 'a unit cannot be its own parent', code: 'cycle' }]);
          }
          await requireParent(tx, patch.parentCode);
          const ancestors = await orgUnitsRepo.ancestors(tx, patch.parentCode);
          if (ancestors.includes(code)) {
            throw new ValidationError([{ field: 'body.parentCode', message: `'${patch.parentCode}' is below '${code}'; that would make a cycle`, code: 'cycle' }]);
          }
        }
        const row = await orgUnitsRepo.update(tx, code, { ...stripUndefined(patch), updatedAt: ctx.now });
        await recordAudit(tx, ctx, { action: 'org_unit.updated', entityType: 'org_unit', entityId: code, before: auditView(before), after: auditView(row) });
        return presentOrgUnit(row, vnDate(ctx.now));
      });
    },

    /** Units merge and dissolve; they end on a date and keep their history. */
    async deactivate(ctx: Ctx, code: string, input: { activeTo?: string | undefined; reason: string }) {
      authorize(ctx.actor, 'org_unit.write');
      return db.transaction(async (tx) => {
        const before = await orgUnitsRepo.lockForUpdate(tx, code);
        if (!before) throw new NotFoundError('Org unit', code);
        const activeTo = input.activeTo ?? vnDate(ctx.now);
        checkRange(before.activeFrom, activeTo);
        const row = await orgUnitsRepo.update(tx, code, { activeTo, updatedAt: ctx.now });
        await recordAudit(tx, ctx, {
          action: 'org_unit.deactivated',
          entityType: 'org_unit',
          entityId: code,
          before: auditView(before),
          after: { ...auditView(row), reason: input.reason },
        });
        return presentOrgUnit(row, vnDate(ctx.now));
      });
    },

    /** Only a unit nothing refers to may be deleted (a typo just entered); anything else is deactivated. */
    async remove(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'org_unit.write');
      await db.transaction(async (tx) => {
        const before = await orgUnitsRepo.lockForUpdate(tx, code);
        if (!before) throw new NotFoundError('Org unit', code);
        const refs = await orgUnitsRepo.references(tx, code);
        if (refs.users > 0 || refs.children > 0) {
          throw new ConflictError(
            `Org unit '${code}' is referenced (${refs.users} user(s), ${refs.children} child unit(s)); deactivate it instead.`,
            { references: refs },
          );
        }
        await orgUnitsRepo.remove(tx, code);
        await recordAudit(tx, ctx, { action: 'org_unit.deleted', entityType: 'org_unit', entityId: code, before: auditView(before) });
      });
    },
  };
}

function auditView(r: OrgUnitRow) {
  return { code: r.code, name: r.name, kind: r.kind, parentCode: r.parentCode, activeFrom: r.activeFrom, activeTo: r.activeTo };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type OrgUnitsService = ReturnType<typeof createOrgUnitsService>;
