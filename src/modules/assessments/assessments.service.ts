import { and, eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Database, Db } from '../../db/client.js';
import { assessments, evidence as evidenceTable } from '../../db/schema.js';
import { authorize, scopeOf } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { BlobStore } from '../../lib/blobs/index.js';
import { sanitizeFilename } from '../../lib/blobs/index.js';
import type { Ctx } from '../../lib/context.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PhaseConflictError,
  PreconditionFailedError,
  ValidationError,
  type FieldError,
} from '../../lib/errors.js';
import { idempotent, requestHash } from '../../lib/idempotency.js';
import { evaluateLeaf, ScoringInputError, type LeafInput } from '../../scoring/index.js';
import type { FrameworkDocument } from '../frameworks/frameworks.document.js';
import { orgUnitsRepo } from '../org-units/org-units.repo.js';
import { effectiveDeadline, phaseIndex, vietnamDay, withinDeadline, type Phase, type ScheduledPhase } from '../rounds/lifecycle.js';
import { decisionPointsProblem, resolveFinal } from './decision.js';
import { loadFrameworkCached } from '../frameworks/frameworks.cache.js';
import { currentVersion, loadItemState, UNIT_HISTORY_KINDS, writeItem, type ItemState, type ItemWrite, type ItemWriteResult } from './item-write.js';
import { evidenceCountsOfRound, itemsOfRound } from '../results/results.load.js';
import { roundsRepo } from '../rounds/rounds.repo.js';
import { assessmentsRepo, type EvidenceRow, type HistoryRow, type ItemRow } from './assessments.repo.js';
import { accessOf, etagOf, itemStatus, matches, missingEvidence, num, presentEvidence, presentHistory, requireIfMatch, type Leaf } from './assessment.shared.js';

// ---------------------------------------------------------------------------------------------------------------

/** Decisions on an item: hidden from the unit until it may see them, and then shown by office, not by person. */
const DECISION_KINDS = new Set(['appraisal', 'final', 'self_confirmed', 'council_decision']);

export interface SelfInputBody {
  input?: LeafInput | null | undefined;
  note?: string | null | undefined;
  notApplicable?: boolean | undefined;
}

export interface AppraisalBody {
  points?: number | null | undefined;
  comment?: string | null | undefined;
  requestExplanation?: boolean | undefined;
  confirmNotApplicable?: boolean | undefined;
}

export interface DocumentReference {
  docNumber: string;
  docDate: string;
  issuer: string;
  title: string;
  url?: string | undefined;
}

export function createAssessmentsService(deps: { database: Database; blobStore: BlobStore; config: Pick<Config, 'evidenceMaxBytes' | 'evidenceMaxFilesPerItem'> }) {
  const { blobStore, config } = deps;
  const db = deps.database.db;

  /** Round, assessment, access, framework and extensions: one query plus the cached framework (issue 14). */
  async function load(tx: Db, ctx: Ctx, roundId: string, unitCode: string) {
    const found = await assessmentsRepo.findWithRound(tx, roundId, unitCode);
    if (!found) return notFound(tx, roundId, unitCode);
    return loaded(tx, ctx, found.round, found.assessment, found.extensions ?? {});
  }

  async function notFound(tx: Db, roundId: string, unitCode: string): Promise<never> {
    if (!(await roundsRepo.find(tx, roundId))) throw new NotFoundError('Round', roundId);
    throw new NotFoundError('Assessment', `${roundId}/${unitCode}`);
  }

  async function loaded(tx: Db, ctx: Ctx, round: ItemState['round'], assessment: ItemState['assessment'], extensions: Record<string, string>) {
    const access = await accessOf(tx, ctx.actor, round, assessment);
    const fw = await loadFrameworkCached(deps.database, tx, assessment.frameworkCode);
    if (!fw) throw new NotFoundError('Framework', assessment.frameworkCode);
    const leaves: Map<string, Leaf> = fw.leafByCode;
    const extensionOf = (phase: Phase): string | undefined => extensions[phase];
    return { round, assessment, access, doc: fw.doc, leaves, extensionOf };
  }
  type Loaded = Awaited<ReturnType<typeof loaded>>;

  /** What an item write checks and shows, in one statement (item-write.ts), with access and the framework. */
  async function loadForWrite(tx: Db, ctx: Ctx, roundId: string, unitCode: string, code: string) {
    const s = await loadItemState(tx, roundId, unitCode, code, ctx.actor.username);
    if (!s) return notFound(tx, roundId, unitCode);
    return { l: await loaded(tx, ctx, s.round, s.assessment, s.extensions), s };
  }

  /** Why the unit may not change its self-assessment now, or null when it may. */
  function selfEditBlocker(l: Loaded, now: Date): PhaseConflictError | ConflictError | null {
    const { round, assessment } = l;
    if (round.phase !== 'self_assessment') {
      return new PhaseConflictError(round.phase, `Self-assessment is closed: the round is in the '${round.phase}' phase.`);
    }
    if (assessment.status === 'submitted') {
      return new ConflictError('The self-assessment has been submitted and is read-only unless the coordinator sends it back.', { phase: round.phase });
    }
    if (!withinDeadline(now, round.schedule.self_assessment, l.extensionOf('self_assessment'))) {
      const deadline = effectiveDeadline(round.schedule.self_assessment, l.extensionOf('self_assessment'));
      return new PhaseConflictError(round.phase, `The self-assessment deadline (${deadline}) has passed; ask the coordinator for an extension.`);
    }
    return null;
  }

  function requireLeaf(l: Loaded, code: string): Leaf {
    const leaf = l.leaves.get(code);
    if (!leaf || (l.access.areas && !l.access.areas.has(leaf.area.code))) throw new NotFoundError('Criterion', code);
    return leaf;
  }

  function requireSelfEditable(l: Loaded, ctx: Ctx, leaf: Leaf) {
    if (!l.access.canEditSelf) throw new ForbiddenError('Only the unit itself edits its self-assessment.');
    const blocker = selfEditBlocker(l, ctx.now);
    if (blocker) throw blocker;
    const source = leaf.node.source ?? 'self';
    if (source !== 'self') {
      throw new ConflictError(
        source === 'survey' ? `Criterion ${leaf.node.code} is scored from survey results, not self-assessed.` : `Criterion ${leaf.node.code} is scored by the appraisal council only.`,
        { phase: l.round.phase },
      );
    }
  }

  /** A unit sees the council's decisions (and who decided, as an office) only from the explanation phase on. */
  const unitSeesDecisions = (l: Loaded) => l.access.kind !== 'unit' || phaseIndex(l.round.phase) >= phaseIndex('explanation');

  /** Why an edit belonging to `phase` is refused now (wrong phase or past the unit's deadline), or null. */
  function phaseBlocker(l: Loaded, now: Date, phase: ScheduledPhase): PhaseConflictError | null {
    if (l.round.phase !== phase) {
      return new PhaseConflictError(l.round.phase, `This is done in the '${phase}' phase; the round is in '${l.round.phase}'.`);
    }
    if (!withinDeadline(now, l.round.schedule[phase], l.extensionOf(phase))) {
      const deadline = effectiveDeadline(l.round.schedule[phase], l.extensionOf(phase));
      return new PhaseConflictError(l.round.phase, `The ${phase} deadline (${deadline}) has passed; ask the coordinator for an extension.`);
    }
    return null;
  }

  const isAppraisable = (leaf: Leaf) => (leaf.node.source ?? 'self') !== 'survey';

  function flags(l: Loaded, ctx: Ctx, leaf: Leaf, item: ItemRow) {
    return {
      mayEditSelf: l.access.canEditSelf && (leaf.node.source ?? 'self') === 'self' && selfEditBlocker(l, ctx.now) === null,
      mayAppraise: l.access.kind === 'appraiser' && isAppraisable(leaf) && phaseBlocker(l, ctx.now, 'appraisal') === null,
      mayExplain: l.access.canEditSelf && item.explanationRequested && phaseBlocker(l, ctx.now, 'explanation') === null,
      mayFinalize: l.access.kind === 'appraiser' && item.explanationRequested && phaseBlocker(l, ctx.now, 'final_appraisal') === null,
    };
  }

  /** Appraiser identity: the person for coordinators and appraisers, only the appraising office for units. */
  function decider(l: Loaded, offices: Map<string, string>, username: string | null) {
    if (!username) return null;
    return l.access.kind === 'unit' ? { office: offices.get(username) ?? null } : { username, office: offices.get(username) ?? null };
  }

  function itemView(l: Loaded, ctx: Ctx, leaf: Leaf, item: ItemRow, evidence: EvidenceRow[], offices: Map<string, string>) {
    const base = `/api/v1/rounds/${l.round.id}/assessments/${l.assessment.unitCode}/items/${item.criterionCode}`;
    const sees = unitSeesDecisions(l);
    const appraised = item.appraisedAt !== null;
    const final = resolveFinal(leaf.node, item, { surveyOptional: l.doc.surveyOptional, survey: null });
    return {
      criterionCode: item.criterionCode,
      areaCode: leaf.area.code,
      title: leaf.node.title,
      maxPoints: leaf.node.maxPoints,
      source: leaf.node.source ?? 'self',
      naAllowed: leaf.node.naAllowed ?? false,
      rule: leaf.node.rule ?? null,
      evidenceRequired: leaf.node.evidence?.required ?? false,
      evidenceHint: leaf.node.evidence?.hint ?? null,
      selfInput: (item.selfInput as LeafInput | null) ?? null,
      selfPoints: num(item.selfPoints),
      notApplicable: item.notApplicable,
      note: item.note,
      evidence: evidence.map((e) => presentEvidence(e, base)),
      missingEvidence: missingEvidence(leaf, item, evidence.length),
      status: itemStatus(item, sees),
      appraisal:
        sees && appraised
          ? {
              points: num(item.appraisalPoints),
              comment: item.appraisalComment,
              requestExplanation: item.explanationRequested,
              confirmNotApplicable: item.naConfirmed,
              by: decider(l, offices, item.appraisedBy),
              at: item.appraisedAt!.toISOString(),
            }
          : null,
      explanation: item.explainedAt ? { text: item.explanationText, at: item.explainedAt.toISOString(), by: item.explainedBy } : null,
      objection: item.objectedAt ? { reason: item.objectionReason, at: item.objectedAt.toISOString(), by: item.objectedBy } : null,
      final:
        sees && (item.finalizedAt || item.selfConfirmedAt || (appraised && !final.open))
          ? { points: final.points, notApplicable: final.notApplicable, source: final.source, councilDecision: item.finalByCouncil, comment: item.finalComment ?? item.selfConfirmedReason, by: decider(l, offices, item.finalizedBy ?? item.selfConfirmedBy ?? item.appraisedBy), at: (item.finalizedAt ?? item.selfConfirmedAt ?? item.appraisedAt)!.toISOString() }
          : null,
      etag: etagOf(item),
      updatedAt: item.updatedAt.toISOString(),
      ...flags(l, ctx, leaf, item),
    };
  }
  type ItemView = ReturnType<typeof itemView>;

  /** The item's history as this viewer may see it: units see decisions without the person, only the office. */
  function historyView(l: Loaded, offices: Map<string, string>, history: HistoryRow[]) {
    const sees = unitSeesDecisions(l);
    return history
      .filter((h) => sees || !DECISION_KINDS.has(h.kind))
      .map((h) => {
        const view = presentHistory(h);
        return l.access.kind === 'unit' && DECISION_KINDS.has(h.kind) ? { ...view, actor: null, actorRole: null, actorUnitCode: null, office: offices.get(h.actorUsername ?? '') ?? null } : view;
      });
  }

  async function assessmentView(l: Loaded, ctx: Ctx) {
    const items = (await assessmentsRepo.items(db, l.assessment.id)).filter((i) => !l.access.areas || l.access.areas.has(i.areaCode));
    const ev = await assessmentsRepo.evidenceOf(db, items.map((i) => i.id));
    const offices = await assessmentsRepo.officesOf(db, items.flatMap((i) => [i.appraisedBy, i.finalizedBy, i.selfConfirmedBy]));
    const views: ItemView[] = [];
    for (const item of items) {
      const leaf = l.leaves.get(item.criterionCode);
      if (!leaf) continue;
      views.push(itemView(l, ctx, leaf, item, ev.filter((e) => e.itemId === item.id), offices));
    }
    const selfItems = views.filter((v) => v.source === 'self');
    const countSelf = (v: ItemView) => v.selfInput !== null || v.notApplicable;
    const deadline = effectiveDeadline(l.round.schedule.self_assessment, l.extensionOf('self_assessment')) ?? null;
    const unit = await orgUnitsRepo.find(db, l.assessment.unitCode);
    return {
      roundId: l.round.id,
      roundName: l.round.name,
      phase: l.round.phase,
      unitCode: l.assessment.unitCode,
      unitName: unit?.name ?? l.assessment.unitCode,
      groupCode: l.assessment.groupCode,
      frameworkCode: l.assessment.frameworkCode,
      status: l.assessment.status,
      submittedAt: l.assessment.submittedAt?.toISOString() ?? null,
      submittedBy: l.assessment.submittedBy,
      sentBack: l.assessment.sentBackAt ? { at: l.assessment.sentBackAt.toISOString(), reason: l.assessment.sentBackReason } : null,
      selfAssessmentDeadline: deadline,
      extensionUntil: l.extensionOf('self_assessment') ?? null,
      progress: {
        done: selfItems.filter(countSelf).length,
        total: selfItems.length,
        missingEvidence: selfItems.filter((v) => v.missingEvidence).length,
      },
      mayEditSelf: l.access.canEditSelf && selfEditBlocker(l, ctx.now) === null,
      maySubmit: l.access.canSubmit && selfEditBlocker(l, ctx.now) === null,
      items: views,
    };
  }

  /** The item as the API shows it, with its evidence and history. */
  async function freshItemView(l: Loaded, ctx: Ctx, leaf: Leaf, item: ItemRow) {
    const [ev, history] = await Promise.all([assessmentsRepo.evidenceOf(db, [item.id]), assessmentsRepo.history(db, item.id)]);
    // Offices are only shown for decisions; a unit's own edits need no lookup.
    const deciders = history.filter((h) => !UNIT_HISTORY_KINDS.has(h.kind)).map((h) => h.actorUsername);
    const offices = await assessmentsRepo.officesOf(db, [item.appraisedBy, item.finalizedBy, item.selfConfirmedBy, ...deciders]);
    return { ...itemView(l, ctx, leaf, item, ev, offices), history: historyView(l, offices, history) };
  }

  function requireExplainable(l: Loaded, ctx: Ctx, item: ItemRow) {
    if (!l.access.canEditSelf) throw new ForbiddenError('Only the unit itself answers a request for explanation.');
    const blocker = phaseBlocker(l, ctx.now, 'explanation');
    if (blocker) throw blocker;
    if (!item.explanationRequested) {
      throw new ConflictError(`The council did not ask for an explanation of criterion ${item.criterionCode}; it is read-only.`, { phase: l.round.phase });
    }
  }

  function requireAppraiser(l: Loaded, ctx: Ctx, phase: ScheduledPhase) {
    if (l.access.kind !== 'appraiser') throw new ForbiddenError('Only an appraiser assigned to this reform area decides its scores.');
    const blocker = phaseBlocker(l, ctx.now, phase);
    if (blocker) throw blocker;
  }

  /**
   * The item of a guarded write: If-Match (428/412) against the item as loaded. The write itself is a
   * compare-and-set on that version, so a change committed in between still answers 412.
   */
  function matchedItem(s: ItemState, code: string, ifMatch: string | undefined): ItemRow {
    requireIfMatch(ifMatch);
    const item = s.item;
    if (!item) throw new NotFoundError('Criterion', code);
    if (!matches(ifMatch, etagOf(item))) throw new PreconditionFailedError(etagOf(item));
    return item;
  }

  /** The view of an item just written: what the load read plus what the write returned, with no re-read. */
  function writtenItemView(l: Loaded, ctx: Ctx, leaf: Leaf, s: ItemState, r: Extract<ItemWriteResult, { ok: true }>, evidence = s.evidence) {
    const history = [...s.history, r.history];
    return { ...itemView(l, ctx, leaf, r.item, evidence, s.offices), history: historyView(l, s.offices, history) };
  }

  /** 412 with the current ETag after a lost compare-and-set. */
  async function versionMoved(tx: Db, l: Loaded, code: string): Promise<never> {
    const now = await currentVersion(tx, l.assessment.id, code);
    if (!now) throw new NotFoundError('Criterion', code);
    throw new PreconditionFailedError(etagOf(now));
  }

  /**
   * Load, check (`plan` throws the 4xx), write as one statement. When the gate fails (the round moved on or the
   * assessment was submitted between the load and the write) the checks run once more on a fresh load, so the
   * caller gets the answer that state deserves.
   */
  async function guardedWrite(ctx: Ctx, roundId: string, unitCode: string, code: string, plan: (l: Loaded, s: ItemState, leaf: Leaf) => ItemWrite) {
    for (let attempt = 0; ; attempt++) {
      const { l, s } = await loadForWrite(db, ctx, roundId, unitCode, code);
      const leaf = requireLeaf(l, code);
      const r = await writeItem(db, ctx, plan(l, s, leaf));
      if (r.ok) return writtenItemView(l, ctx, leaf, s, r);
      if (r.reason === 'version') return versionMoved(db, l, code);
      if (attempt > 0) throw new ConflictError('The assessment changed state while this write was made; reload it and try again.', { phase: l.round.phase });
    }
  }

  /** Evidence changes are refused once the assessment left the state the checks allowed (see evidenceTargetOf). */
  function evidenceGate(l: Loaded): ItemWrite['gate'] {
    return l.round.phase === 'explanation'
      ? { assessmentId: l.assessment.id, phase: 'explanation' }
      : { assessmentId: l.assessment.id, phase: 'self_assessment', unlessStatus: 'submitted' };
  }

  /** Evidence is the unit's: added while self-assessing, and again on flagged items while explaining. */
  function evidenceTargetOf(l: Loaded, s: ItemState, ctx: Ctx, code: string, adding: boolean) {
    const leaf = requireLeaf(l, code);
    const item = s.item;
    if (!item) throw new NotFoundError('Criterion', code);
    if (l.round.phase === 'explanation') requireExplainable(l, ctx, item);
    else requireSelfEditable(l, ctx, leaf);
    if (adding && s.evidence.length >= config.evidenceMaxFilesPerItem) throw roomError(s.evidence.length);
    return { leaf, item };
  }

  const roomError = (count: number) =>
    new ConflictError(`This criterion already has ${count} evidence entries (the maximum is ${config.evidenceMaxFilesPerItem}).`, { field: 'file' });

  /** The evidence write's item part (bump, history, audit) in one statement; a lost gate is a 409. */
  async function evidenceWrite(tx: Db, ctx: Ctx, l: Loaded, item: ItemRow, w: Pick<ItemWrite, 'history' | 'audit'>) {
    const r = await writeItem(tx, ctx, { item, set: {}, compareVersion: false, gate: evidenceGate(l), ...w });
    if (!r.ok) throw new ConflictError('The assessment changed state while the evidence was being saved; reload it and try again.', { phase: l.round.phase });
    return r;
  }

  function pointsError(leaf: Leaf, points: number, field = 'body.points'): ValidationError | null {
    const problem = decisionPointsProblem(leaf.node, points);
    return problem ? new ValidationError([{ field, message: `criterion ${leaf.node.code}: ${problem}`, code: 'invalid_points' }]) : null;
  }


  return {
    async get(ctx: Ctx, roundId: string, unitCode: string) {
      authorize(ctx.actor, 'assessment.read');
      const l = await load(db, ctx, roundId, unitCode);
      return assessmentView(l, ctx);
    },

    async getItem(ctx: Ctx, roundId: string, unitCode: string, code: string) {
      authorize(ctx.actor, 'assessment.read');
      const l = await load(db, ctx, roundId, unitCode);
      const leaf = requireLeaf(l, code);
      const item = await assessmentsRepo.item(db, l.assessment.id, code);
      if (!item) throw new NotFoundError('Criterion', code);
      return freshItemView(l, ctx, leaf, item);
    },

    async putSelf(ctx: Ctx, roundId: string, unitCode: string, code: string, ifMatch: string | undefined, body: SelfInputBody) {
      authorize(ctx.actor, 'assessment.read');
      // No transaction: one statement loads, one statement writes (share-locking the assessment against a
      // concurrent submit, compare-and-set on the version the checks below saw).
      return guardedWrite(ctx, roundId, unitCode, code, (l, s, leaf) => {
        requireSelfEditable(l, ctx, leaf);
        const item = matchedItem(s, code, ifMatch);
        let notApplicable = body.notApplicable === true;
        let points: number | null = null;
        let input: LeafInput | null = body.input ?? null;
        if (notApplicable) {
          if (!leaf.node.naAllowed) {
            throw new ValidationError([{ field: 'body.notApplicable', message: `criterion ${code} does not allow "không phát sinh" (not applicable)`, code: 'na_not_allowed' }]);
          }
          input = null;
        } else {
          if (!input) throw new ValidationError([{ field: 'body.input', message: `is required for criterion ${code} unless notApplicable is true`, code: 'required' }]);
          try {
            const r = evaluateLeaf({ code, maxPoints: leaf.node.maxPoints, rule: leaf.node.rule!, naAllowed: leaf.node.naAllowed ?? false }, input);
            if (r.status === 'not_applicable') notApplicable = true;
            else points = r.points;
          } catch (err) {
            if (err instanceof ScoringInputError) {
              throw new ValidationError([{ field: `body.${err.field}`, message: `criterion ${code}: ${err.message}`, code: err.code }]);
            }
            throw err;
          }
        }
        const note = body.note === undefined ? item.note : body.note;
        const data = { input, points, notApplicable, note };
        return {
          item,
          set: { selfInput: input, selfPoints: points === null ? null : points.toFixed(2), notApplicable, note, selfUpdatedAt: ctx.now, selfUpdatedBy: ctx.actor.username },
          history: { kind: 'self', data },
          audit: {
            action: 'item.self_updated',
            entityType: 'assessment_item',
            entityId: `${roundId}/${unitCode}/${code}`,
            before: { input: item.selfInput, points: num(item.selfPoints), notApplicable: item.notApplicable, note: item.note },
            after: data,
          },
          gate: { assessmentId: l.assessment.id, phase: 'self_assessment', unlessStatus: 'submitted' },
        };
      });
    },

    async addDocument(ctx: Ctx, roundId: string, unitCode: string, code: string, doc: DocumentReference) {
      authorize(ctx.actor, 'assessment.read');
      const r = await db.transaction(async (tx) => {
        const { l, s } = await loadForWrite(tx, ctx, roundId, unitCode, code);
        const { leaf, item } = evidenceTargetOf(l, s, ctx, code, true);
        const [row] = await tx
          .insert(evidenceTable)
          .values({ itemId: item.id, kind: 'document', phase: l.round.phase, ...doc, url: doc.url ?? null, createdBy: ctx.actor.username, createdAt: ctx.now })
          .returning();
        const data = { evidenceId: row!.id, kind: 'document', ...doc };
        const w = await evidenceWrite(tx, ctx, l, item, {
          history: { kind: 'evidence_added', data },
          audit: { action: 'evidence.added', entityType: 'assessment_item', entityId: `${roundId}/${unitCode}/${code}`, after: data },
        });
        return { row: row!, item: writtenItemView(l, ctx, leaf, s, w, [...s.evidence, row!]) };
      });
      return { evidence: presentEvidence(r.row, ''), item: r.item };
    },

    /**
     * The file is checked (type by content, size, hash) and made durable before the row is committed; if the
     * commit fails the file is removed, and a crash in between leaves an unreferenced file that the start-up
     * sweep deletes. `beforeCommit` runs after the file is stored and before its row is written; if it throws, the
     * file is removed.
     */
    async addFile(ctx: Ctx, roundId: string, unitCode: string, code: string, file: { stream: NodeJS.ReadableStream; filename: string; beforeCommit?: () => Promise<void> }) {
      authorize(ctx.actor, 'assessment.read');
      // Refuse before reading a single byte when the caller could not attach anything anyway.
      const pre = await loadForWrite(db, ctx, roundId, unitCode, code);
      evidenceTargetOf(pre.l, pre.s, ctx, code, true);
      const stored = await blobStore.put(file.stream, { maxBytes: config.evidenceMaxBytes });
      const filename = sanitizeFilename(file.filename);
      try {
        await file.beforeCommit?.();
        const r = await db.transaction(async (tx) => {
          const { l, s } = await loadForWrite(tx, ctx, roundId, unitCode, code);
          const { leaf, item } = evidenceTargetOf(l, s, ctx, code, true);
          const [row] = await tx
            .insert(evidenceTable)
            .values({ itemId: item.id, kind: 'file', phase: l.round.phase, blobKey: stored.key, filename, mime: stored.mime, size: stored.size, sha256: stored.sha256, createdBy: ctx.actor.username, createdAt: ctx.now })
            .returning();
          const data = { evidenceId: row!.id, kind: 'file', filename, size: stored.size, sha256: stored.sha256 };
          const w = await evidenceWrite(tx, ctx, l, item, {
            history: { kind: 'evidence_added', data },
            audit: { action: 'evidence.added', entityType: 'assessment_item', entityId: `${roundId}/${unitCode}/${code}`, after: data },
          });
          return { row: row!, item: writtenItemView(l, ctx, leaf, s, w, [...s.evidence, row!]) };
        });
        const base = `/api/v1/rounds/${roundId}/assessments/${unitCode}/items/${code}`;
        return { evidence: presentEvidence(r.row, base), item: r.item };
      } catch (err) {
        await blobStore.delete(stored.key).catch(() => undefined);
        throw err;
      }
    },

    async removeEvidence(ctx: Ctx, roundId: string, unitCode: string, code: string, evidenceId: string) {
      authorize(ctx.actor, 'assessment.read');
      const r = await db.transaction(async (tx) => {
        const { l, s } = await loadForWrite(tx, ctx, roundId, unitCode, code);
        const { leaf, item } = evidenceTargetOf(l, s, ctx, code, false);
        const [row] = await tx.delete(evidenceTable).where(and(eq(evidenceTable.id, evidenceId), eq(evidenceTable.itemId, item.id))).returning();
        if (!row) throw new NotFoundError('Evidence', evidenceId);
        const data = { evidenceId, kind: row.kind, filename: row.filename, docNumber: row.docNumber, sha256: row.sha256 };
        const w = await evidenceWrite(tx, ctx, l, item, {
          history: { kind: 'evidence_removed', data },
          audit: { action: 'evidence.removed', entityType: 'assessment_item', entityId: `${roundId}/${unitCode}/${code}`, before: data },
        });
        const view = writtenItemView(l, ctx, leaf, s, w, s.evidence.filter((e) => e.id !== evidenceId));
        return { view, blobKey: row.blobKey };
      });
      // After commit: a failure here only leaves an unreferenced file for the start-up sweep.
      if (r.blobKey) await blobStore.delete(r.blobKey).catch(() => undefined);
      return r.view;
    },

    /** Same access as reading the item. */
    async openEvidence(ctx: Ctx, roundId: string, unitCode: string, code: string, evidenceId: string) {
      authorize(ctx.actor, 'assessment.read');
      const l = await load(db, ctx, roundId, unitCode);
      requireLeaf(l, code);
      const item = await assessmentsRepo.item(db, l.assessment.id, code);
      const [row] = item ? await db.select().from(evidenceTable).where(and(eq(evidenceTable.id, evidenceId), eq(evidenceTable.itemId, item.id))) : [];
      if (!row || row.kind !== 'file' || !row.blobKey) throw new NotFoundError('Evidence file', evidenceId);
      return { stream: await blobStore.get(row.blobKey), filename: row.filename ?? 'tai-lieu', mime: row.mime ?? 'application/octet-stream', size: row.size ?? undefined, sha256: row.sha256 };
    },

    /**
     * Thẩm định: recognise or adjust the self score, confirm or reject an N/A claim, and flag the item for
     * explanation. A comment is required whenever the council departs from what the unit claimed.
     */
    async putAppraisal(ctx: Ctx, roundId: string, unitCode: string, code: string, ifMatch: string | undefined, body: AppraisalBody) {
      authorize(ctx.actor, 'assessment.read');
      return guardedWrite(ctx, roundId, unitCode, code, (l, s, leaf) => {
        requireAppraiser(l, ctx, 'appraisal');
        if (!isAppraisable(leaf)) throw new ConflictError(`Criterion ${code} is scored from survey results, not appraised.`, { phase: l.round.phase });
        const item = matchedItem(s, code, ifMatch);
        const comment = body.comment?.trim() || null;
        let points: number | null;
        let naConfirmed: boolean | null = null;
        if (item.notApplicable && (leaf.node.source ?? 'self') === 'self') {
          if (body.confirmNotApplicable === undefined) {
            throw new ValidationError([{ field: 'body.confirmNotApplicable', message: `criterion ${code} is claimed not applicable: confirm (true) or reject (false) the claim`, code: 'required' }]);
          }
          naConfirmed = body.confirmNotApplicable;
          // An unconfirmed claim scores 0 of max unless the council gives points.
          points = naConfirmed ? null : (body.points ?? 0);
          if (!naConfirmed && !comment) throw new ValidationError([{ field: 'body.comment', message: 'is required when rejecting a not-applicable claim', code: 'required' }]);
        } else {
          if (body.confirmNotApplicable) {
            throw new ValidationError([{ field: 'body.confirmNotApplicable', message: `criterion ${code} was not claimed not applicable`, code: 'not_claimed' }]);
          }
          if (body.points === undefined || body.points === null) throw new ValidationError([{ field: 'body.points', message: 'is required', code: 'required' }]);
          points = body.points;
          const self = num(item.selfPoints);
          if (self !== null && Math.round(self * 100) !== Math.round(points * 100) && !comment) {
            throw new ValidationError([{ field: 'body.comment', message: `is required when the points (${points}) differ from the self-assessed ${self}`, code: 'required' }]);
          }
        }
        if (points !== null) {
          const err = pointsError(leaf, points);
          if (err) throw err;
        }
        if (body.requestExplanation && !comment) {
          throw new ValidationError([{ field: 'body.comment', message: 'is required to say what the unit must explain', code: 'required' }]);
        }
        const requestExplanation = body.requestExplanation ?? false;
        const data = { points, confirmNotApplicable: naConfirmed, requestExplanation, selfPoints: num(item.selfPoints) };
        return {
          item,
          set: {
            appraisalPoints: points === null ? null : points.toFixed(2),
            appraisalComment: comment,
            naConfirmed,
            explanationRequested: requestExplanation,
            appraisedBy: ctx.actor.username,
            appraisedAt: ctx.now,
          },
          history: { kind: 'appraisal', data, comment },
          audit: {
            action: 'item.appraised',
            entityType: 'assessment_item',
            entityId: `${roundId}/${unitCode}/${code}`,
            before: { points: num(item.appraisalPoints), comment: item.appraisalComment, requestExplanation: item.explanationRequested, confirmNotApplicable: item.naConfirmed },
            after: { ...data, comment },
          },
          gate: { assessmentId: l.assessment.id, phase: 'appraisal' },
        };
      });
    },

    /** Giải trình: the unit answers a flagged item inside the explanation window. */
    async putExplanation(ctx: Ctx, roundId: string, unitCode: string, code: string, ifMatch: string | undefined, body: { text: string }) {
      authorize(ctx.actor, 'assessment.read');
      return guardedWrite(ctx, roundId, unitCode, code, (l, s) => {
        const item = matchedItem(s, code, ifMatch);
        requireExplainable(l, ctx, item);
        return {
          item,
          set: { explanationText: body.text, explainedAt: ctx.now, explainedBy: ctx.actor.username },
          history: { kind: 'explanation', data: { text: body.text } },
          audit: {
            action: 'item.explained',
            entityType: 'assessment_item',
            entityId: `${roundId}/${unitCode}/${code}`,
            before: { text: item.explanationText },
            after: { text: body.text },
          },
          gate: { assessmentId: l.assessment.id, phase: 'explanation' },
        };
      });
    },

    /** Thẩm định lại: the final score of an item the council asked to be explained. */
    async putFinal(ctx: Ctx, roundId: string, unitCode: string, code: string, ifMatch: string | undefined, body: { points: number; comment: string }) {
      authorize(ctx.actor, 'assessment.read');
      return guardedWrite(ctx, roundId, unitCode, code, (l, s, leaf) => {
        requireAppraiser(l, ctx, 'final_appraisal');
        const item = matchedItem(s, code, ifMatch);
        if (!item.explanationRequested) {
          throw new ConflictError(`Criterion ${code} was not flagged for explanation; its appraisal score is final.`, { phase: l.round.phase });
        }
        const err = pointsError(leaf, body.points);
        if (err) throw err;
        const data = { points: body.points, appraisalPoints: num(item.appraisalPoints), explained: item.explainedAt !== null };
        return {
          item,
          set: { finalPoints: body.points.toFixed(2), finalComment: body.comment, finalizedBy: ctx.actor.username, finalizedAt: ctx.now },
          history: { kind: 'final', data, comment: body.comment },
          audit: {
            action: 'item.finalized',
            entityType: 'assessment_item',
            entityId: `${roundId}/${unitCode}/${code}`,
            before: { points: num(item.finalPoints), comment: item.finalComment },
            after: { ...data, comment: body.comment },
          },
          gate: { assessmentId: l.assessment.id, phase: 'final_appraisal' },
        };
      });
    },

    /**
     * The appraiser's work queue: every item of their areas across the units they appraise (all items for the
     * coordinator), filterable by unit, area and status.
     */
    async queue(ctx: Ctx, roundId: string, f: { unitCode?: string | undefined; areaCode?: string | undefined; status?: string | undefined }) {
      const scope = scopeOf(ctx.actor, 'assessment.read');
      if (scope !== 'all' && scope !== 'assigned_areas') throw new ForbiddenError('The appraisal queue is for appraisers and the coordinator.');
      const round = await roundsRepo.find(db, roundId);
      if (!round) throw new NotFoundError('Round', roundId);
      const out = [];
      for (const a of await roundsRepo.assessments(db, roundId)) {
        if (f.unitCode && a.unitCode !== f.unitCode) continue;
        let l: Loaded;
        try {
          l = await load(db, ctx, roundId, a.unitCode);
        } catch (err) {
          if (err instanceof NotFoundError || err instanceof ForbiddenError) continue;
          throw err;
        }
        const view = await assessmentView(l, ctx);
        for (const item of view.items) {
          if (item.source === 'survey') continue;
          if (f.areaCode && item.areaCode !== f.areaCode) continue;
          if (f.status && item.status !== f.status) continue;
          out.push({ unitCode: view.unitCode, unitName: view.unitName, assessmentStatus: view.status, ...item });
        }
      }
      return out;
    },

    /** Who has done what: per unit items done/total, missing evidence, submission, lateness and extension. */
    async progress(ctx: Ctx, roundId: string) {
      authorize(ctx.actor, 'round.manage');
      const round = await roundsRepo.find(db, roundId);
      if (!round) throw new NotFoundError('Round', roundId);
      const groups = await roundsRepo.groups(db, roundId);
      const all = await roundsRepo.assessments(db, roundId);
      const extensions = await roundsRepo.extensions(db, all.map((a) => a.id));
      const units = new Map((await orgUnitsRepo.list(db, { onDate: '9999-12-31' })).map((u) => [u.code, u.name]));
      const docs = new Map<string, Map<string, Leaf>>();
      for (const g of groups) {
        const fw = await loadFrameworkCached(deps.database, db, g.frameworkCode);
        docs.set(g.code, fw ? fw.leafByCode : new Map());
      }
      // Set-based (issue 14): every item and evidence count of the round in two queries, not two per unit.
      const roundItems = await itemsOfRound(db, roundId);
      const evidenceCounts = await evidenceCountsOfRound(db, roundId);
      const roundDeadline = round.schedule.self_assessment;
      const out = [];
      for (const g of groups) {
        const leaves = docs.get(g.code)!;
        const rows = [];
        for (const a of all.filter((x) => x.groupCode === g.code)) {
          const items = [...(roundItems.get(a.id)?.values() ?? [])];
          const selfItems = items.filter((i) => (leaves.get(i.criterionCode)?.node.source ?? 'self') === 'self');
          const extensionUntil = extensions.find((e) => e.assessmentId === a.id && e.phase === 'self_assessment')?.until ?? null;
          const deadline = effectiveDeadline(roundDeadline, extensionUntil ?? undefined) ?? null;
          const submittedDay = a.submittedAt ? vietnamDay(a.submittedAt) : null;
          const late = deadline !== null && (submittedDay ? submittedDay > deadline : vietnamDay(ctx.now) > deadline);
          rows.push({
            unitCode: a.unitCode,
            unitName: units.get(a.unitCode) ?? a.unitCode,
            itemsDone: selfItems.filter((i) => i.selfInput !== null || i.notApplicable).length,
            itemsTotal: selfItems.length,
            missingEvidence: selfItems.filter((i) => missingEvidence(leaves.get(i.criterionCode)!, i, evidenceCounts.get(i.id) ?? 0)).length,
            status: a.status,
            submittedAt: a.submittedAt?.toISOString() ?? null,
            submittedBy: a.submittedBy,
            late,
            deadline,
            extensionUntil,
          });
        }
        out.push({
          code: g.code,
          name: g.name,
          totals: {
            units: rows.length,
            submitted: rows.filter((r) => r.status === 'submitted').length,
            late: rows.filter((r) => r.late).length,
            itemsDone: rows.reduce((s, r) => s + r.itemsDone, 0),
            itemsTotal: rows.reduce((s, r) => s + r.itemsTotal, 0),
            missingEvidence: rows.reduce((s, r) => s + r.missingEvidence, 0),
          },
          units: rows,
        });
      }
      return { roundId, phase: round.phase, selfAssessmentDeadline: roundDeadline ?? null, groups: out };
    },

    async submit(ctx: Ctx, roundId: string, unitCode: string, idempotencyKey: string | undefined, body: unknown) {
      authorize(ctx.actor, 'assessment.submit', { unitCode, entity: 'Assessment', id: `${roundId}/${unitCode}` });
      const run = async (tx: Db) => {
        const l = await load(tx, ctx, roundId, unitCode);
        // Locked: a concurrent self edit or a parallel submit waits for this decision.
        const current = (await assessmentsRepo.find(tx, roundId, unitCode, true))!;
        const blocker = selfEditBlocker({ ...l, assessment: current }, ctx.now);
        if (blocker) throw blocker;
        const items = await assessmentsRepo.items(tx, current.id);
        const ev = await assessmentsRepo.evidenceOf(tx, items.map((i) => i.id));
        const missing: FieldError[] = [];
        for (const item of items) {
          const leaf = l.leaves.get(item.criterionCode);
          if (!leaf || (leaf.node.source ?? 'self') !== 'self') continue;
          if (item.selfInput === null && !item.notApplicable) {
            missing.push({ field: `items.${item.criterionCode}`, message: `${item.criterionCode} ${leaf.node.title}: not scored yet`, code: 'not_scored' });
          } else if (missingEvidence(leaf, item, ev.filter((e) => e.itemId === item.id).length)) {
            missing.push({ field: `items.${item.criterionCode}`, message: `${item.criterionCode} ${leaf.node.title}: evidence required (attach a document or explain in the note)`, code: 'evidence_missing' });
          }
        }
        if (missing.length) throw new ValidationError(missing, `${missing.length} criteria are incomplete; the self-assessment cannot be submitted yet.`);
        await tx.update(assessments).set({ status: 'submitted', submittedAt: ctx.now, submittedBy: ctx.actor.username, updatedAt: ctx.now }).where(eq(assessments.id, current.id));
        const out = { roundId, unitCode, status: 'submitted' as const, submittedAt: ctx.now.toISOString(), submittedBy: ctx.actor.username };
        await recordAudit(tx, ctx, { action: 'assessment.submitted', entityType: 'assessment', entityId: `${roundId}/${unitCode}`, before: { status: current.status }, after: out });
        return { status: 200, body: out };
      };
      if (!idempotencyKey) return { ...(await db.transaction(run)), replayed: false };
      const scope = `submit:${roundId}/${unitCode}`;
      return idempotent(db, { userId: ctx.actor.userId, key: idempotencyKey, scope, hash: requestHash(scope, body), now: ctx.now }, run);
    },
  };
}

export type AssessmentsService = ReturnType<typeof createAssessmentsService>;
export type { FrameworkDocument };
