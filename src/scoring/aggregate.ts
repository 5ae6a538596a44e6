// Aggregation of one unit's final points into area sums, total, max, index and band (SPEC §4).
// Everything is integer hundredths; the only division (index, area index) is rounded half-up exactly.

import { ScoringFrameworkError, ScoringInputError } from './errors.js';
import { formatHundredths, formatQuotient, hundredthsOfNumber, hundredthsOfString, roundDiv } from './exact.js';
import { CompiledLeaf, compileLeaf, LeafBatch, maxPointsH } from './leaf.js';
import type {
  AreaKind,
  AreaResult,
  Band,
  CriterionNode,
  ItemResult,
  LeafInput,
  NotApplicableScoring,
  ScoringFramework,
  SurveyScore,
  UnitResult,
  UnitResultJSON,
  UnitScoresInput,
} from './types.js';

// Area kinds by index in KIND_NAMES: 0 regular, 1 bonus, 2 penalty.
const KIND_REGULAR = 0;
const KIND_BONUS = 1;
const KIND_NAMES: readonly AreaKind[] = ['regular', 'bonus', 'penalty'];
/** Bound on Σ maxPoints (in hundredths) keeping every intermediate of the index formula a safe integer. */
const MAX_FRAMEWORK_H = 1_000_000_000;

export interface CompiledArea {
  readonly code: string;
  readonly title: string | undefined;
  readonly kind: AreaKind;
  readonly kindId: number;
  /** Σ leaf max in hundredths (before N/A). */
  readonly maxH: number;
  /** Leaves of the area are compiled.leaves[first .. end). */
  readonly first: number;
  readonly end: number;
}

export interface CompiledLeafEntry {
  readonly leaf: CompiledLeaf;
  readonly title: string | undefined;
  readonly areaIndex: number;
  readonly source: 'self' | 'survey' | 'appraisal' | undefined;
}

/** A validated framework, ready to aggregate many units. Create with {@link compileFramework}. */
export class CompiledFramework {
  constructor(
    readonly bonusCapH: number,
    readonly penaltyCapH: number,
    readonly capIndexAt100: boolean,
    /** Sorted by minIndex descending. */
    readonly bands: readonly Band[],
    readonly areas: readonly CompiledArea[],
    /** Leaves in tree order, grouped by area. */
    readonly leaves: readonly CompiledLeafEntry[],
    readonly leafIndex: ReadonlyMap<string, number>,
    /** Codes of internal (non-leaf) nodes, for clearer errors. */
    readonly internalCodes: ReadonlySet<string>,
    readonly notApplicableScoring: NotApplicableScoring = 'rebase',
  ) {
    this.leafCodes = leaves.map((e) => e.leaf.code);
    // 1 where an N/A leaf is awarded its full points: regular areas, not survey-scored, framework says full_points.
    this.naFull = Uint8Array.from(leaves, (e) =>
      notApplicableScoring === 'full_points' && (areas[e.areaIndex] as CompiledArea).kindId === KIND_REGULAR && e.source !== 'survey' && e.leaf.rule?.def.type !== 'survey' ? 1 : 0,
    );
    this.leafMaxH = Int32Array.from(leaves, (e) => e.leaf.maxH);
    this.compiledLeaves = leaves.map((e) => e.leaf);
    this.batch = new LeafBatch(this.compiledLeaves);
  }

  /** Every leaf's rule flattened for the batch evaluator ({@link evaluateUnitLeaves}). */
  readonly batch: LeafBatch;

  /** The compiled leaves, same order as leafCodes. */
  readonly compiledLeaves: readonly CompiledLeaf[];
  /** Leaf codes in the order used by points arrays (aggregateHundredths, evaluateUnitLeaves). */
  readonly leafCodes: readonly string[];
  /** Leaf maxPoints in hundredths, same order. */
  readonly leafMaxH: Int32Array;
  /** Per leaf, same order: 1 when N/A is awarded full points instead of re-basing the max. */
  readonly naFull: Uint8Array;

  /** The compiled leaf for a code (to evaluate inputs with evaluateLeaf), or undefined. */
  leaf(code: string): CompiledLeaf | undefined {
    const i = this.leafIndex.get(code);
    return i === undefined ? undefined : (this.leaves[i] as CompiledLeafEntry).leaf;
  }
}

function capH(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ScoringFrameworkError(path, 'must be a finite number');
  const h = hundredthsOfNumber(value);
  if (Number.isNaN(h) || h < 0) throw new ScoringFrameworkError(path, `must be a non-negative number with at most 2 decimals (got ${value})`);
  return h;
}

/**
 * Validates a framework (unique codes; each parent's maxPoints equals the sum of its children's; numbers with
 * at most 2 decimals; rules well-formed; kinds only on areas; unique bands) and compiles it.
 * Throws {@link ScoringFrameworkError} with the path of the first problem.
 */
export function compileFramework(fw: ScoringFramework): CompiledFramework {
  if (fw === null || typeof fw !== 'object') throw new ScoringFrameworkError('framework', 'must be an object');
  const bonusCapH = capH(fw.bonusCap, 'bonusCap');
  const penaltyCapH = capH(fw.penaltyCap, 'penaltyCap');
  if (fw.capIndexAt100 !== undefined && typeof fw.capIndexAt100 !== 'boolean') {
    throw new ScoringFrameworkError('capIndexAt100', 'must be a boolean');
  }
  const naScoring = fw.notApplicableScoring ?? 'rebase';
  if (naScoring !== 'rebase' && naScoring !== 'full_points') {
    throw new ScoringFrameworkError('notApplicableScoring', 'must be "rebase" or "full_points"');
  }
  if (!Array.isArray(fw.bands)) throw new ScoringFrameworkError('bands', 'must be an array');
  const bandCodes = new Set<string>();
  const minIndexes = new Set<number>();
  fw.bands.forEach((b, i) => {
    if (typeof b?.code !== 'string' || b.code === '') throw new ScoringFrameworkError(`bands[${i}].code`, 'must be a non-empty string');
    if (bandCodes.has(b.code)) throw new ScoringFrameworkError(`bands[${i}].code`, `duplicate band code "${b.code}"`);
    if (typeof b.minIndex !== 'number' || !Number.isFinite(b.minIndex)) {
      throw new ScoringFrameworkError(`bands[${i}].minIndex`, 'must be a finite number');
    }
    if (minIndexes.has(b.minIndex)) throw new ScoringFrameworkError(`bands[${i}].minIndex`, `two bands share minIndex ${b.minIndex}`);
    bandCodes.add(b.code);
    minIndexes.add(b.minIndex);
  });
  const bands = [...fw.bands].sort((a, b) => b.minIndex - a.minIndex);

  if (!Array.isArray(fw.criteria)) throw new ScoringFrameworkError('criteria', 'must be an array');
  const areas: CompiledArea[] = [];
  const leaves: CompiledLeafEntry[] = [];
  const leafIndex = new Map<string, number>();
  const internalCodes = new Set<string>();
  const seen = new Set<string>();

  const walk = (node: CriterionNode, path: string, areaIndex: number, areaKind: AreaKind): number => {
    if (node === null || typeof node !== 'object') throw new ScoringFrameworkError(path, 'must be an object');
    if (typeof node.code !== 'string' || node.code === '') throw new ScoringFrameworkError(`${path}.code`, 'must be a non-empty string');
    if (seen.has(node.code)) throw new ScoringFrameworkError(`${path}.code`, `duplicate criterion code "${node.code}"`);
    seen.add(node.code);
    if (node.kind !== undefined && node.kind !== areaKind) {
      throw new ScoringFrameworkError(`${path}.kind`, `"${node.kind}" differs from its area's kind "${areaKind}" (kind is set on areas)`);
    }
    const maxH = maxPointsH(node.maxPoints, `${path}.maxPoints`);
    const children = node.children;
    if (children !== undefined && !Array.isArray(children)) throw new ScoringFrameworkError(`${path}.children`, 'must be an array');
    if (children !== undefined && children.length > 0) {
      if (node.rule !== undefined) throw new ScoringFrameworkError(`${path}.rule`, 'a node with children carries no rule');
      internalCodes.add(node.code);
      let sum = 0;
      children.forEach((c, i) => {
        sum += walk(c, `${path}.children[${i}]`, areaIndex, areaKind);
      });
      if (sum !== maxH) {
        throw new ScoringFrameworkError(
          `${path}.maxPoints`,
          `maxPoints ${formatHundredths(maxH)} of "${node.code}" is not the sum of its children's (${formatHundredths(sum)})`,
        );
      }
      return maxH;
    }
    if (node.rule !== undefined) {
      if (node.rule?.type === 'survey' && node.source !== undefined && node.source !== 'survey') {
        throw new ScoringFrameworkError(`${path}.source`, 'a survey rule needs source "survey"');
      }
      if (node.source === 'survey' && node.rule?.type !== 'survey') {
        throw new ScoringFrameworkError(`${path}.rule`, 'a criterion with source "survey" needs a survey rule');
      }
    }
    const leaf = compileLeaf(node, path);
    leafIndex.set(node.code, leaves.length);
    leaves.push({ leaf, title: node.title, areaIndex, source: node.source });
    return maxH;
  };

  let totalMaxH = 0;
  fw.criteria.forEach((area, i) => {
    const path = `criteria[${i}]`;
    const kind: AreaKind = area?.kind ?? 'regular';
    const kindId = KIND_NAMES.indexOf(kind);
    if (kindId < 0) throw new ScoringFrameworkError(`${path}.kind`, 'must be "regular", "bonus" or "penalty"');
    const first = leaves.length;
    const maxH = walk(area, path, areas.length, kind);
    areas.push({ code: area.code, title: area.title, kind, kindId, maxH, first, end: leaves.length });
    totalMaxH += maxH;
    if (totalMaxH > MAX_FRAMEWORK_H) {
      throw new ScoringFrameworkError(path, `the framework's points exceed ${MAX_FRAMEWORK_H / 100} in total`);
    }
  });
  return new CompiledFramework(bonusCapH, penaltyCapH, fw.capIndexAt100 !== false, bands, areas, leaves, leafIndex, internalCodes, naScoring);
}

// ------------------------------------------------------------------------------------------- aggregate

/** Entry of a points array meaning "not applicable" (leaves numerator and denominator). */
export const NA_POINTS = -1;
/** Entry of a points array meaning "no final points" (counts 0 of the leaf's max). */
export const MISSING_POINTS = -2;

function pointsOf(v: unknown, code: string): number {
  let h: number;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ScoringInputError(`finalPoints.${code}`, 'invalid_type', `finalPoints.${code} must be a finite number`);
    h = hundredthsOfNumber(v);
  } else if (typeof v === 'string') {
    h = hundredthsOfString(v);
    if (Number.isNaN(h) && !/^\s*[+-]?\d+(\.\d+)?\s*$/.test(v)) {
      throw new ScoringInputError(`finalPoints.${code}`, 'invalid_type', `finalPoints.${code} must be a decimal number (got "${v}")`);
    }
  } else {
    throw new ScoringInputError(`finalPoints.${code}`, 'invalid_type', `finalPoints.${code} must be a number, a decimal string or null`);
  }
  if (Number.isNaN(h)) {
    throw new ScoringInputError(`finalPoints.${code}`, 'too_many_decimals', `finalPoints.${code} must have at most 2 decimals (got ${String(v)})`);
  }
  return h;
}

function outOfRange(leaf: CompiledLeaf, got: string): ScoringInputError {
  return new ScoringInputError(
    `finalPoints.${leaf.code}`,
    'out_of_range',
    `finalPoints.${leaf.code} must be between 0 and ${leaf.maxPoints} (got ${got})`,
  );
}

function unknownCodeError(cf: CompiledFramework, field: string, code: string): ScoringInputError {
  return cf.internalCodes.has(code)
    ? new ScoringInputError(field, 'not_a_leaf', `${field}: "${code}" is not a leaf criterion (only leaves are scored)`)
    : new ScoringInputError(field, 'unknown_criterion', `${field}: "${code}" is not a criterion of this framework`);
}

/**
 * Aggregates one unit (SPEC §4). `fw` may be a raw framework (validated on every call) or the result of
 * {@link compileFramework} (reuse it for many units). Throws {@link ScoringInputError} for final points that are
 * negative, above the leaf's max, with more than 2 decimals, and for unknown codes; never clamps.
 * A leaf listed in `notApplicable` is N/A even if final points were recorded for it (the trace says so).
 */
export function aggregateUnit(fw: ScoringFramework | CompiledFramework, unit: UnitScoresInput): UnitResult {
  const cf = fw instanceof CompiledFramework ? fw : compileFramework(fw);
  const leaves = cf.leaves;
  const nLeaves = leaves.length;
  const fp = unit?.finalPoints ?? {};
  if (typeof fp !== 'object') throw new ScoringInputError('finalPoints', 'invalid_type', 'finalPoints must be an object');
  const naList = unit?.notApplicable ?? [];
  if (!Array.isArray(naList)) throw new ScoringInputError('notApplicable', 'invalid_type', 'notApplicable must be an array of leaf codes');

  const pts = new Int32Array(nLeaves);
  for (let i = 0; i < naList.length; i++) {
    const code = naList[i] as string;
    const li = typeof code === 'string' ? cf.leafIndex.get(code) : undefined;
    if (li === undefined) throw unknownCodeError(cf, `notApplicable[${i}]`, String(code));
    pts[li] = NA_POINTS;
  }
  let present = 0;
  let ignored: Map<string, string> | null = null;
  for (let i = 0; i < nLeaves; i++) {
    const leaf = (leaves[i] as CompiledLeafEntry).leaf;
    const v = fp[leaf.code];
    if (v === undefined) {
      if (pts[i] === 0) pts[i] = MISSING_POINTS;
      continue;
    }
    present++;
    if (pts[i] === NA_POINTS) {
      if (v !== null) (ignored ??= new Map()).set(leaf.code, String(v));
      continue;
    }
    if (v === null) {
      pts[i] = MISSING_POINTS;
      continue;
    }
    const h = pointsOf(v, leaf.code);
    if (h < 0 || h > leaf.maxH) throw outOfRange(leaf, String(v));
    pts[i] = h;
  }
  // Every key of finalPoints with a value must name a leaf (a renamed code must not silently lose points).
  if (Object.keys(fp).length !== present) {
    for (const k of Object.keys(fp)) {
      if (fp[k] !== undefined && !cf.leafIndex.has(k)) throw unknownCodeError(cf, `finalPoints.${k}`, k);
    }
  }
  return summarize(cf, pts, ignored, false);
}

/**
 * Lean aggregation from points in integer hundredths aligned with `cf.leaves` (see `cf.leafCodes`):
 * each entry is 0 ≤ h ≤ the leaf's max in hundredths, {@link NA_POINTS} or {@link MISSING_POINTS}.
 * The array is copied; the caller may reuse it.
 */
export function aggregateHundredths(cf: CompiledFramework, points: ArrayLike<number>): UnitResult {
  const n = cf.leaves.length;
  if (points.length !== n) {
    throw new ScoringInputError('points', 'out_of_range', `points must have one entry per leaf (${n}), got ${points.length}`);
  }
  return summarize(cf, points, null, true);
}

function badPoints(cf: CompiledFramework, i: number, h: unknown): ScoringInputError {
  const leaf = (cf.leaves[i] as CompiledLeafEntry).leaf;
  return new ScoringInputError(
    `finalPoints.${leaf.code}`,
    'out_of_range',
    `finalPoints.${leaf.code} must be whole hundredths between 0 and ${leaf.maxH}, or ${NA_POINTS} (N/A) or ${MISSING_POINTS} (missing); got ${String(h)}`,
  );
}

/**
 * Lean batch evaluation: every leaf of a unit from its inputs, aligned with `cf.leafCodes`, written to `out` as
 * integer hundredths ({@link NA_POINTS} for a not-applicable result). `surveyScores[i]` is read for survey
 * leaves. The result can be passed to {@link aggregateHundredths}. A rejected input throws
 * {@link ScoringInputError} whose `criterionCode` names the leaf.
 */
export function evaluateUnitLeaves(
  cf: CompiledFramework,
  inputs: readonly (LeafInput | null | undefined)[],
  surveyScores: readonly SurveyScore[] | null = null,
  out: Int32Array = new Int32Array(cf.leaves.length),
): Int32Array {
  const n = cf.leaves.length;
  if (inputs.length !== n) throw new ScoringInputError('inputs', 'out_of_range', `inputs must have one entry per leaf (${n}), got ${inputs.length}`);
  cf.batch.run(inputs, surveyScores, out);
  return out;
}

/** round(points / max × 100, 2 decimals) in hundredths = round(pointsH × 10000 / maxH). */
function indexH(pointsH: number, maxH: number): number {
  return roundDiv(pointsH * 10_000, maxH);
}

/**
 * Area sums, caps, total, index and band from leaf points in hundredths. With `copy`, `src` comes from the caller:
 * each entry is validated and copied (in the same pass) so the result owns its data.
 */
function summarize(cf: CompiledFramework, src: ArrayLike<number>, ignored: ReadonlyMap<string, string> | null, copy: boolean): UnitResult {
  const maxHs = cf.leafMaxH;
  const naFull = cf.naFull;
  const pts: ArrayLike<number> = copy ? new Array<number>(src.length) : src;
  const cfAreas = cf.areas;
  const nAreas = cfAreas.length;
  const areas: AreaResult[] = new Array(nAreas);
  let regularH = 0;
  let regularMaxH = 0;
  let bonusRawH = 0;
  let penaltyRawH = 0;
  for (let a = 0; a < nAreas; a++) {
    const area = cfAreas[a] as CompiledArea;
    let p = 0;
    let m = 0;
    for (let i = area.first, end = area.end; i < end; i++) {
      const h = src[i] as number;
      if (copy) {
        if (!(h >= MISSING_POINTS && h <= (maxHs[i] as number)) || (h | 0) !== h) throw badPoints(cf, i, h);
        (pts as number[])[i] = h;
      }
      if (h >= 0) {
        p += h;
        m += maxHs[i] as number;
      } else if (h === MISSING_POINTS) m += maxHs[i] as number;
      else if (naFull[i] === 1) {
        p += maxHs[i] as number;
        m += maxHs[i] as number;
      }
    }
    if (area.kindId === KIND_REGULAR) {
      regularH += p;
      regularMaxH += m;
    } else if (area.kindId === KIND_BONUS) bonusRawH += p;
    else penaltyRawH += p;
    // Bonus and penalty areas: what they can add or deduct is bounded by the framework's cap, so that is their max;
    // they are additions and deductions, not a share of a maximum, so they have no index.
    if (area.kindId === KIND_REGULAR) {
      areas[a] = { code: area.code, title: area.title, kind: area.kind, points: p / 100, max: m / 100, index: m > 0 ? indexH(p, m) / 100 : null };
    } else {
      const cap = area.kindId === KIND_BONUS ? cf.bonusCapH : cf.penaltyCapH;
      areas[a] = { code: area.code, title: area.title, kind: area.kind, points: p / 100, max: (m < cap ? m : cap) / 100, index: null };
    }
  }
  const bonusH = bonusRawH < cf.bonusCapH ? bonusRawH : cf.bonusCapH;
  const penaltyH = penaltyRawH < cf.penaltyCapH ? penaltyRawH : cf.penaltyCapH;
  const rawTotalH = regularH + bonusH - penaltyH;
  const totalH = rawTotalH < 0 ? 0 : rawTotalH;
  const idxUncappedH = regularMaxH > 0 ? indexH(totalH, regularMaxH) : -1;
  const capped = cf.capIndexAt100 && idxUncappedH > 10_000;
  const idxH = capped ? 10_000 : idxUncappedH;
  let band: Band | null = null;
  if (idxH >= 0) {
    const index = idxH / 100;
    for (const b of cf.bands) {
      if (index >= b.minIndex) {
        band = b;
        break;
      }
    }
  }
  return new UnitScore(cf, pts, ignored, areas, {
    regularH,
    regularMaxH,
    bonusRawH,
    bonusH,
    penaltyRawH,
    penaltyH,
    rawTotalH,
    totalH,
    idxUncappedH,
    idxH,
    band,
  });
}

interface Totals {
  regularH: number;
  regularMaxH: number;
  bonusRawH: number;
  bonusH: number;
  penaltyRawH: number;
  penaltyH: number;
  rawTotalH: number;
  totalH: number;
  idxUncappedH: number;
  idxH: number;
  band: Band | null;
}

/** The result of one unit; `items` and `trace` are derived on first read from the leaf points kept inside. */
class UnitScore implements UnitResult {
  readonly total: number;
  readonly max: number;
  readonly index: number | null;
  readonly indexUncapped: number | null;
  readonly band: string | null;
  readonly bandLabel: string | null;
  readonly regularPoints: number;
  readonly bonus: number;
  readonly penalty: number;
  readonly bonusRaw: number;
  readonly penaltyRaw: number;
  readonly flooredAtZero: boolean;
  readonly cappedAt100: boolean;
  readonly areas: AreaResult[];
  readonly #cf: CompiledFramework;
  readonly #pts: ArrayLike<number>;
  readonly #ignored: ReadonlyMap<string, string> | null;
  readonly #t: Totals;
  #items: ItemResult[] | undefined;
  #trace: string[] | undefined;

  constructor(cf: CompiledFramework, pts: ArrayLike<number>, ignored: ReadonlyMap<string, string> | null, areas: AreaResult[], t: Totals) {
    this.total = t.totalH / 100;
    this.max = t.regularMaxH / 100;
    this.index = t.idxH < 0 ? null : t.idxH / 100;
    this.indexUncapped = t.idxUncappedH < 0 ? null : t.idxUncappedH / 100;
    this.band = t.band === null ? null : t.band.code;
    this.bandLabel = t.band === null ? null : (t.band.label ?? null);
    this.regularPoints = t.regularH / 100;
    this.bonus = t.bonusH / 100;
    this.penalty = t.penaltyH / 100;
    this.bonusRaw = t.bonusRawH / 100;
    this.penaltyRaw = t.penaltyRawH / 100;
    this.flooredAtZero = t.rawTotalH < 0;
    this.cappedAt100 = t.idxH !== t.idxUncappedH;
    this.areas = areas;
    this.#cf = cf;
    this.#pts = pts;
    this.#ignored = ignored;
    this.#t = t;
  }

  get items(): ItemResult[] {
    if (this.#items === undefined) {
      const cf = this.#cf;
      const pts = this.#pts;
      this.#items = cf.leaves.map((e, i) => {
        const h = pts[i] as number;
        const area = cf.areas[e.areaIndex] as CompiledArea;
        return {
          code: e.leaf.code,
          title: e.title,
          areaCode: area.code,
          kind: area.kind,
          points: h === NA_POINTS ? (cf.naFull[i] === 1 ? e.leaf.maxPoints : null) : h === MISSING_POINTS ? 0 : h / 100,
          max: e.leaf.maxPoints,
          notApplicable: h === NA_POINTS,
          missing: h === MISSING_POINTS,
        };
      });
    }
    return this.#items;
  }

  get trace(): string[] {
    this.#trace ??= buildTrace(this.#cf, this.#pts, this.#ignored, this.#t);
    return this.#trace;
  }

  toJSON(): UnitResultJSON {
    return {
      total: this.total,
      max: this.max,
      index: this.index,
      indexUncapped: this.indexUncapped,
      band: this.band,
      bandLabel: this.bandLabel,
      regularPoints: this.regularPoints,
      bonus: this.bonus,
      penalty: this.penalty,
      bonusRaw: this.bonusRaw,
      penaltyRaw: this.penaltyRaw,
      flooredAtZero: this.flooredAtZero,
      cappedAt100: this.cappedAt100,
      areas: this.areas,
      items: this.items,
      trace: this.trace,
    };
  }
}

const f = formatHundredths;

function buildTrace(cf: CompiledFramework, pts: ArrayLike<number>, ignored: ReadonlyMap<string, string> | null, t: Totals): string[] {
  const out: string[] = [];
  for (const a of cf.areas) {
    const parts: string[] = [];
    const maxParts: string[] = [];
    let p = 0;
    let m = 0;
    for (let i = a.first; i < a.end; i++) {
      const leaf = (cf.leaves[i] as CompiledLeafEntry).leaf;
      const h = pts[i] as number;
      const max = f(leaf.maxH);
      if (h === NA_POINTS) {
        const v = ignored?.get(leaf.code);
        const ign = v === undefined ? '' : ` (final points ${v} ignored)`;
        if (cf.naFull[i] === 1) {
          out.push(`${leaf.code}: N/A — awarded full points ${max} / ${max} (framework: notApplicableScoring full_points)${ign}`);
          parts.push(max);
          maxParts.push(max);
          p += leaf.maxH;
          m += leaf.maxH;
          continue;
        }
        out.push(`${leaf.code}: N/A — excluded from points and max${ign}`);
        continue;
      }
      const pointsH = h === MISSING_POINTS ? 0 : h;
      out.push(h === MISSING_POINTS ? `${leaf.code}: no final points → 0 / ${max}` : `${leaf.code}: ${f(h)} / ${max}`);
      parts.push(f(pointsH));
      maxParts.push(max);
      p += pointsH;
      m += leaf.maxH;
    }
    const idx =
      m > 0 ? `index ${f(p)} / ${f(m)} × 100 = ${formatQuotient(p * 100, m, 4)} → ${f(indexH(p, m))}` : 'no index (every leaf N/A)';
    out.push(`area ${a.code} (${a.kind}): points ${f(p)} = ${parts.join(' + ') || '0'}; max ${f(m)} = ${maxParts.join(' + ') || '0'}; ${idx}`);
  }
  out.push(`regular areas: ${f(t.regularH)} of max ${f(t.regularMaxH)} (bonus and penalty areas never count in max)`);
  out.push(`bonus: ${f(t.bonusRawH)}, cap ${f(cf.bonusCapH)} → +${f(t.bonusH)}${t.bonusRawH > cf.bonusCapH ? ' (capped)' : ''}`);
  out.push(`penalty: ${f(t.penaltyRawH)}, cap ${f(cf.penaltyCapH)} → −${f(t.penaltyH)}${t.penaltyRawH > cf.penaltyCapH ? ' (capped)' : ''}`);
  const sum = `${f(t.regularH)} + ${f(t.bonusH)} − ${f(t.penaltyH)} = ${f(t.rawTotalH)}`;
  out.push(t.rawTotalH < 0 ? `total = ${sum} → 0 (never below 0)` : `total = ${sum}`);
  if (t.idxUncappedH < 0) {
    out.push('index: none (max is 0: every regular leaf is N/A)');
  } else {
    const exact = formatQuotient(t.totalH * 100, t.regularMaxH, 4);
    const capped = t.idxH !== t.idxUncappedH ? ' → capped at 100' : '';
    out.push(`index = ${f(t.totalH)} / ${f(t.regularMaxH)} × 100 = ${exact} → ${f(t.idxUncappedH)} (half-up, 2 decimals)${capped}`);
  }
  if (t.band !== null) {
    out.push(`band: ${t.band.code}${t.band.label ? ` (${t.band.label})` : ''} — the highest band with index ≥ minIndex ${t.band.minIndex}`);
  } else {
    out.push(t.idxUncappedH < 0 ? 'band: none (no index)' : 'band: none (index below every band)');
  }
  return out;
}
