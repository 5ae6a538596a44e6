// The frozen content of a publication (SPEC §6), built purely from the live results (results.service compute())
// and the round, framework and decision data. Its canonical JSON (RFC 8785) is what is stored, hashed and
// signed; every representation (JSON, CSV, XLSX, PDF) is derived from it and nothing else.
import canonicalize from 'canonicalize';
import type { Band, Criterion, FrameworkDocument } from '../frameworks/frameworks.document.js';
import type { GroupOutcome } from '../results/results.service.js';
import type { SnapshotCouncil } from '../council/council.service.js';
import { rowDigest, summaryOf } from './row-proofs.js';

export const SNAPSHOT_FORMAT = 'par-index/publication@1';

export interface SnapshotFramework {
  code: string;
  lineage: string;
  name: string;
  year: number;
  version: number;
  legalBasis: string | null;
  bonusCap: number;
  penaltyCap: number;
  capIndexAt100: boolean;
  surveyOptional: boolean;
  /** Absent in publications made before the setting existed (they all re-based N/A). */
  notApplicableScoring?: 'rebase' | 'full_points';
  bands: Band[];
  areas: { code: string; title: string; kind: string; maxPoints: number }[];
  leaves: { code: string; title: string; areaCode: string; maxPoints: number; source: string; naAllowed: boolean }[];
}

/** A unit's survey index (0–100) with its number of responses. */
export interface SurveyIndex {
  surveyCode: string;
  index: number | null;
  n: number;
}

/** The unit's index in the latest earlier publication of the same framework lineage (not superseded). */
export interface PreviousIndex {
  year: number;
  publicationId: string;
  decisionNumber: string;
  frameworkCode: string;
  index: number | null;
  rank: number | null;
  band: string | null;
  bandLabel: string | null;
}

export interface SnapshotArea {
  code: string;
  title: string | null;
  kind: string;
  points: number;
  max: number;
  index: number | null;
  selfPoints: number;
}

export interface SnapshotItem {
  code: string;
  points: number | null;
  notApplicable: boolean;
  /** Where the final score comes from: final, appraisal, self_confirmed, survey. */
  source: string;
  selfPoints: number | null;
  selfNotApplicable: boolean;
}

export interface SnapshotRow {
  rank: number | null;
  unitCode: string;
  unitName: string;
  total: number;
  max: number;
  index: number | null;
  band: string | null;
  bandLabel: string | null;
  selfTotal: number;
  selfIndex: number | null;
  gap: number;
  /** Present (false) only when the unit never submitted its self-assessment: the round moved on with force. */
  submitted?: false;
  areas: SnapshotArea[];
  items: SnapshotItem[];
  surveys: SurveyIndex[];
  /** Absent when the unit has no earlier publication in the same framework lineage. */
  previous?: PreviousIndex;
  /** index − previous.index; present with `previous` (null when either index is missing). */
  change?: number | null;
  trace: string[];
  /**
   * SHA-256 of the row's public summary (row-proofs.ts rowDigest): the proof a per-unit public answer carries,
   * signed with the rest of the snapshot. Absent in publications made before it existed.
   */
  digest?: string;
}

export interface SnapshotGroup {
  code: string;
  name: string;
  framework: SnapshotFramework;
  rows: SnapshotRow[];
}

/**
 * Quyết định công bố: "Quyết định số {number} ngày {date} của {issuer}", signed by {signerName}, {signerTitle}.
 * Issuer and signer are absent in publications made before they were recorded.
 */
export interface SnapshotDecision {
  number: string;
  date: string;
  issuer?: string;
  signerName?: string;
  signerTitle?: string;
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  id: string;
  round: { id: string; year: number; name: string };
  decision: SnapshotDecision;
  /** The council's members and minutes (biên bản) the round was settled with; absent in older publications. */
  council?: SnapshotCouncil;
  publishedAt: string;
  /** Hash of the publication before this one (any round), or 64 zeros for the first: the chain. */
  prevHash: string;
  /** Set on a correction: the publication it replaces and why. */
  supersedes: { id: string; hash: string; reason: string } | null;
  signer: { algorithm: 'Ed25519'; keyId: string; publicKeyPem: string };
  groups: SnapshotGroup[];
}

export const GENESIS_PUBLICATION_HASH = '0'.repeat(64);

/** Numbers in a snapshot carry at most 2 decimals (SPEC §8); the engine already rounds, this makes it certain. */
export function num2(x: number): number {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  const r = Math.round(x * 100) / 100;
  return r === 0 ? 0 : r;
}
const num2n = (x: number | null | undefined) => (x === null || x === undefined ? null : num2(x));

/** Areas and leaves of a framework document, flattened for the snapshot (framework version included). */
export function snapshotFramework(doc: FrameworkDocument, version: number): SnapshotFramework {
  const leaves: SnapshotFramework['leaves'] = [];
  const walk = (n: Criterion, areaCode: string) => {
    if (n.children && n.children.length > 0) n.children.forEach((c) => walk(c, areaCode));
    else leaves.push({ code: n.code, title: n.title, areaCode, maxPoints: num2(n.maxPoints), source: n.source ?? 'self', naAllowed: n.naAllowed ?? false });
  };
  for (const a of doc.criteria) walk(a, a.code);
  return {
    code: doc.code,
    lineage: doc.lineage,
    name: doc.name,
    year: doc.year,
    version,
    legalBasis: doc.legalBasis,
    bonusCap: num2(doc.bonusCap),
    penaltyCap: num2(doc.penaltyCap),
    capIndexAt100: doc.capIndexAt100,
    surveyOptional: doc.surveyOptional,
    notApplicableScoring: doc.notApplicableScoring,
    bands: doc.bands.map((b) => ({ code: b.code, label: b.label, minIndex: num2(b.minIndex) })),
    // Bonus and penalty areas can add or deduct at most the framework's cap: that is their maximum in every table.
    areas: doc.criteria.map((a) => {
      const kind = a.kind ?? 'regular';
      const cap = kind === 'bonus' ? doc.bonusCap : kind === 'penalty' ? doc.penaltyCap : Infinity;
      return { code: a.code, title: a.title, kind, maxPoints: num2(Math.min(a.maxPoints, cap)) };
    }),
    leaves,
  };
}

export interface SnapshotInput {
  id: string;
  round: { id: string; year: number; name: string };
  decision: SnapshotDecision;
  council?: SnapshotCouncil | undefined;
  publishedAt: Date;
  prevHash: string;
  supersedes: { id: string; hash: string; reason: string } | null;
  signer: { keyId: string; publicKeyPem: string };
  /** compute() output: per group, rows already in rank order (ties by Vietnamese name). */
  groups: GroupOutcome[];
  frameworks: ReadonlyMap<string, SnapshotFramework>;
  /** unitCode → survey indices with n. */
  surveys: ReadonlyMap<string, SurveyIndex[]>;
  /** previousKey(lineage, unitCode) → the unit's previous published index. */
  previous: ReadonlyMap<string, PreviousIndex>;
}

export const previousKey = (lineage: string, unitCode: string) => `${lineage}\u0000${unitCode}`;

/** index − previous index in exact hundredths; null when either is missing. */
export function indexChange(index: number | null, previous: number | null): number | null {
  if (index === null || previous === null) return null;
  return num2((Math.round(index * 100) - Math.round(previous * 100)) / 100);
}

/** Only the decision fields that are set (RFC 8785 has no undefined). */
function decisionOf(d: SnapshotDecision): SnapshotDecision {
  const out: SnapshotDecision = { number: d.number, date: d.date };
  if (d.issuer !== undefined) out.issuer = d.issuer;
  if (d.signerName !== undefined) out.signerName = d.signerName;
  if (d.signerTitle !== undefined) out.signerTitle = d.signerTitle;
  return out;
}

export function buildSnapshot(input: SnapshotInput): Snapshot {
  return {
    format: SNAPSHOT_FORMAT,
    id: input.id,
    round: { id: input.round.id, year: input.round.year, name: input.round.name },
    decision: decisionOf(input.decision),
    ...(input.council ? { council: input.council } : {}),
    publishedAt: input.publishedAt.toISOString(),
    prevHash: input.prevHash,
    supersedes: input.supersedes,
    signer: { algorithm: 'Ed25519', keyId: input.signer.keyId, publicKeyPem: input.signer.publicKeyPem },
    groups: input.groups.map((g) => {
      const framework = input.frameworks.get(g.frameworkCode);
      if (!framework) throw new Error(`framework ${g.frameworkCode} of group ${g.code} is missing`);
      return {
        code: g.code,
        name: g.name,
        framework,
        rows: g.rows.map((r): SnapshotRow => {
          const index = num2n(r.index);
          const previous = input.previous.get(previousKey(framework.lineage, r.unitCode));
          const row: SnapshotRow = {
            rank: r.rank,
            unitCode: r.unitCode,
            unitName: r.unitName,
            total: num2(r.total),
            max: num2(r.max),
            index,
            band: r.band,
            bandLabel: r.bandLabel,
            selfTotal: num2(r.selfTotal),
            selfIndex: num2n(r.selfIndex),
            gap: num2(r.gap),
            ...(r.submitted === false ? { submitted: false as const } : {}),
            areas: r.areas.map((a) => ({ code: a.code, title: a.title, kind: a.kind, points: num2(a.points), max: num2(a.max), index: num2n(a.index), selfPoints: num2(a.selfPoints) })),
            items: r.items.map((i) => ({
              code: i.code,
              points: num2n(i.final.points),
              notApplicable: i.final.notApplicable,
              source: i.final.source,
              selfPoints: num2n(i.selfPoints),
              selfNotApplicable: i.selfNotApplicable,
            })),
            surveys: (input.surveys.get(r.unitCode) ?? []).map((s) => ({ surveyCode: s.surveyCode, index: num2n(s.index), n: s.n })),
            trace: r.trace,
          };
          if (previous) {
            row.previous = { ...previous, index: num2n(previous.index) };
            row.change = indexChange(index, row.previous.index);
          }
          row.digest = rowDigest(summaryOf({ id: input.id, round: input.round }, { code: g.code, framework }, row));
          return row;
        }),
      };
    }),
  };
}

/** The exact text that is stored, hashed and signed. */
export function canonicalText(snapshot: Snapshot): string {
  const text = canonicalize(snapshot);
  if (text === undefined) throw new Error('the snapshot cannot be canonicalised');
  return text;
}

/** One publication_rows row per unit: what year-over-year history and previous-index look-ups read. */
export function rowsOf(snapshot: Snapshot) {
  return snapshot.groups.flatMap((g) =>
    g.rows.map((r) => ({
      groupCode: g.code,
      unitCode: r.unitCode,
      unitName: r.unitName,
      year: snapshot.round.year,
      frameworkCode: g.framework.code,
      lineage: g.framework.lineage,
      total: r.total.toFixed(2),
      max: r.max.toFixed(2),
      index: r.index === null ? null : r.index.toFixed(2),
      rank: r.rank,
      band: r.band,
      bandLabel: r.bandLabel,
    })),
  );
}

/** Metadata of a publication outside the snapshot: how it was hashed and signed, and what it corrects. */
export interface PublicationEnvelope {
  id: string;
  roundId: string;
  year: number;
  decisionNumber: string;
  decisionDate: string;
  publishedAt: string;
  hash: string;
  signature: string;
  keyId: string;
  prevHash: string;
  supersedesId: string | null;
  reason: string | null;
}

/**
 * The public JSON document: the envelope's fields, then `snapshot` — the stored canonical text spliced in
 * verbatim (never re-serialised), so the bytes served are fixed by the publication and the strong ETag holds.
 * The offline verifier canonicalises `snapshot` again and gets exactly the signed text.
 */
export function publicDocument(env: PublicationEnvelope, snapshotText: string): string {
  const head = JSON.stringify({
    id: env.id,
    roundId: env.roundId,
    year: env.year,
    decisionNumber: env.decisionNumber,
    decisionDate: env.decisionDate,
    publishedAt: env.publishedAt,
    algorithm: 'Ed25519',
    hash: env.hash,
    signature: env.signature,
    keyId: env.keyId,
    prevHash: env.prevHash,
    supersedesId: env.supersedesId,
    reason: env.reason,
  });
  return `${head.slice(0, -1)},"snapshot":${snapshotText}}`;
}
