import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { reportPeriodKinds } from '../../db/schema.js';
import { ValidationError } from '../../lib/errors.js';
import { ctxOf, isoDate, problems, timestamp } from '../../lib/http.js';
import { documentReferenceSchema } from '../assessments/assessments.routes.js';

const code = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.\-/]+$/, 'letters, digits, dot, dash, slash and underscore only');
const unitCode = z.string().min(1).max(32);
const year = z.coerce.number().int().min(2000).max(2100);
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const taskBody = z.strictObject({
  code: z.string().trim().min(1).max(32),
  area: z.string().trim().max(32).nullish().describe('Reform area code the task belongs to'),
  title: z.string().trim().min(1).max(4000).describe('Nhiệm vụ cụ thể'),
  product: z.string().trim().max(2000).nullish().describe('Sản phẩm'),
  leadUnitCode: unitCode.describe('Cơ quan chủ trì'),
  supportUnitCodes: z.array(unitCode).max(500).optional().describe('Cơ quan phối hợp'),
  timeframe: z.string().trim().max(500).nullish().describe('Thời gian thực hiện, as written in the plan'),
  dueDates: z.array(isoDate).max(24).describe('Deadlines; the last is the one "on time" is judged by'),
});

const planBody = z.strictObject({
  year: z.number().int().min(2000).max(2100),
  code,
  title: z.string().trim().min(1).max(500),
  decision: z.strictObject({ number: z.string().trim().min(1).max(100), date: isoDate }).nullish().describe('Số và ngày ban hành kế hoạch'),
  tasks: z.array(taskBody).max(2000),
});

const progressSchema = z.object({
  unitCode: z.string(),
  status: z.enum(['done', 'in_progress', 'not_started']),
  completedOn: z.string().nullable(),
  note: z.string().nullable(),
  evidence: z.array(documentReferenceSchema),
  updatedBy: z.string(),
  updatedAt: timestamp,
});

const taskSchema = z.object({
  code: z.string(),
  area: z.string().nullable(),
  title: z.string(),
  product: z.string().nullable(),
  leadUnitCode: z.string(),
  supportUnitCodes: z.array(z.string()),
  timeframe: z.string().nullable(),
  dueDates: z.array(z.string()),
  status: z.enum(['on_time', 'late', 'overdue', 'pending']).describe("The lead unit's: on_time/late once done, overdue or pending before"),
  progress: z.array(progressSchema),
});

const planSchema = z
  .object({
    code: z.string(),
    year: z.number().int(),
    title: z.string(),
    decision: z.object({ number: z.string(), date: z.string().nullable() }).nullable(),
    createdAt: timestamp,
    tasks: z.array(taskSchema),
  })
  .meta({ id: 'Plan' });

const issue = z.object({ row: z.number().int().nullable(), column: z.string().nullable(), field: z.string(), code: z.string(), message: z.string() });

const periodSchema = z
  .object({
    id: z.string(),
    year: z.number().int(),
    kind: z.enum(reportPeriodKinds),
    label: z.string(),
    cutoffFrom: z.string(),
    cutoffTo: z.string(),
    dueDate: z.string(),
    unitCodes: z.array(z.string()),
    units: z.array(
      z.object({
        unitCode: z.string(),
        dueDate: z.string().describe('The period’s due date, or the unit’s extension'),
        extension: z.object({ dueDate: z.string(), reason: z.string(), grantedBy: z.string() }).nullable(),
        status: z.enum(['on_time', 'late', 'missing', 'pending']),
        submittedOn: z.string().nullable(),
        document: documentReferenceSchema.nullable(),
      }),
    ),
  })
  .meta({ id: 'ReportPeriod' });

const findingSchema = z.object({
  code: z.string(),
  text: z.string(),
  dueDate: z.string(),
  remediedOn: z.string().nullable(),
  note: z.string().nullable(),
  evidence: z.array(documentReferenceSchema),
  status: z.enum(['remedied', 'late', 'open']),
});

const inspectionSchema = z
  .object({ id: z.string(), year: z.number().int(), unitCode: z.string(), date: z.string(), findings: z.array(findingSchema) })
  .meta({ id: 'Inspection' });

export const plansRoutes: FastifyPluginAsyncZod = async (app) => {
  const { plans, reports, inspections, prefill } = app.services;
  // The appendix arrives as the raw workbook (as the framework import does); 10 MB covers any real plan.
  app.addContentTypeParser(XLSX_MIME, { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.post(
    '/plans',
    {
      schema: {
        tags: ['plans'],
        operationId: 'createPlan',
        summary: 'Record the year’s CCHC plan with its task appendix (coordinator); a task naming an unknown unit is 422',
        body: planBody,
        response: { 201: planSchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (req, reply) => reply.status(201).send(await plans.create(ctxOf(req), req.body)),
  );

  app.get(
    '/plans',
    {
      schema: {
        tags: ['plans'],
        operationId: 'listPlans',
        summary: 'Plans, optionally of one year',
        querystring: z.strictObject({ year: year.optional() }),
        response: { 200: z.array(z.object({ code: z.string(), year: z.number().int(), title: z.string(), decision: z.object({ number: z.string(), date: z.string().nullable() }).nullable(), taskCount: z.number().int() })), ...problems(400, 401, 403) },
      },
    },
    async (req) => plans.list(ctxOf(req), req.query),
  );

  app.get(
    '/plans/:code',
    {
      schema: {
        tags: ['plans'],
        operationId: 'getPlan',
        summary: 'A plan with its tasks, their status and progress (a unit sees the tasks it leads or supports)',
        params: z.object({ code }),
        response: { 200: planSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => plans.get(ctxOf(req), req.params.code),
  );

  app.post(
    '/plans/import',
    {
      schema: {
        tags: ['plans'],
        operationId: 'importPlan',
        summary: 'Import the plan appendix (XLSX: Nhiệm vụ chung | Nhiệm vụ cụ thể | Sản phẩm | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện); dryRun reports every task, unmatched unit and unread line',
        querystring: z.strictObject({
          code,
          year,
          title: z.string().trim().min(1).max(500),
          decisionNumber: z.string().trim().min(1).max(100).optional(),
          decisionDate: isoDate.optional(),
          dryRun: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
        }),
        consumes: [XLSX_MIME],
        response: {
          200: z.object({
            dryRun: z.boolean(),
            taskCount: z.number().int(),
            tasks: z.array(z.object({ row: z.number().int(), code: z.string(), area: z.string().nullable(), title: z.string(), leadUnitCode: z.string().nullable(), leadUnitName: z.string(), supportUnitCodes: z.array(z.string()), timeframe: z.string().nullable(), dueDates: z.array(z.string()) })),
            unmatchedUnits: z.array(z.string()),
            errors: z.array(issue),
            warnings: z.array(issue),
            plan: planSchema.nullable(),
          }),
          ...problems(400, 401, 403, 409, 413, 415, 422),
        },
      },
    },
    async (req) => {
      const body = req.body;
      if (!Buffer.isBuffer(body)) throw new ValidationError([{ field: 'body', code: 'required', message: `send the workbook as the body with Content-Type ${XLSX_MIME}` }], 'No workbook.', 415);
      const q = req.query;
      return plans.importAppendix(ctxOf(req), { code: q.code, year: q.year, title: q.title, decision: q.decisionNumber && q.decisionDate ? { number: q.decisionNumber, date: q.decisionDate } : null }, body, q.dryRun);
    },
  );

  app.put(
    '/plans/:code/tasks/:taskCode/progress/:unitCode',
    {
      schema: {
        tags: ['plans'],
        operationId: 'putTaskProgress',
        summary: 'Report progress on a task: the lead unit, or a supporting unit for its part; history is kept; late = completed after the last due date',
        params: z.object({ code, taskCode: z.string().min(1).max(32), unitCode }),
        body: z.strictObject({
          status: z.enum(['done', 'in_progress', 'not_started']),
          completedOn: isoDate.nullish(),
          note: z.string().trim().max(4000).nullish(),
          evidence: z.array(documentReferenceSchema).max(20).optional(),
        }),
        response: {
          200: progressSchema.extend({ taskCode: z.string(), late: z.boolean(), history: z.array(z.object({ at: timestamp, by: z.string(), data: z.record(z.string(), z.unknown()) })) }),
          ...problems(400, 401, 403, 404, 422),
        },
      },
    },
    async (req) => plans.putProgress(ctxOf(req), req.params.code, req.params.taskCode, req.params.unitCode, req.body),
  );

  app.get(
    '/org-units/:unitCode/plan-tasks',
    {
      schema: {
        tags: ['plans'],
        operationId: 'listUnitPlanTasks',
        summary: 'The tasks a unit leads or supports in a year’s plans, soonest due first',
        params: z.object({ unitCode }),
        querystring: z.strictObject({ year }),
        response: { 200: z.array(taskSchema.extend({ planCode: z.string() })), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => plans.unitTasks(ctxOf(req), req.params.unitCode, req.query.year),
  );

  app.post(
    '/report-periods',
    {
      schema: {
        tags: ['plans'],
        operationId: 'createReportPeriod',
        summary: 'Open a reporting period (quarter, 6 months, year, ad hoc) with its data cut-off and due date for the listed units',
        body: z.strictObject({
          year: z.number().int().min(2000).max(2100),
          kind: z.enum(reportPeriodKinds),
          label: z.string().trim().min(1).max(200),
          cutoffFrom: isoDate,
          cutoffTo: isoDate,
          dueDate: isoDate,
          unitCodes: z.array(unitCode).min(1).max(5000),
        }),
        response: { 201: periodSchema, ...problems(400, 401, 403, 422) },
      },
    },
    async (req, reply) => reply.status(201).send(await reports.create(ctxOf(req), req.body)),
  );

  app.get(
    '/report-periods',
    {
      schema: {
        tags: ['plans'],
        operationId: 'listReportPeriods',
        summary: 'Reporting periods with each unit’s status (a unit sees its own)',
        querystring: z.strictObject({ year: year.optional() }),
        response: { 200: z.array(periodSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => reports.list(ctxOf(req), req.query),
  );

  app.get(
    '/report-periods/:id',
    {
      schema: { tags: ['plans'], operationId: 'getReportPeriod', summary: 'One reporting period', params: z.object({ id: z.uuid() }), response: { 200: periodSchema, ...problems(400, 401, 403, 404) } },
    },
    async (req) => reports.get(ctxOf(req), req.params.id),
  );

  app.post(
    '/report-periods/:id/reports/:unitCode',
    {
      schema: {
        tags: ['plans'],
        operationId: 'submitPeriodReport',
        summary: 'A unit sends its report (a document reference); once — 409 when already sent',
        params: z.object({ id: z.uuid(), unitCode }),
        body: documentReferenceSchema,
        response: { 201: periodSchema.shape.units.element, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req, reply) => reply.status(201).send(await reports.submit(ctxOf(req), req.params.id, req.params.unitCode, req.body)),
  );

  app.put(
    '/report-periods/:id/extensions/:unitCode',
    {
      schema: {
        tags: ['plans'],
        operationId: 'extendPeriodReport',
        summary: 'Extend one unit’s due date for a period, with the reason (coordinator; recorded and audited)',
        params: z.object({ id: z.uuid(), unitCode }),
        body: z.strictObject({ dueDate: isoDate, reason: z.string().trim().min(1).max(1000) }),
        response: { 200: periodSchema.shape.units.element, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (req) => reports.extend(ctxOf(req), req.params.id, req.params.unitCode, req.body),
  );

  app.post(
    '/inspections',
    {
      schema: {
        tags: ['plans'],
        operationId: 'createInspection',
        summary: 'Record a CCHC inspection of a unit with its findings and due dates (coordinator)',
        body: z.strictObject({
          year: z.number().int().min(2000).max(2100),
          unitCode,
          date: isoDate,
          findings: z.array(z.strictObject({ code: z.string().trim().min(1).max(32), text: z.string().trim().min(1).max(4000), dueDate: isoDate })).max(200),
        }),
        response: { 201: inspectionSchema, ...problems(400, 401, 403, 422) },
      },
    },
    async (req, reply) => reply.status(201).send(await inspections.create(ctxOf(req), req.body)),
  );

  app.get(
    '/inspections',
    {
      schema: {
        tags: ['plans'],
        operationId: 'listInspections',
        summary: 'Inspections with their findings’ status (a unit sees its own)',
        querystring: z.strictObject({ year: year.optional(), unitCode: unitCode.optional() }),
        response: { 200: z.array(inspectionSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => inspections.list(ctxOf(req), req.query),
  );

  app.get(
    '/inspections/:id',
    { schema: { tags: ['plans'], operationId: 'getInspection', summary: 'One inspection', params: z.object({ id: z.uuid() }), response: { 200: inspectionSchema, ...problems(400, 401, 403, 404) } } },
    async (req) => inspections.get(ctxOf(req), req.params.id),
  );

  app.put(
    '/inspections/:id/findings/:code/remediation',
    {
      schema: {
        tags: ['plans'],
        operationId: 'putFindingRemediation',
        summary: 'The inspected unit reports how and when it remedied a finding',
        params: z.object({ id: z.uuid(), code: z.string().min(1).max(32) }),
        body: z.strictObject({ remediedOn: isoDate, note: z.string().trim().max(4000).nullish(), evidence: z.array(documentReferenceSchema).max(20).optional() }),
        response: { 200: findingSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (req) => inspections.remediate(ctxOf(req), req.params.id, req.params.code, req.body),
  );

  app.post(
    '/rounds/:id/assessments/:unitCode/prefill',
    {
      schema: {
        tags: ['plans'],
        operationId: 'prefillAssessment',
        summary: 'Pre-fill the fed criteria of a unit from tracked data of the round’s year (self-assessment phase); inputs the unit changed are kept',
        params: z.object({ id: z.uuid(), unitCode }),
        response: {
          200: z.object({
            roundId: z.string(),
            unitCode: z.string(),
            items: z.array(z.object({ unitCode: z.string(), criterionCode: z.string(), source: z.string(), numerator: z.number().int(), denominator: z.number().int(), applied: z.boolean().describe('false when the unit has entered its own numbers'), trace: z.array(z.string()) })),
          }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => prefill.prefill(ctxOf(req), req.params.id, req.params.unitCode),
  );

  app.get(
    '/rounds/:id/assessments/:unitCode/tracked',
    {
      schema: {
        tags: ['plans'],
        operationId: 'getTrackedInputs',
        summary: 'Tracked data of a unit’s fed criteria beside the unit’s own input, and whether they differ (for appraisers)',
        params: z.object({ id: z.uuid(), unitCode }),
        response: {
          200: z.array(
            z.object({
              criterionCode: z.string(),
              source: z.string(),
              tracked: z.object({ numerator: z.number().int(), denominator: z.number().int() }),
              unitInput: z.object({ numerator: z.number().optional(), denominator: z.number().optional() }).nullable(),
              differs: z.boolean(),
              trace: z.array(z.string()),
              computedAt: timestamp,
            }),
          ),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (req) => prefill.tracked(ctxOf(req), req.params.id, req.params.unitCode),
  );
};
