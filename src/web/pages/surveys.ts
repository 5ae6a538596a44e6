// Survey administration (khảo sát) for the coordinator and the admin: the list of questionnaires with their
// response counts, one questionnaire with its dimensions and questions, publishing, the results per unit and per
// round group (coordinator), the printable form links with QR codes per unit, and the bulk import of export files
// (CSV, JSON, XLSX) with a dry run that reports every refused row by number. Questionnaires are created and edited
// in the questionnaire editor (survey-editor.ts) or through the API (POST/PUT /api/v1/surveys).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../db/schema.js';
import { can } from '../../auth/policy.js';
import { contentDisposition } from '../../lib/blobs/index.js';
import { AppError, type FieldError } from '../../lib/errors.js';
import { publicBaseUrl } from '../../lib/public-url.js';
import { demographicOptions, type DemographicField } from '../../modules/surveys/surveys.document.js';
import { importTypes, XLSX_MIME, type ImportFormat } from '../../modules/surveys/surveys.import.js';
import { qrImage, type SurveysService } from '../../modules/surveys/surveys.service.js';
import { fmtDateTime, fmtIndex, fmtInt } from '../format.js';
import { html, raw, type Html, type Slot } from '../html.js';
import { field, type Kit } from '../kit.js';
import { phaseLabel } from '../labels.js';
import type { Flash } from '../layout.js';
import { webError, type WebError } from '../messages.js';
import { verifyCsrf } from '../session.js';
import { editorFlashTexts, editorHref, NEW_SURVEY, surveyEditorPages } from './survey-editor.js';
import { csrfRefused } from './unit.js';

const hide = { hide: true } as const;
const ROLES: readonly Role[] = ['coordinator', 'admin'];
const SECTION = '/dieu-phoi/khao-sat';
type PC = { code: string };

export const surveyHref = (code: string) => `${SECTION}/${encodeURIComponent(code)}`;

type Survey = Awaited<ReturnType<SurveysService['get']>>;
type Results = Awaited<ReturnType<SurveysService['results']>>;
type Report = Awaited<ReturnType<SurveysService['importResponses']>>;

const kindLabels: Record<string, string> = { satisfaction: 'Khảo sát sự hài lòng', sociological: 'Điều tra xã hội học' };
const demographicLabels: Record<DemographicField, string> = { sex: 'Giới tính', ageBand: 'Nhóm tuổi', occupation: 'Nghề nghiệp' };

/** Flash messages of these pages (the kit's list is shared with the other modules). */
const flashTexts: Record<string, Flash> = { 'da-cong-bo-khao-sat': { kind: 'ok', text: 'Đã công bố bảng hỏi: biểu mẫu của các đơn vị đã nhận phiếu.' } };

function statusTag(status: string): Html {
  return html`<span class="tag ${status === 'published' ? 'submitted' : 'open'}">${status === 'published' ? 'Đang nhận phiếu' : 'Dự thảo'}</span>`;
}

/** Why a row of an export was refused, in Vietnamese (the importer's English text stays as detail). */
const rowProblemTexts: Record<string, string> = {
  invalid_option: 'Câu trả lời không phải là một lựa chọn của câu hỏi.',
  invalid_demographic: 'Thông tin người trả lời không hợp lệ.',
  missing_id: 'Thiếu mã phiếu.',
  invalid_id: 'Mã phiếu quá dài.',
  missing_unit: 'Thiếu mã đơn vị.',
  unknown_unit: 'Mã đơn vị không tồn tại.',
  no_answers: 'Phiếu không trả lời câu hỏi nào của bảng hỏi.',
};

/** Problems of the whole file (no row), in Vietnamese. */
function fileProblem(e: FieldError): string {
  switch (e.code) {
    case 'no_id_column':
      return 'Không tìm thấy cột mã phiếu (instanceID, _uuid, __id, KEY hoặc id): hãy ghi tên cột ở mục “Cột mã phiếu”.';
    case 'no_unit_column':
      return 'Không tìm thấy cột mã đơn vị (unitCode, unit_code, unit hoặc ma_don_vi): hãy ghi tên cột, hoặc chọn đơn vị nếu cả tệp là phiếu của một đơn vị.';
    case 'unknown_column':
      return e.field.endsWith('idColumn') ? 'Tệp không có cột mã phiếu đã ghi.' : 'Tệp không có cột mã đơn vị đã ghi.';
    case 'no_question_columns':
      return 'Tệp không có cột nào khớp với câu hỏi của bảng hỏi (theo mã câu hỏi, tên nguồn sourceName, nội dung câu hỏi hoặc sourceLabels).';
    case 'missing_required_question':
      return `Tệp thiếu cột của câu hỏi bắt buộc: ${e.message}`;
    case 'wrong_delimiter':
      return `Dấu phân cách cột không đúng: ${e.message}`;
    case 'looks_like_json':
      return 'Tệp là JSON chứ không phải CSV: hãy đặt đuôi .json.';
    case 'looks_like_xlsx':
      return 'Tệp là bảng tính XLSX: hãy đặt đuôi .xlsx.';
    case 'binary':
      return 'Tệp không phải văn bản (tệp nhị phân): hãy tải lại tệp xuất CSV, JSON hoặc XLSX từ công cụ khảo sát.';
    case 'not_utf8':
      return 'Tệp không ở mã UTF-8: hãy lưu lại dạng “CSV UTF-8” hoặc tải lại tệp xuất từ công cụ khảo sát.';
    case 'unknown_unit':
      return 'Đơn vị đã chọn không tồn tại.';
    case 'malformed':
      return `Không đọc được tệp: kiểm tra lại định dạng (CSV, JSON hoặc XLSX) và nội dung tệp (${e.message}).`;
    default:
      return 'Tệp không hợp lệ.';
  }
}

/** The import format from the file name, else from the type the browser sent. */
function formatOf(filename: string, mime: string): ImportFormat | null {
  const ext = /\.([A-Za-z]+)$/.exec(filename)?.[1]?.toLowerCase();
  if (ext === 'csv' || ext === 'txt') return 'csv';
  if (ext === 'json') return 'json';
  if (ext === 'xlsx') return 'xlsx';
  return importTypes[mime.split(';')[0]!.trim().toLowerCase()] ?? null;
}

/** Why rows were skipped or answers left out, in Vietnamese. */
const skipTexts: Record<string, string> = {
  hxl_tags: 'Dòng thẻ HXL (#…) của KoboToolbox, không phải phiếu',
  incomplete: 'Phiếu LimeSurvey chưa hoàn thành (không có submitdate)',
};
const warningTexts: Record<string, string> = {
  multiple_choice: 'Chọn nhiều phương án cho câu hỏi một lựa chọn: bỏ câu trả lời này, giữ các câu khác của phiếu.',
  question_without_column: 'Câu hỏi không có cột nào trong tệp.',
  not_read: 'Trang tính không được đọc.',
};
const matchTexts: Record<string, string> = { code: 'mã', sourceName: 'tên nguồn', label: 'nội dung', mapping: 'ánh xạ' };

/** The columns part of the report: every question with its columns (or none), ids, unit, dates, ignored columns. */
function importColumns(r: Report): Html {
  const c = r.columns;
  const byColumn = new Map(c.questions.map((q) => [q.column, q]));
  return html`<details${c.missing.length ? raw(' open') : ''}><summary>Các cột đã nhận diện (${fmtInt(c.questions.length)} cột câu hỏi, ${fmtInt(c.missing.length)} câu hỏi thiếu cột, ${fmtInt(c.ignoredCount)} cột bỏ qua)</summary>
  <div class="table-wrap"><table class="data import-columns"><thead><tr><th scope="col">Câu hỏi</th><th scope="col">Cột trong tệp</th></tr></thead>
  <tbody>${c.byQuestion.map(
    (q) => html`<tr><td><code>${q.code}</code></td><td>${
      q.columns.length
        ? q.columns.map((col, i) => {
            const m = byColumn.get(col);
            return html`${i ? ', ' : ''}<code>${col}</code> <small class="muted">(${matchTexts[m?.by ?? 'code'] ?? ''}${m?.option ? ` · phương án ${m.option}` : ''}${m?.covered ? ' · không đọc, dùng các cột tách' : ''})</small>`;
          })
        : html`<span class="tag warn">không có cột${c.missing.find((m) => m.code === q.code)?.required ? ' (bắt buộc)' : ''}</span>`
    }</td></tr>`,
  )}</tbody></table></div>
  <ul>
    <li>Cột mã phiếu: <code>${c.id ?? '–'}</code>${c.idFallbacks.length ? html` (khi trống: ${c.idFallbacks.map((f, i) => html`${i ? ', ' : ''}<code>${f}</code>`)})` : ''}</li>
    ${c.version ? html`<li>Cột phiên bản phiếu (đổi khi phiếu được sửa): <code>${c.version}</code></li>` : ''}
    <li>Cột mã đơn vị: <code>${c.unit ?? '–'}</code></li>
    ${c.submitted.length ? html`<li>Cột thời điểm nộp: ${c.submitted.map((f, i) => html`${i ? ', ' : ''}<code>${f}</code>`)}</li>` : ''}
    ${c.demographics.length ? html`<li>Thông tin người trả lời: ${c.demographics.map((d, i) => html`${i ? ', ' : ''}<code>${d.column}</code> → ${demographicLabels[d.field]}`)}</li>` : ''}
    ${c.ignoredCount ? html`<li>Bỏ qua ${fmtInt(c.ignoredCount)} cột: ${c.ignored.join(', ')}${c.ignoredTruncated ? ` … (chỉ liệt kê ${fmtInt(c.ignored.length)} cột đầu)` : ''}</li>` : ''}
  </ul><p class="muted hash">${fmtInt(r.bytes)} byte · SHA-256 ${r.sha256}</p></details>`;
}

function importReport(r: Report, filename: string): Html {
  const ok = r.rejected === 0;
  const heading = r.dryRun ? `Kết quả kiểm tra (chạy thử): ${filename}` : `Đã nhập: ${filename}`;
  const summary = r.dryRun
    ? html`<p class="flash ${ok ? 'flash-ok' : 'flash-info'}" role="status">Chạy thử, <strong>chưa có phiếu nào được lưu</strong>. Tệp có ${fmtInt(r.rows)} dòng dữ liệu: ${fmtInt(r.imported)} phiếu sẽ được nhập, ${fmtInt(r.updated)} phiếu đã sửa sẽ thay bản cũ, ${fmtInt(r.duplicate)} phiếu trùng (bỏ qua), ${fmtInt(r.skipped.count)} dòng không phải phiếu (bỏ qua), ${fmtInt(r.rejected)} dòng bị từ chối.</p>`
    : html`<p class="flash flash-ok" role="status">Đã nhập ${fmtInt(r.imported)} phiếu từ ${fmtInt(r.rows)} dòng dữ liệu; ${fmtInt(r.updated)} phiếu đã sửa thay bản cũ, ${fmtInt(r.duplicate)} phiếu trùng (bỏ qua), ${fmtInt(r.skipped.count)} dòng không phải phiếu (bỏ qua), ${fmtInt(r.rejected)} dòng bị từ chối.</p>`;
  return html`<section class="panel ${ok ? 'ok-panel' : 'attention'}" aria-live="polite" id="bao-cao">
  <h2>${heading}</h2>
  ${summary}
  <section class="summary-grid">
    <div class="stat"><span class="stat-label">Dòng dữ liệu</span><strong>${fmtInt(r.rows)}</strong></div>
    <div class="stat"><span class="stat-label">${r.dryRun ? 'Sẽ nhập' : 'Đã nhập'}</span><strong>${fmtInt(r.imported)}</strong></div>
    <div class="stat"><span class="stat-label">${r.dryRun ? 'Sẽ thay bản cũ' : 'Đã thay bản cũ'}</span><strong>${fmtInt(r.updated)}</strong></div>
    <div class="stat"><span class="stat-label">Trùng (bỏ qua)</span><strong>${fmtInt(r.duplicate)}</strong></div>
    <div class="stat"><span class="stat-label">Không phải phiếu (bỏ qua)</span><strong>${fmtInt(r.skipped.count)}</strong></div>
    <div class="stat${r.rejected ? ' warn' : ''}"><span class="stat-label">Bị từ chối</span><strong>${fmtInt(r.rejected)}</strong></div>
  </section>
  ${
    r.skipped.reasons.length
      ? html`<h3>Các dòng bỏ qua</h3><ul>${r.skipped.reasons.map((s) => html`<li>${skipTexts[s.code] ?? s.code}: ${fmtInt(s.count)} dòng (dòng ${s.rows.join(', ')}${s.count > s.rows.length ? ', …' : ''})</li>`)}</ul>`
      : ''
  }
  ${
    r.warnings.length
      ? html`<h3>Lưu ý${r.answersRejected ? ` (${fmtInt(r.answersRejected)} câu trả lời bị bỏ)` : ''}</h3><div class="table-wrap"><table class="data import-warnings"><thead><tr><th scope="col" class="num">Dòng</th><th scope="col">Cột / câu hỏi</th><th scope="col">Vấn đề</th></tr></thead>
<tbody>${r.warnings.map((w) => html`<tr><td class="num">${w.row ?? '–'}</td><td>${w.column || w.question || '–'}</td><td>${warningTexts[w.code] ?? 'Lưu ý.'}<br><small class="muted">${w.message}</small></td></tr>`)}</tbody></table></div>
${r.warningsTruncated ? html`<p class="muted">Chỉ liệt kê ${fmtInt(r.warnings.length)} lưu ý đầu tiên.</p>` : ''}`
      : ''
  }
  ${
    r.errors.length
      ? html`<h3>Các dòng bị từ chối</h3><div class="table-wrap"><table class="data import-errors"><thead><tr><th scope="col" class="num">Dòng</th><th scope="col">Cột</th><th scope="col">Vấn đề</th></tr></thead>
<tbody>${r.errors.map((e) => html`<tr><td class="num">${e.row}</td><td>${e.column || '–'}</td><td>${rowProblemTexts[e.code] ?? 'Dòng không hợp lệ.'}<br><small class="muted">${e.message}</small></td></tr>`)}</tbody></table></div>
${r.errorsTruncated ? html`<p class="muted">Chỉ liệt kê ${fmtInt(r.errors.length)} dòng đầu tiên bị từ chối.</p>` : ''}`
      : ''
  }
  ${importColumns(r)}
</section>`;
}

function questionnaire(s: Survey): Html {
  const links = html`<div class="downloads"><a class="button" href="${surveyHref(s.code)}/xem-truoc">Xem trước biểu mẫu</a>${s.responseCount === 0 ? html` <a class="button primary" href="${editorHref(s.code)}">Sửa bảng hỏi</a>` : ''}</div>`;
  return html`<section class="panel" id="bang-hoi"><h2>Bảng hỏi</h2>
${links}
${s.dimensions.map(
  (d) => html`<section class="survey-dimension"><h3>${d.code} · ${d.title} <span class="muted">(trọng số ${d.weight})</span></h3>
  <ol class="survey-questions">${d.questions.map(
    (q) => html`<li><p><strong>${q.code}</strong>. ${q.text}${q.required ? html` <span class="tag">bắt buộc</span>` : ''}${q.multiple ? html` <span class="tag">nhiều lựa chọn</span>` : ''}</p>
    <ul class="inline-list">${q.options.map((o) => html`<li>${o.code} · ${o.label}: <span class="muted">${o.value === null ? 'không tính điểm' : `giá trị ${String(o.value).replace('.', ',')}`}</span></li>`)}</ul></li>`,
  )}</ol></section>`,
)}
${s.demographics.length ? html`<p class="muted">Thông tin người trả lời (không bắt buộc, không công khai): ${s.demographics.map((f) => demographicLabels[f]).join(', ')}.</p>` : ''}
<p class="muted">${s.responseCount === 0 ? 'Bảng hỏi sửa được cho đến khi có phiếu trả lời đầu tiên; mỗi lần lưu tạo một phiên bản mới.' : 'Bảng hỏi đã có phiếu trả lời nên không sửa được nữa; để đổi câu hỏi, hãy tạo bảng hỏi mới với mã khác.'}</p>
</section>`;
}

function resultsSection(r: Results): Html {
  const dims = r.units[0]?.dimensions ?? r.groups[0]?.dimensions ?? [];
  const flag = (below: boolean) => (below ? html` <span class="tag warn">dưới ${r.minResponses} phiếu</span>` : '');
  return html`<section class="panel" id="ket-qua"><h2>Kết quả khảo sát</h2>
  <p class="muted">${fmtInt(r.n)} phiếu. Chỉ số từ 0 đến 100.${r.minResponses > 0 ? ` Đơn vị có ít hơn ${r.minResponses} phiếu được đánh dấu và không công khai kết quả.` : ''}</p>
  ${
    r.units.length === 0
      ? html`<p>Chưa có phiếu nào và chưa có kỳ đánh giá nào dùng khảo sát này.</p>`
      : html`<h3>Theo đơn vị</h3><div class="table-wrap"><table class="data survey-results"><thead><tr><th scope="col">Đơn vị</th><th scope="col" class="num">Số phiếu</th><th scope="col" class="num">Chỉ số chung</th>${dims.map((d) => html`<th scope="col" class="num">${d.code}</th>`)}</tr></thead>
<tbody>${r.units.map(
          (u) => html`<tr${u.belowMinResponses ? html` class="below-min"` : ''}><th scope="row">${u.unitName} <span class="muted">(${u.unitCode})</span>${flag(u.belowMinResponses)}</th><td class="num">${fmtInt(u.n)}</td><td class="num"><strong>${fmtIndex(u.overallIndex)}</strong></td>${u.dimensions.map((d) => html`<td class="num">${fmtIndex(d.index)}</td>`)}</tr>`,
        )}</tbody></table></div>
${dims.length ? html`<p class="muted">${dims.map((d, i) => html`${i ? ' · ' : ''}${d.code}: ${d.title}`)}</p>` : ''}`
  }
  ${
    r.groups.length
      ? html`<h3>Theo nhóm đơn vị của kỳ đánh giá</h3><div class="table-wrap"><table class="data"><thead><tr><th scope="col">Kỳ đánh giá · nhóm</th><th scope="col" class="num">Đơn vị có phiếu</th><th scope="col" class="num">Dưới ngưỡng</th><th scope="col" class="num">Số phiếu</th><th scope="col" class="num">Chỉ số chung</th></tr></thead>
<tbody>${r.groups.map(
          (g) => html`<tr><th scope="row">${g.roundName} · ${g.groupName} <span class="tag phase">${phaseLabel(g.phase)}</span></th><td class="num">${g.unitsWithResponses}/${g.units}</td><td class="num">${g.unitsBelowMinResponses}</td><td class="num">${fmtInt(g.n)}</td><td class="num"><strong>${fmtIndex(g.overallIndex)}</strong></td></tr>`,
        )}</tbody></table></div>`
      : ''
  }
  ${
    r.respondents.length
      ? html`<details><summary>Thông tin người trả lời (toàn bộ khảo sát, không theo đơn vị)</summary>${r.respondents.map(
          (f) => html`<p><strong>${demographicLabels[f.field]}</strong>: ${f.counts.length ? f.counts.map((c, i) => html`${i ? '; ' : ''}${(demographicOptions[f.field] as Record<string, string>)[c.value] ?? c.value} ${fmtInt(c.n)}`) : 'chưa có'}</p>`,
        )}</details>`
      : ''
  }
</section>`;
}

export function surveyPages(app: FastifyInstance, kit: Kit) {
  const { surveys, orgUnits } = app.services;
  const cfg = { webRoles: ROLES };
  const maxBytes = app.appConfig.surveyImportMaxBytes;
  const maxMb = Math.round((maxBytes / 1024 / 1024) * 10) / 10;
  surveyEditorPages(app, kit, ROLES);

  app.get('/dieu-phoi/khao-sat', { config: cfg, schema: hide }, async (req, reply) => {
    const list = await surveys.list(kit.ctx(req), {});
    const body = html`<div class="page-head"><div><h1>Khảo sát</h1><p class="sub">Bảng hỏi khảo sát sự hài lòng, đường dẫn và mã QR theo đơn vị, nhập phiếu từ tệp</p></div>
  <div class="status-box"><a class="button primary" href="${NEW_SURVEY}">Tạo bảng hỏi mới</a></div></div>
${
  list.length === 0
    ? html`<p class="panel">Chưa có bảng hỏi nào.</p>`
    : html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Mã</th><th scope="col">Tên bảng hỏi</th><th scope="col" class="num">Phiên bản</th><th scope="col">Trạng thái</th><th scope="col" class="num">Câu hỏi</th><th scope="col" class="num">Số phiếu</th></tr></thead>
<tbody>${list.map(
        (s) => html`<tr><td><a href="${surveyHref(s.code)}">${s.code}</a></td><td>${s.name}${s.year ? html` <span class="muted">(${s.year})</span>` : ''}</td><td class="num">${s.version}</td><td>${statusTag(s.status)}</td><td class="num">${s.questionCount}</td><td class="num">${fmtInt(s.responseCount)}</td></tr>`,
      )}</tbody></table></div>`
}
<p class="muted">Tại đây cơ quan điều phối soạn và sửa bảng hỏi (cho đến khi có phiếu trả lời), xem trước biểu mẫu, công bố bảng hỏi, in mã QR, nhập phiếu và xem kết quả. Chương trình khác có thể dùng API (<code>POST/PUT /api/v1/surveys</code>).</p>`;
    return kit.page(req, reply, { title: 'Khảo sát', body, section: SECTION, flash: kit.flashOf(req) });
  });

  async function surveyPage(req: FastifyRequest, reply: FastifyReply, code: string, error?: WebError) {
    const ctx = kit.ctx(req);
    const s = await surveys.get(ctx, code);
    const results = can(ctx.actor, 'survey.results') ? await surveys.results(ctx, code) : null;
    const draft = s.status === 'draft';
    const body = html`<div class="page-head"><div><h1>${s.name}</h1><p class="sub">${s.code} · phiên bản ${s.version} · ${kindLabels[s.kind] ?? s.kind}${s.year ? ` · năm ${s.year}` : ''}</p></div>
  <div class="status-box">${statusTag(s.status)}${s.publishedAt ? html` <span class="tag">công bố ${fmtDateTime(s.publishedAt)}</span>` : ''}</div></div>
${error ? html`<p class="flash flash-error" role="alert">${error.message}</p>` : ''}
${s.description ? html`<p>${s.description}</p>` : ''}
<section class="summary-grid">
  <div class="stat"><span class="stat-label">Số phiếu</span><strong>${fmtInt(s.responseCount)}</strong></div>
  <div class="stat"><span class="stat-label">Câu hỏi</span><strong>${s.questionCount}</strong></div>
  <div class="stat"><span class="stat-label">Nhóm câu hỏi</span><strong>${s.dimensions.length}</strong></div>
  <div class="stat"><span class="stat-label">Số phiếu tối thiểu / đơn vị</span><strong>${s.minResponses}</strong></div>
</section>
${
  draft
    ? html`<form method="post" action="${surveyHref(s.code)}/cong-bo" class="panel attention stack" data-confirm="Công bố bảng hỏi ${s.code}? Sau khi công bố, người dân gửi được phiếu; bảng hỏi đã có phiếu thì không sửa được nữa.">
  <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
  <h2>Công bố bảng hỏi</h2>
  <p>Bảng hỏi đang là dự thảo. Khi công bố, biểu mẫu trực tuyến của các đơn vị trong kỳ đánh giá nhận phiếu và có thể nhập phiếu từ tệp.</p>
  <label class="check"><input type="checkbox" name="xac_nhan" value="1" required> Tôi đã kiểm tra bảng hỏi và đồng ý công bố</label>
  <button class="button primary" type="submit">Công bố bảng hỏi</button></form>`
    : html`<div class="downloads"><a class="button" href="${surveyHref(s.code)}/duong-dan">In đường dẫn và mã QR</a> <a class="button" href="${surveyHref(s.code)}/nhap-phieu">Nhập phiếu từ tệp</a></div>`
}
${results ? resultsSection(results) : ''}
${questionnaire(s)}`;
    return kit.page(req, reply, {
      title: s.code,
      body,
      section: SECTION,
      flash: kit.flashOf(req) ?? { ...flashTexts, ...editorFlashTexts }[String((req.query as Record<string, unknown>).tb ?? '')] ?? null,
      breadcrumbs: [['Khảo sát', SECTION], [s.code]],
      status: error?.status ?? 200,
    });
  }

  app.get<{ Params: PC }>('/dieu-phoi/khao-sat/:code', { config: cfg, schema: hide }, async (req, reply) => surveyPage(req, reply, req.params.code));

  app.post<{ Params: PC }>('/dieu-phoi/khao-sat/:code/cong-bo', { config: cfg, schema: hide }, async (req, reply) => {
    if (field(req.body, 'xac_nhan') !== '1') {
      return surveyPage(req, reply, req.params.code, { status: 422, message: 'Hãy đánh dấu ô xác nhận trước khi công bố bảng hỏi.', fields: {}, items: [] });
    }
    try {
      await surveys.publish(kit.ctx(req), req.params.code);
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500 || e.status === 404) throw err;
      const message = e.status === 409 ? 'Bảng hỏi đã được công bố.' : e.message;
      return surveyPage(req, reply, req.params.code, { ...e, message });
    }
    return kit.redirect(reply, surveyHref(req.params.code), 'da-cong-bo-khao-sat');
  });

  // ---------------------------------------------------------------------------------------------------------
  // Printable form links with QR codes (inline SVG), one card per unit collecting responses.

  app.get<{ Params: PC }>('/dieu-phoi/khao-sat/:code/duong-dan', { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    const s = await surveys.get(ctx, req.params.code);
    const links = await surveys.links(ctx, s.code, publicBaseUrl(app.appConfig, req));
    const cards: Html[] = [];
    for (const l of links) {
      const svg = String(await qrImage(l.url, 'svg', 220));
      const qrBase = `${surveyHref(s.code)}/duong-dan/${encodeURIComponent(l.unitCode)}/qr`;
      cards.push(html`<article class="qr-card">
  <h2>${l.unitName}</h2>
  <p class="sub">${s.name}</p>
  <div class="qr" role="img" aria-label="Mã QR biểu mẫu khảo sát của ${l.unitName}">${raw(svg)}</div>
  <p class="qr-url"><a href="${l.url}">${l.url}</a></p>
  <p class="no-print"><a href="${qrBase}.png" download>Tải mã QR (PNG)</a> · <a href="${qrBase}.svg" download>SVG</a>${l.open ? '' : html` · <span class="tag warn">chưa nhận phiếu</span>`}</p>
</article>`);
    }
    const body = html`<div class="page-head no-print"><div><h1>Đường dẫn và mã QR</h1><p class="sub">${s.code} · ${s.name}</p></div></div>
<p class="muted no-print">Mỗi thẻ là biểu mẫu khảo sát của một đơn vị, để in và đặt tại Bộ phận một cửa. Dùng chức năng In của trình duyệt (Ctrl+P) để in; phần điều hướng không được in.</p>
${s.status !== 'published' ? html`<p class="flash flash-info no-print" role="status">Bảng hỏi chưa công bố: biểu mẫu chưa nhận phiếu.</p>` : ''}
${links.length === 0 ? html`<p class="panel">Chưa có đơn vị nào nhận phiếu: khảo sát được mở cho các đơn vị của kỳ đánh giá có bộ tiêu chí dùng khảo sát này, trong giai đoạn đang diễn ra.</p>` : html`<div class="qr-grid">${cards}</div>`}`;
    return kit.page(req, reply, { title: `Mã QR · ${s.code}`, body, section: SECTION, breadcrumbs: [['Khảo sát', SECTION], [s.code, surveyHref(s.code)], ['Đường dẫn và mã QR']] });
  });

  for (const format of ['png', 'svg'] as const) {
    app.get<{ Params: PC & { unitCode: string } }>(`/dieu-phoi/khao-sat/:code/duong-dan/:unitCode/qr.${format}`, { config: cfg, schema: hide }, async (req, reply) => {
      const out = await surveys.qr(kit.ctx(req), req.params.code, req.params.unitCode, format, 1024, publicBaseUrl(app.appConfig, req));
      return reply
        .type(format === 'png' ? 'image/png' : 'image/svg+xml')
        .header('content-disposition', contentDisposition(`qr-${req.params.code}-${req.params.unitCode}.${format}`))
        .header('cache-control', 'private, no-store')
        .send(out);
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Bulk import of export files: "Kiểm tra" (dry run, nothing stored) or "Nhập" (one transaction). The mode is in
  // the form's action URL (the buttons' formaction), so it is known before the file streams to the service.

  type ImportOutcome = { kind: 'report'; report: Report; filename: string } | { kind: 'error'; e: WebError; problems: string[] };
  type Posted = { unitCode: string; idColumn: string; unitColumn: string; includeIncomplete?: string };

  async function importPage(req: FastifyRequest, reply: FastifyReply, code: string, outcome?: ImportOutcome, posted: Posted = { unitCode: '', idColumn: '', unitColumn: '' }) {
    const ctx = kit.ctx(req);
    const s = await surveys.get(ctx, code);
    const units = (await orgUnits.list(ctx, { active: true })).filter((u) => u.kind !== 'province' && u.kind !== 'district');
    let result: Slot = null;
    if (outcome?.kind === 'report') result = importReport(outcome.report, outcome.filename);
    else if (outcome?.kind === 'error') {
      result = html`<section class="panel attention" id="bao-cao"><p class="flash flash-error" role="alert">${outcome.e.message}</p>${outcome.problems.length ? html`<ul class="problems">${outcome.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}<p>Chưa có phiếu nào được lưu.</p></section>`;
    }
    const action = `${surveyHref(s.code)}/nhap-phieu`;
    const body = html`<h1>Nhập phiếu khảo sát từ tệp</h1>
<p class="sub">${s.code} · ${s.name}</p>
<p>Tệp xuất từ KoboToolbox, ODK Central hoặc LimeSurvey đúng như khi tải về (CSV, JSON hoặc XLSX, tối đa ${String(maxMb).replace('.', ',')} MB). Cột được nhận theo mã câu hỏi (cả dạng nhóm/Q1, nhóm-Q1, Q1[SQ001]), tên nguồn, hoặc nội dung câu hỏi khi tệp xuất theo nhãn; một cột ghi mã đơn vị, một cột ghi mã phiếu. “Kiểm tra” chỉ đọc tệp và giải thích từng cột, từng dòng bị từ chối hoặc bỏ qua, không lưu gì; “Nhập phiếu” lưu mọi dòng hợp lệ. Phiếu đã có (cùng mã phiếu gốc) được bỏ qua; phiếu đã sửa trên công cụ khảo sát thay bản cũ, không tạo phiếu trùng.</p>
${result}
${
  s.status !== 'published'
    ? html`<p class="flash flash-info" role="status">Bảng hỏi còn là dự thảo: hãy <a href="${surveyHref(s.code)}">công bố bảng hỏi</a> trước khi nhập phiếu.</p>`
    : html`<form method="post" action="${action}?che-do=kiem-tra" enctype="multipart/form-data" class="panel stack">
  <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
  <div class="field"><label for="don-vi">Đơn vị (chỉ chọn khi cả tệp là phiếu của một đơn vị)</label><select id="don-vi" name="unitCode"><option value="">– Lấy từ cột mã đơn vị –</option>${units.map((u) => html`<option value="${u.code}"${u.code === posted.unitCode ? raw(' selected') : ''}>${u.name} (${u.code})</option>`)}</select></div>
  <details><summary>Tên cột khác mặc định</summary><div class="field-row">
    <div class="field"><label for="cot-ma-phieu">Cột mã phiếu</label><input id="cot-ma-phieu" name="idColumn" value="${posted.idColumn}" placeholder="instanceID" maxlength="200"></div>
    <div class="field"><label for="cot-don-vi">Cột mã đơn vị</label><input id="cot-don-vi" name="unitColumn" value="${posted.unitColumn}" placeholder="unitCode" maxlength="200"></div>
  </div>
  <label class="choice"><input type="checkbox" name="includeIncomplete" value="true"${posted.includeIncomplete === 'true' ? raw(' checked') : ''}> Nhập cả phiếu LimeSurvey chưa hoàn thành (không có submitdate)</label></details>
  <div class="field"><label for="tep">Tệp phiếu (.csv, .json, .xlsx)</label><input id="tep" type="file" name="file" accept=".csv,.json,.xlsx,text/csv,application/json,${XLSX_MIME}" required></div>
  <div class="form-foot"><button class="button" type="submit">Kiểm tra (chạy thử)</button> <button class="button primary" type="submit" formaction="${action}?che-do=nhap">Nhập phiếu</button></div>
</form>`
}`;
    const status = outcome?.kind === 'error' ? outcome.e.status : 200;
    return kit.page(req, reply, { title: `Nhập phiếu · ${s.code}`, body, section: SECTION, breadcrumbs: [['Khảo sát', SECTION], [s.code, surveyHref(s.code)], ['Nhập phiếu']], status });
  }

  app.get<{ Params: PC }>('/dieu-phoi/khao-sat/:code/nhap-phieu', { config: cfg, schema: hide }, async (req, reply) => importPage(req, reply, req.params.code));

  app.post<{ Params: PC; Querystring: Record<string, string | undefined> }>('/dieu-phoi/khao-sat/:code/nhap-phieu', { config: { ...cfg, webManualCsrf: true }, schema: hide }, async (req, reply) => {
    const code = req.params.code;
    const dryRun = req.query['che-do'] !== 'nhap';
    const fail = (status: number, message: string, problems: string[] = []): ImportOutcome => ({ kind: 'error', e: { status, message, fields: {}, items: [] }, problems });
    if (!req.isMultipart()) return importPage(req, reply, code, fail(400, 'Vui lòng chọn tệp phiếu.'));
    const ctx = kit.ctx(req);
    let csrfOk = false;
    const posted: Posted = { unitCode: '', idColumn: '', unitColumn: '' };
    let outcome: ImportOutcome | null = null;
    let unexpected: unknown = null;
    // The file streams straight into the service; the size cap is the service's (SURVEY_IMPORT_MAX_MB).
    for await (const part of req.parts({ limits: { fileSize: maxBytes + 1024 * 1024, files: 1, fields: 8, parts: 9 } })) {
      if (part.type === 'field') {
        const v = typeof part.value === 'string' ? part.value.trim().slice(0, 200) : '';
        if (part.fieldname === '_csrf') csrfOk = verifyCsrf(req, kit.names, part.value);
        else if (part.fieldname === 'unitCode' || part.fieldname === 'idColumn' || part.fieldname === 'unitColumn' || part.fieldname === 'includeIncomplete') posted[part.fieldname] = v;
        continue;
      }
      if (!csrfOk || outcome || part.fieldname !== 'file' || !part.filename) {
        part.file.resume();
        continue;
      }
      const format = formatOf(part.filename, part.mimetype);
      if (!format) {
        part.file.resume();
        outcome = fail(415, 'Chỉ nhận tệp CSV, JSON hoặc XLSX (đuôi .csv, .json, .xlsx).');
        continue;
      }
      try {
        const report = await surveys.importResponses(ctx, code, part.file, {
          format,
          dryRun,
          unitCode: posted.unitCode || undefined,
          idColumn: posted.idColumn || undefined,
          unitColumn: posted.unitColumn || undefined,
          includeIncomplete: posted.includeIncomplete === 'true',
        });
        outcome = { kind: 'report', report, filename: part.filename };
      } catch (err) {
        // Whatever the service left unread is drained, so the rest of the form can still be read.
        part.file.unpipe();
        part.file.resume();
        const status = err instanceof AppError ? err.status : (err as { statusCode?: number }).statusCode;
        if (status === 413) outcome = fail(413, `Tệp lớn hơn ${String(maxMb).replace('.', ',')} MB; hãy chia thành nhiều tệp nhỏ hơn.`);
        else if (err instanceof AppError && err.status === 422) {
          const errors = (err.extra.errors as FieldError[] | undefined) ?? [];
          outcome = fail(422, 'Tệp không nhập được; chưa có phiếu nào được lưu.', errors.map(fileProblem));
        } else if (err instanceof AppError && err.status === 409) outcome = fail(409, 'Bảng hỏi còn là dự thảo: hãy công bố trước khi nhập phiếu.');
        else if (err instanceof AppError && err.status < 500 && err.status !== 404) outcome = { kind: 'error', e: webError(err), problems: [] };
        else unexpected = err;
      }
    }
    if (!csrfOk) return csrfRefused(req, reply, kit);
    if (unexpected) throw unexpected;
    return importPage(req, reply, code, outcome ?? fail(400, 'Vui lòng chọn tệp phiếu.'), posted);
  });
}
