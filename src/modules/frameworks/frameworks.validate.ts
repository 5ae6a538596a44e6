// Pure validation of a framework document (SPEC §3, §4, §9): one error per problem, each naming the field by the
// criterion code (see FIELD_CONVENTION) and starting its message with that code. No I/O: references to surveys are
// collected by `surveyReferencesOf` and checked by the service through a hook once the surveys module exists.
import type { z } from 'zod';
import type { FieldError } from '../../lib/errors.js';
import { compileFramework, ScoringFrameworkError } from '../../scoring/index.js';
import {
  CRITERION_CODE,
  frameworkDocumentSchema,
  isLeaf,
  MAX_DEPTH,
  MAX_NODES,
  normaliseDocument,
  ruleTypes,
  tierOps,
  walkCriteria,
  type CriterionInput,
  type FrameworkDocument,
  type FrameworkInput,
  type Rule,
  type Tier,
  type TierOp,
} from './frameworks.document.js';

export type ValidationResult = { ok: true; document: FrameworkDocument } | { ok: false; errors: FieldError[] };

/** Beyond this many errors the rest are dropped: the client fixes the first ones and submits again. */
const MAX_ERRORS = 200;
const DEFAULT_STEP = 0.25;
/** Upper bound for any points value; far above real frameworks (100-point scales) and within numeric(8,2). */
const MAX_POINTS = 10_000;

export function validateFrameworkDocument(raw: unknown): ValidationResult {
  const shapeErrors = checkSize(raw);
  if (shapeErrors.length > 0) return { ok: false, errors: shapeErrors };
  const parsed = frameworkDocumentSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.flatMap((i) => fromZodIssue(raw, i)).slice(0, MAX_ERRORS) };
  const errors = checkSemantics(parsed.data);
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
  const document = normaliseDocument(parsed.data);
  const engineError = checkWithEngine(document);
  return engineError ? { ok: false, errors: [engineError] } : { ok: true, document };
}

/**
 * The scoring engine must accept whatever is stored, or scoring a round would fail later. The checks above are
 * stricter, so this only fires if the two drift apart; it then still names the field.
 */
function checkWithEngine(document: FrameworkDocument): FieldError | null {
  try {
    compileFramework(document);
    return null;
  } catch (e) {
    if (!(e instanceof ScoringFrameworkError)) throw e;
    const path = [...e.path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
    const { field, criterion } = nameField(document, path);
    return { field: field || '(document)', code: 'rejected_by_scoring_engine', message: message(criterion, e.message) };
  }
}

// ------------------------------------------------------------------------------------------- field names

const codeOf = (node: unknown): string | null => {
  const code = (node as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CRITERION_CODE.test(code) && code.length <= 32 ? code : null;
};

/**
 * Names a path inside a (possibly malformed) document by the convention of FIELD_CONVENTION: `field` is the full
 * name, `criterion` the innermost criterion on the path (its code, or its positional name), `local` the rest.
 */
export function nameField(doc: unknown, path: readonly PropertyKey[]): { field: string; criterion: string | null; local: string } {
  let node = '';
  let local = '';
  let criterion: string | null = null;
  let cur: unknown = doc;
  let atCriterion = false;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const next = path[i + 1];
    const criteriaList = (i === 0 && seg === 'criteria') || (atCriterion && seg === 'children');
    if (criteriaList && typeof next === 'number') {
      const list = (cur as Record<string, unknown> | null)?.[seg];
      cur = Array.isArray(list) ? (list[next] as unknown) : undefined;
      const code = codeOf(cur);
      node = code !== null ? `criteria[${code}]` : seg === 'criteria' ? `criteria[#${next}]` : `${node}.children[#${next}]`;
      criterion = code ?? node;
      local = '';
      atCriterion = true;
      i++;
      continue;
    }
    local += typeof seg === 'number' ? `[${seg}]` : local === '' ? String(seg) : `.${String(seg)}`;
    cur = (cur as Record<PropertyKey, unknown> | null)?.[seg];
    atCriterion = false;
  }
  return { field: node && local ? `${node}.${local}` : node || local, criterion, local };
}

function message(criterion: string | null, text: string): string {
  if (criterion === null) return text;
  return CRITERION_CODE.test(criterion) ? `criterion ${criterion}: ${text}` : `criterion at ${criterion}: ${text}`;
}

function fromZodIssue(raw: unknown, issue: z.core.$ZodIssue): FieldError[] {
  const { field, criterion, local } = nameField(raw, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({
      field: field === '' ? k : `${field}.${k}`,
      code: 'unrecognized_key',
      message: message(criterion, `${local ? `${local}.` : ''}${k} is not an accepted field`),
    }));
  }
  const text =
    issue.code === 'invalid_union' && local.endsWith('rule.type')
      ? `rule.type must be one of ${ruleTypes.join(', ')}`
      : local
        ? `${local}: ${issue.message}`
        : issue.message;
  return [{ field: field || '(document)', code: issue.code, message: message(criterion, text) }];
}

/** Depth and size limits before the recursive parse, so a hostile document cannot exhaust the stack. */
function checkSize(raw: unknown): FieldError[] {
  const criteria = (raw as { criteria?: unknown } | null)?.criteria;
  if (!Array.isArray(criteria)) return [];
  const stack: Array<{ nodes: unknown[]; depth: number; path: PropertyKey[] }> = [{ nodes: criteria, depth: 1, path: ['criteria'] }];
  let count = 0;
  while (stack.length > 0) {
    const { nodes, depth, path } = stack.pop()!;
    for (let i = 0; i < nodes.length; i++) {
      if (++count > MAX_NODES) return [{ field: 'criteria', code: 'too_big', message: `a framework has at most ${MAX_NODES} criteria` }];
      const children = (nodes[i] as { children?: unknown } | null)?.children;
      if (!Array.isArray(children) || children.length === 0) continue;
      const childPath = [...path, i, 'children'];
      if (depth + 1 > MAX_DEPTH) {
        const { field, criterion } = nameField(raw, [...path, i]);
        return [{ field: `${field}.children`, code: 'too_deep', message: message(criterion, `criteria are nested deeper than ${MAX_DEPTH} levels`) }];
      }
      stack.push({ nodes: children, depth: depth + 1, path: childPath });
    }
  }
  return [];
}

// ---------------------------------------------------------------------------------------------- numbers

/** Integer hundredths of x, or NaN when x has more than 2 decimals. Exact: compares decimal meanings. */
export function hundredths(x: number): number {
  const h = Math.round(x * 100);
  return h / 100 === x ? h : NaN;
}

const fmt = (x: number) => String(x);

// -------------------------------------------------------------------------------------------- semantics

type Report = (field: string, code: string, text: string) => void;

function checkSemantics(doc: FrameworkInput): FieldError[] {
  const errors: FieldError[] = [];
  const docReport: Report = (field, code, text) => errors.push({ field, code, message: text });

  checkPoints(docReport, 'bonusCap', 'bonusCap', doc.bonusCap);
  checkPoints(docReport, 'penaltyCap', 'penaltyCap', doc.penaltyCap);
  checkBands(docReport, doc.bands);

  if (doc.criteria.length === 0) docReport('criteria', 'required', 'a framework needs at least one area');
  else if (!doc.criteria.some((a) => (a.kind ?? 'regular') === 'regular')) {
    docReport('criteria', 'no_regular_area', 'at least one area must be regular (bonus and penalty areas do not count in the maximum)');
  }

  const seen = new Set<string>();
  for (const { node, parent } of walkCriteria(doc.criteria)) {
    const base = `criteria[${node.code}]`;
    const report: Report = (field, code, text) =>
      errors.push({ field: field ? `${base}.${field}` : base, code, message: `criterion ${node.code}: ${text}` });
    if (seen.has(node.code)) report('code', 'duplicate', `code ${node.code} is used by more than one criterion`);
    seen.add(node.code);
    checkNesting(report, node, parent);
    if (checkPoints(report, 'maxPoints', 'maxPoints', node.maxPoints) && node.maxPoints === 0) {
      report('maxPoints', 'out_of_range', 'maxPoints must be greater than 0');
    }
    if (node.kind !== undefined && parent !== null) {
      report('kind', 'kind_not_area', `kind belongs on areas (top-level criteria) only; ${node.code} is under ${parent.code}`);
    }
    if (node.children !== undefined && node.children.length === 0) {
      report('children', 'empty_children', 'children is empty: remove it to make this a leaf (with a rule and a source)');
    }
    if (isLeaf(node)) checkLeaf(report, node);
    else checkBranch(report, node);
  }
  return errors;
}

/** Returns true when `value` is a non-negative number with at most 2 decimals (and not absurdly large). */
function checkPoints(report: Report, field: string, label: string, value: number): boolean {
  if (value < 0 || value > MAX_POINTS) {
    report(field, 'out_of_range', value < 0 ? `${label} must not be negative (got ${fmt(value)})` : `${label} must be at most ${MAX_POINTS} (got ${fmt(value)})`);
    return false;
  }
  if (Number.isNaN(hundredths(value))) {
    report(field, 'too_many_decimals', `${label} ${fmt(value)} has more than 2 decimals`);
    return false;
  }
  return true;
}

function checkBands(report: Report, bands: FrameworkInput['bands']) {
  if (bands.length === 0) {
    report('bands', 'required', 'at least one band is needed, the lowest starting at minIndex 0');
    return;
  }
  const codes = new Set<string>();
  bands.forEach((b, i) => {
    const f = `bands[${i}]`;
    if (codes.has(b.code)) report(`${f}.code`, 'duplicate', `band ${b.code}: code is used by more than one band`);
    codes.add(b.code);
    if (b.minIndex < 0 || b.minIndex > 100) report(`${f}.minIndex`, 'out_of_range', `band ${b.code}: minIndex must be between 0 and 100 (got ${fmt(b.minIndex)})`);
    else if (Number.isNaN(hundredths(b.minIndex))) report(`${f}.minIndex`, 'too_many_decimals', `band ${b.code}: minIndex ${fmt(b.minIndex)} has more than 2 decimals`);
    const prev = bands[i - 1];
    if (prev && b.minIndex >= prev.minIndex) {
      report(`${f}.minIndex`, 'bands_order', `band ${b.code}: minIndex ${fmt(b.minIndex)} must be lower than ${fmt(prev.minIndex)} of band ${prev.code} before it (bands are listed from the highest down, strictly)`);
    }
  });
  const last = bands[bands.length - 1]!;
  if (last.minIndex !== 0) {
    report(`bands[${bands.length - 1}].minIndex`, 'bands_floor', `band ${last.code}: the lowest band must start at minIndex 0 so that every index has a band`);
  }
}

function checkNesting(report: Report, node: CriterionInput, parent: CriterionInput | null) {
  if (parent === null) {
    if (node.code.includes('.')) report('code', 'not_nested', `an area (top-level criterion) has a one-part code such as "1", not "${node.code}"`);
    return;
  }
  const prefix = `${parent.code}.`;
  if (!node.code.startsWith(prefix) || node.code.slice(prefix.length).includes('.')) {
    report('code', 'not_nested', `${node.code} is listed under ${parent.code}, so its code must be ${parent.code}.<n> (e.g. ${parent.code}.1)`);
  }
}

function checkBranch(report: Report, node: CriterionInput) {
  const children = node.children!;
  for (const field of ['rule', 'source', 'naAllowed', 'evidence', 'feed'] as const) {
    if (node[field] !== undefined) report(field, 'leaf_field_on_node', `${field} belongs on leaves only; ${node.code} has sub-criteria`);
  }
  const sumH = children.reduce((s, c) => s + hundredths(c.maxPoints), 0);
  const ownH = hundredths(node.maxPoints);
  // A child with bad points is reported on the child; the sum is only meaningful when every part is valid.
  if (!Number.isNaN(sumH) && !Number.isNaN(ownH) && sumH !== ownH) {
    const parts = children.map((c) => `${c.code}: ${fmt(c.maxPoints)}`).join(' + ');
    report('maxPoints', 'sum_mismatch', `maxPoints ${fmt(node.maxPoints)} is not the sum of its sub-criteria's maxPoints (${parts} = ${fmt(sumH / 100)})`);
  }
}

function checkLeaf(report: Report, node: CriterionInput) {
  if (node.source === undefined) report('source', 'required', 'a leaf needs a source: self, survey or appraisal');
  if (node.rule === undefined) {
    report('rule', 'required', 'a leaf needs a rule');
    return;
  }
  if (node.source !== undefined && (node.source === 'survey') !== (node.rule.type === 'survey')) {
    report(
      'source',
      'source_rule_mismatch',
      node.source === 'survey'
        ? `source "survey" needs a rule of type "survey" (got "${node.rule.type}")`
        : `a rule of type "survey" is computed from survey results, so source must be "survey" (got "${node.source}")`,
    );
  }
  // Tracked data gives a count of a count (k of n): only a ratio input can take it.
  if (node.feed && !((node.rule.type === 'tiered' || node.rule.type === 'proportional') && node.rule.input === 'ratio')) {
    report('feed', 'feed_needs_ratio', `a feed (${node.feed.source}) fills numerator and denominator, so the rule must take "input": "ratio" (got ${node.rule.type}${'input' in node.rule ? ` with input "${node.rule.input}"` : ''})`);
  }
  const maxH = hundredths(node.maxPoints);
  if (Number.isNaN(maxH) || maxH <= 0) return; // reported on maxPoints; point bounds below would only repeat it
  checkRule((field, code, text) => report(`rule${field ? `.${field}` : ''}`, code, text), node.rule, maxH);
}

function checkRule(report: Report, rule: Rule, maxH: number) {
  const max = fmt(maxH / 100);
  /** Points awarded by some outcome; validates range and decimals. Returns hundredths or NaN. */
  const awarded = (field: string, label: string, value: number): number => {
    if (!checkPoints(report, field, label, value)) return NaN;
    const h = hundredths(value);
    if (h > maxH) {
      report(field, 'out_of_range', `${label} ${fmt(value)} exceeds the criterion's maxPoints ${max}`);
      return NaN;
    }
    return h;
  };
  const requireFullMarks = (reachableH: number[], what: string) => {
    const valid = reachableH.filter((h) => !Number.isNaN(h));
    if (valid.length === reachableH.length && !valid.includes(maxH)) {
      report('', 'max_unreachable', `no ${what} awards the full maxPoints ${max} (highest: ${fmt(Math.max(0, ...valid) / 100)}), so no unit could reach it`);
    }
  };

  switch (rule.type) {
    case 'manual': {
      const step = rule.step ?? DEFAULT_STEP;
      const stepH = hundredths(step);
      if (step <= 0) report('step', 'out_of_range', `step must be greater than 0 (got ${fmt(step)})`);
      else if (Number.isNaN(stepH)) report('step', 'too_many_decimals', `step ${fmt(step)} has more than 2 decimals`);
      else if (maxH % stepH !== 0) {
        const which = rule.step === undefined ? `the default step ${DEFAULT_STEP}` : `step ${fmt(step)}`;
        report('step', 'step_not_divisor', `${which} does not divide maxPoints ${max}, so full marks could not be entered; choose a step that divides it`);
      }
      return;
    }
    case 'binary':
    case 'proportional':
      return; // full marks by construction; the shape is checked by the schema
    case 'options': {
      if (rule.options.length === 0) {
        report('options', 'required', 'an options rule needs at least one option');
        return;
      }
      const codes = new Set<string>();
      const hs = rule.options.map((o, i) => {
        if (codes.has(o.code)) report(`options[${i}].code`, 'duplicate', `option code "${o.code}" is used more than once`);
        codes.add(o.code);
        return awarded(`options[${i}].points`, `option ${o.code} points`, o.points);
      });
      requireFullMarks(hs, 'option');
      return;
    }
    case 'tiered':
      checkTiers(report, rule, awarded, requireFullMarks);
      return;
    case 'survey': {
      const hasQ = rule.questionCodes !== undefined;
      if (hasQ === (rule.dimensionCode !== undefined)) {
        report('', 'survey_mapping', `a survey rule maps exactly one of questionCodes or dimensionCode of survey ${rule.surveyCode} (found ${hasQ ? 'both' : 'neither'})`);
      }
      if (hasQ && rule.questionCodes!.length === 0) report('questionCodes', 'required', 'questionCodes must list at least one question');
      const qs = new Set<string>();
      rule.questionCodes?.forEach((q, i) => {
        if (qs.has(q)) report(`questionCodes[${i}]`, 'duplicate', `question ${q} is listed more than once`);
        qs.add(q);
      });
      return;
    }
  }
}

// ------------------------------------------------------------------------------------------------ tiers

/** A set of input values still unclaimed by earlier tiers: an interval, possibly open at either end. */
interface Interval {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
}

const isEmpty = (s: Interval) => s.lo > s.hi || (s.lo === s.hi && (s.loOpen || s.hiOpen));

function intersect(a: Interval, b: Interval): Interval {
  const lo = a.lo > b.lo ? a : b.lo > a.lo ? b : { lo: a.lo, loOpen: a.loOpen || b.loOpen };
  const hi = a.hi < b.hi ? a : b.hi < a.hi ? b : { hi: a.hi, hiOpen: a.hiOpen || b.hiOpen };
  return { lo: lo.lo, loOpen: lo.loOpen, hi: hi.hi, hiOpen: hi.hiOpen };
}

/**
 * The values a bound covers (`covers`) and those it leaves (`rest`). Counts are whole numbers, so their bounds
 * become closed integer bounds (count > 2.5 ⇔ count ≥ 3).
 */
function halfLines(op: TierOp, b: number, integers: boolean): { covers: Interval; rest: Interval } {
  const all = { lo: -Infinity, loOpen: true, hi: Infinity, hiOpen: true };
  const atLeast = (x: number, open: boolean): Interval => ({ ...all, lo: x, loOpen: open });
  const atMost = (x: number, open: boolean): Interval => ({ ...all, hi: x, hiOpen: open });
  if (integers) {
    const first = op === 'gte' ? Math.ceil(b) : op === 'gt' ? Math.floor(b) + 1 : op === 'lte' ? Math.floor(b) : Math.ceil(b) - 1;
    return op === 'gte' || op === 'gt'
      ? { covers: atLeast(first, false), rest: atMost(first - 1, false) }
      : { covers: atMost(first, false), rest: atLeast(first + 1, false) };
  }
  switch (op) {
    case 'gte':
      return { covers: atLeast(b, false), rest: atMost(b, true) };
    case 'gt':
      return { covers: atLeast(b, true), rest: atMost(b, false) };
    case 'lte':
      return { covers: atMost(b, false), rest: atLeast(b, true) };
    case 'lt':
      return { covers: atMost(b, true), rest: atLeast(b, false) };
  }
}

const OP_TEXT: Record<TierOp, string> = { gte: '≥', gt: '>', lte: '≤', lt: '<' };

function checkTiers(
  report: Report,
  rule: Extract<Rule, { type: 'tiered' }>,
  awarded: (field: string, label: string, value: number) => number,
  requireFullMarks: (reachableH: number[], what: string) => void,
) {
  if (rule.tiers.length === 0) {
    report('tiers', 'required', 'a tiered rule needs at least one tier');
    return;
  }
  const integers = rule.input === 'count';
  const domain: Interval = integers
    ? { lo: 0, loOpen: false, hi: Infinity, hiOpen: true }
    : { lo: 0, loOpen: false, hi: 100, hiOpen: false };
  const unit = integers ? '' : '%';
  let remaining = domain;
  let wellFormed = true;
  const reachableH: number[] = [];
  rule.tiers.forEach((t: Tier, i) => {
    const f = `tiers[${i}]`;
    const h = awarded(`${f}.points`, `tiers[${i}] points`, t.points);
    const ops = tierOps.filter((op) => t[op] !== undefined);
    if (ops.length !== 1) {
      report(f, 'tier_bound', `tiers[${i}] needs exactly one bound of gte, gt, lte, lt (found ${ops.length === 0 ? 'none' : ops.join(', ')})`);
      wellFormed = false;
      return;
    }
    const op = ops[0]!;
    const b = t[op]!;
    if (b < domain.lo || b > domain.hi) {
      report(`${f}.${op}`, 'out_of_range', `tiers[${i}].${op} ${fmt(b)} is outside the ${rule.input} range (${integers ? 'a whole number ≥ 0' : '0–100'})`);
      wellFormed = false;
      return;
    }
    if (!wellFormed) return; // reachability after a malformed or unreachable tier would be guesswork
    const { covers, rest } = halfLines(op, b, integers);
    if (isEmpty(intersect(remaining, covers))) {
      report(
        `${f}.${op}`,
        'tier_unreachable',
        `tiers[${i}] (${OP_TEXT[op]} ${fmt(b)}${unit}) can never apply: tiers are tried top-down and earlier tiers already take every value it covers; order lower bounds (gte/gt) from highest to lowest and upper bounds (lte/lt) from lowest to highest`,
      );
      wellFormed = false;
    } else reachableH.push(h);
    remaining = intersect(remaining, rest);
  });
  const otherwiseH = rule.otherwise === undefined ? 0 : awarded('otherwise', 'otherwise', rule.otherwise);
  // After a malformed or unreachable tier the missing full marks would only restate that problem.
  if (!wellFormed) return;
  if (!isEmpty(remaining)) reachableH.push(otherwiseH);
  requireFullMarks(reachableH, 'reachable tier');
}

// -------------------------------------------------------------------------------------- survey references

export interface SurveyReference {
  /** Field of the rule, e.g. "criteria[8.1].rule". */
  field: string;
  criterionCode: string;
  surveyCode: string;
  questionCodes?: string[];
  dimensionCode?: string;
}

/** Every survey rule of a validated document, for the existence check the surveys module will provide. */
export function surveyReferencesOf(doc: FrameworkDocument): SurveyReference[] {
  const refs: SurveyReference[] = [];
  for (const { node } of walkCriteria(doc.criteria)) {
    if (node.rule?.type !== 'survey') continue;
    const { surveyCode, questionCodes, dimensionCode } = node.rule;
    refs.push({
      field: `criteria[${node.code}].rule`,
      criterionCode: node.code,
      surveyCode,
      ...(questionCodes ? { questionCodes } : {}),
      ...(dimensionCode ? { dimensionCode } : {}),
    });
  }
  return refs;
}
