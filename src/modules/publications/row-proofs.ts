// Public tamper evidence for per-unit answers (issue 18 item 8).
//
// `publication_rows` is an index for year-over-year look-ups; the signature covers only the snapshot. So nothing a
// citizen reads per unit may come from that table unchecked:
//  - every row summary has a digest: SHA-256 of the RFC 8785 canonical JSON of the summary (publication id,
//    year, group, unit, framework, lineage, total, max, index, rank, band). New snapshots carry it in each row
//    (`digest`), inside the signed text; for older snapshots it is computed from the signed row the same way.
//  - public history answers are built from the signed snapshot's rows (verified: hash and Ed25519 signature),
//    each with its digest and the publication's hash as the proof; an index row that differs from its signed row
//    is reported as altered and its values are not served;
//  - verify compares every index row with the signed snapshot and names the units whose rows differ.
//
// The verified row summaries of a publication are kept in memory keyed by the publication row's version (xmin):
// any UPDATE of the stored snapshot (trigger disabled or not) gives it a new xmin, so a tampered snapshot is
// re-checked on the next request rather than hidden behind what was verified before.
//
// Memory (issue 14): a national-scale snapshot is ~70 MB of text; its full parse is several hundred MB of objects.
// Once its hash and signature have been checked on the exact stored text, a canonical snapshot is read piece by
// piece (parseCanonicalInSlices) keeping of each row only the fields of its signed summary, so neither the whole
// parse nor the items of 4,000 units ever exist at once, and what is cached per publication is the row summaries.
// A text that is not canonical JSON is read with JSON.parse as before, so it is judged exactly as it always was.
import canonicalize from 'canonicalize';
import { eq, inArray, sql } from 'drizzle-orm';
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { parseKeeping, type JsonPath } from '../../lib/canonical.js';
import { AppError } from '../../lib/errors.js';
import { publicationRows, publications } from '../../db/schema.js';
import { sha256Hex } from './signing.js';
import type { Snapshot, SnapshotRow } from './snapshot.js';

/** What a public per-unit answer states about one unit in one publication. */
export interface RowSummary {
  publicationId: string;
  year: number;
  groupCode: string;
  unitCode: string;
  unitName: string;
  frameworkCode: string;
  lineage: string;
  total: number;
  max: number;
  index: number | null;
  rank: number | null;
  band: string | null;
  bandLabel: string | null;
}

export interface SignedRow {
  summary: RowSummary;
  digest: string;
  unitsInGroup: number;
}

/** SHA-256 (hex) of the canonical JSON of a row summary: the per-row proof. */
export function rowDigest(s: RowSummary): string {
  const text = canonicalize({
    publicationId: s.publicationId,
    year: s.year,
    groupCode: s.groupCode,
    unitCode: s.unitCode,
    unitName: s.unitName,
    frameworkCode: s.frameworkCode,
    lineage: s.lineage,
    total: s.total,
    max: s.max,
    index: s.index,
    rank: s.rank,
    band: s.band,
    bandLabel: s.bandLabel,
  });
  return sha256Hex(text!);
}

export function summaryOf(
  snapshot: { id: string; round: { year: number } },
  group: { code: string; framework: { code: string; lineage: string } },
  r: Pick<SnapshotRow, 'unitCode' | 'unitName' | 'total' | 'max' | 'index' | 'rank' | 'band' | 'bandLabel'>,
): RowSummary {
  return {
    publicationId: snapshot.id,
    year: snapshot.round.year,
    groupCode: group.code,
    unitCode: r.unitCode,
    unitName: r.unitName,
    frameworkCode: group.framework.code,
    lineage: group.framework.lineage,
    total: r.total,
    max: r.max,
    index: r.index,
    rank: r.rank,
    band: r.band,
    bandLabel: r.bandLabel,
  };
}

/**
 * unitCode → the signed summary, digest and group size of every row of a parsed snapshot. A row whose embedded
 * digest does not match its own content is listed in `problems` (the snapshot was edited and re-signed with a
 * stale digest, or built wrongly).
 */
export function signedRowsOf(snapshot: Snapshot): { rows: Map<string, SignedRow>; problems: string[] } {
  const rows = new Map<string, SignedRow>();
  const problems: string[] = [];
  for (const g of snapshot.groups ?? []) {
    for (const r of g.rows ?? []) {
      const summary = summaryOf(snapshot, g, r);
      const digest = rowDigest(summary);
      if (r.digest !== undefined && r.digest !== digest) problems.push(`row ${r.unitCode}: its digest in the snapshot does not match its content`);
      rows.set(r.unitCode, { summary, digest, unitsInGroup: g.rows.length });
    }
  }
  return { rows, problems };
}

/**
 * `parseCanonicalInSlices` keep function: of a snapshot, everything but what signedRowsOf does not read, i.e. of
 * each row (groups[g].rows[r]) only its summary fields and digest, and of each group's framework only its code and
 * lineage. signedRowsOf of the result is signedRowsOf of the whole parse.
 */
export function keepForSignedRows(path: JsonPath, value: unknown): unknown {
  if (path.length !== 4 || path[0] !== 'groups') return value;
  if (path[2] === 'framework') return path[3] === 'code' || path[3] === 'lineage' ? value : undefined;
  if (path[2] !== 'rows' || value === null || typeof value !== 'object') return value;
  const { unitCode, unitName, total, max, index, rank, band, bandLabel, digest } = value as SnapshotRow;
  return { unitCode, unitName, total, max, index, rank, band, bandLabel, digest };
}

/**
 * The snapshot of an exact stored text, as far as signedRowsOf and the signed envelope need it: a canonical text
 * read in slices, any other by JSON.parse (a text that is not JSON throws as before), keeping only that.
 */
export async function snapshotForSignedRows(text: string): Promise<Snapshot> {
  return (await parseKeeping(text, keepForSignedRows)) as Snapshot;
}

const num = (v: string | null) => (v === null ? null : Number(v));

type IndexRow = typeof publicationRows.$inferSelect;

function indexSummary(r: IndexRow): RowSummary {
  return {
    publicationId: r.publicationId,
    year: r.year,
    groupCode: r.groupCode,
    unitCode: r.unitCode,
    unitName: r.unitName,
    frameworkCode: r.frameworkCode,
    lineage: r.lineage,
    total: Number(r.total),
    max: Number(r.max),
    index: num(r.index),
    rank: r.rank,
    band: r.band,
    bandLabel: r.bandLabel,
  };
}

/** The fields of a stored index row that differ from the signed row (empty when they agree). */
export function differingFields(stored: RowSummary, signed: RowSummary): (keyof RowSummary)[] {
  return (Object.keys(signed) as (keyof RowSummary)[]).filter((k) => stored[k] !== signed[k]);
}

/**
 * Every index row of a publication compared with the signed rows: one problem per altered, missing or extra
 * unit, naming it and the fields that differ.
 */
export async function indexRowProblems(db: Db, publicationId: string, signed: Map<string, SignedRow>): Promise<string[]> {
  const stored = await db.select().from(publicationRows).where(eq(publicationRows.publicationId, publicationId));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of stored) {
    seen.add(r.unitCode);
    const s = signed.get(r.unitCode);
    if (!s) {
      problems.push(`publication_rows[${r.unitCode}]: the unit is not in the signed snapshot; the row was added after publication`);
      continue;
    }
    const mine = indexSummary(r);
    const fields = differingFields(mine, s.summary);
    if (fields.length > 0) {
      const stated = fields.map((f) => `${f} ${JSON.stringify(mine[f])} (signed: ${JSON.stringify(s.summary[f])})`).join(', ');
      problems.push(`publication_rows[${r.unitCode}]: altered after publication: ${stated}`);
    }
  }
  for (const unitCode of signed.keys()) {
    if (!seen.has(unitCode)) problems.push(`publication_rows[${unitCode}]: missing; the signed snapshot has this unit`);
  }
  return problems;
}

/**
 * Why a stored snapshot text may not be served (it no longer hashes to its recorded hash, or the signature does
 * not verify with the service's key), or null when it may. Cheap next to rendering it: one SHA-256 and one Ed25519
 * verification; the full check (canonical form, chain, index rows) is verify's.
 */
export function storedSnapshotProblem(row: { snapshot: string; hash: string; signature: string }, publicKey: KeyObject): string | null {
  const bytes = Buffer.from(row.snapshot, 'utf8');
  if (sha256Hex(bytes) !== row.hash) return 'the stored snapshot does not match its published hash';
  try {
    if (verifySignature(null, bytes, publicKey, Buffer.from(row.signature, 'base64'))) return null;
  } catch {
    // a malformed signature is simply not a valid one
  }
  return 'the stored snapshot does not carry a valid signature';
}

/** A publication whose stored snapshot fails its hash or signature: it is not served (409), verify says why. */
export class PublicationAlteredError extends AppError {
  constructor(id: string, problem: string) {
    super(409, 'publication-altered', 'Publication altered', `Publication ${id} is not served: ${problem}. GET its /verify for the details.`, { publicationId: id });
  }
}

/** The outcome of checking one stored publication for serving per-unit answers. */
type Checked =
  | { ok: true; hash: string; rows: Map<string, SignedRow>; signed: { roundId: string; decisionNumber: string; decisionDate: string; publishedAt: string } }
  | { ok: false; hash: string; problem: string };

/**
 * Signed rows per publication for public per-unit answers, checked against the stored hash and the signing key,
 * and kept per stored row version (see the file comment).
 */
export function createSignedRowIndex(deps: { db: Db; publicKey: () => KeyObject; maxPublications?: number; limit?: <T>(work: () => Promise<T>) => Promise<T> }) {
  const limit = deps.limit ?? ((work) => work());
  const max = deps.maxPublications ?? 32;
  const cache = new Map<string, Promise<Checked>>();

  async function check(id: string): Promise<Checked> {
    const [row] = await deps.db
      .select({ snapshot: publications.snapshot, hash: publications.hash, signature: publications.signature })
      .from(publications)
      .where(eq(publications.id, id));
    if (!row) return { ok: false, hash: '', problem: 'the publication is missing' };
    const problem = storedSnapshotProblem(row, deps.publicKey());
    if (problem) return { ok: false, hash: row.hash, problem };
    const snapshot = await snapshotForSignedRows(row.snapshot);
    const { rows, problems } = signedRowsOf(snapshot);
    if (problems.length > 0) return { ok: false, hash: row.hash, problem: problems[0]! };
    const signed = { roundId: snapshot.round.id, decisionNumber: snapshot.decision.number, decisionDate: snapshot.decision.date, publishedAt: snapshot.publishedAt };
    return { ok: true, hash: row.hash, rows, signed };
  }

  return {
    /** publicationId → checked signed rows, for the given publications (their current row versions). */
    async forPublications(ids: string[]): Promise<Map<string, Checked>> {
      const out = new Map<string, Checked>();
      if (ids.length === 0) return out;
      const versions = await deps.db
        .select({ id: publications.id, version: sql<string>`xmin::text` })
        .from(publications)
        .where(inArray(publications.id, [...new Set(ids)]));
      for (const { id, version } of versions) {
        const key = `${id}:${version}`;
        let pending = cache.get(key);
        if (pending) {
          cache.delete(key);
        } else {
          pending = limit(() => check(id));
          pending.catch(() => cache.delete(key));
        }
        cache.set(key, pending); // most recently used last
        while (cache.size > max) cache.delete(cache.keys().next().value!);
        out.set(id, await pending);
      }
      return out;
    },
  };
}

export type SignedRowIndex = ReturnType<typeof createSignedRowIndex>;

/** A public history entry as read from the index (publication_rows joined with publications). */
export interface HistoryEntryInput extends Omit<RowSummary, 'unitCode'> {
  unitCode: string;
  roundId: string;
  decisionNumber: string;
  decisionDate: string;
  publishedAt: string;
  unitsInGroup: number;
}

export interface RowProof {
  publicationHash: string;
  rowDigest: string | null;
  status: 'verified' | 'row-altered' | 'unverifiable';
  problem?: string;
}

/**
 * Public history entries as the signed snapshots state them: values (and decision, date, group size) from the
 * verified snapshot with the row digest and publication hash as proof; an index row that differs from its signed
 * row is 'row-altered' (the signed values are shown); one whose snapshot fails its hash or signature is
 * 'unverifiable' (shown as stored, flagged); one that the signed snapshot does not contain is left out.
 */
export async function attestHistory<E extends HistoryEntryInput>(index: SignedRowIndex, entries: E[]): Promise<(E & { proof: RowProof })[]> {
  const checked = await index.forPublications(entries.map((e) => e.publicationId));
  return entries.flatMap((e) => {
    const c = checked.get(e.publicationId);
    if (!c || !c.ok) {
      return [{ ...e, proof: { publicationHash: c?.hash ?? '', rowDigest: null, status: 'unverifiable' as const, problem: c && !c.ok ? c.problem : 'the publication is missing' } }];
    }
    const signed = c.rows.get(e.unitCode);
    if (!signed) return [];
    const altered = differingFields({ ...e, publicationId: e.publicationId }, signed.summary);
    const proof: RowProof = altered.length
      ? { publicationHash: c.hash, rowDigest: signed.digest, status: 'row-altered', problem: `the stored row differs from the signed one in ${altered.join(', ')}; the signed values are shown` }
      : { publicationHash: c.hash, rowDigest: signed.digest, status: 'verified' };
    return [{ ...e, ...signed.summary, ...c.signed, unitsInGroup: signed.unitsInGroup, proof }];
  });
}
