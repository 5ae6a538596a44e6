// Request and response shapes of the frameworks API (OpenAPI). The document itself is in frameworks.document.ts.
import { z } from 'zod';
import { frameworkStatuses } from '../../db/schema.js';
import { problemSchema, timestamp } from '../../lib/http.js';
import {
  areaKinds,
  bandSchema,
  criterionSchema,
  FRAMEWORK_CODE,
  frameworkDocumentSchema,
  MAX_NODES,
  notApplicableScorings,
  ruleTypes,
  sources,
} from './frameworks.document.js';

export const frameworkCode = z.string().regex(FRAMEWORK_CODE, 'letters, digits, dot, dash and underscore, at most 32 characters');
const year = z.number().int().min(2000).max(2100);
// Every key is always present (zero when none), so each is a declared property rather than a record's key.
const counts = <T extends readonly [string, ...string[]]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T[number], z.ZodNumber>);

const summaryFields = {
  areas: z.array(
    z.object({ code: z.string(), title: z.string(), kind: z.enum(areaKinds), maxPoints: z.number(), leafCount: z.number().int() }),
  ),
  totals: z.object({
    maxPoints: z.number().describe('Σ maxPoints of regular areas (the index denominator when nothing is N/A)'),
    bonusMaxPoints: z.number(),
    penaltyMaxPoints: z.number(),
    areaCount: z.number().int(),
    criterionCount: z.number().int(),
    leafCount: z.number().int(),
    leavesByRuleType: counts(ruleTypes),
    leavesBySource: counts(sources),
  }),
};

export const frameworkSummarySchema = z
  .object({
    code: z.string(),
    lineage: z.string(),
    name: z.string(),
    year: z.number().int(),
    legalBasis: z.string().nullable(),
    status: z.enum(frameworkStatuses).describe('A published framework is immutable'),
    version: z.number().int().describe('1, 2, … among frameworks of the same lineage and year'),
    clonedFrom: z.string().nullable(),
    createdBy: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
    publishedAt: timestamp.nullable(),
    ...summaryFields,
  })
  .meta({ id: 'FrameworkSummary' });

export const frameworkSchema = frameworkSummarySchema
  .extend({
    bonusCap: z.number(),
    penaltyCap: z.number(),
    surveyOptional: z.boolean(),
    capIndexAt100: z.boolean(),
    notApplicableScoring: z.enum(notApplicableScorings),
    bands: z.array(bandSchema),
    criteria: z.array(criterionSchema),
  })
  .meta({ id: 'Framework' });

export const listQuery = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  status: z.enum(frameworkStatuses).optional(),
  lineage: z.string().max(32).optional(),
  q: z.string().max(100).optional().describe('Part of the code or name'),
});

export const cloneBody = z.strictObject({
  code: frameworkCode.describe('Code of the new draft'),
  year: year.optional().describe('Default: the source year; a year in the name is replaced by it'),
  name: z.string().trim().min(1).max(300).optional(),
  legalBasis: z.string().trim().max(300).nullable().optional(),
  lineage: frameworkCode.optional().describe('Default: the source lineage (so year-over-year comparison follows it)'),
});

const change = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
const criterionRef = z.object({ code: z.string(), title: z.string(), maxPoints: z.number(), leaf: z.boolean() });

export const diffSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    settings: z.array(change).describe('Framework settings that differ: name, year, caps, bands, …'),
    added: z.array(criterionRef),
    removed: z.array(criterionRef),
    changed: z.array(criterionRef.extend({ changes: z.array(change) })).describe('Criteria whose maxPoints, rule, title, source, … differ'),
    summary: z.object({ added: z.number().int(), removed: z.number().int(), changed: z.number().int(), unchanged: z.number().int() }),
  })
  .meta({ id: 'FrameworkDiff' });

// ------------------------------------------------------------------------------------------- simulate

export const leafInputSchema = z
  .strictObject({
    points: z.number().optional(),
    value: z.boolean().optional(),
    option: z.string().max(64).optional(),
    percent: z.number().optional(),
    numerator: z.number().optional(),
    denominator: z.number().optional(),
    count: z.number().optional(),
  })
  .describe('Self input by rule type (SPEC §9): manual {points}, binary {value}, options {option}, tiered/proportional {percent} | {numerator, denominator} | {count}')
  .meta({ id: 'LeafInput' });

const leafCode = z.string().min(1).max(32);

export const simulateBody = z.strictObject({
  units: z
    .array(
      z.strictObject({
        unitCode: z.string().min(1).max(32),
        unitName: z.string().trim().min(1).max(300),
        inputs: z.record(leafCode, leafInputSchema).describe('Keyed by leaf code'),
        notApplicable: z.array(leafCode).max(MAX_NODES).optional().describe('Leaves declared "không phát sinh" (and confirmed)'),
        surveyScores: z
          .record(leafCode, z.union([z.number(), z.string().max(64)]))
          .optional()
          .describe('Survey leaves: the unit score in [0, 1] as a number, "p/q" or a decimal string; absent = no responses'),
      }),
    )
    .min(1)
    .max(1000),
});

const fieldError = z.object({ field: z.string(), message: z.string(), code: z.string() });

const leafOutcome = z.discriminatedUnion('status', [
  z.object({ code: z.string(), status: z.literal('scored'), points: z.number(), explanation: z.string() }),
  z.object({ code: z.string(), status: z.literal('not_applicable'), reason: z.string() }),
  z.object({ code: z.string(), status: z.literal('missing'), reason: z.string().describe('Counts 0 of the maximum') }),
  z.object({ code: z.string(), status: z.literal('error'), error: fieldError.describe('Counts 0 of the maximum') }),
]);

export const unitResultSchema = z
  .object({
    total: z.number(),
    max: z.number(),
    index: z.number().nullable(),
    indexUncapped: z.number().nullable(),
    band: z.string().nullable(),
    bandLabel: z.string().nullable(),
    regularPoints: z.number(),
    bonus: z.number(),
    penalty: z.number(),
    bonusRaw: z.number(),
    penaltyRaw: z.number(),
    flooredAtZero: z.boolean(),
    cappedAt100: z.boolean(),
    areas: z.array(
      z.object({ code: z.string(), title: z.string().optional(), kind: z.enum(areaKinds), points: z.number(), max: z.number(), index: z.number().nullable() }),
    ),
    trace: z.array(z.string()).describe('Every step of the computation, readable'),
  })
  .meta({ id: 'UnitResult' });

export const simulationSchema = z
  .object({
    units: z.array(
      z.object({
        unitCode: z.string(),
        unitName: z.string(),
        complete: z.boolean().describe('Every leaf scored or N/A, no input errors'),
        errors: z.array(fieldError).describe('Input problems, field like units.0.inputs.1.2.percent; those leaves count 0'),
        leaves: z.array(leafOutcome),
        result: unitResultSchema,
        rank: z.number().int().nullable(),
      }),
    ),
    ranking: z.array(
      z.object({ rank: z.number().int().nullable(), unitCode: z.string(), unitName: z.string(), index: z.number().nullable(), band: z.string().nullable() }),
    ),
  })
  .meta({ id: 'FrameworkSimulation' });

// ----------------------------------------------------------------------------------------------- import

const importIssue = z.object({
  sheet: z.string(),
  row: z.number().int().nullable().describe('1-based row of the sheet'),
  column: z.string().nullable(),
  field: z.string(),
  code: z.string(),
  message: z.string(),
});

export const importQuery = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true: check only and report; false: create the draft'),
});

export const importReportSchema = z
  .object({
    valid: z.boolean(),
    errors: z.array(importIssue),
    framework: z.object({ code: z.string(), name: z.string(), year: z.number().int(), ...summaryFields }).nullable(),
    document: frameworkDocumentSchema.nullable().describe('The document the workbook holds, when valid'),
  })
  .meta({ id: 'FrameworkImportReport' });

export const importProblemSchema = problemSchema.extend({ errors: z.array(importIssue).optional() });

export const xlsxBody = z
  .custom<Buffer>((v) => Buffer.isBuffer(v), 'expected an .xlsx workbook as the request body')
  .meta({ type: 'string', format: 'binary' });

export const binaryResponse = z.any().meta({ type: 'string', format: 'binary' });
