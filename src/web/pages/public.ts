// Public pages (anonymous): published results by year and group with a ranked table and a bar chart of indices,
// one unit's area breakdown and year-over-year history, downloads, and the satisfaction survey form per unit
// (mobile first). Everything shown comes from published snapshots; nothing unpublished is ever read here.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../lib/errors.js';
import type { PublicationsService, PublicView } from '../../modules/publications/publications.service.js';
import type { SurveysService } from '../../modules/surveys/surveys.service.js';
import { fmtDate, fmtIndex, fmtPoints } from '../format.js';
import { attr, html, jsonData, type Html, type Slot } from '../html.js';
import { field, fields, type Kit } from '../kit.js';
import { areaKindBadge } from '../labels.js';
import { webError } from '../messages.js';

const hide = { hide: true } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type ListItem = Awaited<ReturnType<PublicationsService['list']>>[number];
type SurveyForm = Awaited<ReturnType<SurveysService['publicUnitForm']>>;
export type PublicSurvey = SurveyForm['survey'];

const demographicTexts: Record<string, string> = { sex: 'Giới tính', ageBand: 'Độ tuổi', occupation: 'Nghề nghiệp' };

/**
 * The citizen's survey form: the questions by dimension (radio buttons for single choice, checkboxes for multiple
 * choice), the optional respondent fields and the submit button. The survey admin's preview renders this same markup
 * with `action: null`: no form target, nothing to submit.
 */
export function surveyFormMarkup(
  survey: PublicSurvey,
  unitName: string,
  o: { action: string | null; csrf: string; responseId: string; answers?: Record<string, string>; respondent?: Record<string, string>; errors?: Record<string, string>; message?: string },
): Html {
  const answers = o.answers ?? {};
  const errors = o.errors ?? {};
  const preview = o.action === null;
  return html`<div class="survey">
  <p class="sub">${unitName}</p>
  <h1>${survey.name}</h1>
  ${survey.description ? html`<p>${survey.description}</p>` : ''}
  <p class="muted">Phiếu khảo sát ẩn danh: không ghi họ tên, số điện thoại hay địa chỉ. Xin chân thành cảm ơn ông/bà!</p>
  ${o.message ? html`<div class="flash flash-error" role="alert">${o.message}</div>` : ''}
  <form${preview ? html` class="survey-preview-form" aria-label="Xem trước biểu mẫu"` : html` method="post" action="${o.action}"`} novalidate>
    ${preview ? '' : html`<input type="hidden" name="_csrf" value="${o.csrf}">
    <input type="hidden" name="responseId" value="${o.responseId}">
    <div class="sr-only" aria-hidden="true"><label for="website">Để trống ô này</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>`}
    ${survey.dimensions.map(
      (d) => html`<h2 class="dimension">${d.title}</h2>
    ${d.questions.map((q) => {
      const err = errors[q.code];
      const chosen = q.multiple ? (answers[q.code] ?? '').split(' ') : [answers[q.code]];
      return html`<fieldset class="question${err ? ' has-error' : ''}" id="cau-${q.code}"${err ? html` aria-describedby="loi-${q.code}"` : ''}>
      <legend>${q.text}${q.required ? html` <span class="muted">(bắt buộc)</span>` : ''}${q.multiple ? html` <span class="muted">(chọn một hoặc nhiều phương án)</span>` : ''}</legend>
      ${err ? html`<p class="field-error" id="loi-${q.code}">${err}</p>` : ''}
      ${q.options.map((opt) =>
        // A required checkbox would make every box required: only a radio group carries `required`.
        q.multiple
          ? html`<label class="choice"><input type="checkbox" name="q_${q.code}" value="${opt.code}"${attr('checked', chosen.includes(opt.code))}> <span>${opt.label}</span></label>`
          : html`<label class="choice"><input type="radio" name="q_${q.code}" value="${opt.code}"${attr('checked', chosen.includes(opt.code))}${attr('required', q.required)}> <span>${opt.label}</span></label>`,
      )}
    </fieldset>`;
    })}`,
    )}
    ${
      survey.demographics.length
        ? html`<h2 class="dimension">Thông tin người trả lời (không bắt buộc)</h2>${survey.demographics.map(
            (d) => html`<div class="field"><label for="r-${d.field}">${demographicTexts[d.field] ?? d.field}</label>
      <select id="r-${d.field}" name="r_${d.field}"><option value="">– Không trả lời –</option>${d.options.map((opt) => html`<option value="${opt.code}"${attr('selected', o.respondent?.[d.field] === opt.code)}>${opt.label}</option>`)}</select></div>`,
          )}`
        : ''
    }
    <button class="button primary big" type="${preview ? 'button' : 'submit'}"${attr('disabled', preview)}>Gửi phiếu khảo sát</button>
  </form>
</div>`;
}

export const publicationHref = (id: string, group?: string) => `/cong-khai/${encodeURIComponent(id)}${group ? `?nhom=${encodeURIComponent(group)}` : ''}`;
const unitHref = (id: string, unitCode: string) => `/cong-khai/${encodeURIComponent(id)}/don-vi/${encodeURIComponent(unitCode)}`;
const CHART = '/assets/vendor/chart.umd.min.js';
/** The verification in Vietnamese for people; the API's JSON (…/verify) stays for programs. */
const verifyHref = (id: string) => `/cong-khai/${encodeURIComponent(id)}/kiem-tra`;

function downloads(p: { id: string }): Html {
  const base = `/api/v1/public/publications/${encodeURIComponent(p.id)}`;
  return html`<div class="downloads" aria-label="Tải kết quả">
  <a class="button small" href="${base}.csv" download>Tải CSV</a>
  <a class="button small" href="${base}.xlsx" download>Tải Excel (XLSX)</a>
  <a class="button small" href="${base}.pdf" download>Tải PDF</a>
  <a class="button small" href="${base}">Dữ liệu JSON (có chữ ký)</a>
  <a class="button small" href="${verifyHref(p.id)}">Kiểm tra chữ ký</a>
</div>`;
}

export function publicPages(app: FastifyInstance, kit: Kit) {
  const { publications, surveys } = app.services;

  /**
   * The publication as the pages show it: its signed snapshot without the rows' items and trace, checked and kept
   * by the service (never the full parse of a national-scale snapshot per page view; issue 14).
   */
  async function snapshotOf(id: string): Promise<Pick<PublicView, 'doc' | 'snapshot'>> {
    if (!UUID.test(id)) throw new NotFoundError('Publication', id);
    return publications.publicView(id);
  }

  function yearTabs(list: ListItem[], current: number | null): Slot {
    const years = [...new Set(list.map((p) => p.year))].sort((a, b) => b - a);
    if (years.length <= 1) return null;
    return html`<nav class="year-tabs" aria-label="Năm">${years.map((y) => html`<a class="button small${y === current ? ' primary' : ''}" href="/cong-khai?nam=${y}"${y === current ? html` aria-current="page"` : ''}>Năm ${y}</a>`)}</nav>`;
  }

  function rankingSection(pubId: string, g: PublicView['snapshot']['groups'][number]): Html {
    const rows = g.rows;
    const chart = {
      type: 'ranking',
      labels: rows.map((r) => r.unitName),
      values: rows.map((r) => r.index),
      bands: rows.map((r) => r.bandLabel),
      title: `Chỉ số CCHC: ${g.name}`,
    };
    const height = Math.max(200, rows.length * 34 + 60);
    return html`<section class="panel">
  <h2>${g.name}</h2>
  <p class="muted">Bộ tiêu chí ${g.framework.code}: ${g.framework.name}. Chỉ số = tổng điểm / điểm tối đa × 100.</p>
  <div class="chart-box" style="height:${height}px"><canvas id="bieu-do-xep-hang" role="img" aria-label="Biểu đồ cột chỉ số CCHC của ${rows.length} đơn vị; số liệu ở bảng bên dưới"></canvas></div>
  ${jsonData('chart-data', chart)}
  <div class="table-wrap"><table class="data ranking">
    <caption class="sr-only">Bảng xếp hạng Chỉ số CCHC ${g.name}</caption>
    <thead><tr><th scope="col" class="num">Hạng</th><th scope="col">Đơn vị</th><th scope="col" class="num">Chỉ số</th><th scope="col">Xếp loại</th><th scope="col" class="num">Tổng điểm</th><th scope="col" class="num">So với năm trước</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr><td class="num">${r.rank ?? '–'}</td><th scope="row"><a href="${unitHref(pubId, r.unitCode)}">${r.unitName}</a></th>
      <td class="num"><strong>${fmtIndex(r.index)}</strong></td><td class="band">${r.bandLabel ?? '–'}</td><td class="num">${fmtPoints(r.total)} <span class="muted">/ ${fmtPoints(r.max)}</span></td>
      <td class="num">${r.previous?.index != null && r.index != null ? html`<span class="${r.index - r.previous.index < 0 ? 'neg' : 'pos'}">${r.index - r.previous.index > 0 ? '+' : ''}${fmtIndex(Math.round((r.index - r.previous.index) * 100) / 100)}</span>` : html`<span class="muted">–</span>`}</td></tr>`,
    )}</tbody></table></div>
</section>`;
  }

  async function publicationPage(req: FastifyRequest, reply: FastifyReply, pubId: string, groupCode: string | undefined, list: ListItem[]) {
    const { doc, snapshot } = await snapshotOf(pubId);
    const group = snapshot.groups.find((g) => g.code === groupCode) ?? snapshot.groups[0];
    const meta = list.find((p) => p.id === pubId);
    const body = html`<div class="page-head"><div><h1>Kết quả Chỉ số CCHC năm ${snapshot.round.year}</h1>
  <p class="sub">${snapshot.round.name} · Quyết định số ${doc.decisionNumber} ngày ${fmtDate(doc.decisionDate)}</p></div></div>
${yearTabs(list, snapshot.round.year)}
${meta?.superseded ? html`<p class="flash flash-info">Kết quả này đã được đính chính bằng một quyết định khác. <a href="${publicationHref(meta.supersededBy ?? '')}">Xem kết quả mới</a>.</p>` : ''}
${doc.supersedesId ? html`<p class="flash flash-info">Công bố đính chính: ${doc.reason ?? ''}</p>` : ''}
${
  snapshot.groups.length > 1
    ? html`<nav class="year-tabs" aria-label="Nhóm đơn vị">${snapshot.groups.map((g) => html`<a class="button small${g.code === group?.code ? ' primary' : ''}" href="${publicationHref(pubId, g.code)}"${g.code === group?.code ? html` aria-current="page"` : ''}>${g.name}</a>`)}</nav>`
    : ''
}
${group ? rankingSection(pubId, group) : html`<p class="panel">Chưa có dữ liệu.</p>`}
<section class="panel"><h2>Tải về</h2>${downloads({ id: pubId })}
  <p class="muted">Mã băm SHA-256 của bản công bố: <code class="hash">${doc.hash}</code>. Dữ liệu được xác thực bằng chữ ký điện tử của hệ thống (Ed25519; khác với chữ ký bằng chứng thư của tổ chức chứng thực CA); khóa công khai tại <a href="/api/v1/public/signing-key">/api/v1/public/signing-key</a>.</p></section>`;
    return kit.page(req, reply, { title: `Kết quả Chỉ số CCHC năm ${snapshot.round.year}`, body, section: '/cong-khai', vendorScripts: [CHART], scripts: ['/assets/charts.js'], flash: kit.flashOf(req) });
  }

  app.get<{ Querystring: { nam?: string } }>('/cong-khai', { schema: hide }, async (req, reply) => {
    const list = await publications.list({});
    if (list.length === 0) {
      const body = html`<h1>Kết quả Chỉ số CCHC</h1><p class="panel">Chưa có kết quả nào được công bố.</p>`;
      return kit.page(req, reply, { title: 'Kết quả Chỉ số CCHC', body, section: '/cong-khai' });
    }
    const year = Number(req.query.nam);
    const chosen = list.find((p) => p.year === year) ?? list[0]!;
    return publicationPage(req, reply, chosen.id, undefined, list);
  });

  app.get<{ Params: { pubId: string }; Querystring: { nhom?: string } }>('/cong-khai/:pubId', { schema: hide }, async (req, reply) => {
    const list = await publications.list({ includeSuperseded: true });
    return publicationPage(req, reply, req.params.pubId, req.query.nhom, list);
  });

  // Signature check as a page (issue 15): the same recomputation as GET /api/v1/public/publications/{id}/verify,
  // told in Vietnamese; the technical values stay visible for whoever wants to check them by hand.
  app.get<{ Params: { pubId: string } }>('/cong-khai/:pubId/kiem-tra', { schema: hide }, async (req, reply) => {
    if (!UUID.test(req.params.pubId)) throw new NotFoundError('Publication', req.params.pubId);
    const v = await publications.verify(req.params.pubId);
    reply.header('cache-control', 'no-cache');
    const verdict = v.valid
      ? html`<p class="flash flash-ok" role="status"><strong>Hợp lệ.</strong> Nội dung bản công bố khớp với mã băm đã lưu, chữ ký điện tử của hệ thống đúng và liên kết với bản công bố trước không bị đứt: dữ liệu không bị sửa đổi kể từ khi công bố.</p>`
      : html`<p class="flash flash-error" role="alert"><strong>Không hợp lệ.</strong> Phát hiện ${v.problems.length} vấn đề: nội dung, chữ ký hoặc chuỗi liên kết không còn khớp với lúc công bố. Đề nghị liên hệ cơ quan công bố.</p>`;
    const row = (label: string, value: Slot) => html`<tr><th scope="row">${label}</th><td class="wrap-anywhere">${value}</td></tr>`;
    const body = html`<div class="page-head"><div><h1>Kiểm tra chữ ký điện tử của hệ thống</h1><p class="sub">Bản công bố ${v.publicationId}</p></div></div>
${verdict}
<section class="panel"><h2>Thông tin kiểm tra</h2><div class="table-wrap"><table>
  ${row('Kết quả', v.valid ? 'Hợp lệ' : 'Không hợp lệ')}
  ${row('Thuật toán chữ ký', v.algorithm)}
  ${row('Mã khóa', v.keyId)}
  ${row('Mã băm SHA-256 đã lưu', v.hash)}
  ${row('Mã băm tính lại', v.computedHash)}
  ${row('Chữ ký', v.signature)}
  ${row('Mã băm bản công bố trước', v.prevHash)}
  ${v.supersedesId ? row('Thay thế bản công bố', html`<a href="${publicationHref(v.supersedesId)}">${v.supersedesId}</a>`) : ''}
  ${v.supersededBy ? row('Đã được thay thế bởi', html`<a href="${publicationHref(v.supersededBy)}">bản công bố mới hơn</a>`) : ''}
</table></div>
${v.problems.length ? html`<h2>Vấn đề phát hiện (chi tiết kỹ thuật)</h2><ul>${v.problems.map((p) => html`<li class="wrap-anywhere">${p}</li>`)}</ul>` : ''}
<p class="muted">Cách kiểm tra độc lập: tải <a href="/api/v1/public/publications/${v.publicationId}">dữ liệu JSON</a> và <a href="/api/v1/public/signing-key">khóa công khai</a>, tính SHA-256 trên dạng chuẩn (RFC 8785) của phần “snapshot” rồi kiểm tra chữ ký Ed25519. Kết quả dạng máy đọc: <a href="/api/v1/public/publications/${v.publicationId}/verify">JSON</a>.</p></section>
<p><a href="${publicationHref(v.publicationId)}">← Về bản công bố</a></p>`;
    return kit.page(req, reply, { title: 'Kiểm tra chữ ký điện tử của hệ thống', body, section: '/cong-khai' });
  });

  app.get<{ Params: { pubId: string; unitCode: string } }>('/cong-khai/:pubId/don-vi/:unitCode', { schema: hide }, async (req, reply) => {
    const { doc, snapshot } = await snapshotOf(req.params.pubId);
    const group = snapshot.groups.find((g) => g.rows.some((r) => r.unitCode === req.params.unitCode));
    const row = group?.rows.find((r) => r.unitCode === req.params.unitCode);
    if (!group || !row) throw new NotFoundError('Unit', req.params.unitCode);
    let history: Awaited<ReturnType<PublicationsService['history']>>['entries'] = [];
    try {
      history = (await publications.history(row.unitCode)).entries;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    const regular = row.areas.filter((a) => a.kind === 'regular');
    const chart = {
      type: 'areas',
      labels: regular.map((a) => `${a.code}. ${a.title ?? ''}`),
      values: regular.map((a) => a.index),
      // Own rows only in the chart; rows of the units this one was formed from are listed in the table below.
      history: { labels: history.filter((h) => !h.predecessor).map((h) => String(h.year)), values: history.filter((h) => !h.predecessor).map((h) => h.index) },
    };
    const body = html`<div class="page-head"><div><p class="sub"><a href="${publicationHref(doc.id, group.code)}">${group.name} · năm ${snapshot.round.year}</a></p><h1>${row.unitName}</h1></div></div>
<section class="summary-grid">
  <div class="stat"><span class="stat-label">Chỉ số CCHC</span><strong>${fmtIndex(row.index)}</strong></div>
  <div class="stat"><span class="stat-label">Xếp hạng</span><strong>${row.rank ?? '–'} / ${group.rows.length}</strong></div>
  <div class="stat"><span class="stat-label">Xếp loại</span><strong>${row.bandLabel ?? '–'}</strong></div>
  <div class="stat"><span class="stat-label">Tổng điểm</span><strong>${fmtPoints(row.total)} / ${fmtPoints(row.max)}</strong></div>
</section>
${jsonData('chart-data', chart)}
<section class="panel"><h2>Chỉ số theo lĩnh vực</h2>
  <div class="chart-box" style="height:${Math.max(220, regular.length * 34 + 60)}px"><canvas id="bieu-do-linh-vuc" role="img" aria-label="Biểu đồ chỉ số từng lĩnh vực; số liệu ở bảng bên dưới"></canvas></div>
  <div class="table-wrap"><table class="data"><thead><tr><th scope="col">Lĩnh vực</th><th scope="col" class="num">Điểm</th><th scope="col" class="num">Tối đa</th><th scope="col" class="num">Chỉ số</th></tr></thead>
  <tbody>${row.areas.map((a) => html`<tr><th scope="row">${a.code}. ${a.title ?? ''}${areaKindBadge(a.kind, a.title) ? html` <span class="tag">${areaKindBadge(a.kind, a.title)}</span>` : ''}</th><td class="num">${fmtPoints(a.points)}</td><td class="num">${a.kind === 'regular' ? fmtPoints(a.max) : '–'}</td><td class="num">${a.kind === 'regular' ? fmtIndex(a.index) : '–'}</td></tr>`)}</tbody></table></div>
</section>
<section class="panel"><h2>Qua các năm</h2>
  ${
    history.length > 1
      ? html`<div class="chart-box" style="height:240px"><canvas id="bieu-do-lich-su" role="img" aria-label="Biểu đồ chỉ số qua các năm; số liệu ở bảng bên dưới"></canvas></div>`
      : html`<p class="muted">Chưa có kết quả của năm trước để so sánh.</p>`
  }
  ${history.some((h) => h.predecessor) ? html`<p class="muted">Gồm kết quả đã công bố của các đơn vị được sắp xếp, hợp nhất thành đơn vị này (ghi theo tên và mã của từng đơn vị tại thời điểm công bố).</p>` : ''}
  <div class="table-wrap"><table class="data"><thead><tr><th scope="col">Năm</th><th scope="col">Đơn vị</th><th scope="col" class="num">Chỉ số</th><th scope="col" class="num">Xếp hạng</th><th scope="col">Xếp loại</th><th scope="col">Quyết định</th></tr></thead>
  <tbody>${history.map((h) => html`<tr><th scope="row"><a href="${publicationHref(h.publicationId, h.groupCode)}">${h.year}</a></th><td>${h.predecessor ? html`<a href="${unitHref(h.publicationId, h.unitCode)}">${h.unitName}</a> (${h.unitCode}, đơn vị trước sắp xếp)` : html`${h.unitName}`}</td><td class="num">${fmtIndex(h.index)}</td><td class="num">${h.rank ?? '–'} / ${h.unitsInGroup}</td><td>${h.bandLabel ?? '–'}</td><td>${h.decisionNumber} (${fmtDate(h.decisionDate)})${h.proof.status === 'verified' ? '' : html` <span class="tag">${h.proof.status === 'row-altered' ? 'bản lưu bị sửa, hiển thị số liệu đã ký' : 'không xác thực được chữ ký'}</span>`}</td></tr>`)}</tbody></table></div>
</section>
${
  row.surveys.length
    ? html`<section class="panel"><h2>Khảo sát sự hài lòng</h2><ul>${row.surveys.map((s) => html`<li>${s.surveyCode}: chỉ số ${fmtIndex(s.index)} (${s.n} phiếu)</li>`)}</ul></section>`
    : ''
}
<section class="panel"><h2>Tải về</h2>${downloads({ id: doc.id })}</section>`;
    return kit.page(req, reply, { title: `${row.unitName} · Chỉ số CCHC năm ${snapshot.round.year}`, body, section: '/cong-khai', vendorScripts: [CHART], scripts: ['/assets/charts.js'] });
  });

  // -----------------------------------------------------------------------------------------------------------
  // The satisfaction survey form of one unit, reached from the QR code at the one-stop desk.

  const surveyHref = (code: string, unitCode: string) => `/khao-sat/${encodeURIComponent(code)}/${encodeURIComponent(unitCode)}`;

  function surveyPage(req: FastifyRequest, reply: FastifyReply, form: SurveyForm, o: { responseId: string; answers?: Record<string, string>; respondent?: Record<string, string>; errors?: Record<string, string>; message?: string; status?: number }) {
    const { survey, unit } = form;
    const body = surveyFormMarkup(survey, unit.name, { ...o, action: surveyHref(survey.code, unit.code), csrf: kit.csrf(req, reply) });
    return kit.page(req, reply, { title: survey.name, body, narrow: true, status: o.status ?? 200 });
  }

  function closedPage(req: FastifyRequest, reply: FastifyReply, form: SurveyForm) {
    const body = html`<section class="panel survey"><p class="sub">${form.unit.name}</p><h1>${form.survey.name}</h1>
<p>Đơn vị hiện không nhận phiếu khảo sát này (chưa đến hoặc đã hết thời gian khảo sát). Xin cảm ơn ông/bà đã quan tâm.</p></section>`;
    return kit.page(req, reply, { title: form.survey.name, body, narrow: true, status: 409 });
  }

  app.get<{ Params: { code: string; unitCode: string } }>('/khao-sat/:code/:unitCode', { schema: hide }, async (req, reply) => {
    const form = await surveys.publicUnitForm(req.params.code, req.params.unitCode);
    if (!form.open) return closedPage(req, reply, form);
    return surveyPage(req, reply, form, { responseId: randomUUID() });
  });

  app.get<{ Params: { code: string; unitCode: string } }>('/khao-sat/:code/:unitCode/cam-on', { schema: hide }, async (req, reply) => {
    const form = await surveys.publicUnitForm(req.params.code, req.params.unitCode);
    const body = html`<section class="panel survey" aria-live="polite"><p class="sub">${form.unit.name}</p><h1>Cảm ơn ông/bà!</h1>
<p class="flash flash-ok">Phiếu khảo sát đã được ghi nhận. Ý kiến của ông/bà giúp cơ quan nhà nước phục vụ người dân tốt hơn.</p>
<p><a class="button" href="${surveyHref(form.survey.code, form.unit.code)}">Trả lời phiếu khác</a> <a class="button" href="/cong-khai">Xem kết quả Chỉ số CCHC</a></p></section>`;
    return kit.page(req, reply, { title: 'Cảm ơn', body, narrow: true });
  });

  app.post<{ Params: { code: string; unitCode: string } }>(
    '/khao-sat/:code/:unitCode',
    { schema: hide, config: { rateLimit: { max: app.appConfig.surveyRateLimitPerMinute, timeWindow: 60_000 } } },
    async (req, reply) => {
      const { code, unitCode } = req.params;
      const b = (req.body ?? {}) as Record<string, unknown>;
      const answers: Record<string, string> = {};
      const respondent: Record<string, string> = {};
      for (const k of Object.keys(b)) {
        // A multiple-choice question arrives as one field per ticked box; the service takes them space-separated.
        if (k.startsWith('q_')) {
          const v = fields(b, k).filter(Boolean).join(' ');
          if (v) answers[k.slice(2)] = v;
        }
        const v = field(b, k);
        if (v && k.startsWith('r_')) respondent[k.slice(2)] = v;
      }
      const responseId = UUID.test(field(b, 'responseId') ?? '') ? field(b, 'responseId')! : randomUUID();
      try {
        await surveys.submit({ requestId: req.id, now: app.clock() }, code, unitCode, { responseId, answers, respondent, website: field(b, 'website') ?? '' });
      } catch (err) {
        const e = webError(err);
        if (e.status >= 500 || e.status === 404) throw err;
        const form = await surveys.publicUnitForm(code, unitCode);
        if (!form.open) return closedPage(req, reply, form);
        const errors: Record<string, string> = {};
        const fieldErrors = ((err as { extra?: { errors?: { field: string; code?: string }[] } }).extra?.errors ?? []);
        for (const fe of fieldErrors) {
          const q = /^body\.answers\.(.+)$/.exec(fe.field)?.[1];
          const multiple = form.survey.dimensions.some((d) => d.questions.some((x) => x.code === q && x.multiple));
          if (q) errors[q] = fe.code === 'required' ? (multiple ? 'Xin ông/bà chọn ít nhất một câu trả lời.' : 'Xin ông/bà chọn một câu trả lời.') : 'Câu trả lời không hợp lệ.';
        }
        const message = fieldErrors.some((fe) => fe.code === 'no_answers')
          ? 'Xin ông/bà trả lời ít nhất một câu hỏi.'
          : Object.keys(errors).length
            ? `Còn ${Object.keys(errors).length} câu hỏi cần trả lời.`
            : e.status === 409
              ? 'Phiếu này đã được gửi. Xin tải lại trang để trả lời phiếu mới.'
              : e.message;
        return surveyPage(req, reply, form, { responseId, answers, respondent, errors, message, status: e.status });
      }
      return reply.redirect(`${surveyHref(code, unitCode)}/cam-on`, 303);
    },
  );
}

