// The year behind the index (issue 17) in the web forms: the coordinator's plan board (tasks by area or lead unit
// with a traffic light, overdue first; reporting periods with each unit's status and extensions; inspections and
// their findings), the plan appendix import with its dry-run report, and a unit's own page (its tasks with
// upcoming due dates and progress, its reports to send, its findings to remedy). Everything goes through the
// plans, reports and inspections services, which decide who may see and change what.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../lib/errors.js';
import { vnDate } from '../../lib/http.js';
import { reportPeriodKinds } from '../../db/schema.js';
import type { PrefillService } from '../../modules/plans/prefill.service.js';
import { fmtDate, fmtDateTime, parseDate } from '../format.js';
import { attr, html, type Slot } from '../html.js';
import { COORDINATOR, field, fields, readCappedPart, UNIT_ROLES, type Kit } from '../kit.js';
import { webError, type WebError } from '../messages.js';
import { verifyCsrf } from '../session.js';
import { csrfRefused } from './unit.js';

const hide = { hide: true } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const boardHref = '/dieu-phoi/ke-hoach';
export const importHref = '/dieu-phoi/ke-hoach/nhap';
export const unitPlanHref = '/don-vi/ke-hoach';
/** An appendix is a few dozen kilobytes; 5 MB is generous and bounds the confirm form's hidden copy. */
const APPENDIX_MAX_BYTES = 5 * 1024 * 1024;

type TaskLight = 'on_time' | 'late' | 'overdue' | 'pending';
type ReportState = 'on_time' | 'late' | 'missing' | 'pending';
type FindingState = 'remedied' | 'late' | 'open';

export const taskLightLabels: Record<TaskLight, string> = { on_time: 'Hoàn thành đúng hạn', late: 'Hoàn thành trễ hạn', overdue: 'Quá hạn', pending: 'Đang thực hiện' };
export const reportStateLabels: Record<ReportState, string> = { on_time: 'Đúng hạn', late: 'Gửi trễ', missing: 'Chưa gửi (quá hạn)', pending: 'Chưa đến hạn' };
export const findingStateLabels: Record<FindingState, string> = { remedied: 'Đã khắc phục đúng hạn', late: 'Trễ hạn', open: 'Đang khắc phục' };
const progressLabels: Record<string, string> = { done: 'Đã hoàn thành', in_progress: 'Đang thực hiện', not_started: 'Chưa thực hiện' };
const kindLabels: Record<(typeof reportPeriodKinds)[number], string> = { quarter: 'Quý', half_year: '6 tháng', year: 'Năm', ad_hoc: 'Đột xuất' };
const sourceLabels: Record<string, string> = { plan_tasks_on_time: 'nhiệm vụ kế hoạch CCHC hoàn thành đúng hạn', reports_on_time: 'báo cáo định kỳ gửi đúng hạn', findings_remedied: 'tồn tại, hạn chế qua kiểm tra được khắc phục đúng hạn' };
/** Traffic light: green done on time, amber late, red overdue, neutral still open. */
const lightClass: Record<string, string> = { on_time: 'light-green', remedied: 'light-green', late: 'light-amber', overdue: 'light-red', missing: 'light-red', pending: 'light-neutral', open: 'light-neutral' };
const light = (status: string, label: string) => html`<span class="tag light ${lightClass[status] ?? 'light-neutral'}" data-status="${status}">${label}</span>`;
const taskOrder: Record<TaskLight, number> = { overdue: 0, pending: 1, late: 2, on_time: 3 };

const flashTexts: Record<string, string> = {
  'da-bao-cao-tien-do': 'Đã lưu tiến độ nhiệm vụ.',
  'da-gui-bao-cao': 'Đã gửi báo cáo.',
  'da-khac-phuc': 'Đã báo cáo kết quả khắc phục.',
  'da-gia-han-bao-cao': 'Đã gia hạn nộp báo cáo cho đơn vị.',
  'da-tao-ky-bao-cao': 'Đã tạo kỳ báo cáo.',
  'da-tao-kiem-tra': 'Đã ghi nhận cuộc kiểm tra.',
  'da-nhap-ke-hoach': 'Đã nhập kế hoạch CCHC.',
};

function flashOf(req: FastifyRequest, kit: Kit) {
  const code = (req.query as Record<string, unknown> | undefined)?.tb;
  return typeof code === 'string' && flashTexts[code] ? { kind: 'ok' as const, text: flashTexts[code]! } : kit.flashOf(req);
}

function yearOf(req: FastifyRequest, now: Date): number {
  const q = Number((req.query as Record<string, unknown> | undefined)?.nam);
  return Number.isInteger(q) && q >= 2000 && q <= 2100 ? q : Number(vnDate(now).slice(0, 4));
}

const errorBox = (e: WebError | undefined): Slot =>
  e
    ? html`<div class="flash flash-error" role="alert" id="loi"><p>${e.message}</p>${
        Object.keys(e.fields).length ? html`<ul class="problems">${Object.entries(e.fields).map(([k, m]) => html`<li><span class="code">${k}</span>: ${m}</li>`)}</ul>` : ''
      }</div>`
    : null;

const docText = (d: { docNumber: string; docDate: string; issuer: string; title: string } | null) => (d ? `${d.docNumber} ngày ${fmtDate(d.docDate)} của ${d.issuer}: ${d.title}` : '');

/** The document reference typed in a form (số ký hiệu, ngày, cơ quan ban hành, trích yếu), or what is wrong. */
function documentOf(body: unknown): { doc?: { docNumber: string; docDate: string; issuer: string; title: string }; error?: WebError } {
  const v = (k: string) => (field(body, k) ?? '').trim();
  const docDate = parseDate(v('docDate'));
  const missing = ['docNumber', 'docDate', 'issuer', 'title'].filter((k) => !v(k));
  if (missing.length) return { error: { status: 422, message: 'Vui lòng nhập đủ số ký hiệu, ngày, cơ quan ban hành và trích yếu của văn bản.', fields: {}, items: [] } };
  if (!docDate) return { error: { status: 422, message: 'Ngày văn bản không hợp lệ (nhập theo dạng dd/mm/yyyy).', fields: { docDate: 'Nhập ngày theo dạng dd/mm/yyyy.' }, items: [] } };
  return { doc: { docNumber: v('docNumber'), docDate, issuer: v('issuer'), title: v('title') } };
}

const dateError = (name: string): WebError => ({ status: 422, message: `${name} không hợp lệ (nhập theo dạng dd/mm/yyyy).`, fields: {}, items: [] });

/**
 * Tracked numbers of a fed criterion (issue 17) for the unit's and the appraiser's item views: the count, the
 * trace of what was counted, and "khác với số liệu theo dõi" when the unit's input differs.
 */
export type TrackedRow = Awaited<ReturnType<PrefillService['tracked']>>[number];

export async function trackedOf(app: FastifyInstance, kit: Kit, req: FastifyRequest, roundId: string, unitCode: string): Promise<Map<string, TrackedRow>> {
  try {
    return new Map((await app.services.prefill.tracked(kit.ctx(req), roundId, unitCode)).map((t) => [t.criterionCode, t]));
  } catch (err) {
    // Not seeing tracked data (an appraiser of other areas) never hides the item itself.
    if (webError(err).status >= 500) throw err;
    return new Map();
  }
}

export function trackedBlock(t: TrackedRow | undefined): Slot {
  if (!t) return null;
  const unit = t.unitInput && typeof t.unitInput.numerator === 'number' ? `${t.unitInput.numerator}/${t.unitInput.denominator}` : null;
  return html`<div class="tracked ${t.differs ? 'differs' : ''}" data-tracked="${t.criterionCode}">
  <h4>Số liệu theo dõi trong năm <span class="muted">(${sourceLabels[t.source] ?? t.source})</span></h4>
  <p>Theo dõi: <strong data-tracked-value>${t.tracked.numerator}/${t.tracked.denominator}</strong>${
    t.differs ? html` · Đơn vị nhập: <strong>${unit ?? 'không phát sinh hoặc chưa nhập'}</strong> <span class="tag light light-amber" data-differs>khác với số liệu theo dõi</span>` : html` <span class="tag light light-green">đơn vị dùng số liệu theo dõi</span>`
  }</p>
  <details><summary>Chi tiết đã đếm (${t.trace.length})</summary><ul class="trace">${t.trace.map((l) => html`<li>${l}</li>`)}</ul><p class="muted">Tính lúc ${fmtDateTime(t.computedAt)}</p></details>
</div>`;
}

export function planPages(app: FastifyInstance, kit: Kit) {
  const { plans, reports, inspections, orgUnits } = app.services;
  const coord = { webRoles: COORDINATOR };
  const unitCfg = { webRoles: UNIT_ROLES };

  async function unitNames(req: FastifyRequest) {
    const list = await orgUnits.list(kit.ctx(req), {});
    return { list, name: (code: string) => list.find((u) => u.code === code)?.name ?? code };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Coordinator's board.

  async function board(req: FastifyRequest, reply: FastifyReply, error?: WebError) {
    const ctx = kit.ctx(req);
    const year = yearOf(req, ctx.now);
    const byUnit = (req.query as Record<string, unknown>).theo === 'don-vi';
    const csrf = kit.csrf(req, reply);
    const { list: units, name } = await unitNames(req);
    const planList = await plans.list(ctx, { year });
    const full = await Promise.all(planList.map((p) => plans.get(ctx, p.code)));
    const periods = await reports.list(ctx, { year });
    const insp = await inspections.list(ctx, { year });
    const active = units.filter((u) => u.kind !== 'province' && (u as { active?: boolean }).active !== false);

    const planSections = full.map((plan) => {
      const tasks = [...plan.tasks].sort((a, b) => taskOrder[a.status] - taskOrder[b.status] || (a.dueDates.at(-1) ?? '9999').localeCompare(b.dueDates.at(-1) ?? '9999'));
      const keyOf = (t: (typeof tasks)[number]) => (byUnit ? t.leadUnitCode : (t.area ?? '–'));
      const keys = [...new Set(plan.tasks.map(keyOf))].sort((a, b) => (byUnit ? name(a).localeCompare(name(b), 'vi') : a.localeCompare(b, 'vi', { numeric: true })));
      const count = (s: TaskLight) => plan.tasks.filter((t) => t.status === s).length;
      return html`<section class="panel plan" data-plan="${plan.code}">
  <h2>${plan.title}</h2>
  <p class="muted">${plan.code}${plan.decision ? ` · ${plan.decision.number}${plan.decision.date ? ` ngày ${fmtDate(plan.decision.date)}` : ''}` : ''} · ${plan.tasks.length} nhiệm vụ</p>
  <p class="status-box">${(['overdue', 'pending', 'late', 'on_time'] as const).map((s) => html`${light(s, `${taskLightLabels[s]}: ${count(s)}`)} `)}</p>
  ${keys.map((k) => {
    const group = tasks.filter((t) => keyOf(t) === k);
    return html`<h3 class="task-group">${byUnit ? `Chủ trì: ${name(k)}` : `Lĩnh vực ${k}`} <span class="tag">${group.length}</span></h3>
  <div class="table-wrap"><table class="data tasks"><thead><tr><th scope="col">Mã</th><th scope="col">Nhiệm vụ</th><th scope="col">${byUnit ? 'Lĩnh vực' : 'Chủ trì'}</th><th scope="col">Hạn</th><th scope="col">Trạng thái</th></tr></thead>
  <tbody>${group.map((t) => {
    const lead = t.progress.find((p) => p.unitCode === t.leadUnitCode);
    return html`<tr data-task="${t.code}" data-status="${t.status}"><td class="code">${t.code}</td><td>${t.title}${t.product ? html`<br><span class="muted">Sản phẩm: ${t.product}</span>` : ''}${
      t.supportUnitCodes.length ? html`<br><span class="muted">Phối hợp: ${t.supportUnitCodes.map(name).join(', ')}</span>` : ''
    }</td><td>${byUnit ? (t.area ?? '–') : name(t.leadUnitCode)}</td><td>${t.dueDates.length ? t.dueDates.map(fmtDate).join(', ') : html`<span class="muted">${t.timeframe ?? '–'}</span>`}</td><td>${light(t.status, taskLightLabels[t.status])}${
      lead?.completedOn ? html`<br><span class="muted">xong ${fmtDate(lead.completedOn)}</span>` : ''
    }</td></tr>`;
  })}</tbody></table></div>`;
  })}
</section>`;
    });

    const periodSections = periods.map((p) => {
      const counts = (s: ReportState) => p.units.filter((u) => u.status === s).length;
      return html`<details class="panel period" data-period="${p.label}"${attr('open', p.units.some((u) => u.status === 'missing' || u.status === 'late'))}>
  <summary><strong>${p.label}</strong> · ${kindLabels[p.kind]} · số liệu ${fmtDate(p.cutoffFrom)}–${fmtDate(p.cutoffTo)} · hạn ${fmtDate(p.dueDate)}
    <span class="status-box">${(['on_time', 'late', 'missing', 'pending'] as const).map((s) => html`${light(s, `${reportStateLabels[s]}: ${counts(s)}`)} `)}</span></summary>
  <div class="table-wrap"><table class="data"><thead><tr><th scope="col">Đơn vị</th><th scope="col">Hạn</th><th scope="col">Trạng thái</th><th scope="col">Văn bản</th><th scope="col">Gia hạn</th></tr></thead>
  <tbody>${p.units.map(
    (u) => html`<tr data-unit="${u.unitCode}" data-status="${u.status}"><th scope="row">${name(u.unitCode)}</th><td>${fmtDate(u.dueDate)}${u.extension ? html`<br><span class="muted">gia hạn: ${u.extension.reason}</span>` : ''}</td><td>${light(u.status, reportStateLabels[u.status])}${
      u.submittedOn ? html`<br><span class="muted">gửi ${fmtDate(u.submittedOn)}</span>` : ''
    }</td><td>${docText(u.document)}</td><td>${
      u.submittedOn
        ? ''
        : html`<form method="post" action="${boardHref}/bao-cao/${p.id}/gia-han" class="inline-form">
      <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="unitCode" value="${u.unitCode}"><input type="hidden" name="nam" value="${String(year)}">
      <label class="sr-only" for="gh-${p.id}-${u.unitCode}">Hạn mới</label><input id="gh-${p.id}-${u.unitCode}" name="dueDate" required inputmode="numeric" placeholder="dd/mm/yyyy" size="10">
      <label class="sr-only" for="ld-${p.id}-${u.unitCode}">Lý do</label><input id="ld-${p.id}-${u.unitCode}" name="reason" required placeholder="Lý do" size="14">
      <button class="button small" type="submit">Gia hạn</button></form>`
    }</td></tr>`,
  )}</tbody></table></div>
</details>`;
    });

    const inspectionSections = insp.map(
      (i) => html`<section class="panel inspection" data-inspection="${i.unitCode}">
  <h3>${name(i.unitCode)} · kiểm tra ngày ${fmtDate(i.date)}</h3>
  <div class="table-wrap"><table class="data"><thead><tr><th scope="col">Mã</th><th scope="col">Tồn tại, hạn chế</th><th scope="col">Hạn khắc phục</th><th scope="col">Trạng thái</th></tr></thead>
  <tbody>${i.findings.map(
    (f) => html`<tr data-finding="${f.code}" data-status="${f.status}"><td class="code">${f.code}</td><td>${f.text}${f.note ? html`<br><span class="muted">${f.note}</span>` : ''}</td><td>${fmtDate(f.dueDate)}</td><td>${light(f.status, findingStateLabels[f.status])}${
      f.remediedOn ? html`<br><span class="muted">khắc phục ${fmtDate(f.remediedOn)}</span>` : ''
    }</td></tr>`,
  )}</tbody></table></div>
</section>`,
    );

    const posted = (k: string) => (error ? (field(req.body, k) ?? '') : '');
    const unitChecks = html`<fieldset class="choices unit-choices"><legend>Đơn vị phải báo cáo</legend>${active.map(
      (u) => html`<label class="choice"><input type="checkbox" name="unitCodes" value="${u.code}" checked> ${u.name}</label>`,
    )}</fieldset>`;
    const body = html`<div class="page-head"><div><h1>Kế hoạch, báo cáo và kiểm tra CCHC năm ${String(year)}</h1>
  <p class="sub">Theo dõi nhiệm vụ kế hoạch, báo cáo định kỳ và kết quả khắc phục sau kiểm tra: số liệu này điền sẵn các tiêu chí của Lĩnh vực 1.</p></div>
  <div class="status-box"><a class="button" href="${importHref}">Nhập kế hoạch từ Excel</a></div></div>
${errorBox(error)}
<nav class="panel year-nav" aria-label="Năm và cách xếp"><a href="${boardHref}?nam=${String(year - 1)}">← Năm ${String(year - 1)}</a> · <a href="${boardHref}?nam=${String(year + 1)}">Năm ${String(year + 1)} →</a> ·
  Xếp nhiệm vụ theo: ${byUnit ? html`<a href="${boardHref}?nam=${String(year)}">lĩnh vực</a> · <strong>đơn vị chủ trì</strong>` : html`<strong>lĩnh vực</strong> · <a href="${boardHref}?nam=${String(year)}&theo=don-vi">đơn vị chủ trì</a>`}</nav>
<h2 id="nhiem-vu">Nhiệm vụ kế hoạch CCHC</h2>
${planSections.length ? planSections : html`<p class="panel">Chưa có kế hoạch CCHC năm ${String(year)}. <a href="${importHref}">Nhập phụ lục kế hoạch từ Excel</a>.</p>`}
<h2 id="bao-cao">Báo cáo định kỳ</h2>
${periodSections.length ? periodSections : html`<p class="panel">Chưa có kỳ báo cáo năm ${String(year)}.</p>`}
<details class="panel"${attr('open', !!error && field(req.body, 'form') === 'period')}><summary>Tạo kỳ báo cáo</summary>
<form method="post" action="${boardHref}/ky-bao-cao" class="stack">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="form" value="period"><input type="hidden" name="nam" value="${String(year)}">
  <div class="field-row">
    <div class="field"><label for="kbc-label">Tên kỳ</label><input id="kbc-label" name="label" required placeholder="Báo cáo CCHC quý I/${String(year)}" value="${posted('label')}"></div>
    <div class="field"><label for="kbc-kind">Loại</label><select id="kbc-kind" name="kind">${reportPeriodKinds.map((k) => html`<option value="${k}"${attr('selected', posted('kind') === k)}>${kindLabels[k]}</option>`)}</select></div>
  </div>
  <div class="field-row">
    <div class="field"><label for="kbc-from">Số liệu từ ngày</label><input id="kbc-from" name="cutoffFrom" required inputmode="numeric" placeholder="dd/mm/yyyy" value="${posted('cutoffFrom')}"></div>
    <div class="field"><label for="kbc-to">đến ngày</label><input id="kbc-to" name="cutoffTo" required inputmode="numeric" placeholder="dd/mm/yyyy" value="${posted('cutoffTo')}"></div>
    <div class="field"><label for="kbc-due">Hạn gửi</label><input id="kbc-due" name="dueDate" required inputmode="numeric" placeholder="dd/mm/yyyy" value="${posted('dueDate')}"></div>
  </div>
  ${unitChecks}
  <div class="form-foot"><button class="button primary" type="submit">Tạo kỳ báo cáo</button></div>
</form></details>
<h2 id="kiem-tra">Kiểm tra CCHC</h2>
${inspectionSections.length ? inspectionSections : html`<p class="panel">Chưa có cuộc kiểm tra năm ${String(year)}.</p>`}
<details class="panel"${attr('open', !!error && field(req.body, 'form') === 'inspection')}><summary>Ghi nhận cuộc kiểm tra</summary>
<form method="post" action="${boardHref}/kiem-tra" class="stack">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="form" value="inspection"><input type="hidden" name="nam" value="${String(year)}">
  <div class="field-row">
    <div class="field"><label for="kt-unit">Đơn vị được kiểm tra</label><select id="kt-unit" name="unitCode" required>${active.map((u) => html`<option value="${u.code}"${attr('selected', posted('unitCode') === u.code)}>${u.name}</option>`)}</select></div>
    <div class="field"><label for="kt-date">Ngày kiểm tra</label><input id="kt-date" name="date" required inputmode="numeric" placeholder="dd/mm/yyyy" value="${posted('date')}"></div>
  </div>
  <div class="field"><label for="kt-findings">Tồn tại, hạn chế: mỗi dòng một nội dung, dạng “nội dung | hạn khắc phục dd/mm/yyyy”</label>
    <textarea id="kt-findings" name="findings" rows="4" placeholder="Chưa niêm yết công khai đầy đủ TTHC | 30/09/${String(year)}">${posted('findings')}</textarea></div>
  <div class="form-foot"><button class="button primary" type="submit">Ghi nhận kiểm tra</button></div>
</form></details>`;
    return kit.page(req, reply, {
      title: `Kế hoạch CCHC năm ${year}`,
      body,
      section: boardHref,
      flash: flashOf(req, kit),
      breadcrumbs: [['Kỳ đánh giá', '/dieu-phoi'], [`Kế hoạch, báo cáo, kiểm tra năm ${year}`]],
      status: error?.status ?? 200,
    });
  }

  app.get(boardHref, { config: coord, schema: hide }, async (req, reply) => board(req, reply));

  /** Runs a coordinator's write; a user error re-renders the board with the message and what was typed. */
  async function boardWrite(req: FastifyRequest, reply: FastifyReply, write: () => Promise<unknown>, flash: string, anchor: string) {
    try {
      await write();
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500) throw err;
      return board(req, reply, e);
    }
    const year = field(req.body, 'nam');
    return kit.redirect(reply, `${boardHref}${year ? `?nam=${encodeURIComponent(year)}` : ''}`, flash, anchor);
  }

  app.post<{ Params: { id: string } }>(`${boardHref}/bao-cao/:id/gia-han`, { config: coord, schema: hide }, async (req, reply) => {
    if (!UUID.test(req.params.id)) return kit.errorPage(req, reply, new NotFoundError('ReportPeriod', req.params.id));
    const dueDate = parseDate(field(req.body, 'dueDate'));
    if (!dueDate) return board(req, reply, dateError('Hạn mới'));
    return boardWrite(req, reply, () => reports.extend(kit.ctx(req), req.params.id, field(req.body, 'unitCode') ?? '', { dueDate, reason: (field(req.body, 'reason') ?? '').trim() }), 'da-gia-han-bao-cao', 'bao-cao');
  });

  app.post(`${boardHref}/ky-bao-cao`, { config: coord, schema: hide }, async (req, reply) => {
    const b = req.body;
    const dates = { cutoffFrom: parseDate(field(b, 'cutoffFrom')), cutoffTo: parseDate(field(b, 'cutoffTo')), dueDate: parseDate(field(b, 'dueDate')) };
    const bad = Object.entries(dates).find(([, v]) => !v);
    if (bad) return board(req, reply, dateError(bad[0] === 'dueDate' ? 'Hạn gửi' : 'Ngày số liệu'));
    const label = (field(b, 'label') ?? '').trim();
    const unitCodes = fields(b, 'unitCodes');
    if (!label || unitCodes.length === 0) return board(req, reply, { status: 422, message: 'Vui lòng nhập tên kỳ và chọn ít nhất một đơn vị.', fields: {}, items: [] });
    const kind = reportPeriodKinds.find((k) => k === field(b, 'kind')) ?? 'quarter';
    const year = Number(dates.dueDate!.slice(0, 4));
    return boardWrite(req, reply, () => reports.create(kit.ctx(req), { year: Number(field(b, 'nam')) || year, kind, label, cutoffFrom: dates.cutoffFrom!, cutoffTo: dates.cutoffTo!, dueDate: dates.dueDate!, unitCodes }), 'da-tao-ky-bao-cao', 'bao-cao');
  });

  app.post(`${boardHref}/kiem-tra`, { config: coord, schema: hide }, async (req, reply) => {
    const b = req.body;
    const date = parseDate(field(b, 'date'));
    if (!date) return board(req, reply, dateError('Ngày kiểm tra'));
    const findings: { code: string; text: string; dueDate: string }[] = [];
    const lines = (field(b, 'findings') ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    for (const [i, line] of lines.entries()) {
      const cut = line.lastIndexOf('|');
      const due = cut > 0 ? parseDate(line.slice(cut + 1)) : null;
      const text = cut > 0 ? line.slice(0, cut).trim() : '';
      if (!due || !text) return board(req, reply, { status: 422, message: `Dòng ${i + 1} của tồn tại, hạn chế cần dạng “nội dung | dd/mm/yyyy”.`, fields: {}, items: [] });
      findings.push({ code: String(i + 1), text, dueDate: due });
    }
    return boardWrite(req, reply, () => inspections.create(kit.ctx(req), { year: Number(field(b, 'nam')) || Number(date.slice(0, 4)), unitCode: field(b, 'unitCode') ?? '', date, findings }), 'da-tao-kiem-tra', 'kiem-tra');
  });

  // ---------------------------------------------------------------------------------------------------------
  // Import of the plan appendix: dry run first, then confirm (the file travels back in the confirm form).

  type ImportResult = Awaited<ReturnType<typeof plans.importAppendix>>;
  interface Meta {
    code: string;
    year: string;
    title: string;
    decisionNumber: string;
    decisionDate: string;
  }
  const emptyMeta = (now: Date): Meta => ({ code: '', year: vnDate(now).slice(0, 4), title: '', decisionNumber: '', decisionDate: '' });

  function issueRows(list: ImportResult['errors']) {
    return html`<div class="table-wrap"><table class="data issues"><thead><tr><th scope="col">Dòng</th><th scope="col">Cột</th><th scope="col">Nội dung</th></tr></thead>
<tbody>${list.map((i) => html`<tr data-row="${i.row === null ? '' : String(i.row)}"><td>${i.row === null ? '–' : String(i.row)}</td><td>${i.column ?? ''}</td><td>${i.message}</td></tr>`)}</tbody></table></div>`;
  }

  async function importPage(req: FastifyRequest, reply: FastifyReply, o: { meta?: Meta; result?: ImportResult; file?: Buffer; error?: WebError } = {}) {
    const csrf = kit.csrf(req, reply);
    const meta = o.meta ?? emptyMeta(kit.ctx(req).now);
    const { name } = await unitNames(req);
    const r = o.result;
    const metaInputs = (hidden: boolean) =>
      hidden
        ? html`${(Object.keys(meta) as (keyof Meta)[]).map((k) => html`<input type="hidden" name="${k}" value="${meta[k]}">`)}`
        : html`<div class="field-row">
    <div class="field"><label for="kh-code">Mã kế hoạch</label><input id="kh-code" name="code" required pattern="[A-Za-z0-9_.\\/\\-]+" placeholder="KH-CCHC-${meta.year}" value="${meta.code}"></div>
    <div class="field"><label for="kh-year">Năm</label><input id="kh-year" name="year" required inputmode="numeric" value="${meta.year}"></div>
  </div>
  <div class="field"><label for="kh-title">Tên kế hoạch</label><input id="kh-title" name="title" required placeholder="Kế hoạch cải cách hành chính năm ${meta.year}" value="${meta.title}"></div>
  <div class="field-row">
    <div class="field"><label for="kh-so">Số quyết định/kế hoạch</label><input id="kh-so" name="decisionNumber" placeholder="125/KH-UBND" value="${meta.decisionNumber}"></div>
    <div class="field"><label for="kh-ngay">Ngày ban hành</label><input id="kh-ngay" name="decisionDate" inputmode="numeric" placeholder="dd/mm/yyyy" value="${meta.decisionDate}"></div>
  </div>`;
    let report: Slot = null;
    if (r) {
      report = html`<section class="panel import-report" aria-label="Kết quả chạy thử">
  <h2>Kết quả kiểm tra: ${String(r.taskCount)} nhiệm vụ</h2>
  ${
    r.errors.length
      ? html`<p class="flash flash-error" role="alert">Có ${String(r.errors.length)} lỗi; sửa tệp rồi kiểm tra lại. Chưa có gì được lưu.</p><h3>Lỗi</h3>${issueRows(r.errors)}`
      : html`<p class="flash flash-ok">Tệp đọc được. Kiểm tra bảng dưới rồi chọn “Xác nhận nhập kế hoạch”.</p>`
  }
  ${r.warnings.length ? html`<h3>Cảnh báo (${String(r.warnings.length)})</h3>${issueRows(r.warnings)}` : ''}
  ${r.unmatchedUnits.length ? html`<h3>Tên cơ quan chưa khớp với đơn vị nào (${String(r.unmatchedUnits.length)})</h3><ul class="unmatched">${r.unmatchedUnits.map((u) => html`<li>${u}</li>`)}</ul>` : ''}
  <h3>Nhiệm vụ</h3>
  <div class="table-wrap"><table class="data tasks"><thead><tr><th scope="col">Dòng</th><th scope="col">Mã</th><th scope="col">Nhiệm vụ</th><th scope="col">Chủ trì</th><th scope="col">Phối hợp</th><th scope="col">Thời gian</th><th scope="col">Hạn</th></tr></thead>
  <tbody>${r.tasks.map(
    (t) => html`<tr data-task="${t.code}"><td>${String(t.row)}</td><td class="code">${t.code}</td><td>${t.title}</td><td>${t.leadUnitCode ? name(t.leadUnitCode) : html`<span class="warn-text">${t.leadUnitName || '–'} (chưa khớp)</span>`}</td><td>${t.supportUnitCodes.map(name).join(', ')}</td><td>${t.timeframe ?? ''}</td><td>${
      t.dueDates.length ? t.dueDates.map(fmtDate).join(', ') : html`<span class="warn-text">không đọc được</span>`
    }</td></tr>`,
  )}</tbody></table></div>
  ${
    !r.errors.length && o.file
      ? html`<form method="post" action="${importHref}" enctype="multipart/form-data" class="form-foot">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="mode" value="nhap">${metaInputs(true)}
    <input type="hidden" name="tep" value="${o.file.toString('base64')}">
    <button class="button primary big" type="submit">Xác nhận nhập kế hoạch</button></form>`
      : ''
  }
</section>`;
    }
    const body = html`<h1>Nhập kế hoạch CCHC từ tệp Excel</h1>
<p>Tệp .xlsx có phụ lục nhiệm vụ với các cột “Nhiệm vụ chung | Nhiệm vụ cụ thể | Sản phẩm | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện”; dòng in đậm (I., II., …) là lĩnh vực. “Kiểm tra (chạy thử)” chỉ đọc tệp: đối chiếu tên cơ quan với danh mục đơn vị, đọc thời hạn và báo từng dòng chưa đọc được.</p>
${errorBox(o.error)}
${report}
<form method="post" action="${importHref}" enctype="multipart/form-data" class="panel stack">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="mode" value="kiem-tra">
  ${metaInputs(false)}
  <div class="field"><label for="kh-file">Tệp Excel (.xlsx, tối đa 5 MB)</label><input id="kh-file" type="file" name="file" accept=".xlsx" required></div>
  <div class="form-foot"><button class="button primary" type="submit">Kiểm tra (chạy thử)</button></div>
</form>`;
    return kit.page(req, reply, { title: 'Nhập kế hoạch CCHC', body, section: boardHref, breadcrumbs: [['Kế hoạch CCHC', boardHref], ['Nhập từ Excel']], status: o.error?.status ?? 200 });
  }

  app.get(importHref, { config: coord, schema: hide }, async (req, reply) => importPage(req, reply));

  app.post(importHref, { config: { ...coord, webManualCsrf: true }, schema: hide }, async (req, reply) => {
    const fail = (status: number, message: string, meta?: Meta) => importPage(req, reply, { ...(meta ? { meta } : {}), error: { status, message, fields: {}, items: [] } });
    if (!req.isMultipart()) return fail(400, 'Vui lòng chọn tệp Excel.');
    let csrfOk = false;
    let mode = 'kiem-tra';
    const meta = emptyMeta(kit.ctx(req).now);
    let file: Buffer | null = null;
    let tooBig = false;
    // The confirm form carries the checked file back as base64 (hidden field): its size is bounded like the file's.
    for await (const part of req.parts({ limits: { fileSize: APPENDIX_MAX_BYTES + 1, fieldSize: Math.ceil((APPENDIX_MAX_BYTES * 4) / 3) + 16, files: 1, fields: 10, parts: 11 } })) {
      if (part.type === 'field') {
        const v = typeof part.value === 'string' ? part.value : '';
        if (part.fieldname === '_csrf') csrfOk = verifyCsrf(req, kit.names, v);
        else if (!csrfOk) continue;
        else if (part.fieldname === 'mode') mode = v;
        else if (part.fieldname === 'tep') file = Buffer.from(v, 'base64');
        else if (part.fieldname in meta) meta[part.fieldname as keyof Meta] = v.trim().slice(0, 500);
        continue;
      }
      if (!csrfOk || part.fieldname !== 'file' || !part.filename) {
        part.file.resume();
        continue;
      }
      const read = await readCappedPart(part.file, APPENDIX_MAX_BYTES);
      tooBig ||= read.tooBig;
      file = read.buffer;
    }
    if (!csrfOk) return csrfRefused(req, reply, kit);
    if (tooBig || (file && file.length > APPENDIX_MAX_BYTES)) return fail(413, 'Tệp lớn hơn 5 MB.', meta);
    if (!file || file.length === 0) return fail(400, 'Vui lòng chọn tệp Excel.', meta);
    const year = Number(meta.year);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) return fail(422, 'Năm kế hoạch không hợp lệ.', meta);
    if (!/^[A-Za-z0-9_.\-/]{1,64}$/.test(meta.code) || !meta.title) return fail(422, 'Vui lòng nhập mã kế hoạch (chữ, số, dấu chấm, gạch, gạch chéo) và tên kế hoạch.', meta);
    const decisionDate = meta.decisionDate ? parseDate(meta.decisionDate) : null;
    if (meta.decisionDate && !decisionDate) return fail(422, 'Ngày ban hành không hợp lệ (nhập theo dạng dd/mm/yyyy).', meta);
    const decision = meta.decisionNumber && decisionDate ? { number: meta.decisionNumber, date: decisionDate } : null;
    const ctx = kit.ctx(req);
    const input = { code: meta.code, year, title: meta.title, decision };
    if (mode !== 'nhap') return importPage(req, reply, { meta, result: await plans.importAppendix(ctx, input, file, true), file });
    try {
      await plans.importAppendix(ctx, input, file, false);
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500) throw err;
      const result = await plans.importAppendix(ctx, input, file, true);
      return importPage(req, reply, { meta, result, file, error: e.status === 409 ? { ...e, message: `Đã có kế hoạch mã ${meta.code}; đổi mã để nhập.` } : e });
    }
    return kit.redirect(reply, `${boardHref}?nam=${year}`, 'da-nhap-ke-hoach');
  });

  // ---------------------------------------------------------------------------------------------------------
  // A unit's own page.

  async function unitPage(req: FastifyRequest, reply: FastifyReply, error?: { e: WebError; anchor: string }) {
    const ctx = kit.ctx(req);
    const unitCode = ctx.actor.orgUnitCode ?? '';
    const year = yearOf(req, ctx.now);
    const today = vnDate(ctx.now);
    const csrf = kit.csrf(req, reply);
    const { name } = await unitNames(req);
    const tasks = await plans.unitTasks(ctx, unitCode, year);
    const periods = await reports.list(ctx, { year });
    const insp = await inspections.list(ctx, { year });
    const errAt = (anchor: string) => (error && error.anchor === anchor ? errorBox(error.e) : null);
    const posted = (anchor: string, k: string) => (error && error.anchor === anchor ? (field(req.body, k) ?? '') : '');
    const soon = tasks.filter((t) => t.status === 'pending' || t.status === 'overdue');

    const taskCards = tasks.map((t) => {
      const lead = t.leadUnitCode === unitCode;
      const mine = t.progress.find((p) => p.unitCode === unitCode);
      const anchor = `nv-${t.planCode}-${t.code}`.replace(/[^A-Za-z0-9_-]/g, '-');
      const status = posted(anchor, 'status') || mine?.status || 'not_started';
      return html`<article class="panel task" id="${anchor}" data-task="${t.code}" data-status="${t.status}">
  <header class="criterion-head"><h3><span class="code">${t.code}</span> ${t.title}</h3>
    <div class="criterion-meta">${light(t.status, taskLightLabels[t.status])} <span class="tag">${lead ? 'Chủ trì' : 'Phối hợp'}</span></div></header>
  <p class="muted">${t.product ? `Sản phẩm: ${t.product} · ` : ''}Hạn: ${t.dueDates.length ? t.dueDates.map(fmtDate).join(', ') : (t.timeframe ?? '–')}${lead ? '' : ` · Chủ trì: ${name(t.leadUnitCode)}`}</p>
  ${mine ? html`<p>Đã báo cáo: <strong>${progressLabels[mine.status]}</strong>${mine.completedOn ? ` ngày ${fmtDate(mine.completedOn)}` : ''}${mine.note ? ` · ${mine.note}` : ''} <span class="muted">(${fmtDateTime(mine.updatedAt)})</span></p>` : ''}
  ${errAt(anchor)}
  <form method="post" action="${unitPlanHref}/tien-do" class="progress-form">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="planCode" value="${t.planCode}"><input type="hidden" name="taskCode" value="${t.code}"><input type="hidden" name="nam" value="${String(year)}">
    <div class="field-row">
      <div class="field"><label for="st-${anchor}">Tình trạng${lead ? '' : ' (phần phối hợp)'}</label><select id="st-${anchor}" name="status">${(['not_started', 'in_progress', 'done'] as const).map((s) => html`<option value="${s}"${attr('selected', status === s)}>${progressLabels[s]}</option>`)}</select></div>
      <div class="field"><label for="ht-${anchor}">Ngày hoàn thành</label><input id="ht-${anchor}" name="completedOn" inputmode="numeric" placeholder="dd/mm/yyyy" value="${posted(anchor, 'completedOn') || (mine?.completedOn ? fmtDate(mine.completedOn) : '')}"></div>
    </div>
    <div class="field"><label for="gc-${anchor}">Ghi chú</label><input id="gc-${anchor}" name="note" value="${posted(anchor, 'note') || (mine?.note ?? '')}"></div>
    <button class="button" type="submit">Lưu tiến độ ${t.code}</button>
  </form>
</article>`;
    });

    const periodRows = periods.map((p) => {
      const u = p.units[0];
      if (!u) return '';
      const anchor = `bc-${p.id}`;
      return html`<article class="panel period" id="${anchor}" data-period="${p.label}" data-status="${u.status}">
  <header class="criterion-head"><h3>${p.label}</h3><div class="criterion-meta">${light(u.status, reportStateLabels[u.status])}</div></header>
  <p class="muted">Số liệu từ ${fmtDate(p.cutoffFrom)} đến ${fmtDate(p.cutoffTo)} · hạn gửi ${fmtDate(u.dueDate)}${u.extension ? ` (được gia hạn: ${u.extension.reason})` : ''}</p>
  ${u.submittedOn ? html`<p>Đã gửi ngày ${fmtDate(u.submittedOn)}: ${docText(u.document)}</p>` : ''}
  ${errAt(anchor)}
  ${
    u.submittedOn
      ? ''
      : html`<form method="post" action="${unitPlanHref}/bao-cao/${p.id}" class="doc-form">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="nam" value="${String(year)}">
    <div class="field-row">
      <div class="field"><label for="so-${anchor}">Số ký hiệu</label><input id="so-${anchor}" name="docNumber" required placeholder="15/BC-UBND" value="${posted(anchor, 'docNumber')}"></div>
      <div class="field"><label for="ngay-${anchor}">Ngày</label><input id="ngay-${anchor}" name="docDate" required inputmode="numeric" placeholder="dd/mm/yyyy" value="${posted(anchor, 'docDate') || fmtDate(today)}"></div>
    </div>
    <div class="field"><label for="cq-${anchor}">Cơ quan ban hành</label><input id="cq-${anchor}" name="issuer" required value="${posted(anchor, 'issuer') || name(unitCode)}"></div>
    <div class="field"><label for="ty-${anchor}">Trích yếu</label><input id="ty-${anchor}" name="title" required value="${posted(anchor, 'title') || `Báo cáo ${p.label}`}"></div>
    <button class="button primary" type="submit">Gửi báo cáo</button>
  </form>`
  }
</article>`;
    });

    const findingCards = insp.flatMap((i) =>
      i.findings.map((f) => {
        const anchor = `kp-${i.id}-${f.code}`;
        return html`<article class="panel finding" id="${anchor}" data-finding="${f.code}" data-status="${f.status}">
  <header class="criterion-head"><h3>Kiểm tra ngày ${fmtDate(i.date)} · ${f.code}. ${f.text}</h3><div class="criterion-meta">${light(f.status, findingStateLabels[f.status])}</div></header>
  <p class="muted">Hạn khắc phục ${fmtDate(f.dueDate)}${f.remediedOn ? ` · đã khắc phục ngày ${fmtDate(f.remediedOn)}` : ''}${f.note ? ` · ${f.note}` : ''}</p>
  ${errAt(anchor)}
  <form method="post" action="${unitPlanHref}/kiem-tra/${i.id}/khac-phuc" class="remedy-form">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="code" value="${f.code}"><input type="hidden" name="nam" value="${String(year)}">
    <div class="field-row">
      <div class="field"><label for="nkp-${anchor}">Ngày khắc phục</label><input id="nkp-${anchor}" name="remediedOn" required inputmode="numeric" placeholder="dd/mm/yyyy" value="${posted(anchor, 'remediedOn') || (f.remediedOn ? fmtDate(f.remediedOn) : '')}"></div>
      <div class="field"><label for="gckp-${anchor}">Kết quả khắc phục</label><input id="gckp-${anchor}" name="note" value="${posted(anchor, 'note') || (f.note ?? '')}"></div>
    </div>
    <button class="button" type="submit">${f.remediedOn ? 'Cập nhật' : 'Báo cáo khắc phục'}</button>
  </form>
</article>`;
      }),
    );

    const body = html`<div class="page-head"><div><h1>Kế hoạch, báo cáo CCHC năm ${String(year)}</h1><p class="sub">${name(unitCode)}</p></div>
  <div class="status-box"><a href="${unitPlanHref}?nam=${String(year - 1)}">← ${String(year - 1)}</a> <a href="${unitPlanHref}?nam=${String(year + 1)}">${String(year + 1)} →</a></div></div>
${error && !['nv-', 'bc-', 'kp-'].some((p) => error.anchor.startsWith(p)) ? errorBox(error.e) : ''}
<section class="summary-grid">
  <div class="stat"><span class="stat-label">Nhiệm vụ chưa xong</span><strong>${String(soon.length)}</strong></div>
  <div class="stat ${tasks.some((t) => t.status === 'overdue') ? 'warn' : ''}"><span class="stat-label">Nhiệm vụ quá hạn</span><strong>${String(tasks.filter((t) => t.status === 'overdue').length)}</strong></div>
  <div class="stat"><span class="stat-label">Báo cáo chưa gửi</span><strong>${String(periods.filter((p) => p.units[0] && !p.units[0].submittedOn).length)}</strong></div>
  <div class="stat"><span class="stat-label">Tồn tại chưa khắc phục</span><strong>${String(insp.flatMap((i) => i.findings).filter((f) => !f.remediedOn).length)}</strong></div>
</section>
${
  soon.length
    ? html`<section class="panel"><h2>Sắp đến hạn</h2><ul class="problems">${soon.slice(0, 5).map((t) => html`<li>${fmtDate(t.dueDates.at(-1))}: <span class="code">${t.code}</span> ${t.title.split('\n')[0]} ${light(t.status, taskLightLabels[t.status])}</li>`)}</ul></section>`
    : ''
}
<h2 id="nhiem-vu">Nhiệm vụ (${String(tasks.length)})</h2>
${taskCards.length ? taskCards : html`<p class="panel">Đơn vị không có nhiệm vụ trong kế hoạch CCHC năm ${String(year)}.</p>`}
<h2 id="bao-cao">Báo cáo định kỳ</h2>
${periodRows.length ? periodRows : html`<p class="panel">Chưa có kỳ báo cáo năm ${String(year)}.</p>`}
<h2 id="kiem-tra">Kết quả kiểm tra CCHC</h2>
${findingCards.length ? findingCards : html`<p class="panel">Đơn vị không có tồn tại, hạn chế qua kiểm tra năm ${String(year)}.</p>`}`;
    return kit.page(req, reply, {
      title: `Kế hoạch CCHC năm ${year}`,
      body,
      section: unitPlanHref,
      flash: flashOf(req, kit),
      breadcrumbs: [['Tự đánh giá', '/don-vi'], [`Kế hoạch, báo cáo năm ${year}`]],
      status: error?.e.status ?? 200,
    });
  }

  app.get(unitPlanHref, { config: unitCfg, schema: hide }, async (req, reply) => unitPage(req, reply));

  async function unitWrite(req: FastifyRequest, reply: FastifyReply, anchor: string, write: () => Promise<unknown>, flash: string) {
    try {
      await write();
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500 || e.status === 404 || e.status === 403) throw err;
      return unitPage(req, reply, { e, anchor });
    }
    const year = field(req.body, 'nam');
    return kit.redirect(reply, `${unitPlanHref}${year ? `?nam=${encodeURIComponent(year)}` : ''}`, flash, anchor);
  }

  app.post(`${unitPlanHref}/tien-do`, { config: unitCfg, schema: hide }, async (req, reply) => {
    const b = req.body;
    const planCode = field(b, 'planCode') ?? '';
    const taskCode = field(b, 'taskCode') ?? '';
    const anchor = `nv-${planCode}-${taskCode}`.replace(/[^A-Za-z0-9_-]/g, '-');
    const raw = (field(b, 'completedOn') ?? '').trim();
    const completedOn = raw ? parseDate(raw) : null;
    if (raw && !completedOn) return unitPage(req, reply, { e: dateError('Ngày hoàn thành'), anchor });
    const status = (['done', 'in_progress', 'not_started'] as const).find((s) => s === field(b, 'status')) ?? 'in_progress';
    const note = (field(b, 'note') ?? '').trim();
    const ctx = kit.ctx(req);
    return unitWrite(req, reply, anchor, () => plans.putProgress(ctx, planCode, taskCode, ctx.actor.orgUnitCode ?? '', { status, completedOn: status === 'done' ? completedOn : null, note: note || null }), 'da-bao-cao-tien-do');
  });

  app.post<{ Params: { id: string } }>(`${unitPlanHref}/bao-cao/:id`, { config: unitCfg, schema: hide }, async (req, reply) => {
    if (!UUID.test(req.params.id)) return kit.errorPage(req, reply, new NotFoundError('ReportPeriod', req.params.id));
    const anchor = `bc-${req.params.id}`;
    const d = documentOf(req.body);
    if (d.error) return unitPage(req, reply, { e: d.error, anchor });
    const ctx = kit.ctx(req);
    return unitWrite(req, reply, anchor, () => reports.submit(ctx, req.params.id, ctx.actor.orgUnitCode ?? '', d.doc!), 'da-gui-bao-cao');
  });

  app.post<{ Params: { id: string } }>(`${unitPlanHref}/kiem-tra/:id/khac-phuc`, { config: unitCfg, schema: hide }, async (req, reply) => {
    if (!UUID.test(req.params.id)) return kit.errorPage(req, reply, new NotFoundError('Inspection', req.params.id));
    const code = field(req.body, 'code') ?? '';
    const anchor = `kp-${req.params.id}-${code}`;
    const remediedOn = parseDate(field(req.body, 'remediedOn'));
    if (!remediedOn) return unitPage(req, reply, { e: dateError('Ngày khắc phục'), anchor });
    const note = (field(req.body, 'note') ?? '').trim();
    return unitWrite(req, reply, anchor, () => inspections.remediate(kit.ctx(req), req.params.id, code, { remediedOn, note: note || null }), 'da-khac-phuc');
  });
}

