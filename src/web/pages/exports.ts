// Downloads of a round's live results for the coordinator (CSV, XLSX): the ranked results and the discrepancy
// report, from the same service and export code as the API routes, authenticated by the session cookie.
import type { FastifyInstance } from 'fastify';
import { contentDisposition } from '../../lib/blobs/index.js';
import { resultsExport, type ResultsFormat, type ResultsReport } from '../../modules/results/results.export.js';
import { html, type Html } from '../html.js';
import { COORDINATOR, type Kit } from '../kit.js';

const hide = { hide: true } as const;
const slugs: Record<ResultsReport, string> = { results: 'ket-qua', discrepancies: 'chenh-lech' };
const formats: ResultsFormat[] = ['csv', 'xlsx'];

export const resultsDownloadHref = (roundId: string, report: ResultsReport, format: ResultsFormat) =>
  `/dieu-phoi/ky-danh-gia/${encodeURIComponent(roundId)}/tai-ve/${slugs[report]}.${format}`;

/** The download links shown on the coordinator's results page. */
export function resultsDownloads(roundId: string): Html {
  const link = (report: ResultsReport, format: ResultsFormat, label: string) => html`<a class="button small" href="${resultsDownloadHref(roundId, report, format)}" download>${label} (${format.toUpperCase()})</a>`;
  return html`<section class="panel"><h2>Tải về</h2><div class="downloads">
  ${link('results', 'csv', 'Bảng kết quả')} ${link('results', 'xlsx', 'Bảng kết quả')}
  ${link('discrepancies', 'csv', 'Báo cáo chênh lệch')} ${link('discrepancies', 'xlsx', 'Báo cáo chênh lệch')}
</div><p class="muted">Tệp CSV mở thẳng bằng Excel (dấu “;” phân cách cột, dấu phẩy thập phân, ngày dd/mm/yyyy); thêm <code>?format=plain</code> vào đường dẫn để lấy bản cho máy (dấu “,”, dấu chấm thập phân). Kết quả là bản xem trước, chưa phải kết quả công bố.</p></section>`;
}

export function resultsExportPages(app: FastifyInstance, kit: Kit) {
  const { results } = app.services;
  for (const [report, slug] of Object.entries(slugs) as [ResultsReport, string][]) {
    for (const format of formats) {
      app.get<{ Params: { roundId: string } }>(`/dieu-phoi/ky-danh-gia/:roundId/tai-ve/${slug}.${format}`, { config: { webRoles: COORDINATOR }, schema: hide }, async (req, reply) => {
        const flavour = (req.query as { format?: string } | undefined)?.format === 'plain' ? 'plain' : 'excel';
        const file = await resultsExport(await results.results(kit.ctx(req), req.params.roundId), report, format, flavour);
        return reply.type(file.contentType).header('content-disposition', contentDisposition(file.filename)).header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(file.body);
      });
    }
  }
}
