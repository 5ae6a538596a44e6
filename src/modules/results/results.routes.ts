import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf, problems } from '../../lib/http.js';
import { phases } from '../rounds/lifecycle.js';
import type { ResultsService } from './results.service.js';

const n = z.number().nullable();
const areaSchema = z.object({ code: z.string(), title: z.string().nullable(), kind: z.string(), points: z.number(), max: z.number(), index: n, selfPoints: z.number() });
const itemOutcomeSchema = z.object({
  code: z.string(),
  title: z.string(),
  areaCode: z.string(),
  max: z.number(),
  selfPoints: n,
  selfNotApplicable: z.boolean(),
  final: z.object({ points: n, notApplicable: z.boolean(), source: z.string(), open: z.boolean(), reason: z.string().optional() }),
});
const rowSchema = z
  .object({
    unitCode: z.string(),
    unitName: z.string(),
    total: n,
    max: n,
    index: n,
    band: z.string().nullable(),
    bandLabel: z.string().nullable(),
    rank: z.number().int().nullable(),
    selfTotal: n,
    selfIndex: n,
    gap: n.describe('total − selfTotal'),
    areas: z.array(areaSchema),
    openItems: z.number().int().describe('Items still without a final score: while > 0 the row is provisional'),
    items: z.array(itemOutcomeSchema),
    trace: z.array(z.string()).describe('How the engine reached the total and index'),
  })
  .meta({ id: 'ResultRow' });
const openItemSchema = z.object({ groupCode: z.string(), unitCode: z.string(), unitName: z.string(), criterionCode: z.string(), title: z.string(), areaCode: z.string(), reason: z.string() });
const gap = { groupCode: z.string(), unitCode: z.string(), unitName: z.string(), gap: z.number() };
const resultsSchema = z
  .object({
    roundId: z.string(),
    phase: z.enum(phases),
    groups: z.array(z.object({ code: z.string(), name: z.string(), frameworkCode: z.string(), rows: z.array(rowSchema) })),
    discrepancies: z
      .object({
        units: z.array(z.object({ ...gap, selfTotal: z.number(), total: z.number() })),
        areas: z.array(z.object({ ...gap, areaCode: z.string(), title: z.string().nullable(), selfPoints: z.number(), points: z.number() })),
        items: z.array(z.object({ ...gap, criterionCode: z.string(), title: z.string(), selfPoints: z.number(), points: z.number() })),
      })
      .nullable()
      .describe('Largest self-vs-appraised gaps (coordinator only)'),
    openItems: z.array(openItemSchema),
  })
  .meta({ id: 'RoundResults' });

const idParams = z.object({ id: z.string().uuid() });
const fmt = (x: number | null) => (x === null ? '' : x.toFixed(2));

type Results = Awaited<ReturnType<ResultsService['results']>>;

/** One table per export: ranked results, or the discrepancy and open-item reports. */
function tables(r: Results, report: 'results' | 'discrepancies') {
  if (report === 'results') {
    return r.groups.map((g) => {
      const areaCodes = g.rows[0]?.areas.map((a) => a.code) ?? [];
      return {
        name: g.name,
        header: ['Xếp hạng', 'Mã đơn vị', 'Đơn vị', ...areaCodes.map((c) => `Lĩnh vực ${c}`), 'Tổng điểm', 'Điểm tối đa', 'Chỉ số (%)', 'Xếp loại', 'Điểm tự chấm', 'Chênh lệch', 'Tiêu chí chưa chốt'],
        rows: g.rows.map((row) => [row.rank ?? '', row.unitCode, row.unitName, ...row.areas.map((a) => fmt(a.points)), fmt(row.total), fmt(row.max), fmt(row.index), row.bandLabel ?? '', fmt(row.selfTotal), fmt(row.gap), row.openItems]),
      };
    });
  }
  const d = r.discrepancies;
  return [
    { name: 'Chênh lệch theo đơn vị', header: ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Tự chấm', 'Thẩm định', 'Chênh lệch'], rows: (d?.units ?? []).map((x) => [x.groupCode, x.unitCode, x.unitName, fmt(x.selfTotal), fmt(x.total), fmt(x.gap)]) },
    { name: 'Chênh lệch theo lĩnh vực', header: ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Lĩnh vực', 'Tự chấm', 'Thẩm định', 'Chênh lệch'], rows: (d?.areas ?? []).map((x) => [x.groupCode, x.unitCode, x.unitName, `${x.areaCode} ${x.title ?? ''}`.trim(), fmt(x.selfPoints), fmt(x.points), fmt(x.gap)]) },
    { name: 'Chênh lệch theo tiêu chí', header: ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Tiêu chí', 'Tự chấm', 'Thẩm định', 'Chênh lệch'], rows: (d?.items ?? []).map((x) => [x.groupCode, x.unitCode, x.unitName, `${x.criterionCode} ${x.title}`, fmt(x.selfPoints), fmt(x.points), fmt(x.gap)]) },
    { name: 'Tiêu chí chưa chốt điểm', header: ['Nhóm', 'Mã đơn vị', 'Đơn vị', 'Tiêu chí', 'Lý do'], rows: r.openItems.map((o) => [o.groupCode, o.unitCode, o.unitName, `${o.criterionCode} ${o.title}`, o.reason]) },
  ];
}

export const resultsRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.results;

  app.get(
    '/rounds/:id/results',
    {
      schema: {
        tags: ['results'],
        operationId: 'getRoundResults',
        summary: 'Live results: per group ranked rows with area breakdown, self total and gap, per-item trace; discrepancy and open-items reports',
        params: idParams,
        response: { 200: resultsSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => svc.results(ctxOf(req), req.params.id),
  );

  for (const report of ['results', 'discrepancies'] as const) {
    for (const format of ['csv', 'xlsx'] as const) {
      app.get(
        `/rounds/:id/${report}.${format}`,
        {
          schema: {
            tags: ['results'],
            operationId: `getRound${report === 'results' ? 'Results' : 'Discrepancies'}${format === 'csv' ? 'Csv' : 'Xlsx'}`,
            summary: `${report === 'results' ? 'Live results' : 'Discrepancy and open-items report'} as ${format.toUpperCase()}`,
            params: idParams,
            produces: [format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
            response: { 200: z.unknown(), ...problems(401, 403, 404) },
          },
        },
        async (req, reply) => {
          const r = await svc.results(ctxOf(req), req.params.id);
          const t = tables(r, report);
          const filename = `${report === 'results' ? 'ket-qua' : 'chenh-lech'}-${req.params.id}.${format}`;
          reply.header('content-disposition', `attachment; filename="${filename}"`);
          if (format === 'csv') {
            const body = t.flatMap((x) => [[x.name], x.header, ...x.rows, []]);
            return reply.type('text/csv; charset=utf-8').send('\uFEFF' + stringify(body));
          }
          const wb = new ExcelJS.Workbook();
          for (const x of t) {
            const ws = wb.addWorksheet(x.name.slice(0, 31).replace(/[\\/*?:[\]]/g, '-'));
            ws.addRow(x.header).font = { bold: true };
            for (const row of x.rows) ws.addRow(row);
          }
          const buf = Buffer.from(await wb.xlsx.writeBuffer());
          return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(buf);
        },
      );
    }
  }

  app.post(
    '/rounds/:id/confirm-self-points',
    {
      schema: {
        tags: ['results'],
        operationId: 'confirmSelfPoints',
        summary: 'Accept the self points of items nobody appraised (coordinator, final_appraisal phase, with a reason)',
        params: idParams,
        body: z.strictObject({
          reason: z.string().trim().min(1).max(2000),
          unitCodes: z.array(z.string().max(32)).optional(),
          criterionCodes: z.array(z.string().max(64)).optional(),
        }),
        response: {
          200: z.object({ confirmed: z.number().int(), items: z.array(z.object({ unitCode: z.string(), criterionCode: z.string(), points: n, notApplicable: z.boolean() })) }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => svc.confirmSelfPoints(ctxOf(req), req.params.id, req.body),
  );
};
