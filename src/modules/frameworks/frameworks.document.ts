// The framework document (SPEC §9): its zod shape (request bodies, responses, OpenAPI), the normalised form the
// service stores and returns, and pure helpers over the criteria tree. No I/O.
import { z } from 'zod';
import { feedSources, type FeedSource } from '../../db/schema.js';

export const FRAMEWORK_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** "1", "1.2", "1.2.3": one segment per level; a child's code is its parent's plus one segment. */
export const CRITERION_CODE = /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$/;
/** Deepest criteria nesting accepted (area → criterion → sub-criterion → … ); real frameworks use 3–4. */
export const MAX_DEPTH = 6;
export const MAX_NODES = 2_000;

export const ruleTypes = ['manual', 'binary', 'options', 'tiered', 'proportional', 'survey'] as const;
export const sources = ['self', 'survey', 'appraisal'] as const;
export const areaKinds = ['regular', 'bonus', 'penalty'] as const;
export const tierOps = ['gte', 'gt', 'lte', 'lt'] as const;
/** How "không phát sinh" (N/A) counts (issue 13): provinces rule either way. */
export const notApplicableScorings = ['rebase', 'full_points'] as const;
/** Tracked data that can pre-fill a ratio criterion's self input (issue 17); the list lives with the tables. */
export { feedSources };
export type FeedSourceName = FeedSource;

export type RuleType = (typeof ruleTypes)[number];
export type Source = (typeof sources)[number];
export type AreaKind = (typeof areaKinds)[number];
export type TierOp = (typeof tierOps)[number];
export type NotApplicableScoring = (typeof notApplicableScorings)[number];

export const FIELD_CONVENTION =
  'Validation errors (422) name each field by its path inside this document. A criterion is named by its code in ' +
  'brackets, e.g. `criteria[1.2].maxPoints` or `criteria[1.2].rule.tiers[0].gt`; a criterion without a usable code ' +
  'by its position with #, e.g. `criteria[#0]` or `criteria[1].children[#2].code`. Other arrays use the index: ' +
  '`bands[1].minIndex`. Every message starts with the criterion code ("criterion 1.2: …").';

const pointsValue = z.number().describe('Points: a number with at most 2 decimals');
const text = (max: number) => z.string().trim().min(1).max(max);

const tierSchema = z
  .strictObject({
    gte: z.number().optional(),
    gt: z.number().optional(),
    lte: z.number().optional(),
    lt: z.number().optional(),
    points: pointsValue,
  })
  .describe('Exactly one bound of gte, gt, lte, lt; tiers are tried top-down and the first that holds gives its points')
  .meta({ id: 'FrameworkTier' });

export const ruleSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('manual'),
      step: z.number().optional().describe('Points are a multiple of step (default 0.25); step must divide maxPoints'),
    }),
    z.strictObject({ type: z.literal('binary') }),
    z.strictObject({
      type: z.literal('options'),
      options: z.array(z.strictObject({ code: text(32), label: text(300), points: pointsValue })).max(20),
    }),
    z.strictObject({
      type: z.literal('tiered'),
      input: z.enum(['percent', 'ratio', 'count']),
      tiers: z.array(tierSchema).max(20),
      otherwise: pointsValue.optional().describe('Points when no tier holds (default 0)'),
    }),
    z.strictObject({
      type: z.literal('proportional'),
      input: z.enum(['percent', 'ratio']),
      direction: z.enum(['higher', 'lower']).describe('higher: max × p/100; lower: max × (1 − p/100)'),
    }),
    z.strictObject({
      type: z.literal('survey'),
      surveyCode: text(64),
      questionCodes: z.array(text(32)).max(100).optional(),
      dimensionCode: text(32).optional(),
    }),
  ])
  .describe('Scoring rule of a leaf (SPEC §4)')
  .meta({ id: 'FrameworkRule' });

export type Rule = z.infer<typeof ruleSchema>;
export type Tier = z.infer<typeof tierSchema>;

const evidenceSchema = z.strictObject({
  required: z.boolean().optional().describe('Evidence (tài liệu kiểm chứng) must be attached; default false'),
  hint: z.string().trim().max(1000).optional().describe('Which documents prove the score'),
});

/** A criterion as submitted: optional fields may be absent. */
export interface CriterionInput {
  code: string;
  title: string;
  maxPoints: number;
  kind?: AreaKind | undefined;
  source?: Source | undefined;
  naAllowed?: boolean | undefined;
  rule?: Rule | undefined;
  evidence?: { required?: boolean | undefined; hint?: string | undefined } | undefined;
  feed?: { source: FeedSourceName } | undefined;
  children?: CriterionInput[] | undefined;
}

export const criterionSchema: z.ZodType<CriterionInput> = z
  .strictObject({
    code: z.string().regex(CRITERION_CODE, 'a criterion code is dot-separated letters/digits, e.g. "1.2.3"').max(32),
    title: text(1000),
    maxPoints: pointsValue,
    kind: z.enum(areaKinds).optional().describe('Top-level nodes (areas) only: bonus and penalty areas are outside max'),
    source: z.enum(sources).optional().describe('Leaves only: self (self-assessed then appraised), survey, appraisal'),
    naAllowed: z.boolean().optional().describe('Leaves only: may be "không phát sinh" (not applicable)'),
    rule: ruleSchema.optional().describe('Leaves only'),
    evidence: evidenceSchema.optional().describe('Leaves only'),
    feed: z
      .strictObject({ source: z.enum(feedSources) })
      .optional()
      .describe('Leaves with a ratio rule only: the self input is pre-filled from tracked data of the round’s year (plan tasks done on time, reports sent on time, findings remedied on time)'),
    get children() {
      return z.array(criterionSchema).max(100).optional().describe('Sub-criteria; a node without children is a leaf');
    },
  })
  .meta({ id: 'FrameworkCriterion' });

export const bandSchema = z
  .strictObject({ code: text(32), label: text(100), minIndex: z.number() })
  .meta({ id: 'FrameworkBand' });

export type Band = z.infer<typeof bandSchema>;

export const frameworkDocumentSchema = z
  .strictObject({
    code: z.string().regex(FRAMEWORK_CODE, 'letters, digits, dot, dash and underscore, at most 32 characters'),
    lineage: z
      .string()
      .regex(FRAMEWORK_CODE, 'letters, digits, dot, dash and underscore, at most 32 characters')
      .optional()
      .describe('Stable across years and versions, for year-over-year comparison; default: the code without a trailing year ("XA-2025" → "XA")'),
    name: text(300),
    year: z.number().int().min(2000).max(2100),
    legalBasis: z.string().trim().max(300).nullable().optional().describe('Decision that issues the framework, e.g. "Quyết định số 12/QĐ-UBND"'),
    bonusCap: pointsValue.describe('At most this many bonus points count'),
    penaltyCap: pointsValue.describe('At most this many penalty points are deducted'),
    surveyOptional: z.boolean().optional().describe('Survey criteria without responses are N/A (default false: they block finalisation)'),
    capIndexAt100: z.boolean().optional().describe('Default true: bonus points never lift the index above 100'),
    notApplicableScoring: z
      .enum(notApplicableScorings)
      .optional()
      .describe(
        'How a regular criterion confirmed "không phát sinh" (N/A) counts: "rebase" (default) leaves it out of points and max; "full_points" awards its full points. Survey criteria always re-base; N/A bonus and penalty criteria count 0.',
      ),
    bands: z.array(bandSchema).max(10).describe('Classification bands, listed from the highest minIndex down to 0'),
    criteria: z.array(criterionSchema).max(100).describe('Top-level criteria are the reform areas (lĩnh vực)'),
  })
  .describe(`Framework document (SPEC §9). ${FIELD_CONVENTION}`)
  .meta({ id: 'FrameworkDocument' });

export type FrameworkInput = z.infer<typeof frameworkDocumentSchema>;

/** A validated criterion in normal form: areas always carry `kind`, leaves always `naAllowed` and `evidence`. */
export interface Criterion {
  code: string;
  title: string;
  maxPoints: number;
  kind?: AreaKind;
  source?: Source;
  naAllowed?: boolean;
  rule?: Rule;
  evidence?: { required: boolean; hint?: string };
  feed?: { source: FeedSourceName };
  children?: Criterion[];
}

/** A validated document in normal form: what is stored, exported and compared. */
export interface FrameworkDocument {
  code: string;
  lineage: string;
  name: string;
  year: number;
  legalBasis: string | null;
  bonusCap: number;
  penaltyCap: number;
  surveyOptional: boolean;
  capIndexAt100: boolean;
  notApplicableScoring: NotApplicableScoring;
  bands: Band[];
  criteria: Criterion[];
}

/** "XA-2025" → "XA": the lineage links the versions of one framework across years. */
export function defaultLineage(code: string): string {
  return code.replace(/[-_.]?(19|20)\d{2}$/, '') || code;
}

/**
 * Fills defaults so that equal meaning is equal data (export → import must round-trip): area kind, a leaf's
 * naAllowed and evidence.required, and null legalBasis.
 */
export function normaliseDocument(input: FrameworkInput): FrameworkDocument {
  const node = (c: CriterionInput, top: boolean): Criterion => {
    const out: Criterion = { code: c.code, title: c.title, maxPoints: c.maxPoints };
    if (top) out.kind = c.kind ?? 'regular';
    else if (c.kind !== undefined) out.kind = c.kind;
    if (c.children && c.children.length > 0) {
      out.children = c.children.map((ch) => node(ch, false));
      return out;
    }
    if (c.source !== undefined) out.source = c.source;
    out.naAllowed = c.naAllowed ?? false;
    if (c.rule !== undefined) out.rule = c.rule;
    out.evidence = { required: c.evidence?.required ?? false, ...(c.evidence?.hint ? { hint: c.evidence.hint } : {}) };
    if (c.feed) out.feed = { source: c.feed.source };
    return out;
  };
  return {
    code: input.code,
    lineage: input.lineage ?? defaultLineage(input.code),
    name: input.name,
    year: input.year,
    legalBasis: input.legalBasis || null,
    bonusCap: input.bonusCap,
    penaltyCap: input.penaltyCap,
    surveyOptional: input.surveyOptional ?? false,
    capIndexAt100: input.capIndexAt100 ?? true,
    notApplicableScoring: input.notApplicableScoring ?? 'rebase',
    bands: input.bands.map((b) => ({ code: b.code, label: b.label, minIndex: b.minIndex })),
    criteria: input.criteria.map((c) => node(c, true)),
  };
}

export interface Visit<C> {
  node: C;
  /** 1 for areas. */
  depth: number;
  parent: C | null;
  area: C;
}

/** Pre-order walk (document order). */
export function* walkCriteria<C extends { children?: C[] | undefined }>(criteria: C[]): Generator<Visit<C>> {
  const stack: Visit<C>[] = criteria.map((node) => ({ node, depth: 1, parent: null, area: node })).reverse();
  while (stack.length > 0) {
    const v = stack.pop()!;
    yield v;
    const children = v.node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, depth: v.depth + 1, parent: v.node, area: v.area });
  }
}

export const isLeaf = (c: { children?: unknown[] | undefined }) => !c.children || c.children.length === 0;

export function leavesOf(doc: Pick<FrameworkDocument, 'criteria'>): Array<Visit<Criterion>> {
  return [...walkCriteria(doc.criteria)].filter((v) => isLeaf(v.node));
}

/** Exact sum of points that have at most 2 decimals (integer hundredths, no binary float drift). */
export function sumPoints(values: number[]): number {
  return values.reduce((s, v) => s + Math.round(v * 100), 0) / 100;
}

export interface AreaSummary {
  code: string;
  title: string;
  kind: AreaKind;
  maxPoints: number;
  leafCount: number;
}

export interface FrameworkTotals {
  /** Σ maxPoints of regular areas: the index denominator when nothing is N/A. */
  maxPoints: number;
  bonusMaxPoints: number;
  penaltyMaxPoints: number;
  areaCount: number;
  criterionCount: number;
  leafCount: number;
  leavesByRuleType: Record<RuleType, number>;
  leavesBySource: Record<Source, number>;
}

export function summarise(doc: Pick<FrameworkDocument, 'criteria'>): { areas: AreaSummary[]; totals: FrameworkTotals } {
  const leaves = leavesOf(doc);
  const areas = doc.criteria.map((a) => ({
    code: a.code,
    title: a.title,
    kind: a.kind ?? 'regular',
    maxPoints: a.maxPoints,
    leafCount: leaves.filter((l) => l.area === a).length,
  }));
  const maxOf = (kind: AreaKind) => sumPoints(areas.filter((a) => a.kind === kind).map((a) => a.maxPoints));
  const count = <K extends string>(keys: readonly K[], of: (c: Criterion) => string | undefined) =>
    Object.fromEntries(keys.map((k) => [k, leaves.filter((l) => of(l.node) === k).length])) as Record<K, number>;
  return {
    areas,
    totals: {
      maxPoints: maxOf('regular'),
      bonusMaxPoints: maxOf('bonus'),
      penaltyMaxPoints: maxOf('penalty'),
      areaCount: areas.length,
      criterionCount: [...walkCriteria(doc.criteria)].length,
      leafCount: leaves.length,
      leavesByRuleType: count(ruleTypes, (c) => c.rule?.type),
      leavesBySource: count(sources, (c) => c.source),
    },
  };
}
