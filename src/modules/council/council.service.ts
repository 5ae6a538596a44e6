// Hội đồng thẩm định (SPEC §7, issue 13 item 10): before a round is published the council's members, the minutes
// of its meeting (biên bản: an uploaded file kept in the evidence blob store, or an official-document reference)
// and who issues and signs the publishing decision are on record. Publication refuses while any is missing and
// freezes them into the signed snapshot.
import { sanitizeFilename, type BlobStore } from '../../lib/blobs/index.js';
import type { Database, Db } from '../../db/client.js';
import { authorize } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { ConflictError, ForbiddenError, NotFoundError, PhaseConflictError } from '../../lib/errors.js';
import { roundsRepo, type RoundRow } from '../rounds/rounds.repo.js';
import { councilRepo, type CouncilRow, type MinutesRow } from './council.repo.js';
import type { DocumentReference } from '../assessments/assessments.service.js';

export interface CouncilInput {
  members: { name: string; position: string }[];
  /** e.g. "Ủy ban nhân dân tỉnh Đồng Tháp" */
  decisionIssuer: string;
  /** Người ký: e.g. "Nguyễn Văn A", "Chủ tịch" (or "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"). */
  signerName: string;
  signerTitle: string;
}

/** What a publication still needs from the council record. */
export const councilRequirements = ['members', 'minutes', 'decisionIssuer', 'signer'] as const;
export type CouncilRequirement = (typeof councilRequirements)[number];

/** The council record as frozen into a publication's snapshot. */
export interface SnapshotCouncil {
  members: { name: string; position: string }[];
  minutes:
    | { kind: 'file'; filename: string | null; mime: string | null; size: number | null; sha256: string | null }
    | { kind: 'document'; docNumber: string | null; docDate: string | null; issuer: string | null; title: string | null; url: string | null };
}

function presentMinutes(m: MinutesRow | undefined, roundId: string) {
  if (!m) return null;
  return m.kind === 'file'
    ? { kind: 'file' as const, filename: m.filename, mime: m.mime, size: m.size, sha256: m.sha256, downloadUrl: `/api/v1/rounds/${roundId}/council/minutes/file`, createdBy: m.createdBy, createdAt: m.createdAt.toISOString() }
    : { kind: 'document' as const, docNumber: m.docNumber, docDate: m.docDate, issuer: m.issuer, title: m.title, url: m.url, createdBy: m.createdBy, createdAt: m.createdAt.toISOString() };
}

export function missingOf(council: CouncilRow | undefined, minutes: MinutesRow | undefined): CouncilRequirement[] {
  const out: CouncilRequirement[] = [];
  if (!council || council.members.length === 0) out.push('members');
  if (!minutes) out.push('minutes');
  if (!council?.decisionIssuer) out.push('decisionIssuer');
  if (!council?.signerName || !council.signerTitle) out.push('signer');
  return out;
}

function present(roundId: string, council: CouncilRow | undefined, minutes: MinutesRow | undefined) {
  return {
    roundId,
    members: council?.members ?? [],
    decisionIssuer: council?.decisionIssuer ?? null,
    signerName: council?.signerName ?? null,
    signerTitle: council?.signerTitle ?? null,
    minutes: presentMinutes(minutes, roundId),
    missing: missingOf(council, minutes),
    updatedBy: council?.updatedBy ?? null,
    updatedAt: council?.updatedAt.toISOString() ?? null,
  };
}
export type CouncilView = ReturnType<typeof present>;

export function createCouncilService(deps: { database: Database; blobStore: BlobStore; maxBytes: number }) {
  const db = deps.database.db;
  const { blobStore } = deps;

  async function writableRound(tx: Db, roundId: string): Promise<RoundRow> {
    const round = await roundsRepo.lockForUpdate(tx, roundId);
    if (!round) throw new NotFoundError('Round', roundId);
    if (round.cancelledAt) throw new ConflictError('The round was cancelled; its council record can no longer change.', { phase: round.phase, cancelled: true });
    if (round.phase === 'published') throw new PhaseConflictError(round.phase, 'The round is published; the council record it was published with is frozen in the publication.');
    return round;
  }

  /** The coordinator and the appraisers (council members) read the record; units do not. */
  function authorizeRead(ctx: Ctx) {
    authorize(ctx.actor, 'round.read');
    if (ctx.actor.role === 'unit_editor' || ctx.actor.role === 'unit_head') throw new ForbiddenError("Units do not see the council's record before publication.");
  }

  async function view(tx: Db, roundId: string) {
    return present(roundId, await councilRepo.find(tx, roundId), await councilRepo.minutes(tx, roundId));
  }

  async function storeMinutes(ctx: Ctx, roundId: string, values: Omit<Parameters<typeof councilRepo.replaceMinutes>[1], 'roundId' | 'createdBy' | 'createdAt'>) {
    const r = await db.transaction(async (tx) => {
      const round = await writableRound(tx, roundId);
      const { row, previous } = await councilRepo.replaceMinutes(tx, { ...values, roundId, createdBy: ctx.actor.username, createdAt: ctx.now });
      await recordAudit(tx, ctx, {
        action: 'round.council_minutes_recorded',
        entityType: 'round',
        entityId: roundId,
        before: presentMinutes(previous, roundId),
        after: { ...presentMinutes(row, roundId), phase: round.phase },
      });
      return { view: await view(tx, roundId), previousKey: previous?.blobKey ?? null };
    });
    // After commit: a failure here only leaves an unreferenced file for the start-up sweep.
    if (r.previousKey && r.previousKey !== values.blobKey) await blobStore.delete(r.previousKey).catch(() => undefined);
    return r.view;
  }

  return {
    async get(ctx: Ctx, roundId: string) {
      authorizeRead(ctx);
      if (!(await roundsRepo.find(db, roundId))) throw new NotFoundError('Round', roundId);
      return view(db, roundId);
    },

    /** PUT /rounds/{id}/council: members and the decision's issuer and signer, replaced as a whole (audited). */
    async put(ctx: Ctx, roundId: string, input: CouncilInput) {
      authorize(ctx.actor, 'round.manage');
      return db.transaction(async (tx) => {
        await writableRound(tx, roundId);
        const before = await councilRepo.find(tx, roundId);
        const row = await councilRepo.upsert(tx, {
          roundId,
          members: input.members,
          decisionIssuer: input.decisionIssuer,
          signerName: input.signerName,
          signerTitle: input.signerTitle,
          updatedBy: ctx.actor.username,
          updatedAt: ctx.now,
        });
        const auditView = (c: CouncilRow | undefined) => (c ? { members: c.members, decisionIssuer: c.decisionIssuer, signerName: c.signerName, signerTitle: c.signerTitle } : null);
        await recordAudit(tx, ctx, { action: 'round.council_set', entityType: 'round', entityId: roundId, before: auditView(before), after: auditView(row) });
        return view(tx, roundId);
      });
    },

    /** Biên bản as an uploaded file: content-checked and stored like evidence; replaces earlier minutes. */
    async putMinutesFile(ctx: Ctx, roundId: string, file: { stream: NodeJS.ReadableStream; filename: string }) {
      authorize(ctx.actor, 'round.manage');
      // Refuse before reading a byte when nothing could be recorded anyway.
      await db.transaction((tx) => writableRound(tx, roundId));
      const stored = await blobStore.put(file.stream, { maxBytes: deps.maxBytes });
      try {
        return await storeMinutes(ctx, roundId, { kind: 'file', blobKey: stored.key, filename: sanitizeFilename(file.filename), mime: stored.mime, size: stored.size, sha256: stored.sha256 });
      } catch (err) {
        await blobStore.delete(stored.key).catch(() => undefined);
        throw err;
      }
    },

    /** Biên bản as an official-document reference (số, ngày, cơ quan, trích yếu). */
    async putMinutesDocument(ctx: Ctx, roundId: string, ref: DocumentReference) {
      authorize(ctx.actor, 'round.manage');
      return storeMinutes(ctx, roundId, { kind: 'document', docNumber: ref.docNumber, docDate: ref.docDate, issuer: ref.issuer, title: ref.title, url: ref.url ?? null });
    },

    async openMinutes(ctx: Ctx, roundId: string) {
      authorizeRead(ctx);
      const m = await councilRepo.minutes(db, roundId);
      if (!m || m.kind !== 'file' || !m.blobKey) throw new NotFoundError('Minutes file of round', roundId);
      return { stream: await blobStore.get(m.blobKey), filename: m.filename ?? 'bien-ban', mime: m.mime ?? 'application/octet-stream', size: m.size ?? undefined, sha256: m.sha256 };
    },
  };
}

/**
 * For the publishing transaction: the council record to freeze, or a 409 naming what is missing
 * (`missing`: members, minutes, decisionIssuer, signer).
 */
export async function councilForPublication(tx: Db, round: Pick<RoundRow, 'id' | 'phase'>) {
  const council = await councilRepo.find(tx, round.id);
  const minutes = await councilRepo.minutes(tx, round.id);
  const missing = missingOf(council, minutes);
  if (missing.length || !council || !minutes) {
    const labels: Record<CouncilRequirement, string> = {
      members: "the council's members (thành viên hội đồng)",
      minutes: 'the minutes of the council meeting (biên bản)',
      decisionIssuer: 'who issues the decision',
      signer: "the decision signer's name and title",
    };
    throw new ConflictError(`The council record is incomplete: missing ${missing.map((m) => labels[m]).join(', ')}. Record it with PUT /api/v1/rounds/${round.id}/council and the minutes before publishing.`, {
      phase: round.phase,
      missing,
    });
  }
  const snapshot: SnapshotCouncil = {
    members: council.members.map((m) => ({ name: m.name, position: m.position })),
    minutes:
      minutes.kind === 'file'
        ? { kind: 'file', filename: minutes.filename, mime: minutes.mime, size: minutes.size, sha256: minutes.sha256 }
        : { kind: 'document', docNumber: minutes.docNumber, docDate: minutes.docDate, issuer: minutes.issuer, title: minutes.title, url: minutes.url },
  };
  return { council: snapshot, issuer: council.decisionIssuer!, signerName: council.signerName!, signerTitle: council.signerTitle! };
}

export type CouncilService = ReturnType<typeof createCouncilService>;
