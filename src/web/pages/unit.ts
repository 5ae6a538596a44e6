// Unit pages (unit_editor, unit_head): the round dashboard, one form per reform area with rule-specific inputs and
// live points, evidence, explanations, and submission. Everything goes through the assessments service, which
// decides what the user may see and change (a unit never reaches another unit's pages: 404).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../lib/errors.js';
import type { Criterion } from '../../modules/frameworks/frameworks.document.js';
import { daysLeft } from '../../modules/rounds/lifecycle.js';
import type { Rule } from '../../scoring/index.js';
import { daysLeftText, fmtDate, fmtDateTime, fmtPoints, parseDate } from '../format.js';
import { attr, html, type Html, type Slot } from '../html.js';
import { errorSummary, fieldError, invalidAttrs } from '../form-errors.js';
import { field, UNIT_ROLES, type Kit } from '../kit.js';
import { areaKindBadge, assessmentStatusLabels, inputText, itemStatusLabels, phaseLabel, ruleText, sourceLabels } from '../labels.js';
import { webError, type WebError } from '../messages.js';
import { readSingleFile } from '../../lib/multipart-upload.js';
import { verifyCsrf } from '../session.js';
import { trackedBlock, trackedOf, type TrackedRow } from './plans.js';
import { evidenceList, parseSelfForm, postedValues, previewPoints, selfInputs, valuesOf, type AssessmentView, type FormValues, type ItemView } from './shared.js';

type P = { roundId: string; unitCode: string };
type PI = P & { code: string };

const hide = { hide: true } as const;
const base = (roundId: string, unitCode: string) => `/don-vi/${encodeURIComponent(roundId)}/${encodeURIComponent(unitCode)}`;
const areaHref = (roundId: string, unitCode: string, areaCode: string) => `${base(roundId, unitCode)}/linh-vuc/${encodeURIComponent(areaCode)}`;
const itemAction = (roundId: string, unitCode: string, code: string, what = '') => `${base(roundId, unitCode)}/tieu-chi/${encodeURIComponent(code)}${what}`;
const anchorOf = (code: string) => `tc-${code}`;

interface AreaErrors {
  code: string;
  error: WebError;
  values?: FormValues;
  /** Which form of the criterion failed, so the message appears beside it. */
  form: 'self' | 'file' | 'document' | 'explanation' | 'objection';
  posted?: Record<string, string>;
}

/** The document form's fields: label and the prefix of the input id (`so-1.1`). */
const docKeys = ['docNumber', 'docDate', 'issuer', 'title', 'url'] as const;
const docLabels = { docNumber: 'Số, ký hiệu', docDate: 'Ngày ban hành', issuer: 'Cơ quan ban hành', title: 'Trích yếu', url: 'Đường dẫn' };
const docPrefixes: Record<string, string> = { docNumber: 'so', docDate: 'ngay', issuer: 'cq', title: 'ty', url: 'url' };

/** Where each self-form message is shown (the input, or the message itself for radio groups), as selfInputs names them. */
function selfTargets(code: string, naAllowed: boolean): Record<string, string> {
  const id = (name: string) => `tc-${code}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return {
    percent: id('percent'),
    numerator: id('numerator'),
    denominator: id('denominator'),
    count: id('count'),
    points: id('points'),
    option: id('option-err'),
    value: id('value-err'),
    input: id('input-err'),
    ...(naAllowed ? { notApplicable: id('na-err') } : {}),
  };
}
const selfLabels: Record<string, string> = {
  percent: 'Tỷ lệ (%)',
  numerator: 'Tử số',
  denominator: 'Mẫu số',
  count: 'Số lượng',
  points: 'Số điểm',
  option: 'Kết quả thực hiện',
  value: 'Đạt yêu cầu?',
  input: 'Kết quả tự chấm',
  notApplicable: 'Không phát sinh',
};

export function unitPages(app: FastifyInstance, kit: Kit) {
  const { assessments, rounds, frameworks } = app.services;
  const cfg = { webRoles: UNIT_ROLES };

  /** Rounds the user's unit takes part in (opened ones only). */
  async function roundsOfUnit(req: FastifyRequest) {
    const ctx = kit.ctx(req);
    const all = await rounds.list(ctx, {});
    return all.filter((r) => r.phase !== 'draft' && r.groups.some((g) => g.unitCodes.includes(ctx.actor.orgUnitCode ?? '')));
  }

  app.get('/don-vi', { config: cfg, schema: hide }, async (req, reply) => {
    const list = await roundsOfUnit(req);
    const unit = req.actor!.orgUnitCode ?? '';
    if (list.length === 1) return reply.redirect(base(list[0]!.id, unit), 303);
    const body = html`<h1>Tự đánh giá Chỉ số CCHC</h1>
${
  list.length === 0
    ? html`<p class="panel">Đơn vị chưa tham gia kỳ đánh giá nào đang mở.</p>`
    : html`<ul class="cards">${list.map((r) => html`<li class="card"><a href="${base(r.id, unit)}"><strong>${r.name}</strong></a><span class="tag">${phaseLabel(r.phase)}</span></li>`)}</ul>`
}`;
    return kit.page(req, reply, { title: 'Tự đánh giá', body, section: '/don-vi' });
  });

  // ---------------------------------------------------------------------------------------------------------
  // Dashboard.

  async function dashboard(req: FastifyRequest, reply: FastifyReply, p: P, extra: { submitError?: WebError } = {}) {
    const ctx = kit.ctx(req);
    const a = await assessments.get(ctx, p.roundId, p.unitCode);
    const round = await rounds.get(ctx, p.roundId);
    const fw = await frameworks.get(ctx, a.frameworkCode);
    const csrf = kit.csrf(req, reply);
    const selfItems = a.items.filter((i) => i.source === 'self');
    const done = (i: ItemView) => i.selfInput !== null || i.notApplicable;

    const deadlinePhase = a.phase === 'explanation' ? 'explanation' : a.phase === 'self_assessment' ? 'self_assessment' : null;
    const deadline = deadlinePhase === 'self_assessment' ? a.selfAssessmentDeadline : deadlinePhase ? (round.schedule[deadlinePhase] ?? null) : null;
    const deadlineBox: Slot = deadline
      ? html`<div class="deadline ${daysLeft(ctx.now, deadline) < 0 ? 'late' : daysLeft(ctx.now, deadline) <= 3 ? 'soon' : ''}">
  <span class="deadline-label">Hạn ${deadlinePhase === 'explanation' ? 'giải trình' : 'tự đánh giá'}</span>
  <strong>${fmtDate(deadline)}</strong>
  <span class="countdown">${daysLeftText(daysLeft(ctx.now, deadline))}</span>
  ${a.extensionUntil && deadlinePhase === 'self_assessment' ? html`<span class="muted">(đã được gia hạn)</span>` : ''}
</div>`
      : null;

    const areaRows = fw.criteria.map((area) => {
      const items = a.items.filter((i) => i.areaCode === area.code);
      const self = items.filter((i) => i.source === 'self');
      const pts = self.reduce((s, i) => s + (i.selfPoints ?? 0), 0);
      const max = self.filter((i) => !i.notApplicable).reduce((s, i) => s + i.maxPoints, 0);
      const flagged = items.filter((i) => i.status === 'explanation_requested' || i.status === 'explained').length;
      return { area, items, self, done: self.filter(done).length, missing: self.filter((i) => i.missingEvidence).length, pts, max, flagged };
    });

    const leftItems = selfItems.filter((i) => !done(i) || i.missingEvidence);
    const flaggedItems = a.items.filter((i) => i.status === 'explanation_requested' || i.status === 'explained');
    const pct = a.progress.total ? Math.round((a.progress.done / a.progress.total) * 100) : 0;
    const titleOf = new Map(a.items.map((i) => [i.criterionCode, i]));

    const submitBlock: Slot =
      a.status === 'submitted'
        ? html`<p class="flash flash-ok">Đã nộp lúc ${fmtDateTime(a.submittedAt)}${a.submittedBy ? ` (${a.submittedBy})` : ''}. Bản tự đánh giá chỉ xem được; cơ quan điều phối có thể trả lại để bổ sung.</p>`
        : a.maySubmit
          ? html`<form method="post" action="${base(p.roundId, p.unitCode)}/nop" class="submit-form" data-confirm="Nộp bản tự đánh giá? Sau khi nộp, đơn vị không sửa được nữa.">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="idempotency" value="${randomUUID()}">
  <button class="button primary big" type="submit">Nộp bản tự đánh giá</button>
  <p class="muted">Thủ trưởng đơn vị phê duyệt và nộp. Hệ thống kiểm tra đủ điểm và tài liệu kiểm chứng trước khi nhận.</p>
</form>`
          : a.phase === 'self_assessment' && a.mayEditSelf
            ? html`<p class="muted">Khi hoàn tất, Thủ trưởng đơn vị đăng nhập để nộp bản tự đánh giá.</p>`
            : null;

    const submitErrors: Slot = extra.submitError
      ? html`<div class="flash flash-error" role="alert" id="loi-nop"><p><strong>${extra.submitError.message}</strong></p>
  ${
    extra.submitError.items.length
      ? html`<ul class="problems">${extra.submitError.items.map((e) => {
          const it = titleOf.get(e.code);
          return html`<li><a href="${it ? areaHref(p.roundId, p.unitCode, it.areaCode) : '#'}#${anchorOf(e.code)}">${e.code} ${it?.title ?? ''}</a>: ${e.message}</li>`;
        })}</ul>`
      : ''
  }</div>`
      : null;

    const body = html`<div class="page-head">
  <div><h1>${a.unitName}</h1><p class="sub">${a.roundName}</p></div>
  <div class="status-box"><span class="tag phase">${phaseLabel(a.phase)}</span> <span class="tag ${a.status}">${assessmentStatusLabels[a.status]}</span></div>
</div>
${a.sentBack && a.status === 'open' ? html`<p class="flash flash-info" role="status">Cơ quan điều phối đã trả lại bản tự đánh giá ngày ${fmtDate(a.sentBack.at)}: “${a.sentBack.reason ?? ''}”.</p>` : ''}
${submitErrors}
<section class="summary-grid">
  ${deadlineBox}
  <div class="stat"><span class="stat-label">Tiêu chí đã tự chấm</span><strong>${a.progress.done} / ${a.progress.total}</strong>
    <progress max="${a.progress.total}" value="${a.progress.done}" aria-label="Tiến độ tự chấm">${pct}%</progress></div>
  <div class="stat ${a.progress.missingEvidence ? 'warn' : ''}"><span class="stat-label">Thiếu tài liệu kiểm chứng</span><strong>${a.progress.missingEvidence}</strong></div>
</section>
${
  flaggedItems.length
    ? html`<section class="panel attention"><h2>Yêu cầu giải trình (${flaggedItems.length})</h2>
  <p>Hội đồng thẩm định đề nghị đơn vị giải trình các tiêu chí sau${a.phase === 'explanation' ? ' trong thời hạn giải trình' : ''}.</p>
  <ul class="problems">${flaggedItems.map((i) => html`<li><a href="${areaHref(p.roundId, p.unitCode, i.areaCode)}#${anchorOf(i.criterionCode)}">${i.criterionCode} ${i.title}</a> · <span class="tag">${itemStatusLabels[i.status]}</span></li>`)}</ul></section>`
    : ''
}
<section class="panel">
  <h2>Các lĩnh vực</h2>
  <div class="table-wrap"><table class="data">
    <thead><tr><th scope="col">Lĩnh vực</th><th scope="col" class="num">Đã chấm</th><th scope="col" class="num">Thiếu TLKC</th><th scope="col" class="num">Điểm tự chấm</th><th scope="col"><span class="sr-only">Mở</span></th></tr></thead>
    <tbody>${areaRows.map(
      (r) => html`<tr>
      <th scope="row"><a href="${areaHref(p.roundId, p.unitCode, r.area.code)}">${r.area.code}. ${r.area.title}</a>${areaKindBadge(r.area.kind, r.area.title) ? html` <span class="tag">${areaKindBadge(r.area.kind, r.area.title)}</span>` : ''}${r.flagged ? html` <span class="tag attention">${r.flagged} cần giải trình</span>` : ''}</th>
      <td class="num">${r.self.length ? html`${r.done}/${r.self.length}` : html`<span class="muted">–</span>`}</td>
      <td class="num">${r.missing ? html`<span class="warn-text">${r.missing}</span>` : '0'}</td>
      <td class="num">${r.self.length ? `${fmtPoints(r.pts)} / ${fmtPoints(r.max)}` : html`<span class="muted">${r.items[0] ? sourceLabels[r.items[0].source] : ''}</span>`}</td>
      <td><a class="button small" href="${areaHref(p.roundId, p.unitCode, r.area.code)}">${a.mayEditSelf && r.self.length ? 'Chấm điểm' : 'Xem'}</a></td>
    </tr>`,
    )}</tbody>
  </table></div>
</section>
${
  leftItems.length && a.status === 'open'
    ? html`<section class="panel"><h2>Việc còn lại (${leftItems.length})</h2><ul class="problems">${leftItems.map(
        (i) => html`<li><a href="${areaHref(p.roundId, p.unitCode, i.areaCode)}#${anchorOf(i.criterionCode)}">${i.criterionCode} ${i.title}</a>: ${!done(i) ? 'chưa chấm điểm' : 'thiếu tài liệu kiểm chứng'}</li>`,
      )}</ul></section>`
    : ''
}
${submitBlock}`;
    return kit.page(req, reply, {
      title: `${a.unitName} · ${a.roundName}`,
      body,
      section: '/don-vi',
      flash: kit.flashOf(req),
      breadcrumbs: [['Tự đánh giá', '/don-vi'], [a.roundName]],
      status: extra.submitError ? extra.submitError.status : 200,
    });
  }

  app.get<{ Params: P }>('/don-vi/:roundId/:unitCode', { config: cfg, schema: hide }, async (req, reply) => dashboard(req, reply, req.params));

  app.post<{ Params: P }>('/don-vi/:roundId/:unitCode/nop', { config: cfg, schema: hide }, async (req, reply) => {
    const { roundId, unitCode } = req.params;
    try {
      await assessments.submit(kit.ctx(req), roundId, unitCode, field(req.body, 'idempotency') || undefined, {});
      return kit.redirect(reply, base(roundId, unitCode), 'da-nop');
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500 || e.status === 404) throw err;
      return dashboard(req, reply, req.params, { submitError: e });
    }
  });

  // ---------------------------------------------------------------------------------------------------------
  // One reform area: a form per criterion.

  function criterionCard(a: AssessmentView, item: ItemView, csrf: string, err: AreaErrors | undefined, tracked?: TrackedRow): Html {
    const p = { roundId: a.roundId, unitCode: a.unitCode };
    const mine = err && err.code === item.criterionCode ? err : undefined;
    const rule = item.rule as Rule | null;
    const values = mine?.form === 'self' && mine.values ? mine.values : valuesOf(item);
    const evidenceEditable = item.mayEditSelf || item.mayExplain;
    const errorsOf = (form: AreaErrors['form']) => (mine?.form === form ? mine.error : undefined);
    const formError = (form: AreaErrors['form']): Slot => {
      const e = errorsOf(form);
      if (!e) return null;
      if (form !== 'self') return errorSummary(e.message);
      // Messages shown beside an input are only linked here; those no input of this criterion shows (e.g. a "not
      // applicable" claim it does not allow) are written out.
      const targets = selfTargets(item.criterionCode, item.naAllowed);
      const keys = Object.keys(e.fields);
      return errorSummary(
        e.message,
        keys.filter((k) => targets[k]).map((k) => [targets[k]!, selfLabels[k] ?? k] as const),
        keys.filter((k) => !targets[k]).map((k) => e.fields[k]!),
      );
    };
    const computed = previewPoints(item, parseSelfForm(rule, values));
    // A refused save already shows the rule's message beside the field; the live points would say it a second time.
    const preview = computed.kind === 'error' && mine?.form === 'self' && Object.keys(mine.error.fields).length ? { ...computed, text: `Chưa tính được điểm · tối đa ${fmtPoints(item.maxPoints)} điểm` } : computed;

    let selfBlock: Slot;
    if (item.source !== 'self') {
      selfBlock = html`<p class="source-note">${sourceLabels[item.source]}.${item.source === 'survey' ? ' Đơn vị không tự chấm tiêu chí này.' : ''}</p>`;
    } else if (item.mayEditSelf) {
      const fe = errorsOf('self')?.fields ?? {};
      selfBlock = html`<form method="post" action="${itemAction(p.roundId, p.unitCode, item.criterionCode)}" class="self-form" data-preview="${itemAction(p.roundId, p.unitCode, item.criterionCode, '/xem-truoc')}" novalidate>
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="etag" value="${item.etag}">
  ${formError('self')}
  ${selfInputs(item, values, fe, false)}
  <div class="field"><label for="note-${item.criterionCode}">Ghi chú${item.evidenceRequired ? ' (nếu chưa có tài liệu, ghi rõ lý do)' : ''}</label>
    <textarea id="note-${item.criterionCode}" name="note" rows="2">${values.note ?? ''}</textarea></div>
  <div class="form-foot">
    <output class="points-preview ${preview.kind}" aria-live="polite" for="note-${item.criterionCode}">${preview.text}</output>
    <button class="button primary" type="submit">Lưu tiêu chí ${item.criterionCode}</button>
  </div>
</form>`;
    } else {
      selfBlock = html`<dl class="facts">
  <div><dt>Kết quả tự chấm</dt><dd>${item.notApplicable ? 'Không phát sinh' : inputText(rule, item.selfInput as Record<string, unknown> | null)}</dd></div>
  <div><dt>Điểm tự chấm</dt><dd><strong>${item.notApplicable ? '–' : fmtPoints(item.selfPoints)}</strong> / ${fmtPoints(item.maxPoints)}</dd></div>
  ${item.note ? html`<div><dt>Ghi chú</dt><dd>${item.note}</dd></div>` : ''}
</dl>`;
    }

    const appraisal: Slot = item.appraisal
      ? html`<div class="decision"><h4>Kết quả thẩm định${item.appraisal.by?.office ? html` <span class="muted">(${item.appraisal.by.office})</span>` : ''}</h4>
  <p>${item.appraisal.confirmNotApplicable ? 'Công nhận không phát sinh' : html`Điểm thẩm định: <strong>${fmtPoints(item.appraisal.points)}</strong> / ${fmtPoints(item.maxPoints)}`}</p>
  ${item.appraisal.comment ? html`<p class="comment">${item.appraisal.requestExplanation ? 'Nội dung cần giải trình: ' : 'Nhận xét: '}${item.appraisal.comment}</p>` : ''}
  ${item.final && item.final.source === 'final' ? html`<p>Điểm sau thẩm định lại: <strong>${fmtPoints(item.final.points)}</strong>${item.final.comment ? ` · ${item.final.comment}` : ''}</p>` : ''}
</div>`
      : null;

    const explanation: Slot = item.mayExplain
      ? html`<form method="post" action="${itemAction(p.roundId, p.unitCode, item.criterionCode, '/giai-trinh')}" class="explain-form">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="etag" value="${item.etag}">
  ${formError('explanation')}
  <div class="field"><label for="gt-${item.criterionCode}">Nội dung giải trình của đơn vị</label>
  <textarea id="gt-${item.criterionCode}" name="text" rows="4" required>${mine?.form === 'explanation' ? (mine.posted?.text ?? '') : (item.explanation?.text ?? '')}</textarea></div>
  <button class="button primary" type="submit">${item.explanation ? 'Cập nhật giải trình' : 'Gửi giải trình'}</button>
</form>`
      : item.explanation
        ? html`<div class="decision"><h4>Giải trình của đơn vị</h4><p>${item.explanation.text ?? ''}</p><p class="muted">${fmtDateTime(item.explanation.at)}</p></div>`
        : null;

    // Kiến nghị (issue 13 item 9): during explanation the unit may contest an item appraised below its self
    // points that nobody asked it to explain; the reason opens the item for the final appraisal.
    const ap = item.appraisal;
    const belowSelf = ap !== null && !ap.confirmNotApplicable && ap.points !== null && item.selfPoints !== null && !item.notApplicable && Math.round(ap.points * 100) < Math.round(item.selfPoints * 100);
    const objection: Slot = item.objection
      ? html`<div class="decision objection"><h4>Kiến nghị của đơn vị</h4><p>${item.objection.reason ?? ''}</p><p class="muted">${fmtDateTime(item.objection.at)}${item.objection.by ? ` · ${item.objection.by}` : ''}</p></div>`
      : a.phase === 'explanation' && belowSelf && !ap.requestExplanation
        ? html`<details class="objection-box"${attr('open', mine?.form === 'objection')}><summary>Kiến nghị về điểm thẩm định (${fmtPoints(ap.points)} thấp hơn ${fmtPoints(item.selfPoints)} điểm tự chấm)</summary>
  <form method="post" action="${itemAction(p.roundId, p.unitCode, item.criterionCode, '/kien-nghi')}" class="objection-form">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="etag" value="${item.etag}">
  ${formError('objection')}
  <div class="field"><label for="kn-${item.criterionCode}">Lý do kiến nghị (bắt buộc)</label>
  <textarea id="kn-${item.criterionCode}" name="reason" rows="3" required>${mine?.form === 'objection' ? (mine.posted?.reason ?? '') : ''}</textarea></div>
  <button class="button" type="submit">Gửi kiến nghị</button>
</form></details>`
        : null;

    const fileErr = errorsOf('file');
    const docErr = errorsOf('document');
    const posted = mine?.form === 'document' ? (mine.posted ?? {}) : {};
    const df = docErr?.fields ?? {};
    const docId = (k: string) => `${docPrefixes[k] ?? k}-${item.criterionCode}`;
    const evidenceForms: Slot = evidenceEditable
      ? html`<div class="evidence-forms">
  <details${attr('open', !!fileErr)}><summary>Đính kèm tệp (PDF, DOCX, XLSX, JPG, PNG)</summary>
    <form method="post" action="${itemAction(p.roundId, p.unitCode, item.criterionCode, '/tai-lieu')}" enctype="multipart/form-data" class="upload-form">
      <input type="hidden" name="_csrf" value="${csrf}">
      ${fileErr ? html`<p class="field-error" role="alert">${fileErr.message}</p>` : ''}
      <div class="field"><label for="file-${item.criterionCode}">Chọn tệp</label><input id="file-${item.criterionCode}" type="file" name="file" accept=".pdf,.docx,.xlsx,.jpg,.jpeg,.png" required></div>
      <button class="button" type="submit">Tải lên</button>
    </form>
  </details>
  <details${attr('open', !!docErr)}><summary>Thêm văn bản (số, ngày, cơ quan ban hành)</summary>
    <form method="post" action="${itemAction(p.roundId, p.unitCode, item.criterionCode, '/van-ban')}" class="doc-form">
      <input type="hidden" name="_csrf" value="${csrf}">
      ${docErr ? errorSummary(docErr.message, docKeys.filter((k) => docErr.fields[k]).map((k) => [docId(k), docLabels[k]] as const)) : ''}
      <div class="field-row">
        <div class="field"><label for="${docId('docNumber')}">Số, ký hiệu</label><input id="${docId('docNumber')}" name="docNumber" required placeholder="125/KH-UBND" value="${posted.docNumber ?? ''}"${invalidAttrs(docId('docNumber'), df.docNumber)}>${fieldError(docId('docNumber'), df.docNumber)}</div>
        <div class="field"><label for="${docId('docDate')}">Ngày ban hành</label><input id="${docId('docDate')}" name="docDate" required inputmode="numeric" placeholder="dd/mm/yyyy" pattern="\\d{1,2}/\\d{1,2}/\\d{4}" value="${posted.docDate ?? ''}"${invalidAttrs(docId('docDate'), df.docDate)}>${fieldError(docId('docDate'), df.docDate)}</div>
      </div>
      <div class="field"><label for="${docId('issuer')}">Cơ quan ban hành</label><input id="${docId('issuer')}" name="issuer" required value="${posted.issuer ?? a.unitName}"${invalidAttrs(docId('issuer'), df.issuer)}>${fieldError(docId('issuer'), df.issuer)}</div>
      <div class="field"><label for="${docId('title')}">Trích yếu</label><input id="${docId('title')}" name="title" required value="${posted.title ?? ''}"${invalidAttrs(docId('title'), df.title)}>${fieldError(docId('title'), df.title)}</div>
      <div class="field"><label for="${docId('url')}">Đường dẫn (nếu có)</label><input id="${docId('url')}" name="url" type="url" placeholder="https://" value="${posted.url ?? ''}"${invalidAttrs(docId('url'), df.url)}>${fieldError(docId('url'), df.url)}</div>
      <button class="button" type="submit">Thêm văn bản</button>
    </form>
  </details>
</div>`
      : null;

    const removable = evidenceEditable ? { action: (id: string) => itemAction(p.roundId, p.unitCode, item.criterionCode, `/minh-chung/${encodeURIComponent(id)}/xoa`), csrf } : null;
    const showEvidence = item.source === 'self' || item.evidence.length > 0;
    return html`<article class="criterion ${item.missingEvidence ? 'missing' : ''} ${mine ? 'has-error' : ''}" id="${anchorOf(item.criterionCode)}">
  <header class="criterion-head">
    <h3><span class="code">${item.criterionCode}</span> ${item.title}</h3>
    <div class="criterion-meta"><span class="max">Tối đa ${fmtPoints(item.maxPoints)} điểm</span> <span class="tag status-${item.status}">${itemStatusLabels[item.status]}</span></div>
  </header>
  ${rule && item.source === 'self' ? html`<p class="rule-help">${ruleText(rule, item.maxPoints)}</p>` : ''}
  ${trackedBlock(tracked)}
  ${selfBlock}
  ${appraisal}
  ${objection}
  ${explanation}
  ${
    showEvidence
      ? html`<section class="evidence-block" aria-label="Tài liệu kiểm chứng tiêu chí ${item.criterionCode}">
    <h4>Tài liệu kiểm chứng${item.evidenceRequired ? html` <span class="tag ${item.missingEvidence ? 'warn' : ''}">bắt buộc</span>` : ''}</h4>
    ${item.evidenceHint ? html`<p class="hint">${item.evidenceHint}</p>` : ''}
    ${evidenceList(p.roundId, p.unitCode, item, removable)}
    ${evidenceForms}
  </section>`
      : ''
  }
</article>`;
  }

  function subtree(nodes: Criterion[], a: AssessmentView, csrf: string, err: AreaErrors | undefined, depth: number, tracked: Map<string, TrackedRow> = new Map()): Html {
    const items = new Map(a.items.map((i) => [i.criterionCode, i]));
    return html`${nodes.map((n) => {
      if (n.children?.length) {
        return html`<section class="group depth-${depth}"><h2 class="group-title"><span class="code">${n.code}</span> ${n.title} <span class="muted">(tối đa ${fmtPoints(n.maxPoints)} điểm)</span></h2>${subtree(n.children, a, csrf, err, depth + 1, tracked)}</section>`;
      }
      const item = items.get(n.code);
      return item ? criterionCard(a, item, csrf, err, tracked.get(n.code)) : '';
    })}`;
  }

  async function areaPage(req: FastifyRequest, reply: FastifyReply, p: P & { areaCode: string }, err?: AreaErrors) {
    const ctx = kit.ctx(req);
    const a = await assessments.get(ctx, p.roundId, p.unitCode);
    const fw = await frameworks.get(ctx, a.frameworkCode);
    const idx = fw.criteria.findIndex((c) => c.code === p.areaCode);
    const area = fw.criteria[idx];
    if (!area) return kit.errorPage(req, reply, new NotFoundError('Area', p.areaCode));
    const csrf = kit.csrf(req, reply);
    const prev = fw.criteria[idx - 1];
    const next = fw.criteria[idx + 1];
    const areaItems = a.items.filter((i) => i.areaCode === area.code);
    const selfItems = areaItems.filter((i) => i.source === 'self');
    const body = html`<div class="page-head">
  <div><p class="sub">${a.unitName} · ${a.roundName}</p><h1>${area.code}. ${area.title}</h1></div>
  <div class="status-box"><span class="tag phase">${phaseLabel(a.phase)}</span> <span class="tag ${a.status}">${assessmentStatusLabels[a.status]}</span></div>
</div>
<nav class="area-tabs" aria-label="Các lĩnh vực">
  <ul>${fw.criteria.map((c) => html`<li><a href="${areaHref(p.roundId, p.unitCode, c.code)}"${c.code === area.code ? html` aria-current="page"` : ''} title="${c.title}">${c.code}</a></li>`)}</ul>
</nav>
<p class="muted">Tối đa ${fmtPoints(area.maxPoints)} điểm · ${selfItems.length} tiêu chí đơn vị tự chấm. ${
      a.mayEditSelf ? 'Mỗi tiêu chí lưu riêng; điểm được tính ngay khi nhập.' : a.phase === 'explanation' ? 'Giai đoạn giải trình: chỉ các tiêu chí được yêu cầu mới gửi giải trình và bổ sung tài liệu.' : 'Chỉ xem.'
    }</p>
${err && !a.items.some((i) => i.criterionCode === err.code) ? html`<p class="flash flash-error" role="alert">${err.error.message}</p>` : ''}
${subtree(area.children ?? [], a, csrf, err, 2, await trackedOf(app, kit, req, p.roundId, p.unitCode))}
<nav class="pager" aria-label="Chuyển lĩnh vực">
  ${prev ? html`<a class="button" href="${areaHref(p.roundId, p.unitCode, prev.code)}">← Lĩnh vực ${prev.code}</a>` : html`<span></span>`}
  <a class="button" href="${base(p.roundId, p.unitCode)}">Tổng quan</a>
  ${next ? html`<a class="button" href="${areaHref(p.roundId, p.unitCode, next.code)}">Lĩnh vực ${next.code} →</a>` : html`<span></span>`}
</nav>`;
    return kit.page(req, reply, {
      title: `Lĩnh vực ${area.code} · ${a.unitName}`,
      body,
      section: '/don-vi',
      flash: kit.flashOf(req),
      breadcrumbs: [['Tự đánh giá', '/don-vi'], [a.roundName, base(p.roundId, p.unitCode)], [`Lĩnh vực ${area.code}`]],
      status: err ? err.error.status : 200,
    });
  }

  app.get<{ Params: P & { areaCode: string } }>('/don-vi/:roundId/:unitCode/linh-vuc/:areaCode', { config: cfg, schema: hide }, async (req, reply) => areaPage(req, reply, req.params));

  /** Runs a write on one item; on a user error re-renders the area page with the message beside the criterion. */
  async function itemWrite(req: FastifyRequest, reply: FastifyReply, p: PI, form: AreaErrors['form'], write: () => Promise<unknown>, flash: string, extra: Partial<AreaErrors> = {}) {
    try {
      await write();
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500) throw err;
      const a = await assessments.get(kit.ctx(req), p.roundId, p.unitCode);
      const item = a.items.find((i) => i.criterionCode === p.code);
      if (!item) throw err;
      // After a lost race (412) the page shows the stored values, as its message says; otherwise what was typed.
      const keep = e.status === 412 ? { ...extra, values: undefined } : extra;
      return areaPage(req, reply, { ...p, areaCode: item.areaCode }, { code: p.code, error: e, form, ...keep });
    }
    const a = await assessments.getItem(kit.ctx(req), p.roundId, p.unitCode, p.code);
    return kit.redirect(reply, areaHref(p.roundId, p.unitCode, a.areaCode), flash, anchorOf(p.code));
  }

  app.post<{ Params: PI }>('/don-vi/:roundId/:unitCode/tieu-chi/:code', { config: cfg, schema: hide }, async (req, reply) => {
    const p = req.params;
    const ctx = kit.ctx(req);
    const item = await assessments.getItem(ctx, p.roundId, p.unitCode, p.code);
    const form = parseSelfForm(item.rule as Rule | null, req.body);
    const values = postedValues(req.body);
    return itemWrite(
      req,
      reply,
      p,
      'self',
      () => assessments.putSelf(ctx, p.roundId, p.unitCode, p.code, field(req.body, 'etag') ?? '', form.notApplicable ? { notApplicable: true, note: form.note } : { input: form.input, note: form.note, notApplicable: false }),
      'da-luu',
      { values },
    );
  });

  // Live points: the scoring engine evaluates what is in the form; nothing is stored.
  app.post<{ Params: PI }>('/don-vi/:roundId/:unitCode/tieu-chi/:code/xem-truoc', { config: cfg, schema: hide }, async (req, reply) => {
    const p = req.params;
    const item = await assessments.getItem(kit.ctx(req), p.roundId, p.unitCode, p.code);
    const result = previewPoints(item, parseSelfForm(item.rule as Rule | null, req.body));
    return reply.header('cache-control', 'no-store').send(result);
  });

  app.post<{ Params: PI }>('/don-vi/:roundId/:unitCode/tieu-chi/:code/van-ban', { config: cfg, schema: hide }, async (req, reply) => {
    const p = req.params;
    const b = req.body;
    const posted: Record<string, string> = {};
    for (const k of ['docNumber', 'docDate', 'issuer', 'title', 'url']) posted[k] = (field(b, k) ?? '').trim();
    const docDate = parseDate(posted.docDate);
    const fields: Record<string, string> = {};
    for (const k of ['docNumber', 'docDate', 'issuer', 'title'] as const) if (!posted[k]) fields[k] = `Vui lòng nhập ${docLabels[k].toLowerCase()}.`;
    if (posted.docDate && !docDate) fields.docDate = 'Ngày ban hành không hợp lệ: nhập theo dạng dd/mm/yyyy.';
    if (posted.url && !/^https?:\/\/\S+$/i.test(posted.url)) fields.url = 'Đường dẫn phải bắt đầu bằng http:// hoặc https://.';
    if (Object.keys(fields).length || !docDate) {
      const e: WebError = { status: 422, message: 'Chưa thêm được văn bản, vui lòng kiểm tra các ô được đánh dấu.', fields, items: [] };
      const it = await assessments.getItem(kit.ctx(req), p.roundId, p.unitCode, p.code);
      return areaPage(req, reply, { ...p, areaCode: it.areaCode }, { code: p.code, error: e, form: 'document', posted });
    }
    return itemWrite(
      req,
      reply,
      p,
      'document',
      () =>
        assessments.addDocument(kit.ctx(req), p.roundId, p.unitCode, p.code, {
          docNumber: posted.docNumber!,
          docDate,
          issuer: posted.issuer!,
          title: posted.title!,
          ...(posted.url ? { url: posted.url } : {}),
        }),
      'da-dinh-kem',
      { posted },
    );
  });

  // Multipart: the CSRF token arrives as the first part, before the file is read.
  app.post<{ Params: PI }>('/don-vi/:roundId/:unitCode/tieu-chi/:code/tai-lieu', { config: { ...cfg, webManualCsrf: true }, schema: hide }, async (req, reply) => {
    const p = req.params;
    const ctx = kit.ctx(req);
    if (!req.isMultipart()) return kit.errorPage(req, reply, Object.assign(new Error('not multipart'), { statusCode: 400 }));
    // One file per form: a second file refuses the whole form, nothing stored (see readSingleFile).
    const { fields, file, rejectExtraFiles } = await readSingleFile(req);
    const csrfOk = verifyCsrf(req, kit.names, fields.get('_csrf'));
    let outcome: { ok: true } | { ok: false; error: unknown } | null = null;
    if (!csrfOk) {
      // The unread rest of the body is not waited for: the connection is closed after this answer.
      file?.file.resume();
      return csrfRefused(req, reply, kit);
    }
    if (!file || file.fieldname !== 'file' || !file.filename) {
      file?.file.resume();
      outcome = { ok: false, error: null };
    } else {
      try {
        await assessments.addFile(ctx, p.roundId, p.unitCode, p.code, { stream: file.file, filename: file.filename, beforeCommit: rejectExtraFiles });
        outcome = { ok: true };
      } catch (error) {
        file.file.resume();
        outcome = { ok: false, error };
      }
    }
    if (outcome?.ok) {
      const it = await assessments.getItem(ctx, p.roundId, p.unitCode, p.code);
      return kit.redirect(reply, areaHref(p.roundId, p.unitCode, it.areaCode), 'da-dinh-kem', anchorOf(p.code));
    }
    const error = outcome?.error;
    const e: WebError = error ? webError(error) : { status: 400, message: 'Vui lòng chọn tệp cần đính kèm.', fields: { file: 'Vui lòng chọn tệp.' }, items: [] };
    if (e.status >= 500) throw error;
    const it = await assessments.getItem(ctx, p.roundId, p.unitCode, p.code);
    return areaPage(req, reply, { ...p, areaCode: it.areaCode }, { code: p.code, error: e, form: 'file' });
  });

  app.post<{ Params: PI & { evidenceId: string } }>('/don-vi/:roundId/:unitCode/tieu-chi/:code/minh-chung/:evidenceId/xoa', { config: cfg, schema: hide }, async (req, reply) => {
    const p = req.params;
    return itemWrite(req, reply, p, 'file', () => assessments.removeEvidence(kit.ctx(req), p.roundId, p.unitCode, p.code, p.evidenceId), 'da-go');
  });

  app.post<{ Params: PI }>('/don-vi/:roundId/:unitCode/tieu-chi/:code/kien-nghi', { config: cfg, schema: hide }, async (req, reply) => {
    const p = req.params;
    const reason = (field(req.body, 'reason') ?? '').trim();
    if (!reason) {
      const it = await assessments.getItem(kit.ctx(req), p.roundId, p.unitCode, p.code);
      const e: WebError = { status: 422, message: 'Vui lòng nhập lý do kiến nghị.', fields: { reason: 'Bắt buộc.' }, items: [] };
      return areaPage(req, reply, { ...p, areaCode: it.areaCode }, { code: p.code, error: e, form: 'objection', posted: { reason } });
    }
    return itemWrite(req, reply, p, 'objection', () => app.services.settlement.object(kit.ctx(req), p.roundId, p.unitCode, p.code, field(req.body, 'etag') ?? '', { reason }), 'da-kien-nghi', {
      posted: { reason },
    });
  });

  app.post<{ Params: PI }>('/don-vi/:roundId/:unitCode/tieu-chi/:code/giai-trinh', { config: cfg, schema: hide }, async (req, reply) => {
    const p = req.params;
    const text = (field(req.body, 'text') ?? '').trim();
    if (!text) {
      const it = await assessments.getItem(kit.ctx(req), p.roundId, p.unitCode, p.code);
      const e: WebError = { status: 422, message: 'Vui lòng nhập nội dung giải trình.', fields: { text: 'Bắt buộc.' }, items: [] };
      return areaPage(req, reply, { ...p, areaCode: it.areaCode }, { code: p.code, error: e, form: 'explanation', posted: { text } });
    }
    return itemWrite(req, reply, p, 'explanation', () => assessments.putExplanation(kit.ctx(req), p.roundId, p.unitCode, p.code, field(req.body, 'etag') ?? '', { text }), 'da-giai-trinh', {
      posted: { text },
    });
  });
}

/** A form whose CSRF token is missing or wrong: nothing was changed. */
export function csrfRefused(req: FastifyRequest, reply: FastifyReply, kit: Kit) {
  req.log.warn('web form refused: invalid CSRF token');
  const body = html`<section class="panel error-page"><h1>Biểu mẫu không hợp lệ</h1>
<p>Biểu mẫu đã hết hạn hoặc không được gửi từ trang của hệ thống, nên chưa có thay đổi nào được lưu. Vui lòng tải lại trang và thử lại.</p>
<p><a class="button" href="/">Về trang chính</a></p></section>`;
  return kit.page(req, reply, { title: 'Biểu mẫu không hợp lệ', body, status: 403 });
}
