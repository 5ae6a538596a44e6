// Coordinator pages (Phòng/Sở Nội vụ): rounds (create, schedule, phase transitions, appraiser assignments),
// progress of every unit with extensions and send-back, results preview with the discrepancy report, and the
// confirmation of self points. Frameworks and publication have their own modules.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ValidationError, type FieldError } from '../../lib/errors.js';
import { daysLeft, nextPhase, phases, scheduledPhases, vietnamDay, type Phase, type ScheduledPhase } from '../../modules/rounds/lifecycle.js';
import { daysLeftText, fmtDate, fmtDateTime, fmtIndex, fmtInt, fmtPoints, parseDate } from '../format.js';
import { attr, html, type Html, type Slot } from '../html.js';
import { COORDINATOR, field, fields, type Kit } from '../kit.js';
import { assessmentStatusLabels, openReasonLabels, phaseLabel } from '../labels.js';
import { fieldMessage, webError, type WebError } from '../messages.js';
import { itemHref, queueHref } from './appraiser.js';
import { resultsDownloads } from './exports.js';
import { councilHref, councilStatus } from './council.js';

const hide = { hide: true } as const;
type PR = { roundId: string };

export const roundHref = (id: string) => `/dieu-phoi/ky-danh-gia/${encodeURIComponent(id)}`;

/** Where a round-form field error belongs, in words: "Nhóm 2 · đơn vị 3", "Hạn Thẩm định". */
function locate(fieldPath: string): string {
  const f = fieldPath.replace(/^body\./, '');
  let m = /^groups\.(\d+)\.(\w+)(?:\.(\d+))?/.exec(f);
  if (m) {
    const what: Record<string, string> = { code: 'mã nhóm', name: 'tên nhóm', frameworkCode: 'bộ tiêu chí', unitCodes: 'đơn vị' };
    return `Nhóm ${Number(m[1]) + 1} · ${what[m[2]!] ?? m[2]}${m[3] !== undefined ? ` thứ ${Number(m[3]) + 1}` : ''}`;
  }
  m = /^(?:schedule\.)?(self_assessment|appraisal|explanation|final_appraisal|council_review)$/.exec(f);
  if (m) return `Hạn ${phaseLabel(m[1]!)}`;
  m = /^(\d+)\.(username|areaCodes)/.exec(f);
  if (m) return `Phân công dòng ${Number(m[1]) + 1}`;
  if (f === 'until') return 'Ngày gia hạn';
  return f;
}

function problemList(err: unknown): Slot {
  if (!(err instanceof AppError)) return null;
  const errors = (err.extra.errors as FieldError[] | undefined) ?? [];
  if (!errors.length) return null;
  return html`<ul class="problems">${errors.map((e) => html`<li><strong>${locate(e.field)}</strong>: ${fieldMessage(e)}</li>`)}</ul>`;
}

/** A refused move to appraisal the coordinator may force: units that never submitted, pairs nobody appraises. */
function forceable(err: unknown): boolean {
  return err instanceof AppError && (Array.isArray(err.extra.unsubmittedUnits) || Array.isArray(err.extra.uncovered));
}

function settlementLists(err: unknown): Slot {
  if (!forceable(err)) return null;
  const x = (err as AppError).extra;
  const unsubmitted = (x.unsubmittedUnits as string[] | undefined) ?? [];
  const uncovered = (x.uncovered as { unitCode: string; areaCode: string }[] | undefined) ?? [];
  return html`${unsubmitted.length ? html`<p>Đơn vị chưa nộp tự đánh giá (${unsubmitted.length}): ${unsubmitted.join(', ')}</p>` : ''}${
    uncovered.length ? html`<p>Đơn vị · lĩnh vực chưa có người thẩm định hợp lệ (${uncovered.length}): ${uncovered.slice(0, 60).map((u) => `${u.unitCode} · LV ${u.areaCode}`).join('; ')}${uncovered.length > 60 ? ' …' : ''}</p>` : ''
  }`;
}

function errorBox(err: unknown, e: WebError): Slot {
  const open = err instanceof AppError ? (err.extra.openItems as { unitName: string; criterionCode: string; title: string; reason: string; unitCode: string }[] | undefined) : undefined;
  // Publication without a complete council record (hội đồng): name what is missing, in Vietnamese.
  const missing = err instanceof AppError ? (err.extra.missing as string[] | undefined) : undefined;
  const missingLabels: Record<string, string> = { members: 'thành viên Hội đồng thẩm định', minutes: 'biên bản họp Hội đồng', decisionIssuer: 'cơ quan/người ban hành quyết định', signer: 'họ tên và chức danh người ký quyết định' };
  return html`<div class="flash flash-error" role="alert"><p><strong>${e.message}</strong></p>${problemList(err)}${settlementLists(err)}${
    missing?.length ? html`<p>Còn thiếu: ${missing.map((m) => missingLabels[m] ?? m).join('; ')} (ghi nhận tại trang “Hội đồng thẩm định” của kỳ đánh giá).</p>` : ''
  }${
    open?.length
      ? html`<ul class="problems">${open.slice(0, 30).map((o) => html`<li>${o.unitName} · ${o.criterionCode} ${o.title}: ${openReasonLabels[o.reason] ?? o.reason}</li>`)}${open.length > 30 ? html`<li>… và ${open.length - 30} tiêu chí khác</li>` : ''}</ul>`
      : ''
  }</div>`;
}

export function phaseStepper(current: Phase): Html {
  const ci = phases.indexOf(current);
  return html`<ol class="stepper" aria-label="Các giai đoạn">${phases.map((p, i) => html`<li class="${i < ci ? 'done' : i === ci ? 'current' : ''}"${i === ci ? html` aria-current="step"` : ''}>${phaseLabel(p)}</li>`)}</ol>`;
}

export function coordinatorPages(app: FastifyInstance, kit: Kit) {
  const { rounds, assessments, results, frameworks, orgUnits, users, publications } = app.services;

  /** Publication on the results page: the decision number and date in council review; corrections once published. */
  function publishSection(round: { id: string; phase: string }, csrf: string, posted: Record<string, string>, pubs: Awaited<ReturnType<typeof publications.list>>, councilMissing: readonly string[] = []): Slot {
    const form = (correction: boolean) => html`<form method="post" action="${roundHref(round.id)}/cong-bo" class="stack" data-confirm="${correction ? 'Công bố đính chính? Bản công bố hiện tại sẽ được thay thế (vẫn lưu để tra cứu).' : 'Công bố kết quả? Kết quả được niêm phong bằng chữ ký điện tử của hệ thống, công khai và không sửa được.'}">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="idempotency" value="${randomUUID()}">
  <div class="field-row">
    <div class="field"><label for="qd-so">Số quyết định công bố</label><input id="qd-so" name="decisionNumber" required placeholder="125/QĐ-UBND" value="${posted.decisionNumber ?? ''}"></div>
    <div class="field"><label for="qd-ngay">Ngày quyết định</label><input id="qd-ngay" name="decisionDate" required inputmode="numeric" placeholder="dd/mm/yyyy" value="${posted.decisionDate ?? ''}"></div>
  </div>
  ${correction ? html`<div class="field"><label for="qd-ly-do">Lý do đính chính</label><input id="qd-ly-do" name="reason" required value="${posted.reason ?? ''}"></div>` : ''}
  <button class="button primary" type="submit">${correction ? 'Công bố đính chính' : 'Công bố kết quả'}</button>
</form>`;
    if (round.phase === 'council_review') {
      return html`<section class="panel attention"><h2>Công bố kết quả</h2><p>Kết quả được đóng băng, niêm phong bằng chữ ký điện tử của hệ thống và công khai cho người dân ngay khi công bố.</p>${councilStatus(round.id, councilMissing)}${form(false)}</section>`;
    }
    if (round.phase === 'published') {
      return html`<section class="panel"><h2>Đã công bố</h2>
  <ul>${pubs.map((p) => html`<li><a href="/cong-khai/${encodeURIComponent(p.id)}">Quyết định số ${p.decisionNumber} ngày ${fmtDate(p.decisionDate)}</a>${p.superseded ? html` <span class="tag">đã được đính chính</span>` : ''}</li>`)}</ul>
  <details><summary>Đính chính kết quả đã công bố</summary>${form(true)}</details></section>`;
    }
    return html`<p class="muted">Kết quả được công bố ở giai đoạn “${phaseLabel('council_review')}”.</p>`;
  }
  const cfg = { webRoles: COORDINATOR };

  // ---------------------------------------------------------------------------------------------------------
  // Rounds.

  app.get('/dieu-phoi', { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    const list = await rounds.list(ctx, {});
    const body = html`<div class="page-head"><div><h1>Kỳ đánh giá Chỉ số CCHC</h1></div>
  <div><a class="button primary" href="/dieu-phoi/ky-danh-gia/moi">Tạo kỳ đánh giá</a> <a class="button" href="/dieu-phoi/bo-tieu-chi">Bộ tiêu chí</a></div></div>
${
  list.length === 0
    ? html`<p class="panel">Chưa có kỳ đánh giá nào.</p>`
    : html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Kỳ đánh giá</th><th scope="col">Năm</th><th scope="col">Giai đoạn</th><th scope="col">Hạn giai đoạn</th><th scope="col">Nhóm</th><th scope="col"><span class="sr-only">Thao tác</span></th></tr></thead>
<tbody>${list.map((r) => {
        const deadline = (r.schedule as Record<string, string>)[r.phase];
        return html`<tr><th scope="row"><a href="${roundHref(r.id)}">${r.name}</a></th><td>${r.year}</td><td><span class="tag phase">${phaseLabel(r.phase)}</span></td>
<td>${deadline ? html`${fmtDate(deadline)} <span class="muted">(${daysLeftText(daysLeft(ctx.now, deadline))})</span>` : '–'}</td>
<td>${r.groups.map((g) => `${g.name} (${g.unitCodes.length})`).join('; ')}</td>
<td class="actions"><a href="${roundHref(r.id)}/tien-do">Tiến độ</a> · <a href="${roundHref(r.id)}/ket-qua">Kết quả</a></td></tr>`;
      })}</tbody></table></div>`
}`;
    return kit.page(req, reply, { title: 'Kỳ đánh giá', body, section: '/dieu-phoi', flash: kit.flashOf(req) });
  });

  async function createForm(req: FastifyRequest, reply: FastifyReply, posted: Record<string, unknown> | null, error?: { box: Slot; status: number }) {
    const ctx = kit.ctx(req);
    const fws = (await frameworks.list(ctx, { status: 'published' })).sort((a, b) => b.year - a.year || a.code.localeCompare(b.code));
    const units = (await orgUnits.list(ctx, { active: true })).filter((u) => u.kind !== 'province' && u.kind !== 'district');
    const v = (name: string) => (posted ? (field(posted, name) ?? '') : '');
    const year = posted ? v('year') : String(new Date(vietnamDay(ctx.now)).getUTCFullYear());
    const groupBlock = (gi: number) => {
      const chosen = new Set(posted ? fields(posted, `g${gi}_units`) : []);
      return html`<fieldset class="panel group-fieldset"><legend>Nhóm ${gi + 1}${gi > 0 ? ' (bỏ trống nếu không dùng)' : ''}</legend>
  <div class="field-row">
    <div class="field"><label for="g${gi}-code">Mã nhóm</label><input id="g${gi}-code" name="g${gi}_code" value="${v(`g${gi}_code`)}" placeholder="${gi === 0 ? 'XA' : 'PB'}"></div>
    <div class="field grow"><label for="g${gi}-name">Tên nhóm</label><input id="g${gi}-name" name="g${gi}_name" value="${v(`g${gi}_name`)}" placeholder="${gi === 0 ? 'UBND các xã, phường' : 'Các phòng chuyên môn'}"></div>
    <div class="field"><label for="g${gi}-fw">Bộ tiêu chí</label><select id="g${gi}-fw" name="g${gi}_framework"><option value="">– Chọn –</option>${fws.map((f) => html`<option value="${f.code}"${attr('selected', v(`g${gi}_framework`) === f.code)}>${f.code} · ${f.name}</option>`)}</select></div>
  </div>
  <fieldset class="unit-picks"><legend>Đơn vị thuộc nhóm</legend><div class="check-grid">${units.map((u) => html`<label class="check"><input type="checkbox" name="g${gi}_units" value="${u.code}"${attr('checked', chosen.has(u.code))}> ${u.name}</label>`)}</div></fieldset>
</fieldset>`;
    };
    const body = html`<h1>Tạo kỳ đánh giá</h1>
${error?.box ?? ''}
<form method="post" action="/dieu-phoi/ky-danh-gia/moi" class="stack">
  <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
  <div class="field-row">
    <div class="field"><label for="year">Năm đánh giá</label><input id="year" name="year" inputmode="numeric" required value="${year}"></div>
    <div class="field grow"><label for="name">Tên kỳ đánh giá</label><input id="name" name="name" required value="${posted ? v('name') : `Xác định Chỉ số CCHC năm ${year}`}"></div>
  </div>
  ${scheduleFields(posted ? Object.fromEntries(scheduledPhases.map((p) => [p, v(`s_${p}`)])) : {}, false)}
  ${[0, 1, 2].map(groupBlock)}
  <div class="form-foot"><button class="button primary" type="submit">Tạo kỳ đánh giá (dự thảo)</button></div>
</form>`;
    return kit.page(req, reply, { title: 'Tạo kỳ đánh giá', body, section: '/dieu-phoi', breadcrumbs: [['Kỳ đánh giá', '/dieu-phoi'], ['Tạo mới']], status: error ? error.status : 200 });
  }

  /** Date inputs (dd/mm/yyyy) for the five deadlines; values are ISO dates or what the user typed. */
  function scheduleFields(values: Record<string, string | undefined>, iso: boolean): Html {
    return html`<fieldset class="panel"><legend>Hạn cuối của từng giai đoạn (ngày cuối cùng, giờ Việt Nam)</legend><div class="field-row wrap-row">${scheduledPhases.map((p) => {
      const raw = values[p] ?? '';
      const shown = iso && raw ? fmtDate(raw) : raw;
      return html`<div class="field"><label for="s-${p}">${phaseLabel(p)}</label><input id="s-${p}" name="s_${p}" inputmode="numeric" placeholder="dd/mm/yyyy" pattern="\\d{1,2}/\\d{1,2}/\\d{4}" value="${shown}"></div>`;
    })}</div></fieldset>`;
  }

  /** Schedule dates from the form; a date that does not parse is a field error. */
  function parseSchedule(body: unknown): { schedule: Partial<Record<ScheduledPhase, string>>; errors: FieldError[] } {
    const schedule: Partial<Record<ScheduledPhase, string>> = {};
    const errors: FieldError[] = [];
    for (const p of scheduledPhases) {
      const raw = (field(body, `s_${p}`) ?? '').trim();
      if (!raw) continue;
      const d = parseDate(raw);
      if (d) schedule[p] = d;
      else errors.push({ field: `schedule.${p}`, message: 'invalid date', code: 'invalid_date' });
    }
    return { schedule, errors };
  }

  app.get('/dieu-phoi/ky-danh-gia/moi', { config: cfg, schema: hide }, async (req, reply) => createForm(req, reply, null));

  app.post('/dieu-phoi/ky-danh-gia/moi', { config: cfg, schema: hide }, async (req, reply) => {
    const b = req.body as Record<string, unknown>;
    const { schedule, errors } = parseSchedule(b);
    const groups = [0, 1, 2]
      .map((gi) => ({ code: (field(b, `g${gi}_code`) ?? '').trim(), name: (field(b, `g${gi}_name`) ?? '').trim(), frameworkCode: field(b, `g${gi}_framework`) ?? '', unitCodes: fields(b, `g${gi}_units`) }))
      .filter((g) => g.code || g.name || g.unitCodes.length);
    const year = Number(field(b, 'year'));
    const name = (field(b, 'name') ?? '').trim();
    const local: FieldError[] = [...errors];
    if (!Number.isInteger(year) || year < 2000 || year > 2100) local.push({ field: 'year', message: 'invalid', code: 'invalid_year' });
    if (!name) local.push({ field: 'name', message: 'required', code: 'required' });
    if (!groups.length) local.push({ field: 'groups', message: 'required', code: 'no_groups' });
    groups.forEach((g, i) => {
      if (!g.code) local.push({ field: `groups.${i}.code`, message: 'required', code: 'required' });
      if (!g.name) local.push({ field: `groups.${i}.name`, message: 'required', code: 'required' });
      if (!g.frameworkCode) local.push({ field: `groups.${i}.frameworkCode`, message: 'required', code: 'required' });
      if (!g.unitCodes.length) local.push({ field: `groups.${i}.unitCodes`, message: 'required', code: 'required' });
    });
    if (local.length) {
      const msg: Record<string, string> = { invalid_date: 'Ngày không hợp lệ (dd/mm/yyyy).', invalid_year: 'Năm không hợp lệ.', no_groups: 'Cần ít nhất một nhóm đơn vị.', required: 'Bắt buộc.' };
      const where = (f: string) => (f === 'year' ? 'Năm' : f === 'name' ? 'Tên kỳ' : f === 'groups' ? 'Nhóm' : locate(f));
      const box = html`<div class="flash flash-error" role="alert"><p><strong>Dữ liệu chưa hợp lệ.</strong></p><ul class="problems">${local.map((x) => html`<li><strong>${where(x.field)}</strong>: ${msg[x.code ?? ''] ?? 'Không hợp lệ.'}</li>`)}</ul></div>`;
      return createForm(req, reply, b, { box, status: 422 });
    }
    try {
      const r = await rounds.create(kit.ctx(req), { year, name, groups, schedule });
      return kit.redirect(reply, roundHref(r.id), 'da-tao-ky');
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500) throw err;
      return createForm(req, reply, b, { box: errorBox(err, e), status: e.status });
    }
  });

  async function roundPage(req: FastifyRequest, reply: FastifyReply, roundId: string, error?: { err: unknown; e: WebError; form: string }) {
    const ctx = kit.ctx(req);
    const round = await rounds.get(ctx, roundId);
    const csrf = kit.csrf(req, reply);
    const next = nextPhase(round.phase);
    const assigned = await rounds.listAppraisers(ctx, roundId);
    const appraisers = (await users.list(ctx, { role: 'appraiser', active: true })).sort((a, b) => a.username.localeCompare(b.username));
    const areaSet = new Map<string, string>();
    for (const g of round.groups) {
      const fw = await frameworks.get(ctx, g.frameworkCode);
      for (const a of fw.criteria) if (!areaSet.has(a.code)) areaSet.set(a.code, a.title);
    }
    const areas = [...areaSet.entries()];
    const assignedAreas = new Map(assigned.map((a) => [a.username, new Set(a.assignments.map((x) => x.areaCode))]));
    const box = (form: string) => (error?.form === form ? errorBox(error.err, error.e) : null);
    const transitionable = next && next !== 'published';

    const body = html`<div class="page-head"><div><h1>${round.name}</h1><p class="sub">Năm ${round.year}</p></div>
  <div><a class="button" href="${roundHref(roundId)}/tien-do">Tiến độ các đơn vị</a> <a class="button" href="${queueHref(roundId)}">Hàng đợi thẩm định</a> <a class="button" href="${roundHref(roundId)}/ket-qua">Kết quả</a> <a class="button" href="${roundHref(roundId)}/chua-chot">Chưa chốt điểm</a> <a class="button" href="${councilHref(roundId)}">Hội đồng thẩm định</a></div></div>
${phaseStepper(round.phase)}
<section class="panel">
  <h2>Chuyển giai đoạn</h2>
  ${box('transition')}
  ${error?.form === 'transition' && next && forceable(error.err) ? html`<form method="post" action="${roundHref(roundId)}/chuyen-giai-doan" data-confirm="Vẫn chuyển sang “${phaseLabel(next)}”? Bản tự đánh giá chưa nộp được giữ nguyên như đã nhập và đánh dấu “chưa nộp”.">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="to" value="${next}"><input type="hidden" name="force" value="1">
    <button class="button" type="submit">Vẫn chuyển giai đoạn</button></form>` : ''}
  <p>Giai đoạn hiện tại: <strong>${phaseLabel(round.phase)}</strong>${round.phaseChangedAt ? html` <span class="muted">(từ ${fmtDateTime(round.phaseChangedAt)})</span>` : ''}.</p>
  ${
    transitionable
      ? html`<form method="post" action="${roundHref(roundId)}/chuyen-giai-doan" data-confirm="Chuyển kỳ đánh giá sang giai đoạn “${phaseLabel(next)}”?">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="to" value="${next}">
    <button class="button primary" type="submit">Chuyển sang “${phaseLabel(next)}”</button>
    ${next === 'self_assessment' ? html`<p class="muted">Mở kỳ: tạo bản tự đánh giá cho từng đơn vị theo bộ tiêu chí của nhóm.</p>` : ''}
    ${next === 'council_review' ? html`<p class="muted">Chỉ chuyển được khi mọi tiêu chí đã có điểm cuối cùng.</p>` : ''}
  </form>`
      : next === 'published'
        ? html`<p>Công bố kết quả tại trang <a href="${roundHref(roundId)}/ket-qua">Kết quả</a> (cần số và ngày quyết định).</p>`
        : html`<p class="muted">Kỳ đánh giá đã công bố.</p>`
  }
</section>
<section class="panel">
  <h2>Lịch các giai đoạn</h2>
  ${box('schedule')}
  <form method="post" action="${roundHref(roundId)}/lich" class="stack">
    <input type="hidden" name="_csrf" value="${csrf}">
    ${scheduleFields(round.schedule as Record<string, string>, true)}
    <button class="button" type="submit"${attr('disabled', round.phase === 'published')}>Lưu lịch</button>
  </form>
</section>
<section class="panel">
  <h2>Nhóm đơn vị</h2>
  <div class="table-wrap"><table class="data"><thead><tr><th scope="col">Mã</th><th scope="col">Tên nhóm</th><th scope="col">Bộ tiêu chí</th><th scope="col" class="num">Số đơn vị</th></tr></thead>
  <tbody>${round.groups.map((g) => html`<tr><td>${g.code}</td><td>${g.name}</td><td><a href="/dieu-phoi/bo-tieu-chi/${encodeURIComponent(g.frameworkCode)}">${g.frameworkCode}</a></td><td class="num">${g.unitCodes.length}</td></tr>`)}</tbody></table></div>
</section>
<section class="panel">
  <h2>Phân công thẩm định theo lĩnh vực</h2>
  ${box('appraisers')}
  ${
    appraisers.length === 0
      ? html`<p class="muted">Chưa có tài khoản thẩm định.</p>`
      : html`<form method="post" action="${roundHref(roundId)}/tham-dinh-vien">
    <input type="hidden" name="_csrf" value="${csrf}">
    <div class="table-wrap"><table class="data assign"><thead><tr><th scope="col">Thành viên thẩm định</th>${areas.map(([c, t]) => html`<th scope="col" class="num" title="${t}">LV ${c}</th>`)}</tr></thead>
    <tbody>${appraisers.map(
      (u) => html`<tr><th scope="row">${u.displayName}<br><span class="muted">${u.username} · ${u.orgUnitCode ?? ''}</span></th>${areas.map(
        ([c, t]) => html`<td class="num"><input type="checkbox" name="a__${u.username}" value="${c}" aria-label="${u.displayName}: lĩnh vực ${c} ${t}"${attr('checked', assignedAreas.get(u.username)?.has(c) ?? false)}></td>`,
      )}</tr>`,
    )}</tbody></table></div>
    <button class="button" type="submit"${attr('disabled', ['council_review', 'published'].includes(round.phase))}>Lưu phân công</button>
  </form>`
  }
</section>`;
    return kit.page(req, reply, {
      title: round.name,
      body,
      section: '/dieu-phoi',
      flash: kit.flashOf(req),
      breadcrumbs: [['Kỳ đánh giá', '/dieu-phoi'], [round.name]],
      status: error ? error.e.status : 200,
    });
  }

  app.get<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId', { config: cfg, schema: hide }, async (req, reply) => roundPage(req, reply, req.params.roundId));

  async function roundAction(req: FastifyRequest<{ Params: PR }>, reply: FastifyReply, form: string, run: () => Promise<unknown>, flash: string) {
    try {
      await run();
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500 || e.status === 404) throw err;
      return roundPage(req, reply, req.params.roundId, { err, e, form });
    }
    return kit.redirect(reply, roundHref(req.params.roundId), flash);
  }

  app.post<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/chuyen-giai-doan', { config: cfg, schema: hide }, async (req, reply) => {
    const to = field(req.body, 'to') as Phase;
    if (!(phases as readonly string[]).includes(to)) return roundPage(req, reply, req.params.roundId);
    const force = field(req.body, 'force') === '1';
    return roundAction(req, reply, 'transition', () => rounds.transition(kit.ctx(req), req.params.roundId, to, { force }), 'da-chuyen');
  });

  app.post<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/lich', { config: cfg, schema: hide }, async (req, reply) => {
    const { schedule, errors } = parseSchedule(req.body);
    if (errors.length) {
            const err = new ValidationError(errors.map((e) => ({ ...e, code: 'invalid_date', message: 'Ngày không hợp lệ (dd/mm/yyyy).' })));
      return roundPage(req, reply, req.params.roundId, { err, e: webError(err), form: 'schedule' });
    }
    return roundAction(req, reply, 'schedule', () => rounds.updateSchedule(kit.ctx(req), req.params.roundId, schedule), 'da-luu-lich');
  });

  app.post<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/tham-dinh-vien', { config: cfg, schema: hide }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const input = Object.keys(b)
      .filter((k) => k.startsWith('a__'))
      .map((k) => ({ username: k.slice(3), areaCodes: fields(b, k) }))
      .filter((a) => a.areaCodes.length > 0);
    return roundAction(req, reply, 'appraisers', () => rounds.setAppraisers(kit.ctx(req), req.params.roundId, input), 'da-phan-cong');
  });

  // ---------------------------------------------------------------------------------------------------------
  // Progress of every unit, with extensions and send-back.

  async function progressPage(req: FastifyRequest, reply: FastifyReply, roundId: string, error?: { err: unknown; e: WebError; unitCode: string; form: string }) {
    const ctx = kit.ctx(req);
    const round = await rounds.get(ctx, roundId);
    const p = await assessments.progress(ctx, roundId);
    const csrf = kit.csrf(req, reply);
    const extendable = scheduledPhases.filter((ph) => phases.indexOf(ph) >= phases.indexOf(round.phase));
    const body = html`<div class="page-head"><div><h1>Tiến độ các đơn vị</h1><p class="sub">${round.name}</p></div>
  <div class="status-box"><span class="tag phase">${phaseLabel(round.phase)}</span>${p.selfAssessmentDeadline ? html` <span class="tag">Hạn tự đánh giá ${fmtDate(p.selfAssessmentDeadline)}</span>` : ''}</div></div>
${error ? errorBox(error.err, error.e) : ''}
${p.groups.map(
  (g) => html`<section class="panel">
  <h2>${g.name}</h2>
  <p class="muted">${g.totals.submitted}/${g.totals.units} đơn vị đã nộp · ${g.totals.itemsDone}/${g.totals.itemsTotal} tiêu chí đã chấm · ${g.totals.missingEvidence} tiêu chí thiếu tài liệu · ${g.totals.late} đơn vị trễ hạn</p>
  <div class="table-wrap"><table class="data progress-table">
    <thead><tr><th scope="col">Đơn vị</th><th scope="col">Tiến độ</th><th scope="col" class="num">Thiếu TLKC</th><th scope="col">Trạng thái</th><th scope="col">Hạn</th><th scope="col">Thao tác</th></tr></thead>
    <tbody>${g.units.map((u) => {
      const pct = u.itemsTotal ? Math.round((u.itemsDone / u.itemsTotal) * 100) : 0;
      const mine = error?.unitCode === u.unitCode;
      return html`<tr id="dv-${u.unitCode}"${mine ? html` class="has-error"` : ''}>
      <th scope="row"><a href="${queueHref(roundId)}?don_vi=${encodeURIComponent(u.unitCode)}">${u.unitName}</a></th>
      <td><progress max="${u.itemsTotal}" value="${u.itemsDone}" aria-label="Tiến độ ${u.unitName}">${pct}%</progress> <span class="muted">${u.itemsDone}/${u.itemsTotal}</span></td>
      <td class="num">${u.missingEvidence ? html`<span class="warn-text">${u.missingEvidence}</span>` : '0'}</td>
      <td><span class="tag ${u.status}">${assessmentStatusLabels[u.status]}</span>${u.submittedAt ? html`<br><span class="muted">${fmtDateTime(u.submittedAt)}</span>` : ''}${u.late ? html` <span class="tag warn">trễ hạn</span>` : ''}</td>
      <td>${fmtDate(u.deadline)}${u.extensionUntil ? html`<br><span class="muted">gia hạn đến ${fmtDate(u.extensionUntil)}</span>` : ''}</td>
      <td class="actions">
        ${
          extendable.length
            ? html`<details${attr('open', mine && error?.form === 'extend')}><summary>Gia hạn</summary>
          <form method="post" action="${roundHref(roundId)}/don-vi/${encodeURIComponent(u.unitCode)}/gia-han" class="mini-form">
            <input type="hidden" name="_csrf" value="${csrf}">
            <label>Giai đoạn <select name="phase">${extendable.map((ph) => html`<option value="${ph}">${phaseLabel(ph)}</option>`)}</select></label>
            <label>Đến ngày <input name="until" inputmode="numeric" placeholder="dd/mm/yyyy" required></label>
            <label>Lý do <input name="reason" required></label>
            <button class="button small" type="submit">Gia hạn</button>
          </form></details>`
            : ''
        }
        ${
          u.status === 'submitted' && round.phase === 'self_assessment'
            ? html`<details${attr('open', mine && error?.form === 'sendback')}><summary>Trả lại</summary>
          <form method="post" action="${roundHref(roundId)}/don-vi/${encodeURIComponent(u.unitCode)}/tra-lai" class="mini-form" data-confirm="Trả lại bản tự đánh giá cho ${u.unitName}?">
            <input type="hidden" name="_csrf" value="${csrf}">
            <label>Lý do trả lại <input name="reason" required></label>
            <button class="button small danger" type="submit">Trả lại</button>
          </form></details>`
            : ''
        }
      </td></tr>`;
    })}</tbody></table></div>
</section>`,
)}`;
    return kit.page(req, reply, {
      title: `Tiến độ · ${round.name}`,
      body,
      section: '/dieu-phoi',
      flash: kit.flashOf(req),
      breadcrumbs: [['Kỳ đánh giá', '/dieu-phoi'], [round.name, roundHref(roundId)], ['Tiến độ']],
      status: error ? error.e.status : 200,
    });
  }

  app.get<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/tien-do', { config: cfg, schema: hide }, async (req, reply) => progressPage(req, reply, req.params.roundId));

  async function unitAction(req: FastifyRequest<{ Params: PR & { unitCode: string } }>, reply: FastifyReply, form: string, run: () => Promise<unknown>, flash: string) {
    try {
      await run();
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500) throw err;
      return progressPage(req, reply, req.params.roundId, { err, e, unitCode: req.params.unitCode, form });
    }
    return kit.redirect(reply, `${roundHref(req.params.roundId)}/tien-do`, flash, `dv-${req.params.unitCode}`);
  }

  app.post<{ Params: PR & { unitCode: string } }>('/dieu-phoi/ky-danh-gia/:roundId/don-vi/:unitCode/gia-han', { config: cfg, schema: hide }, async (req, reply) => {
    const b = req.body;
    const phase = field(b, 'phase') as ScheduledPhase;
    const until = parseDate(field(b, 'until'));
    const reason = (field(b, 'reason') ?? '').trim();
        return unitAction(
      req,
      reply,
      'extend',
      async () => {
        if (!(scheduledPhases as readonly string[]).includes(phase)) throw new ValidationError([{ field: 'phase', message: 'invalid', code: 'invalid' }]);
        if (!until) throw new ValidationError([{ field: 'until', message: 'Ngày không hợp lệ (dd/mm/yyyy).', code: 'invalid_date' }]);
        if (!reason) throw new ValidationError([{ field: 'reason', message: 'required', code: 'required' }]);
        return rounds.extendDeadline(kit.ctx(req), req.params.roundId, req.params.unitCode, { phase, until, reason });
      },
      'da-gia-han',
    );
  });

  app.post<{ Params: PR & { unitCode: string } }>('/dieu-phoi/ky-danh-gia/:roundId/don-vi/:unitCode/tra-lai', { config: cfg, schema: hide }, async (req, reply) => {
    const reason = (field(req.body, 'reason') ?? '').trim();
        return unitAction(
      req,
      reply,
      'sendback',
      async () => {
        if (!reason) throw new ValidationError([{ field: 'reason', message: 'required', code: 'required' }]);
        return rounds.sendBack(kit.ctx(req), req.params.roundId, req.params.unitCode, { reason });
      },
      'da-tra-lai',
    );
  });

  // ---------------------------------------------------------------------------------------------------------
  // Results preview: ranking, discrepancies, open items; confirming self points; publishing.

  async function resultsPage(req: FastifyRequest, reply: FastifyReply, roundId: string, error?: { err: unknown; e: WebError; form: string; posted?: Record<string, string> }) {
    const ctx = kit.ctx(req);
    const round = await rounds.get(ctx, roundId);
    const r = await results.results(ctx, roundId);
    const csrf = kit.csrf(req, reply);
    const box = (form: string) => (error?.form === form ? errorBox(error.err, error.e) : null);
    const d = r.discrepancies;
    const gapCell = (g: number | null) => (g === null ? '–' : html`<span class="${g < 0 ? 'neg' : g > 0 ? 'pos' : ''}">${g > 0 ? '+' : ''}${fmtPoints(g)}</span>`);
    const posted = error?.posted ?? {};
    const pubs = round.phase === 'published' ? await publications.list({ roundId, includeSuperseded: true }) : [];
    // The council record (hội đồng) must be complete before publication: say what is missing beside the form.
    const councilMissing = round.phase === 'council_review' ? (await app.services.council.get(ctx, roundId)).missing : [];
    const publishExtra = publishSection(round, csrf, posted, pubs, councilMissing);
    const view = rankingView(req.query);

    const body = html`<div class="page-head"><div><h1>Kết quả (xem trước)</h1><p class="sub">${round.name}</p></div>
  <div class="status-box"><span class="tag phase">${phaseLabel(round.phase)}</span></div></div>
<p class="muted">Kết quả tính trực tiếp từ điểm hiện có; chưa công bố thì người dân không xem được. Dòng còn tiêu chí chưa chốt là kết quả tạm tính.</p>
${rankingSearch(roundId, view.search)}
${r.groups.map((g) => {
  // Areas by name, not "LV 1…10" (issue 15); the header cells wrap so the table fits 1366 px.
  const areaHeads = g.rows[0]?.areas.map((a) => ({ code: a.code, title: a.title ?? `Lĩnh vực ${a.code}` })) ?? [];
  const shown = pageOfRanking<(typeof g.rows)[number]>(g.code, g.rows, view);
  return html`<section class="panel" id="${groupAnchor(g.code)}">
  <h2>${g.name} <span class="muted">(${g.frameworkCode})</span></h2>
  ${rankingPager(roundId, g.code, g.rows.length, shown, view.search)}
  ${shown.rows.length === 0 ? '' : html`<div class="table-wrap"><table class="data ranking">
    <thead><tr><th scope="col" class="num">Hạng</th><th scope="col">Đơn vị</th>${areaHeads.map((a) => html`<th scope="col" class="num area-col" title="${a.code}. ${a.title}"><span class="area-code">${a.code}.</span> ${a.title}</th>`)}<th scope="col" class="num">Tổng điểm</th><th scope="col" class="num">Chỉ số</th><th scope="col">Xếp loại</th><th scope="col" class="num">Tự chấm</th><th scope="col" class="num">Chênh lệch</th><th scope="col" class="num">Chưa chốt</th></tr></thead>
    <tbody>${shown.rows.map(
      (row) => html`<tr><td class="num">${row.rank ?? '–'}</td><th scope="row"><a href="${queueHref(roundId)}?don_vi=${encodeURIComponent(row.unitCode)}">${row.unitName}</a></th>
      ${row.areas.map((a) => html`<td class="num">${fmtPoints(a.points)}</td>`)}
      <td class="num">${fmtPoints(row.total)} <span class="muted">/ ${fmtPoints(row.max)}</span></td><td class="num"><strong>${fmtIndex(row.index)}</strong></td><td>${row.bandLabel ?? '–'}</td>
      <td class="num">${fmtPoints(row.selfTotal)}</td><td class="num">${gapCell(row.gap)}</td><td class="num">${row.openItems ? html`<span class="warn-text">${row.openItems}</span>` : '0'}</td></tr>`,
    )}</tbody></table></div>`}
  ${shown.pages > 1 ? rankingPager(roundId, g.code, g.rows.length, shown, view.search, 'bottom') : ''}
</section>`;
})}
${
  d
    ? html`<section class="panel"><h2>Chênh lệch giữa tự chấm và thẩm định</h2>
  ${
    d.units.length + d.items.length === 0
      ? html`<p class="muted">Chưa có chênh lệch.</p>`
      : html`<div class="two-col">
    <div><h3>Theo đơn vị</h3><div class="table-wrap"><table class="data"><thead><tr><th scope="col">Đơn vị</th><th scope="col" class="num">Tự chấm</th><th scope="col" class="num">Thẩm định</th><th scope="col" class="num">Chênh lệch</th></tr></thead>
    <tbody>${d.units.slice(0, 15).map((u) => html`<tr><th scope="row">${u.unitName}</th><td class="num">${fmtPoints(u.selfTotal)}</td><td class="num">${fmtPoints(u.total)}</td><td class="num">${gapCell(u.gap)}</td></tr>`)}</tbody></table></div></div>
    <div><h3>Theo tiêu chí</h3><div class="table-wrap"><table class="data"><thead><tr><th scope="col">Đơn vị · tiêu chí</th><th scope="col" class="num">Tự chấm</th><th scope="col" class="num">Thẩm định</th><th scope="col" class="num">Chênh lệch</th></tr></thead>
    <tbody>${d.items.slice(0, 15).map((i) => html`<tr><th scope="row"><a href="${itemHref(roundId, i.unitCode, i.criterionCode)}">${i.unitName} · ${i.criterionCode}</a> <span class="muted">${i.title}</span></th><td class="num">${fmtPoints(i.selfPoints)}</td><td class="num">${fmtPoints(i.points)}</td><td class="num">${gapCell(i.gap)}</td></tr>`)}</tbody></table></div></div>
  </div>`
  }</section>`
    : ''
}
${resultsDownloads(roundId)}
<section class="panel"><h2>Tiêu chí chưa có điểm cuối cùng (${r.openItems.length})</h2>
  <p><a href="${roundHref(roundId)}/chua-chot">Xem theo lý do, kèm liên kết đến từng tiêu chí</a></p>
  ${openItemsSummary(roundId, r.openItems)}
  ${
    round.phase === 'final_appraisal'
      ? html`${box('confirm')}<form method="post" action="${roundHref(roundId)}/xac-nhan-tu-cham" class="stack" data-confirm="Xác nhận điểm tự chấm cho mọi tiêu chí chưa được thẩm định?">
    <input type="hidden" name="_csrf" value="${csrf}">
    <div class="field"><label for="confirm-reason">Lý do xác nhận điểm tự chấm cho các tiêu chí chưa thẩm định</label><input id="confirm-reason" name="reason" required value="${posted.reason ?? ''}"></div>
    <label class="check"><input type="checkbox" name="includeNotApplicable" value="1"> Xác nhận cả các tiêu chí đơn vị khai “không phát sinh” chưa được thẩm định</label>
    <button class="button" type="submit">Xác nhận điểm tự chấm</button></form>`
      : ''
  }
</section>
${box('publish')}
${publishExtra}`;
    return kit.page(req, reply, {
      title: `Kết quả · ${round.name}`,
      body,
      section: '/dieu-phoi',
      flash: kit.flashOf(req),
      breadcrumbs: [['Kỳ đánh giá', '/dieu-phoi'], [round.name, roundHref(roundId)], ['Kết quả']],
      status: error ? error.e.status : 200,
    });
  }

  app.get<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/ket-qua', { config: cfg, schema: hide }, async (req, reply) => resultsPage(req, reply, req.params.roundId));

  app.post<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/xac-nhan-tu-cham', { config: cfg, schema: hide }, async (req, reply) => {
    const reason = (field(req.body, 'reason') ?? '').trim();
    try {
      if (!reason) {
                throw new ValidationError([{ field: 'reason', message: 'required', code: 'required' }]);
      }
      await results.confirmSelfPoints(kit.ctx(req), req.params.roundId, { reason, includeNotApplicable: field(req.body, 'includeNotApplicable') === '1' });
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500) throw err;
      return resultsPage(req, reply, req.params.roundId, { err, e, form: 'confirm', posted: { reason } });
    }
    return kit.redirect(reply, `${roundHref(req.params.roundId)}/ket-qua`, 'da-xac-nhan');
  });

  app.post<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/cong-bo', { config: cfg, schema: hide }, async (req, reply) => {
    const b = req.body;
    const posted = { decisionNumber: (field(b, 'decisionNumber') ?? '').trim(), decisionDate: (field(b, 'decisionDate') ?? '').trim(), reason: (field(b, 'reason') ?? '').trim() };
    const decisionDate = parseDate(posted.decisionDate);
    let id: string;
    try {
      const problems: FieldError[] = [];
      if (!posted.decisionNumber) problems.push({ field: 'decisionNumber', message: 'required', code: 'required' });
      if (!decisionDate) problems.push({ field: 'decisionDate', message: 'invalid', code: 'invalid_date' });
      if (problems.length) {
        const e = new ValidationError(problems);
        return await resultsPage(req, reply, req.params.roundId, { err: null, e: { ...webError(e), message: !posted.decisionNumber ? 'Vui lòng nhập số quyết định.' : 'Ngày quyết định không hợp lệ (dd/mm/yyyy).' }, form: 'publish', posted });
      }
      const r = await publications.publish(kit.ctx(req), req.params.roundId, { decisionNumber: posted.decisionNumber, decisionDate: decisionDate!, ...(posted.reason ? { reason: posted.reason } : {}) }, field(b, 'idempotency') || undefined);
      id = r.body.id;
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500 || e.status === 404) throw err;
      return resultsPage(req, reply, req.params.roundId, { err, e, form: 'publish', posted });
    }
    return kit.redirect(reply, `/cong-khai/${encodeURIComponent(id)}`, 'da-cong-bo');
  });
}

/** Units listed in the open-items summary; the rest are counted (the “Chưa chốt điểm” page lists them all). */
const OPEN_SUMMARY_UNITS = 100;

/** Items without a final score: listed one by one when few, otherwise counted per unit and reason. */

function openItemsSummary(roundId: string, open: { unitCode: string; unitName: string; criterionCode: string; title: string; reason: string }[]): Html {
  if (open.length === 0) return html`<p>Mọi tiêu chí đã có điểm cuối cùng.</p>`;
  if (open.length <= 40) {
    return html`<ul class="problems">${open.map((o) => html`<li><a href="${itemHref(roundId, o.unitCode, o.criterionCode)}">${o.unitName} · ${o.criterionCode} ${o.title}</a>: ${openReasonLabels[o.reason] ?? o.reason}</li>`)}</ul>`;
  }
  // One pass over the open items (a 1,000-unit round in self-assessment has 120,000 of them).
  const reasons = [...new Set(open.map((o) => o.reason))];
  const units = new Map<string, { name: string; total: number; byReason: Map<string, number> }>();
  for (const o of open) {
    let u = units.get(o.unitCode);
    if (!u) units.set(o.unitCode, (u = { name: o.unitName, total: 0, byReason: new Map() }));
    u.total++;
    u.byReason.set(o.reason, (u.byReason.get(o.reason) ?? 0) + 1);
  }
  const listed = [...units.entries()].sort((a, b) => b[1].total - a[1].total).slice(0, OPEN_SUMMARY_UNITS);
  const more = units.size - listed.length;
  return html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Đơn vị</th>${reasons.map((r) => html`<th scope="col" class="num">${openReasonLabels[r] ?? r}</th>`)}</tr></thead>
<tbody>${listed.map(([code, u]) => html`<tr><th scope="row"><a href="${queueHref(roundId)}?don_vi=${encodeURIComponent(code)}">${u.name}</a></th>${reasons.map((r) => html`<td class="num">${u.byReason.get(r) ?? 0}</td>`)}</tr>`)}</tbody></table></div>
${more > 0 ? html`<p class="muted">Bảng trên liệt kê ${OPEN_SUMMARY_UNITS} đơn vị còn nhiều tiêu chí chưa chốt nhất; ${fmtInt(more)} đơn vị khác xem ở trang <a href="${roundHref(roundId)}/chua-chot">Chưa chốt điểm</a>.</p>` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Ranking pages (issue 14): a province has 100–150 units and the national scale 4,000, so the results page shows
// each group's ranking 100 rows at a time, in rank order, with links to the other pages and a search by unit name
// or code. The complete table stays one click away as the CSV/XLSX download.

export const RANKING_PAGE_SIZE = 100;

interface RankingView {
  search: string;
  group: string | undefined;
  page: number;
}

function rankingView(query: unknown): RankingView {
  const q = (query ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
  const page = Number.parseInt(text(q.trang), 10);
  return { search: text(q.tim).trim().slice(0, 100), group: text(q.nhom) || undefined, page: Number.isFinite(page) && page > 0 ? page : 1 };
}

/** Lower case without diacritics, so “sa dec” finds “Sa Đéc”. */
const folded = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

const groupAnchor = (code: string) => `nhom-${code}`;

/** The rows of `group` on the page asked for (other groups stay on their first page); an unknown page shows the last. */
function pageOfRanking<R extends { unitCode: string; unitName: string }>(group: string, rows: readonly R[], view: RankingView) {
  const needle = folded(view.search);
  const matching = needle ? rows.filter((r) => folded(r.unitName).includes(needle) || folded(r.unitCode).includes(needle)) : rows;
  const pages = Math.max(1, Math.ceil(matching.length / RANKING_PAGE_SIZE));
  const page = view.group === group ? Math.min(view.page, pages) : 1;
  const from = (page - 1) * RANKING_PAGE_SIZE;
  return { rows: matching.slice(from, from + RANKING_PAGE_SIZE), matching: matching.length, page, pages, from };
}

function rankingHref(roundId: string, group: string, page: number, search: string): string {
  const q = new URLSearchParams({ nhom: group, trang: String(page) });
  if (search) q.set('tim', search);
  return `${roundHref(roundId)}/ket-qua?${q.toString()}#${groupAnchor(group)}`;
}

function rankingSearch(roundId: string, search: string): Html {
  return html`<form method="get" action="${roundHref(roundId)}/ket-qua" class="filters ranking-search" role="search">
  <div class="field"><label for="ranking-search">Tìm đơn vị (tên hoặc mã)</label><input id="ranking-search" name="tim" type="search" value="${search}" maxlength="100"></div>
  <div class="field"><button class="button" type="submit">Tìm</button>${search ? html` <a href="${roundHref(roundId)}/ket-qua">Bỏ tìm kiếm</a>` : ''}</div>
</form>`;
}

/** “Đơn vị 101–200 / 1.000” and the page links; the bottom copy repeats only the links. */
function rankingPager(roundId: string, group: string, total: number, shown: { rows: readonly unknown[]; matching: number; page: number; pages: number; from: number }, search: string, place: 'top' | 'bottom' = 'top'): Slot {
  const summary =
    place === 'bottom'
      ? ''
      : shown.matching === 0
        ? html`<p class="muted">Không có đơn vị nào khớp “${search}”.</p>`
        : html`<p class="muted ranking-count">${search ? html`${fmtInt(shown.matching)} trong ${fmtInt(total)} đơn vị khớp “${search}”; hiển thị` : 'Hiển thị'} đơn vị ${fmtInt(shown.from + 1)}–${fmtInt(shown.from + shown.rows.length)} / ${fmtInt(shown.matching)}, theo thứ hạng.${shown.pages > 1 ? ' Danh sách đầy đủ: tải “Bảng kết quả” (CSV hoặc XLSX) ở mục Tải về.' : ''}</p>`;
  if (shown.pages <= 1) return summary;
  // First, last and two pages either side of the current one; gaps shown as “…”.
  const numbers = [...new Set([1, shown.pages, ...[-2, -1, 0, 1, 2].map((d) => shown.page + d)])].filter((n) => n >= 1 && n <= shown.pages).sort((a, b) => a - b);
  const links: Html[] = [];
  numbers.forEach((n, i) => {
    if (i > 0 && n - numbers[i - 1]! > 1) links.push(html`<span class="gap">…</span>`);
    links.push(n === shown.page ? html`<span aria-current="page">${n}</span>` : html`<a href="${rankingHref(roundId, group, n, search)}">${n}</a>`);
  });
  const prev = shown.page > 1 ? html`<a href="${rankingHref(roundId, group, shown.page - 1, search)}" rel="prev">« Trang trước</a>` : '';
  const next = shown.page < shown.pages ? html`<a href="${rankingHref(roundId, group, shown.page + 1, search)}" rel="next">Trang sau »</a>` : '';
  return html`${summary}<nav class="pager ranking-pager" aria-label="Các trang xếp hạng ${group}${place === 'bottom' ? ' (cuối bảng)' : ''}">${prev} ${links} ${next}</nav>`;
}
