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
  /** Units merged into this one (sáp nhập), e.g. the former wards a new ward was formed from. */
  predecessorCodes?: string[] | undefined;
}

export type OrgUnitPatch = Partial<Omit<OrgUnitInput, 'code'>> & {
  /** The day a new name takes effect (default today); earlier names stay in the history. */
  renamedOn?: string | undefined;
};

/** A unit's names over time: each holds from validFrom until the next one's (validTo exclusive, null = current). */
export function presentNames(rows: { name: string; validFrom: string }[]) {
  return rows.map((r, i) => ({ name: r.name, validFrom: r.validFrom, validTo: rows[i + 1]?.validFrom ?? null }));
}

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

  /** Predecessors must exist, differ from the unit and not already descend from it (no lineage cycles). */
  async function checkPredecessors(tx: typeof db, code: string, predecessorCodes: string[] | undefined) {
    if (!predecessorCodes) return;
    const seen = new Set<string>();
    for (const [i, p] of predecessorCodes.entries()) {
      const field = `body.predecessorCodes.${i}`;
      if (p === code) throw new ValidationError([{ field, message: 'a unit cannot be its own predecessor', code: 'cycle' }]);
      if (seen.has(p)) throw new ValidationError([{ field, message: `'${p}' is listed twice`, code: 'duplicate' }]);
      seen.add(p);
      if (!(await orgUnitsRepo.find(tx, p))) throw new ValidationError([{ field, message: `unit '${p}' does not exist`, code: 'unknown_unit' }]);
      if ((await orgUnitsRepo.predecessorsOf(tx, p)).some((x) => x.code === code)) {
        throw new ValidationError([{ field, message: `'${p}' was itself formed from '${code}'; that would make a cycle`, code: 'cycle' }]);
      }
    }
  }

  return {
    /** Current and former names of a unit, and the units it was formed from. */
    async names(ctx: Ctx, code: string) {
      authorize(ctx.actor, 'org_unit.read', { unitCode: code, entity: 'Org unit', id: code });
      const row = await orgUnitsRepo.find(db, code);
      if (!row) throw new NotFoundError('Org unit', code);
      const predecessors = await orgUnitsRepo.predecessorsOf(db, code);
      return { code, name: row.name, names: presentNames(await orgUnitsRepo.names(db, code)), predecessors: predecessors.map((p) => ({ code: p.code, name: p.name })) };
    },

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
        await checkPredecessors(tx, input.code, input.predecessorCodes);
        const row = await orgUnitsRepo.insert(tx, {
          code: input.code,
          name: input.name,
          kind: input.kind,
          parentCode: input.parentCode ?? null,
          activeFrom: input.activeFrom ?? null,
          activeTo: input.activeTo ?? null,
          predecessorCodes: input.predecessorCodes ?? [],
          createdAt: ctx.now,
          updatedAt: ctx.now,
        });
        await orgUnitsRepo.recordName(tx, { unitCode: row.code, name: row.name, validFrom: input.activeFrom ?? vnDate(ctx.now), recordedBy: ctx.actor.username, recordedAt: ctx.now });
        await recordAudit(tx, ctx, { action: 'org_unit.created', entityType: 'org_unit', entityId: row.code, after: auditView(row) });
        return presentOrgUnit(row, vnDate(ctx.now));
      });
    },

    async update(ctx: Ctx, code: string, patch: OrgUnitPatch) {
      authorize(ctx.actor, 'org_unit.write');
      return db.transaction(async (tx) => {
        const before = await orgUnitsRepo.lockForUpdate(tx, code);
        if (!before) throw new NotFoundError('Org unit', code);
        const { renamedOn, ...fields } = patch;
        const next = { ...before, ...stripUndefined(fields) };
        checkRange(next.activeFrom, next.activeTo);
        await checkPredecessors(tx, code, patch.predecessorCodes);
        const renamed = patch.name !== undefined && patch.name !== before.name;
        if (renamedOn !== undefined && !renamed) {
          throw new ValidationError([{ field: 'body.renamedOn', message: 'renamedOn goes with a new name', code: 'without_name' }]);
        }
        if (renamed) {
          // Đổi tên: the new name holds from renamedOn (default today); the earlier names stay in the history and
          // in every publication, which snapshot the name the unit had then.
          const validFrom = renamedOn ?? vnDate(ctx.now);
          const history = await orgUnitsRepo.names(tx, code);
          // A unit created without a name entry (before this history existed) gets its first name back-filled.
          const latest = history[history.length - 1] ?? { validFrom: before.activeFrom ?? vnDate(before.createdAt) };
          if (validFrom < latest.validFrom) {
            throw new ValidationError([{ field: 'body.renamedOn', message: `must not be before the current name's start (${latest.validFrom})`, code: 'range' }]);
          }
          if (history.length === 0) await orgUnitsRepo.recordName(tx, { unitCode: code, name: before.name, validFrom: latest.validFrom, recordedBy: 'history', recordedAt: ctx.now });
          await orgUnitsRepo.recordName(tx, { unitCode: code, name: patch.name!, validFrom, recordedBy: ctx.actor.username, recordedAt: ctx.now });
        }
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
        const row = await orgUnitsRepo.update(tx, code, { ...stripUndefined(fields), updatedAt: ctx.now });
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
  return { code: r.code, name: r.name, kind: r.kind, parentCode: r.parentCode, activeFrom: r.activeFrom, activeTo: r.activeTo, predecessorCodes: r.predecessorCodes };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type OrgUnitsService = ReturnType<typeof createOrgUnitsService>;
