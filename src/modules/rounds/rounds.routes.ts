import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { csvFlavourOf, csvQuery, csvText, date, type CsvCell } from '../../lib/csv.js';
import { z } from 'zod';
import { calendarDate, ctxOf, isoDate, problems, problemSchema, timestamp } from '../../lib/http.js';
import { phases, scheduledPhases } from './lifecycle.js';

const code = z.string().min(1).max(32).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only');
const scheduleSchema = z
  .strictObject(Object.fromEntries(scheduledPhases.map((p) => [p, isoDate.optional()])) as Record<(typeof scheduledPhases)[number], z.ZodOptional<typeof isoDate>>)
  .describe('Last day (inclusive, Asia/Ho_Chi_Minh) of each phase');

const roundSchema = z
  .object({
    id: z.string().uuid(),
    year: z.number().int(),
    name: z.string(),
    phase: z.enum(phases),
    schedule: z
      .object(Object.fromEntries(scheduledPhases.map((p) => [p, calendarDate.optional()])) as Record<(typeof scheduledPhases)[number], z.ZodOptional<typeof calendarDate>>)
      .describe('Last day (inclusive, Asia/Ho_Chi_Minh) of each phase that has a deadline'),
    groups: z.array(z.object({ code: z.string(), name: z.string(), frameworkCode: z.string(), unitCodes: z.array(z.string()) })),
    phaseChangedAt: timestamp.nullable(),
    cancelled: z.boolean().describe('Hủy: a cancelled round is closed and frees its units for another round of the year'),
    cancelledAt: timestamp.nullable(),
    cancelledBy: z.string().nullable(),
    cancelReason: z.string().nullable(),
    frameworkYearReason: z.string().nullable().describe('Why frameworks of another year were accepted (allowFrameworkYear)'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Round' });

const progressUnitSchema = z.object({
  unitCode: z.string(),
  unitName: z.string(),
  itemsDone: z.number().int(),
  itemsTotal: z.number().int(),
  missingEvidence: z.number().int(),
  status: z.enum(['open', 'submitted']),
  submittedAt: timestamp.nullable(),
  submittedBy: z.string().nullable(),
  late: z.boolean(),
  deadline: calendarDate.nullable(),
  extensionUntil: calendarDate.nullable(),
});
const progressSchema = z
  .object({
    roundId: z.string(),
    phase: z.enum(phases),
    selfAssessmentDeadline: calendarDate.nullable(),
    groups: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        totals: z.object({ units: z.number().int(), submitted: z.number().int(), late: z.number().int(), itemsDone: z.number().int(), itemsTotal: z.number().int(), missingEvidence: z.number().int() }),
        units: z.array(progressUnitSchema),
      }),
    ),
  })
  .meta({ id: 'RoundProgress' });

const idParams = z.object({ id: z.string().uuid() });

const appraiserSchema = z
  .object({
    username: z.string(),
    displayName: z.string(),
    orgUnitCode: z.string().nullable(),
    assignments: z.array(z.object({ groupCode: z.string(), areaCode: z.string(), unitCodes: z.array(z.string()) })),
  })
  .meta({ id: 'AppraiserAssignment' });
const unitParams = z.object({ id: z.string().uuid(), unitCode: z.string().min(1).max(32) });

export const roundsRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.rounds;
  const assessments = app.services.assessments;

  app.get(
    '/rounds',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'listRounds',
        querystring: z.strictObject({ year: z.coerce.number().int().optional(), phase: z.enum(phases).optional() }),
        response: { 200: z.array(roundSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => svc.list(ctxOf(req), req.query),
  );

  app.post(
    '/rounds',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'createRound',
        summary:
          'Create a round (draft) with groups on published frameworks and a schedule (coordinator). 409 when a unit is already in another non-cancelled round of the year (unitCodes, otherRounds) or a framework is of another year without allowFrameworkYear (frameworkYearMismatch).',
        body: z.strictObject({
          year: z.number().int().min(2000).max(2100),
          name: z.string().trim().min(1).max(300),
          groups: z
            .array(
              z.strictObject({
                code,
                name: z.string().trim().min(1).max(300),
                frameworkCode: z.string().min(1).max(32),
                unitCodes: z.array(z.string().min(1).max(32)).min(1).max(10_000),
              }),
            )
            .min(1)
            .max(50),
          schedule: scheduleSchema,
          allowFrameworkYear: z
            .strictObject({ reason: z.string().trim().min(1).max(2000) })
            .optional()
            .describe("Accept frameworks whose year differs from the round's; the reason is recorded and audited"),
        }),
        response: { 201: roundSchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(ctxOf(req), req.body)),
  );

  app.get(
    '/rounds/:id',
    { schema: { tags: ['rounds'], operationId: 'getRound', params: idParams, response: { 200: roundSchema, ...problems(401, 403, 404) } } },
    async (req) => svc.get(ctxOf(req), req.params.id),
  );

  app.post(
    '/rounds/:id/cancel',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'cancelRound',
        summary: 'Cancel a round that is not published, with the reason (coordinator; audited). Its units may then join another round of the year.',
        params: idParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(2000) }),
        response: { 200: roundSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req) => svc.cancel(ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/rounds/:id/transition',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'transitionRound',
        summary: 'Move the round to the next phase (opening it creates every assessment); 409 names the current phase',
        params: idParams,
        body: z.strictObject({
          to: z.enum(phases),
          force: z
            .boolean()
            .optional()
            .describe('Move to appraisal although units have not submitted (their self-assessments freeze as entered) or unit/area pairs have no eligible appraiser; audited'),
        }),
        response: {
          200: roundSchema,
          409: problemSchema
            .extend({
              phase: z.string().optional(),
              unsubmittedUnits: z.array(z.string()).optional().describe('Moving to appraisal: units that have not submitted'),
              uncovered: z.array(z.object({ unitCode: z.string(), areaCode: z.string() })).optional().describe('Moving to appraisal: unit/area pairs without an eligible appraiser'),
              openItems: z.array(z.object({ unitCode: z.string(), criterionCode: z.string(), reason: z.string() }).passthrough()).optional().describe('Moving to council review: items without a final score'),
            })
            .passthrough(),
          ...problems(400, 401, 403, 404, 422),
        },
      },
    },
    async (req) => svc.transition(ctxOf(req), req.params.id, req.body.to, { force: req.body.force }),
  );

  app.put(
    '/rounds/:id/schedule',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'updateRoundSchedule',
        summary: 'Replace the phase deadlines (coordinator)',
        params: idParams,
        body: scheduleSchema,
        response: { 200: roundSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => svc.updateSchedule(ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/rounds/:id/assessments/:unitCode/extensions',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'extendDeadline',
        summary: "Extend one unit's deadline for a phase, with a reason (coordinator)",
        params: unitParams,
        body: z.strictObject({ phase: z.enum(scheduledPhases), until: isoDate, reason: z.string().trim().min(1).max(2000) }),
        response: {
          200: z.object({ unitCode: z.string(), phase: z.enum(scheduledPhases), until: z.string(), reason: z.string() }),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (req) => svc.extendDeadline(ctxOf(req), req.params.id, req.params.unitCode, req.body),
  );

  app.post(
    '/rounds/:id/assessments/:unitCode/send-back',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'sendBackAssessment',
        summary: 'Reopen a submitted self-assessment before appraisal starts, with a reason (coordinator)',
        params: unitParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(2000) }),
        response: {
          200: z.object({ unitCode: z.string(), status: z.literal('open'), sentBackAt: timestamp, reason: z.string() }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => svc.sendBack(ctxOf(req), req.params.id, req.params.unitCode, req.body),
  );

  app.put(
    '/rounds/:id/appraisers',
    {
      schema: {
        tags: ['appraisal'],
        operationId: 'setAppraisers',
        summary: "Replace the appraiser assignments: users → area codes of each group's framework (never their own unit)",
        params: idParams,
        body: z
          .array(
            z.strictObject({
              username: z.string().min(1).max(64),
              areaCodes: z.array(z.string().min(1).max(32)).min(1).max(50),
              groupCodes: z.array(z.string().min(1).max(32)).optional().describe('Limit to these groups; default every group whose framework has the area'),
              unitCodes: z.array(z.string().min(1).max(32)).min(1).max(10_000).optional().describe('The person appraises these areas for these units only; default every unit of the groups except their own'),
            }),
          )
          .max(500),
        response: { 200: z.array(appraiserSchema), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => svc.setAppraisers(ctxOf(req), req.params.id, req.body),
  );

  app.get(
    '/rounds/:id/appraisers',
    {
      schema: {
        tags: ['appraisal'],
        operationId: 'listAppraisers',
        summary: 'The assignments and every unit/area pair of appraisable criteria without an eligible appraiser (none assigned, or only people of that very unit)',
        params: idParams,
        response: {
          200: z
            .object({
              assignments: z.array(appraiserSchema),
              uncovered: z.array(z.object({ unitCode: z.string(), areaCode: z.string(), groupCode: z.string() })).describe('Moving to appraisal is refused (409) while this is not empty, unless forced'),
            })
            .meta({ id: 'AppraiserCoverage' }),
          ...problems(401, 403, 404),
        },
      },
    },
    async (req) => app.services.settlement.appraisers(req.params.id, await svc.listAppraisers(ctxOf(req), req.params.id)),
  );

  app.get(
    '/rounds/:id/progress',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'getRoundProgress',
        summary: 'Self-assessment progress per unit and group (coordinator)',
        params: idParams,
        response: { 200: progressSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => assessments.progress(ctxOf(req), req.params.id),
  );

  app.get(
    '/rounds/:id/progress.csv',
    {
      schema: {
        tags: ['rounds'],
        operationId: 'getRoundProgressCsv',
        summary: 'The progress table as CSV (UTF-8 with BOM, opens in Excel with Vietnamese intact)',
        params: idParams,
        querystring: csvQuery,
        produces: ['text/csv'],
        response: { 200: z.string(), ...problems(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const p = await assessments.progress(ctxOf(req), req.params.id);
      const rows = p.groups.flatMap((g) =>
        g.units.map((u) => [
          g.name,
          u.unitCode,
          u.unitName,
          u.itemsDone,
          u.itemsTotal,
          u.missingEvidence,
          u.status === 'submitted' ? 'Đã nộp' : 'Chưa nộp',
          date(u.submittedAt),
          u.late ? 'Trễ hạn' : '',
          date(u.deadline),
          date(u.extensionUntil),
        ] satisfies CsvCell[]),
      );
      const header = ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Tiêu chí đã chấm', 'Tổng tiêu chí', 'Thiếu tài liệu kiểm chứng', 'Trạng thái', 'Thời điểm nộp', 'Trễ hạn', 'Hạn', 'Gia hạn đến'];
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="tien-do-${req.params.id}.csv"`)
        .send(csvText(header, rows, csvFlavourOf(req.query)));
    },
  );
};
