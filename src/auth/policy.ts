// One authorisation mechanism for every object: a role grants an action either on everything ('all'),
// only on objects of the actor's own unit ('own_unit'), or (appraisers) only on the reform areas they are
// assigned to in a round ('assigned_areas', resolved by the service that knows the assignments).
// Services call `authorize` with the object's unit; list queries call `scopeOf` to filter.
import type { Role } from '../db/schema.js';
import type { Actor } from '../lib/context.js';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';

export type Scope = 'all' | 'own_unit' | 'assigned_areas';

export type Action =
  | 'org_unit.read'
  | 'org_unit.write'
  | 'user.read'
  | 'user.write'
  | 'audit.read'
  /** Operational records: background job runs. */
  | 'system.read'
  | 'framework.read'
  | 'framework.write'
  | 'round.read'
  | 'round.manage'
  | 'assessment.read'
  | 'assessment.edit_self'
  | 'assessment.submit'
  | 'publication.create'
  | 'survey.read'
  | 'survey.manage'
  | 'survey.results'
  /** The year behind the index: plans, periodic reports, inspections (issue 17). */
  | 'plan.read'
  | 'plan.manage'
  /** A unit reports its own task progress, periodic reports and remediation of findings. */
  | 'plan.report';

const grants: Record<Role, Partial<Record<Action, Scope>>> = {
  admin: {
    'org_unit.read': 'all',
    'org_unit.write': 'all',
    'user.read': 'all',
    'user.write': 'all',
    'audit.read': 'all',
    'system.read': 'all',
    'framework.read': 'all',
    'framework.write': 'all',
    'round.read': 'all',
    'survey.read': 'all',
    'survey.manage': 'all',
    'plan.read': 'all',
  },
  coordinator: {
    'org_unit.read': 'all',
    'user.read': 'all',
    'audit.read': 'all',
    'framework.read': 'all',
    'framework.write': 'all',
    'round.read': 'all',
    'round.manage': 'all',
    'assessment.read': 'all',
    'publication.create': 'all',
    'survey.read': 'all',
    'survey.manage': 'all',
    'survey.results': 'all',
    'plan.read': 'all',
    'plan.manage': 'all',
  },
  appraiser: {
    'org_unit.read': 'all',
    'user.read': 'own_unit',
    'framework.read': 'all',
    'round.read': 'all',
    'assessment.read': 'assigned_areas',
    'survey.read': 'all',
    'plan.read': 'all',
  },
  unit_editor: {
    'org_unit.read': 'own_unit',
    'user.read': 'own_unit',
    'framework.read': 'all',
    'round.read': 'all',
    'assessment.read': 'own_unit',
    'assessment.edit_self': 'own_unit',
    'survey.read': 'all',
    'plan.read': 'own_unit',
    'plan.report': 'own_unit',
  },
  unit_head: {
    'org_unit.read': 'own_unit',
    'user.read': 'own_unit',
    'framework.read': 'all',
    'round.read': 'all',
    'assessment.read': 'own_unit',
    'assessment.edit_self': 'own_unit',
    'assessment.submit': 'own_unit',
    'survey.read': 'all',
    'plan.read': 'own_unit',
    'plan.report': 'own_unit',
  },
};

export function scopeOf(actor: Actor, action: Action): Scope | null {
  return grants[actor.role][action] ?? null;
}

export function can(actor: Actor, action: Action, target: { unitCode?: string | null } = {}): boolean {
  const scope = scopeOf(actor, action);
  if (scope === 'all') return true;
  if (scope === 'own_unit') return actor.orgUnitCode !== null && target.unitCode === actor.orgUnitCode;
  return false;
}

/**
 * Throws 403 when the role may not do this at all, and 404 when the object is outside the actor's scope
 * (so a unit never learns what other units hold).
 */
export function authorize(
  actor: Actor,
  action: Action,
  target?: { unitCode?: string | null; entity?: string; id?: string },
): void {
  const scope = scopeOf(actor, action);
  if (!scope) throw new ForbiddenError(`Role '${actor.role}' may not perform '${action}'.`);
  if (scope !== 'all' && target?.unitCode !== undefined && !can(actor, action, target)) {
    throw new NotFoundError(target.entity ?? 'Object', target.id ?? '?');
  }
}

/** Unit roles are bound to one unit; the unit filter for list queries, or null for unrestricted. */
export function unitFilter(actor: Actor, action: Action): string | null {
  const scope = scopeOf(actor, action);
  if (!scope) throw new ForbiddenError(`Role '${actor.role}' may not perform '${action}'.`);
  return scope === 'own_unit' ? (actor.orgUnitCode ?? '\u0000none') : null;
}
