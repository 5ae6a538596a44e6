// Publication (SPEC §6): freezing a round's results into a signed, hash-chained, immutable snapshot, and reading
// published snapshots anonymously in JSON, CSV, XLSX and PDF.
//
// Corrections. Once published, a round is read-only: every write path refuses the 'published' phase, and the
// lifecycle has no way back. A correction is therefore a new publication of the same round that re-freezes the
// results as they are computed now, with a new decision number/date and a mandatory reason, and supersedes the
// round's current publication (which stays readable, marked superseded in the list and by verify). What a
// correction can change is what lies outside the round's own scores: the decision reference, unit names in the
// directory, survey indices (responses imported late or fixed), the previous year's published index (when that
// year was itself corrected), and the computation when an engine defect was fixed. Changing the council's scores
// after publication is deliberately not possible: it would need a new round.
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { eq } from 'drizzle-orm';
import pLimit from 'p-limit';
import type { Database, Db } from '../../db/client.js';
import { rounds } from '../../db/schema.js';
import { authorize } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import { canonicalizeInSlices, canonicalUtf8InSlices, parseCanonicalInSlices, parseKeeping, type JsonPath } from '../../lib/canonical.js';
import type { Ctx } from '../../lib/context.js';
import { ConflictError, NotFoundError, PhaseConflictError, ValidationError } from '../../lib/errors.js';
import { idempotent, requestHash } from '../../lib/idempotency.js';
import { documentOf, frameworksRepo } from '../frameworks/frameworks.repo.js';
import type { GroupOutcome, ResultsService } from '../results/results.service.js';
import { roundsRepo, type RoundRow } from '../rounds/rounds.repo.js';
import { councilForPublication } from '../council/council.service.js';
import { orgUnitsRepo } from '../org-units/org-units.repo.js';
import type { SnapshotCouncil } from '../council/council.service.js';
import type { SnapshotDecision } from './snapshot.js';
import type { CsvFlavour } from '../../lib/csv.js';
import { exportTypes, toCsv, toPdf, toXlsx, type ExportFormat } from './exports.js';
import { publicationsRepo, type PublicationMeta } from './publications.repo.js';
import { attestHistory, createSignedRowIndex, indexRowProblems, keepForSignedRows, PublicationAlteredError, signedRowsOf, storedSnapshotProblem, type SignedRow } from './row-proofs.js';
import { SIGNATURE_ALGORITHM, sha256Hex, verifySnapshot, type Reparsed, type Signer } from './signing.js';
import {
  buildSnapshot,
  GENESIS_PUBLICATION_HASH,
  previousKey,
  publicDocument,
  rowsOf,
  snapshotFramework,
  type PreviousIndex,
  type Snapshot,
  type SnapshotFramework,
  type SnapshotGroup,
  type SnapshotRow,
  type SurveyIndex,
} from './snapshot.js';

/**
 * Survey indices with n per unit, from the surveys capability (optional; the snapshot then carries empty lists).
 * Called inside the publishing transaction.
 */
export type SurveyIndicesSource = (db: Db, roundId: string, unitCodes: string[]) => Promise<Map<string, SurveyIndex[]>>;

export interface PublishInput {
  decisionNumber: string;
  decisionDate: string;
  reason?: string | undefined;
}

const gzipAsync = promisify(gzip);

/** A small byte-bounded LRU: publications never change, so anything rendered from one may be kept. */
export class ByteLru<V extends { bytes: number }> {
  readonly #map = new Map<string, V>();
  #bytes = 0;
  constructor(readonly maxBytes: number) {}
  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  get size(): number {
    return this.#map.size;
  }
  /** Bytes held now; never more than maxBytes. */
  get bytes(): number {
    return this.#bytes;
  }
  set(key: string, v: V): void {
    if (v.bytes > this.maxBytes) return;
    const old = this.#map.get(key);
    if (old) {
      this.#bytes -= old.bytes;
      this.#map.delete(key);
    }
    this.#map.set(key, v);
    this.#bytes += v.bytes;
    for (const [k, e] of this.#map) {
      if (this.#bytes <= this.maxBytes) break;
      this.#map.delete(k);
      this.#bytes -= e.bytes;
    }
  }
}

export interface Rendered {
  /** Strong ETag of the identity bytes: the snapshot hash. */
  etag: string;
  body: Buffer;
  /** The same bytes gzip-compressed (JSON and CSV), served with its own strong ETag to clients that accept it. */
  gzip: { etag: string; body: Buffer } | null;
  contentType: string;
  filename: string;
  bytes: number;
}

/** A snapshot row as the public web pages show it: everything but its items and trace (the bulk of a snapshot). */
export type PublicViewRow = Omit<SnapshotRow, 'items' | 'trace'>;
/**
 * What the public web pages (ranking, unit) read of a publication: its record's envelope and its signed snapshot
 * without the rows' items and trace, a few MB for 4,000 units where the full parse is several hundred (issue 14).
 */
export interface PublicView {
  doc: { id: string; year: number; decisionNumber: string; decisionDate: string; publishedAt: string; hash: string; supersedesId: string | null; reason: string | null };
  snapshot: Omit<Snapshot, 'groups'> & { groups: (Omit<SnapshotGroup, 'rows'> & { rows: PublicViewRow[] })[] };
  bytes: number;
}

/** `parseCanonicalInSlices` keep function of the public view: each row (groups[g].rows[r]) without items and trace. */
export function keepForPublicView(path: JsonPath, value: unknown): unknown {
  if (path.length !== 4 || path[0] !== 'groups' || path[2] !== 'rows' || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { items: _items, trace: _trace, ...rest } = value as SnapshotRow;
  return rest;
}

export const etagOfHash = (hash: string) => `"${hash}"`;
/** The gzip representation's strong ETag: the hash, marked. */
export const gzipEtag = (etag: string) => `${etag.slice(0, -1)}-gzip"`;
/** The plain (machine) CSV's strong ETag: the hash, marked; its bytes differ from the Excel CSV's. */
export const plainEtag = (etag: string) => `${etag.slice(0, -1)}-plain"`;

const links = (id: string) => {
  const base = `/api/v1/public/publications/${id}`;
  return { json: base, csv: `${base}.csv`, xlsx: `${base}.xlsx`, pdf: `${base}.pdf`, verify: `${base}/verify` };
};

function summary(p: PublicationMeta, groups: { code: string; name: string; frameworkCode: string; units: number }[]) {
  return {
    id: p.id,
    roundId: p.roundId,
    year: p.year,
    decisionNumber: p.decisionNumber,
    decisionDate: p.decisionDate,
    decisionIssuer: p.decisionIssuer,
    signerName: p.signerName,
    signerTitle: p.signerTitle,
    publishedAt: p.publishedAt.toISOString(),
    algorithm: SIGNATURE_ALGORITHM,
    hash: p.hash,
    signature: p.signature,
    keyId: p.keyId,
    prevHash: p.prevHash,
    supersedesId: p.supersedesId,
    reason: p.reason,
    groups,
    links: links(p.id),
  };
}
export type PublicationSummary = ReturnType<typeof summary>;

const num = (v: string | null) => (v === null ? null : Number(v));

export function createPublicationsService(deps: {
  database: Database;
  results: Pick<ResultsService, 'compute'>;
  /** The settlement module's open-items computation: publication refuses on exactly what council review does. */
  openItemsOf: (tx: Db, round: RoundRow, groups: GroupOutcome[]) => Promise<{ unitCode: string; criterionCode: string; reason: string }[]>;
  keyring: () => Signer;
  surveyIndicesOf?: SurveyIndicesSource | undefined;
  cacheBytes?: number | undefined;
}) {
  const db = deps.database.db;
  const surveyIndicesOf: SurveyIndicesSource = deps.surveyIndicesOf ?? (async () => new Map());
  const cache = new ByteLru<Rendered>(deps.cacheBytes ?? 256 * 1024 * 1024);
  /** Public views by content hash (like rendered representations): a few MB each at national scale. */
  const views = new ByteLru<PublicView>(64 * 1024 * 1024);
  const viewsInflight = new Map<string, Promise<PublicView>>();
  const inflight = new Map<string, Promise<Rendered>>();
  /** id → hash: tiny and immutable, so conditional requests are answered without touching the database. */
  const hashes = new Map<string, string>();

  async function frameworksOf(tx: Db, groups: GroupOutcome[]) {
    const out = new Map<string, SnapshotFramework>();
    for (const code of new Set(groups.map((g) => g.frameworkCode))) {
      const row = await frameworksRepo.find(tx, code);
      if (!row) throw new NotFoundError('Framework', code);
      out.set(code, snapshotFramework(documentOf(row), row.version));
    }
    return out;
  }

  async function previousOf(tx: Db, roundId: string, year: number, groups: GroupOutcome[], frameworks: Map<string, SnapshotFramework>) {
    const out = new Map<string, PreviousIndex>();
    for (const g of groups) {
      const lineage = frameworks.get(g.frameworkCode)!.lineage;
      const rows = await publicationsRepo.previousRows(tx, { lineage, unitCodes: g.rows.map((r) => r.unitCode), year, excludeRoundId: roundId });
      for (const r of rows) {
        const key = previousKey(lineage, r.unitCode);
        if (out.has(key)) continue; // ordered newest first per unit
        out.set(key, { year: r.year, publicationId: r.publicationId, decisionNumber: r.decisionNumber, frameworkCode: r.frameworkCode, index: num(r.index), rank: r.rank, band: r.band, bandLabel: r.bandLabel });
      }
    }
    return out;
  }

  /**
   * Freezes computed results into a publication: snapshot, canonical text, hash, signature, chain link, one row
   * per unit. Runs inside the caller's transaction (which has locked the round).
   */
  async function freeze(
    tx: Db,
    ctx: Pick<Ctx, 'now'> & { actor: { username: string } | null },
    args: {
      round: { id: string; year: number; name: string };
      groups: GroupOutcome[];
      decision: SnapshotDecision;
      council?: SnapshotCouncil | undefined;
      supersedes: { id: string; hash: string; reason: string } | null;
    },
  ) {
    const { round, groups } = args;
    const frameworks = await frameworksOf(tx, groups);
    const surveys = await surveyIndicesOf(tx, round.id, groups.flatMap((g) => g.rows.map((r) => r.unitCode)));
    const previous = await previousOf(tx, round.id, round.year, groups, frameworks);
    await publicationsRepo.lockChain(tx);
    const prevHash = await publicationsRepo.chainHead(tx);
    const signer = deps.keyring();
    const id = randomUUID();
    const snapshot = buildSnapshot({
      id,
      round,
      decision: args.decision,
      council: args.council,
      publishedAt: ctx.now,
      prevHash,
      supersedes: args.supersedes,
      signer: { keyId: signer.keyId, publicKeyPem: signer.publicKeyPem },
      groups,
      frameworks,
      surveys,
      previous,
    });
    // The same text as canonicalText(), built in slices so a national-scale publish does not stop the service, and
    // as UTF-8 bytes only: hashed, signed and stored from this one buffer (issue 14, memory).
    const bytes = await canonicalUtf8InSlices(snapshot);
    const values = {
      id,
      roundId: round.id,
      year: round.year,
      decisionNumber: args.decision.number,
      decisionDate: args.decision.date,
      decisionIssuer: args.decision.issuer ?? null,
      signerName: args.decision.signerName ?? null,
      signerTitle: args.decision.signerTitle ?? null,
      publishedAt: ctx.now,
      hash: sha256Hex(bytes),
      signature: signer.sign(bytes),
      keyId: signer.keyId,
      prevHash,
      supersedesId: args.supersedes?.id ?? null,
      reason: args.supersedes?.reason ?? null,
      createdBy: ctx.actor?.username ?? 'system',
    };
    // PGlite's client would send a bytea parameter as hex text (and its engine's memory never shrinks): it gets the text.
    await publicationsRepo.insert(tx, values, deps.database.driver === 'pglite' ? bytes.toString('utf8') : bytes, rowsOf(snapshot));
    return { meta: values as PublicationMeta, snapshot };
  }

  const groupsOfSnapshot = (s: Snapshot) => s.groups.map((g) => ({ code: g.code, name: g.name, frameworkCode: g.framework.code, units: g.rows.length }));

  async function loadRow(id: string) {
    const row = await publicationsRepo.find(db, id);
    if (!row) throw new NotFoundError('Publication', id);
    // Never render (and keep) a snapshot that no longer matches its hash and signature.
    const altered = storedSnapshotProblem(row, deps.keyring().publicKey);
    if (altered) throw new PublicationAlteredError(id, altered);
    hashes.set(id, row.hash);
    return row;
  }

  /**
   * Work that reads a whole stored snapshot (renders, the public view, verify, the signed rows of history) runs one
   * at a time: at national scale each takes a few hundred MB while it runs (the 73 MB text through the driver and
   * its check), so cold requests for several publications at once wait their turn instead of adding up (issue 14).
   * What they produce is kept, so this only ever orders first reads.
   */
  const snapshotWork = pLimit(1);

  /** Signed rows per publication, for the public per-unit answers (history). */
  const signedRowIndex = createSignedRowIndex({ db, publicKey: () => deps.keyring().publicKey, limit: snapshotWork });

  /**
   * The expensive checks of a snapshot text (canonical form, hash, signature) and its signed rows, keyed by the
   * SHA-256 of the text as read now plus the recorded hash, signature and key: content-addressed, so any change
   * to what is stored is a different key and is checked afresh (verify always re-reads the row).
   */
  const contentChecks = new Map<string, Promise<{ problems: string[]; computedHash: string; parsed: Partial<Snapshot> | undefined; signedRows: Map<string, SignedRow> }>>();
  const CONTENT_CHECKS_KEPT = 16;

  async function checkContent(id: string, text: string, bytes: Buffer, row: { hash: string; signature: string; keyId: string }) {
    const signer = deps.keyring();
    const label = `snapshot of publication ${id}`;
    let parsed: Partial<Snapshot> | undefined;
    let reparsed: Reparsed;
    // A canonical text (the usual case) is checked piece by piece, keeping of each row only what its signed summary
    // needs: neither a second canonical text nor the parse of 480,000 items is held at once (issue 14, memory).
    const canonical = await parseCanonicalInSlices(text, keepForSignedRows);
    if (canonical) {
      parsed = canonical.value as Partial<Snapshot>;
      reparsed = { parsed, canonical: text };
    } else {
      // Not canonical, not JSON, or refused by RFC 8785: the whole parse and canonical text say which, as always.
      try {
        parsed = JSON.parse(text) as Partial<Snapshot>;
        // Content RFC 8785 refuses (a lone surrogate escaped into the text, say) has no canonical form.
        reparsed = { parsed, canonical: await canonicalizeInSlices(parsed).catch(() => undefined) };
      } catch (err) {
        reparsed = { error: err as Error };
      }
    }
    const check = verifySnapshot({ snapshotText: text, snapshotBytes: bytes, hash: row.hash, signature: row.signature, publicKey: signer.publicKey, keyId: row.keyId, label, reparsed });
    const problems = [...check.problems];
    let signedRows = new Map<string, SignedRow>();
    if (parsed && Array.isArray(parsed.groups)) {
      try {
        const r = signedRowsOf(parsed as Snapshot);
        signedRows = r.rows;
        problems.push(...r.problems.map((p) => `${label}: ${p}`));
      } catch {
        problems.push(`${label}: its rows cannot be read`);
      }
    }
    // Only the envelope fields the record is compared with are kept (up to CONTENT_CHECKS_KEPT entries): the parsed
    // snapshot of a national-scale publication is several hundred MB of objects (issue 14, memory).
    const envelope: Partial<Snapshot> | undefined = parsed ? { id: parsed.id, prevHash: parsed.prevHash, supersedes: parsed.supersedes, decision: parsed.decision } : undefined;
    return { problems, computedHash: check.computedHash, parsed: envelope, signedRows };
  }

  /** Hash, signature, canonical form, the snapshot's agreement with its record and with its index rows, as stored now. */
  async function checkStoredRow(id: string) {
    const full = await publicationsRepo.find(db, id);
    if (!full) throw new NotFoundError('Publication', id);
    const { snapshot: text, ...row } = full;
    const signer = deps.keyring();
    const label = `snapshot of publication ${id}`;
    const bytes = Buffer.from(text, 'utf8');
    const key = [sha256Hex(bytes), row.hash, row.signature, row.keyId].join(':');
    let pending = contentChecks.get(key);
    if (pending) contentChecks.delete(key);
    else pending = checkContent(id, text, bytes, row);
    contentChecks.set(key, pending);
    pending.catch(() => contentChecks.delete(key));
    while (contentChecks.size > CONTENT_CHECKS_KEPT) contentChecks.delete(contentChecks.keys().next().value!);
    const { problems: contentProblems, computedHash, parsed, signedRows } = await pending;
    const problems = [...contentProblems];
    if (row.keyId !== signer.keyId) problems.push(`keyId: signed with key ${row.keyId}; the service's signing key is now ${signer.keyId}`);
    if (parsed) {
      if (parsed.id !== row.id) problems.push(`${label}: names publication ${String(parsed.id)}, not ${row.id}`);
      if (parsed.prevHash !== row.prevHash) problems.push(`${label}: links to ${String(parsed.prevHash)}, but the record links to ${row.prevHash}`);
      if ((parsed.supersedes?.id ?? null) !== row.supersedesId) problems.push(`${label}: supersedes ${String(parsed.supersedes?.id ?? null)}, but the record says ${String(row.supersedesId)}`);
      if (parsed.decision?.number !== row.decisionNumber || parsed.decision?.date !== row.decisionDate) problems.push(`${label}: the decision differs from the record's (${row.decisionNumber}, ${row.decisionDate})`);
      // The per-unit index rows (public history) must say what the signed snapshot says, unit by unit.
      problems.push(...(await indexRowProblems(db, id, signedRows)));
    }
    return { row: row as PublicationMeta, problems, computedHash };
  }

  /** Renders once per key (parallel requests share the work) and keeps the result in the LRU. */
  /** What `lru` keeps under `key`, else made once however many ask for it meanwhile, then kept. */
  function keptOnce<V extends { bytes: number }>(lru: ByteLru<V>, running: Map<string, Promise<V>>, key: string, make: () => Promise<V>): Promise<V> {
    const hit = lru.get(key);
    if (hit) return Promise.resolve(hit);
    const pending = running.get(key);
    if (pending) return pending;
    const p = make()
      .then((v) => {
        lru.set(key, v);
        return v;
      })
      .finally(() => running.delete(key));
    running.set(key, p);
    return p;
  }

  function rendered(key: string, render: () => Promise<Omit<Rendered, 'bytes' | 'gzip'>>, compressible: boolean): Promise<Rendered> {
    return keptOnce(cache, inflight, key, async () => {
      const r = await render();
      // Deterministic (Node writes no timestamp into the gzip header), so its ETag is strong too.
      const gz = compressible ? await gzipAsync(r.body, { level: 6 }) : null;
      return { ...r, gzip: gz ? { etag: gzipEtag(r.etag), body: gz } : null, bytes: r.body.length + (gz?.length ?? 0) };
    });
  }

  return {
    freeze,

    /** What the rendered-representation cache holds now (PUBLICATION_CACHE_MB bounds `bytes`). */
    cacheUsage() {
      return { entries: cache.size, bytes: cache.bytes, maxBytes: cache.maxBytes };
    },

    /**
     * POST /rounds/{id}/publications: from council_review, the first publication (the round becomes
     * 'published'); on a published round, a correction with a reason superseding the current publication.
     */
    async publish(ctx: Ctx, roundId: string, input: PublishInput, idempotencyKey?: string) {
      authorize(ctx.actor, 'publication.create');
      const run = async (tx: Db) => {
        const round = await roundsRepo.lockForUpdate(tx, roundId);
        if (!round) throw new NotFoundError('Round', roundId);
        let supersedes: { id: string; hash: string; reason: string } | null = null;
        if (round.phase === 'council_review') {
          if (input.reason !== undefined) {
            throw new ValidationError([{ field: 'body.reason', message: 'only a correction of a published round takes a reason', code: 'not_a_correction' }]);
          }
        } else if (round.phase === 'published') {
          const current = await publicationsRepo.currentOfRound(tx, roundId);
          if (!current) throw new ConflictError('The round is marked published but has no publication to correct.', { phase: round.phase });
          if (input.reason === undefined) {
            // Typically the second of two concurrent publishes (any instance): the round lock made it wait for the
            // first, which published. It is told so, with the publication, rather than asked for a reason.
            throw new ConflictError('The round is already published. A correction is a new publication with a reason (body.reason) that supersedes the current one.', {
              code: 'already_published',
              phase: round.phase,
              publicationId: current.id,
            });
          }
          supersedes = { id: current.id, hash: current.hash, reason: input.reason };
        } else {
          throw new PhaseConflictError(round.phase, `A round is published from 'council_review'; this one is in '${round.phase}'.`);
        }
        const groups = await deps.results.compute(tx, round);
        const open = await deps.openItemsOf(tx, round, groups);
        if (open.length) {
          throw new ConflictError(`${open.length} item(s) have no final score; every unit's result must be final before publication.`, { phase: round.phase, openItems: open.slice(0, 500), count: open.length });
        }
        // Hội đồng: members, minutes and the decision's issuer and signer must be on record (409 naming what is missing).
        const council = await councilForPublication(tx, round);
        const decision = { number: input.decisionNumber, date: input.decisionDate, issuer: council.issuer, signerName: council.signerName, signerTitle: council.signerTitle };
        const { meta, snapshot } = await freeze(tx, ctx, { round, groups, decision, council: council.council, supersedes });
        if (round.phase === 'council_review') {
          await tx.update(rounds).set({ phase: 'published', phaseChangedAt: ctx.now, updatedAt: ctx.now }).where(eq(rounds.id, roundId));
          await recordAudit(tx, ctx, { action: 'round.transition', entityType: 'round', entityId: roundId, before: { phase: round.phase }, after: { phase: 'published', publicationId: meta.id } });
        }
        const out = summary(meta, groupsOfSnapshot(snapshot));
        await recordAudit(tx, ctx, {
          action: supersedes ? 'publication.corrected' : 'publication.created',
          entityType: 'publication',
          entityId: meta.id,
          after: { roundId, decisionNumber: meta.decisionNumber, decisionDate: meta.decisionDate, hash: meta.hash, keyId: meta.keyId, prevHash: meta.prevHash, supersedesId: meta.supersedesId, reason: meta.reason },
        });
        return { status: 201, body: out };
      };
      if (!idempotencyKey) return { ...(await db.transaction(run)), replayed: false };
      const scope = `publish:${roundId}`;
      return idempotent(db, { userId: ctx.actor.userId, key: idempotencyKey, scope, hash: requestHash(scope, input), now: ctx.now }, run);
    },

    /** Published publications (current ones unless includeSuperseded), newest year first. */
    async list(f: { year?: number | undefined; group?: string | undefined; roundId?: string | undefined; includeSuperseded?: boolean | undefined }) {
      const rows = await publicationsRepo.list(db, { ...f, includeSuperseded: f.includeSuperseded ?? false });
      const groups = await publicationsRepo.groupsOf(db, rows.map((r) => r.id));
      return rows.map((r) => ({
        ...summary(r, groups.filter((g) => g.publicationId === r.id).map(({ code, name, frameworkCode, units }) => ({ code, name, frameworkCode, units }))),
        roundName: r.roundName,
        superseded: r.supersededBy !== null,
        supersededBy: r.supersededBy,
      }));
    },

    /** Whole-snapshot reads running now (at most one) and waiting for their turn (see `snapshotWork`). */
    snapshotReads() {
      return { running: snapshotWork.activeCount, waiting: snapshotWork.pendingCount };
    },

    /** The strong ETag of a publication's representations (its hash), or 404. */
    async etag(id: string): Promise<string> {
      const known = hashes.get(id);
      if (known) return etagOfHash(known);
      const meta = await publicationsRepo.findMeta(db, id);
      if (!meta) throw new NotFoundError('Publication', id);
      hashes.set(id, meta.hash);
      return etagOfHash(meta.hash);
    },

    /**
     * The public JSON document: envelope + the stored canonical snapshot, built once and kept. Rendered
     * representations are keyed by the publication's content hash, so what any instance keeps is immutable and
     * the same everywhere; which publication is current (list, history) is always read from the database.
     */
    async document(id: string): Promise<Rendered> {
      return rendered(`${await this.etag(id)}.json`, () => snapshotWork(async () => {
        const row = await loadRow(id);
        const { snapshot, ...env } = row;
        const body = Buffer.from(publicDocument({ ...env, publishedAt: env.publishedAt.toISOString() }, snapshot), 'utf8');
        return { etag: etagOfHash(row.hash), body, contentType: 'application/json; charset=utf-8', filename: `cong-bo-${id}.json` };
      }), true);
    },

    /**
     * The public web pages' view of a publication (404 when there is none, 409 when its stored snapshot fails its
     * hash or signature, as for its JSON document): checked on the exact stored text, then read keeping only what
     * the pages show (a canonical text piece by piece; any other text by JSON.parse, as before), and kept by hash.
     */
    async publicView(id: string): Promise<PublicView> {
      return keptOnce(views, viewsInflight, await this.etag(id), () =>
        snapshotWork(async () => {
          const row = await loadRow(id);
          const snapshot = (await parseKeeping(row.snapshot, keepForPublicView)) as PublicView['snapshot'];
          const doc = { id: row.id, year: row.year, decisionNumber: row.decisionNumber, decisionDate: row.decisionDate, publishedAt: row.publishedAt.toISOString(), hash: row.hash, supersedesId: row.supersedesId, reason: row.reason };
          // Rough in-memory size: a few times the JSON of what is kept.
          const bytes = 4 * (snapshot.groups ?? []).reduce((n, g) => n + (Array.isArray(g.rows) ? g.rows.reduce((m, r) => m + (JSON.stringify(r)?.length ?? 0), 0) : 0), 0);
          return { doc, snapshot, bytes };
        }),
      );
    },

    /** `flavour` applies to CSV only: the plain (machine) CSV is another representation with its own ETag. */
    async exported(id: string, format: ExportFormat, flavour: CsvFlavour = 'excel'): Promise<Rendered> {
      const plain = format === 'csv' && flavour === 'plain';
      return rendered(`${await this.etag(id)}.${plain ? 'plain.' : ''}${format}`, () => snapshotWork(async () => {
        const row = await loadRow(id);
        const s = JSON.parse(row.snapshot) as Snapshot;
        const body = format === 'csv' ? toCsv(s, row.hash, flavour) : format === 'xlsx' ? await toXlsx(s, row.hash) : await toPdf(s, row.hash);
        const etag = plain ? plainEtag(etagOfHash(row.hash)) : etagOfHash(row.hash);
        return { etag, body, contentType: exportTypes[format], filename: `chi-so-cchc-${row.year}-${id}${plain ? '-plain' : ''}.${format}` };
      }), format === 'csv');
    },

    /** Recomputes hash and signature from the stored snapshot and checks its links; names every problem. */
    async verify(id: string) {
      // Always re-read from the database: the record, the snapshot text and every index row. Only the costly
      // canonical-form and signature checks of an identical text are reused (checkStoredRow), so repeated
      // anonymous requests stay cheap while any change to what is stored is seen at once.
      const { row, problems: contentProblems, computedHash } = await snapshotWork(() => checkStoredRow(id));
      const problems = [...contentProblems];
      const { prev, next } = await publicationsRepo.chainNeighbours(db, row);
      if (row.prevHash !== GENESIS_PUBLICATION_HASH && !prev) problems.push(`prevHash: no publication has hash ${row.prevHash}; the chain is broken before this publication`);
      return {
        valid: problems.length === 0,
        publicationId: row.id,
        algorithm: SIGNATURE_ALGORITHM,
        hash: row.hash,
        computedHash,
        signature: row.signature,
        keyId: row.keyId,
        prevHash: row.prevHash,
        previousId: prev?.id ?? null,
        nextId: next?.id ?? null,
        supersedesId: row.supersedesId,
        supersededBy: await publicationsRepo.supersederOf(db, row.id),
        problems,
      };
    },

    signingKey() {
      const s = deps.keyring();
      return { algorithm: SIGNATURE_ALGORITHM, keyId: s.keyId, publicKeyPem: s.publicKeyPem };
    },

    /** A unit's published index, rank and band by year (current publications only). */
    /**
     * A unit's published index, rank and band by year (current publications only). publication_rows only finds
     * the entries; attestHistory replaces their values with the signed snapshot's and adds each one's proof.
     */
    async history(unitCode: string) {
      // Lineage (sáp nhập): the published rows of the units this one was formed from belong to its history too,
      // each under its own code and the name it was published with.
      const predecessors = await orgUnitsRepo.predecessorsOf(db, unitCode);
      const rows = await publicationsRepo.history(db, [unitCode, ...predecessors.map((p) => p.code)]);
      if (rows.length === 0) throw new NotFoundError('Published results of unit', unitCode);
      const entries = await attestHistory(
        signedRowIndex,
        rows.map((r) => ({
          unitCode: r.unitCode,
          year: r.year,
          publicationId: r.publicationId,
          roundId: r.roundId,
          decisionNumber: r.decisionNumber,
          decisionDate: r.decisionDate,
          publishedAt: r.publishedAt.toISOString(),
          groupCode: r.groupCode,
          unitName: r.unitName,
          frameworkCode: r.frameworkCode,
          lineage: r.lineage,
          total: Number(r.total),
          max: Number(r.max),
          index: num(r.index),
          rank: r.rank,
          unitsInGroup: r.unitsInGroup,
          band: r.band,
          bandLabel: r.bandLabel,
          links: links(r.publicationId),
        })),
      );
      if (entries.length === 0) throw new NotFoundError('Published results of unit', unitCode);
      const own = entries.filter((e) => e.unitCode === unitCode);
      const unitName = own.length ? own[own.length - 1]!.unitName : ((await orgUnitsRepo.find(db, unitCode))?.name ?? unitCode);
      return {
        unitCode,
        unitName,
        predecessors: predecessors.map((p) => ({ code: p.code, name: p.name })),
        entries: entries.map((e) => ({ ...e, predecessor: e.unitCode !== unitCode })),
      };
    },
  };
}

export type PublicationsService = ReturnType<typeof createPublicationsService>;
export { exportTypes };
