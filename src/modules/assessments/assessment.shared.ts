// What the assessment endpoints share: who may see an assessment and how items and evidence are shown.
import type { Db } from '../../db/client.js';
import { scopeOf } from '../../auth/policy.js';
import type { Actor } from '../../lib/context.js';
import { ForbiddenError, NotFoundError, PreconditionRequiredError } from '../../lib/errors.js';
import type { Criterion } from '../frameworks/frameworks.document.js';
import { roundsRepo, type RoundRow } from '../rounds/rounds.repo.js';
import type { AssessmentRow, EvidenceRow, HistoryRow, ItemRow } from './assessments.repo.js';
// ---------------------------------------------------------------------------------------------------------------
// Who may see and do what on one assessment.

export interface Access {
  kind: 'coordinator' | 'unit' | 'appraiser';
  /** Areas an appraiser is assigned to in this unit's group; null = all areas. */
  areas: Set<string> | null;
  canEditSelf: boolean;
  canSubmit: boolean;
}

export async function accessOf(db: Db, actor: Actor, round: RoundRow, a: AssessmentRow): Promise<Access> {
  const scope = scopeOf(actor, 'assessment.read');
  const id = `${round.id}/${a.unitCode}`;
  if (scope === 'all') return { kind: 'coordinator', areas: null, canEditSelf: false, canSubmit: false };
  if (scope === 'own_unit') {
    if (actor.orgUnitCode !== a.unitCode) throw new NotFoundError('Assessment', id);
    const editSelf = scopeOf(actor, 'assessment.edit_self') !== null;
    const submit = scopeOf(actor, 'assessment.submit') !== null;
    return { kind: 'unit', areas: null, canEditSelf: editSelf, canSubmit: submit };
  }
  if (scope === 'assigned_areas') {
    // Appraisers see submitted work of other units, only in the areas they are assigned to appraise.
    if (actor.orgUnitCode === a.unitCode) throw new ForbiddenError('An appraiser never appraises their own unit.');
    if (a.status !== 'submitted' && round.phase === 'self_assessment') throw new NotFoundError('Assessment', id);
    const rows = await roundsRepo.appraiserAssignments(db, round.id, actor.userId);
    // An assignment limited to some units (unitCodes) does not reach the others.
    const areas = new Set(rows.filter((r) => r.groupCode === a.groupCode && (r.unitCodes === null || r.unitCodes.includes(a.unitCode))).map((r) => r.areaCode));
    if (areas.size === 0) throw new NotFoundError('Assessment', id);
    return { kind: 'appraiser', areas, canEditSelf: false, canSubmit: false };
  }
  throw new ForbiddenError(`Role '${actor.role}' may not read assessments.`);
}

// ---------------------------------------------------------------------------------------------------------------
// Views.

export const etagOf = (item: Pick<ItemRow, 'id' | 'version'>) => `"${item.id.slice(0, 8)}-${item.version}"`;

const ifMatchTags = (ifMatch: string) => ifMatch.split(',').map((s) => s.trim().replace(/^W\//, ''));

/**
 * The If-Match precondition of every item write: missing, empty or `*` is 428. An item always exists, so `*`
 * would match anything and silently bypass the lost-update protection; the client must send the item's ETag.
 */
export function requireIfMatch(ifMatch: string | undefined): asserts ifMatch is string {
  const tags = ifMatch === undefined ? [] : ifMatchTags(ifMatch).filter((t) => t !== '');
  if (tags.length === 0) throw new PreconditionRequiredError();
  if (tags.includes('*')) throw new PreconditionRequiredError('If-Match: * is not accepted on item writes; send the item\'s current ETag.');
}

/** Whether one of the listed entity tags is the current one (`*` never matches: see requireIfMatch). */
export function matches(ifMatch: string, current: string): boolean {
  return ifMatchTags(ifMatch).some((tag) => tag === current);
}

export interface Leaf {
  node: Criterion;
  area: Criterion;
}

export const num = (v: string | null) => (v === null ? null : Number(v));

export function presentEvidence(e: EvidenceRow, base: string) {
  return e.kind === 'file'
    ? { id: e.id, kind: 'file' as const, filename: e.filename, mime: e.mime, size: e.size, sha256: e.sha256, downloadUrl: `${base}/evidence/${e.id}`, createdAt: e.createdAt.toISOString(), createdBy: e.createdBy, phase: e.phase }
    : {
        id: e.id,
        kind: 'document' as const,
        docNumber: e.docNumber,
        docDate: e.docDate,
        issuer: e.issuer,
        title: e.title,
        url: e.url,
        createdAt: e.createdAt.toISOString(),
        createdBy: e.createdBy,
        phase: e.phase,
      };
}

/** The kinds of item history entries (item_history.kind); the API answers each with its own `data` schema. */
export const historyKinds = ['self', 'prefilled', 'evidence_added', 'evidence_removed', 'appraisal', 'explanation', 'final', 'self_confirmed', 'council_decision', 'objection'] as const;
export type HistoryKind = (typeof historyKinds)[number];

export function presentHistory(h: HistoryRow) {
  // Every writer records an object (or nothing) under one of the known kinds, see the addHistory callers.
  return { at: h.at.toISOString(), kind: h.kind as HistoryKind, actor: h.actorUsername, actorRole: h.actorRole, actorUnitCode: h.actorUnitCode, data: (h.data ?? null) as Record<string, unknown> | null, comment: h.comment };
}

export const itemStatuses = ['empty', 'scored', 'not_applicable', 'appraised', 'explanation_requested', 'explained', 'final'] as const;
export type ItemStatus = (typeof itemStatuses)[number];

/** Where an item stands in the workflow; council stages only when the viewer may see them. */
export function itemStatus(item: ItemRow, seesDecisions = true): ItemStatus {
  if (seesDecisions) {
    if (item.finalizedAt || item.selfConfirmedAt) return 'final';
    if (item.explainedAt) return 'explained';
    if (item.explanationRequested) return 'explanation_requested';
    if (item.appraisedAt) return 'appraised';
  }
  if (item.notApplicable) return 'not_applicable';
  return item.selfInput === null ? 'empty' : 'scored';
}

export function missingEvidence(leaf: Leaf, item: Pick<ItemRow, 'notApplicable' | 'note'>, evidenceCount: number): boolean {
  return !!leaf.node.evidence?.required && (leaf.node.source ?? 'self') === 'self' && !item.notApplicable && evidenceCount === 0 && !item.note?.trim();
}

