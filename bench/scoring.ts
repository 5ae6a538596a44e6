// Benchmark of the scoring engine (not part of the tests): `npx tsx bench/scoring.ts`.
//
// A deterministic synthetic framework of 120 leaves in 8 areas (6 regular, 1 bonus, 1 penalty) using every rule
// type, 4,000 units with deterministic pseudo-random inputs. Timed pipelines (median of several runs after a
// warm-up):
//   lean  — the batch path, no strings built: evaluateUnitLeaves (every leaf's points in hundredths, inputs validated)
//           + aggregateHundredths (validated copy, areas, caps, total, index, band) per unit + rankGroup
//   full  — evaluateLeaf (points + explanation string) + aggregateUnit + reading every unit's trace + rankGroup
//   touch — the baseline (issue 14): a loop that touches every leaf input once, reading the field the rule needs
//           (no validation, no scoring): what any evaluator of these inputs must at least pay
//   plain — context only: a loop summing the same leaf points pre-generated as JS numbers (no input touched)
// Ratios are stated against touch; target: full engine < 1 s on this machine and within 20× of touch.

import { performance } from 'node:perf_hooks';
import {
  aggregateHundredths,
  aggregateUnit,
  compileFramework,
  evaluateLeaf,
  evaluateUnitLeaves,
  rankGroup,
  scoreLeaf,
  type CompiledLeaf,
  type CriterionNode,
  type LeafInput,
  type Rule,
  type ScoringFramework,
  type UnitResult,
} from '../src/scoring/index.js';

const UNITS = 4_000;
const AREAS = 8;
const LEAVES_PER_AREA = 15; // 8 × 15 = 120 leaves
const WARMUP = 5;
const RUNS = 15;

/** mulberry32: small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(20251124);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

// ------------------------------------------------------------------------------------------ framework

type Kind = 'manual' | 'binary' | 'options' | 'tieredPercent' | 'tieredRatio' | 'tieredCount' | 'propPercent' | 'propRatio' | 'survey';
const KINDS: Kind[] = ['manual', 'binary', 'options', 'tieredPercent', 'tieredRatio', 'tieredCount', 'propPercent', 'propRatio', 'survey'];

function ruleFor(kind: Kind, max: number): Rule {
  switch (kind) {
    case 'manual':
      return { type: 'manual', step: 0.25 };
    case 'binary':
      return { type: 'binary' };
    case 'options':
      return {
        type: 'options',
        options: [
          { code: 'ON_TIME', label: 'Kịp thời', points: max },
          { code: 'LATE', label: 'Không kịp thời', points: max / 2 },
          { code: 'NONE', label: 'Không ban hành', points: 0 },
        ],
      };
    case 'tieredPercent':
      return { type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: max }, { gte: 70, points: max / 2 }], otherwise: 0 };
    case 'tieredRatio':
      return { type: 'tiered', input: 'ratio', tiers: [{ lt: 2, points: max }, { lte: 5, points: max / 2 }], otherwise: 0 };
    case 'tieredCount':
      return { type: 'tiered', input: 'count', tiers: [{ gte: 3, points: max }, { gte: 1, points: max / 2 }] };
    case 'propPercent':
      return { type: 'proportional', input: 'percent', direction: 'higher' };
    case 'propRatio':
      return { type: 'proportional', input: 'ratio', direction: 'lower' };
    case 'survey':
      return { type: 'survey', surveyCode: 'SIPAS', questionCodes: ['Q1', 'Q2'] };
  }
}

interface LeafSpec {
  code: string;
  kind: Kind;
  max: number;
  areaKind: 'regular' | 'bonus' | 'penalty';
}

const specs: LeafSpec[] = [];
const criteria: CriterionNode[] = [];
for (let a = 1; a <= AREAS; a++) {
  const areaKind = a === 7 ? 'bonus' : a === 8 ? 'penalty' : 'regular';
  const children: CriterionNode[] = [];
  let sumH = 0;
  for (let l = 1; l <= LEAVES_PER_AREA; l++) {
    const kind = KINDS[(a * 7 + l) % KINDS.length] as Kind;
    const max = [0.5, 1, 1.5, 2, 3][(a + l) % 5] as number;
    const code = `${a}.${l}`;
    specs.push({ code, kind, max, areaKind });
    sumH += Math.round(max * 100);
    children.push({
      code,
      title: `Tiêu chí ${code}`,
      maxPoints: max,
      source: kind === 'survey' ? 'survey' : 'self',
      naAllowed: kind === 'tieredRatio' || kind === 'propRatio',
      rule: ruleFor(kind, max),
    });
  }
  criteria.push({ code: String(a), title: `Lĩnh vực ${a}`, maxPoints: sumH / 100, kind: areaKind, children });
}
const framework: ScoringFramework = {
  bonusCap: 2,
  penaltyCap: 5,
  bands: [
    { code: 'XS', label: 'Xuất sắc', minIndex: 90 },
    { code: 'TOT', label: 'Tốt', minIndex: 80 },
    { code: 'KHA', label: 'Khá', minIndex: 70 },
    { code: 'TB', label: 'Trung bình', minIndex: 50 },
    { code: 'YEU', label: 'Yếu', minIndex: 0 },
  ],
  criteria,
};

// --------------------------------------------------------------------------------------------- inputs

function inputFor(kind: Kind, max: number): { input: LeafInput; survey?: string | number | null } {
  switch (kind) {
    case 'manual':
      return { input: { points: int(0, Math.round(max * 4)) / 4 } };
    case 'binary':
      return { input: { value: rand() < 0.7 } };
    case 'options':
      return { input: { option: ['ON_TIME', 'LATE', 'NONE'][int(0, 2)] as string } };
    case 'tieredPercent':
    case 'propPercent':
      return { input: { percent: int(0, 10_000) / 100 } }; // 2-decimal percents
    case 'tieredRatio':
    case 'propRatio': {
      const d = rand() < 0.05 ? 0 : int(1, 400);
      return { input: { numerator: d === 0 ? 0 : int(0, d), denominator: d } };
    }
    case 'tieredCount':
      return { input: { count: int(0, 6) } };
    case 'survey': {
      const r = rand();
      if (r < 0.05) return { input: {}, survey: null };
      if (r < 0.5) return { input: {}, survey: int(0, 100) / 100 };
      const n = int(1, 300);
      return { input: {}, survey: `${int(0, n)}/${n}` };
    }
  }
}

interface UnitData {
  unitCode: string;
  unitName: string;
  inputs: LeafInput[];
  surveys: (string | number | null | undefined)[];
}

const NAMES = ['An Hòa', 'Ấp Bắc', 'Bình Minh', 'Đông Hải', 'Dương Đông', 'Cái Khế', 'Ân Phú', 'Ea Tam', 'Ô Môn', 'Ưu Điềm'];
const units: UnitData[] = [];
for (let u = 0; u < UNITS; u++) {
  const inputs: LeafInput[] = [];
  const surveys: (string | number | null | undefined)[] = [];
  for (const s of specs) {
    const x = inputFor(s.kind, s.max);
    inputs.push(x.input);
    surveys.push(x.survey);
  }
  units.push({ unitCode: `U${String(u).padStart(4, '0')}`, unitName: `Phường ${NAMES[u % NAMES.length]} ${Math.floor(u / 10)}`, inputs, surveys });
}

// ------------------------------------------------------------------------------------------- pipelines

const cf = compileFramework(framework);
const compiled: CompiledLeaf[] = specs.map((s) => cf.leaf(s.code) as CompiledLeaf);
const codes = specs.map((s) => s.code);
const nLeaves = specs.length;

const buffer = new Int32Array(cf.leaves.length);
function runLean(): number {
  const rows: { unitCode: string; unitName: string; index: number | null }[] = new Array(UNITS);
  for (let u = 0; u < UNITS; u++) {
    const unit = units[u] as UnitData;
    const r = aggregateHundredths(cf, evaluateUnitLeaves(cf, unit.inputs, unit.surveys, buffer));
    rows[u] = { unitCode: unit.unitCode, unitName: unit.unitName, index: r.index };
  }
  const ranked = rankGroup(rows);
  return ranked.length;
}

function runFull(): number {
  const rows: { unitCode: string; unitName: string; index: number | null; areas: UnitResult['areas'] }[] = new Array(UNITS);
  let chars = 0;
  for (let u = 0; u < UNITS; u++) {
    const unit = units[u] as UnitData;
    const finalPoints: Record<string, number> = {};
    const notApplicable: string[] = [];
    for (let i = 0; i < nLeaves; i++) {
      const r = evaluateLeaf(compiled[i] as CompiledLeaf, unit.inputs[i] as LeafInput, { surveyScore: unit.surveys[i] });
      if (r.status === 'not_applicable') notApplicable.push(codes[i] as string);
      else {
        finalPoints[codes[i] as string] = r.points;
        chars += r.explanation.length;
      }
    }
    const result = aggregateUnit(cf, { finalPoints, notApplicable });
    for (const line of result.trace) chars += line.length; // materialise (and read) every trace line
    chars += result.items.length;
    rows[u] = { unitCode: unit.unitCode, unitName: unit.unitName, index: result.index, areas: result.areas };
  }
  const ranked = rankGroup(rows);
  return ranked.length + chars;
}

// Pre-generated JS numbers: the same leaf points the engine produces (N/A as 0), per unit.
const plainPoints: number[][] = units.map((unit) =>
  compiled.map((leaf, i) => scoreLeaf(leaf, unit.inputs[i] as LeafInput, { surveyScore: unit.surveys[i] }) ?? 0),
);

function runPlain(): number {
  let grand = 0;
  for (let u = 0; u < UNITS; u++) {
    const pts = plainPoints[u] as number[];
    let sum = 0;
    for (let i = 0; i < nLeaves; i++) sum += pts[i] as number;
    grand += sum;
  }
  return grand;
}

// The baseline: a loop that just reads the relevant number out of each input object (one monomorphic load per rule
// kind, no validation, no scoring): the memory traffic and property loads any evaluator of these inputs must pay.
const kindIndex = specs.map((s) => KINDS.indexOf(s.kind));
function runTouch(): number {
  let grand = 0;
  for (let u = 0; u < UNITS; u++) {
    const unit = units[u] as UnitData;
    const inputs = unit.inputs;
    for (let i = 0; i < nLeaves; i++) {
      const x = inputs[i] as LeafInput;
      switch (kindIndex[i]) {
        case 0:
          grand += x.points as number;
          break;
        case 1:
          grand += x.value ? 1 : 0;
          break;
        case 2:
          grand += (x.option as string).length;
          break;
        case 3:
        case 6:
          grand += x.percent as number;
          break;
        case 4:
        case 7:
          grand += (x.numerator as number) + (x.denominator as number);
          break;
        case 5:
          grand += x.count as number;
          break;
        default: {
          const sc = unit.surveys[i];
          grand += typeof sc === 'number' ? sc : typeof sc === 'string' ? sc.length : 0;
        }
      }
    }
  }
  return grand;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(name: string, fn: () => number): number {
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    sink += fn();
    ms.push(performance.now() - t0);
  }
  const m = median(ms);
  console.log(`${name.padEnd(6)} median ${m.toFixed(3)} ms  (runs: ${ms.map((x) => x.toFixed(2)).join(', ')})  [sink ${sink % 997}]`);
  return m;
}

console.log(`scoring bench: ${UNITS} units × ${nLeaves} leaves (${AREAS} areas, rule types: ${KINDS.join(', ')}); median of ${RUNS} runs after ${WARMUP} warm-ups`);
const plain = time('plain', runPlain);
const touch = time('touch', runTouch);
const lean = time('lean', runLean);
const full = time('full', runFull);
const verdict = (ms: number) => `${(ms / touch).toFixed(1)}× touch (${(ms / plain).toFixed(1)}× plain) — ${ms < 1000 && ms / touch <= 20 ? 'meets' : 'MISSES'} target (< 1000 ms, ≤ 20× touch)`;
console.log(`plain / touch = ${(plain / touch).toFixed(2)}× (context: summing pre-computed numbers, no input touched)`);
console.log(`lean / touch = ${verdict(lean)}`);
console.log(`full / touch = ${verdict(full)}`);
