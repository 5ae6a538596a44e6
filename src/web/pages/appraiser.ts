// Appraiser pages: the work queue with filters, and one item with the unit's input and evidence beside the
// appraisal and final-decision forms. The coordinator opens the same pages read-only (the service decides).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../db/schema.js';
import { ValidationError } from '../../lib/errors.js';
import { itemStatuses } from '../../modules/assessments/assessment.shared.js';
import type { Rule } from '../../scoring/index.js';
import { fmtDateTime, fmtPoints, parseDecimal } from '../format.js';
import { attr, html, type Html, type Slot } from '../html.js';
import { errorSummary, fieldError, invalidAttrs } from '../form-errors.js';
import { field, type Kit } from '../kit.js';
import { allowedDecisionPoints, assessmentStatusLabels, historyKindLabels, inputText, itemStatusLabels, phaseLabel, roleLabels, ruleText, sourceLabels } from '../labels.js';
import { webError, type WebError } from '../messages.js';
import { evidenceList, type ItemDetail } from './shared.js';
import { trackedBlock, trackedOf } from './plans.js';

const hide = { hide: true } as const;
const ROLES: readonly Role[] = ['appraiser', 'coordinator'];
type PQ = { roundId: string };
type PI = { roundId: string; unitCode: string; code: string };

export const queueHref = (roundId: string) => `/tham-dinh/${encodeURIComponent(roundId)}`;
export const itemHref = (roundId: string, unitCode: string, code: string) => `/tham-dinh/${encodeURIComponent(roundId)}/${encodeURIComponent(unitCode)}/${encodeURIComponent(code)}`;

interface FormState {
  form: 'appraisal' | 'final';
  error: WebError;
  posted: Record<string, string>;
}

export function appraiserPages(app: FastifyInstance, kit: Kit) {
  const { assessments, rounds } = app.services;
  const cfg = { webRoles: ROLES };

  app.get('/tham-dinh', { config: cfg, schema: hide }, async (req, reply) => {
    const list = (await rounds.list(kit.ctx(req), {})).filter((r) => r.phase !== 'draft');
    const active = list.filter((r) => r.phase !== 'published');
    if (active.length === 1 && req.actor!.role === 'appraiser') return reply.redirect(queueHref(active[0]!.id), 303);
    const body = html`<h1>Thẩm định</h1>
${list.length === 0 ? html`<p class="panel">Chưa có kỳ đánh giá nào.</p>` : html`<ul class="cards">${list.map((r) => html`<li class="card"><a href="${queueHref(r.id)}"><strong>${r.name}</strong></a> <span class="tag">${phaseLabel(r.phase)}</span></li>`)}</ul>`}`;
    return kit.page(req, reply, { title: 'Thẩm định', body, section: '/tham-dinh' });
  });

  app.get<{ Params: PQ; Querystring: Record<string, string | undefined> }>('/tham-dinh/:roundId', { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    const { roundId } = req.params;
    const q = req.query;
    const status = q.trang_thai && (itemStatuses as readonly string[]).includes(q.trang_thai) ? q.trang_thai : undefined;
    const round = await rounds.get(ctx, roundId);
    const all = await assessments.queue(ctx, roundId, {});
    const rows = all.filter((r) => (!q.don_vi || r.unitCode === q.don_vi) && (!q.linh_vuc || r.areaCode === q.linh_vuc) && (!status || r.status === status));
    const units = [...new Map(all.map((r) => [r.unitCode, r.unitName])).entries()];
    const areas = [...new Set(all.map((r) => r.areaCode))].sort((a, b) => a.localeCompare(b, 'vi', { numeric: true }));
    const counts = Object.fromEntries(itemStatuses.map((s) => [s, all.filter((r) => r.status === s).length]));
    const toDo = round.phase === 'appraisal' ? all.filter((r) => r.mayAppraise && r.status !== 'appraised' && r.status !== 'explanation_requested').length : round.phase === 'final_appraisal' ? all.filter((r) => r.mayFinalize && !r.final).length : 0;
    const select = (name: string, label: string, options: [string, string][], value: string | undefined) =>
      html`<div class="field"><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">Tất cả</option>${options.map(([v, l]) => html`<option value="${v}"${attr('selected', v === value)}>${l}</option>`)}</select></div>`;
    const body = html`<div class="page-head"><div><h1>Hàng đợi thẩm định</h1><p class="sub">${round.name}</p></div>
  <div class="status-box"><span class="tag phase">${phaseLabel(round.phase)}</span></div></div>
<section class="summary-grid">
  <div class="stat"><span class="stat-label">Tiêu chí trong phạm vi</span><strong>${all.length}</strong></div>
  <div class="stat"><span class="stat-label">Đã thẩm định</span><strong>${(counts.appraised ?? 0) + (counts.explanation_requested ?? 0) + (counts.explained ?? 0) + (counts.final ?? 0)}</strong></div>
  ${todoStat(round.phase, toDo, all.filter((r) => !['appraised', 'explanation_requested', 'explained', 'final'].includes(r.status)).length)}
</section>
<form method="get" class="filters panel" action="${queueHref(roundId)}">
  ${select('don_vi', 'Đơn vị', units, q.don_vi)}
  ${select('linh_vuc', 'Lĩnh vực', areas.map((a) => [a, `Lĩnh vực ${a}`]), q.linh_vuc)}
  ${select('trang_thai', 'Trạng thái', itemStatuses.map((s) => [s, `${itemStatusLabels[s]} (${counts[s] ?? 0})`]), status)}
  <div class="field"><button class="button" type="submit">Lọc</button> <a href="${queueHref(roundId)}">Bỏ lọc</a></div>
</form>
${
  rows.length === 0
    ? html`<p class="panel">Không có tiêu chí nào ${all.length ? 'khớp bộ lọc' : 'trong phạm vi được phân công (đơn vị chưa nộp hoặc chưa được phân công)'}.</p>`
    : html`<div class="table-wrap"><table class="data queue">
  <caption class="sr-only">Danh sách tiêu chí cần thẩm định</caption>
  <thead><tr><th scope="col">Đơn vị</th><th scope="col">Tiêu chí</th><th scope="col" class="num">Tự chấm</th><th scope="col" class="num">TLKC</th><th scope="col" class="num">Thẩm định</th><th scope="col">Trạng thái</th></tr></thead>
  <tbody>${rows.map(
    (r) => html`<tr>
    <td>${r.unitName}${r.assessmentStatus !== 'submitted' ? html` <span class="tag warn">${assessmentStatusLabels[r.assessmentStatus]}</span>` : ''}</td>
    <td><a href="${itemHref(roundId, r.unitCode, r.criterionCode)}"><span class="code">${r.criterionCode}</span> ${r.title}</a></td>
    <td class="num">${r.notApplicable ? 'KPS' : r.source === 'self' ? fmtPoints(r.selfPoints) : html`<span class="muted">–</span>`} <span class="muted">/ ${fmtPoints(r.maxPoints)}</span></td>
    <td class="num">${r.evidence.length}${r.missingEvidence ? html` <span class="tag warn">thiếu</span>` : ''}</td>
    <td class="num">${r.appraisal ? (r.appraisal.confirmNotApplicable ? 'KPS' : fmtPoints(r.final?.source === 'final' ? r.final.points : r.appraisal.points)) : html`<span class="muted">–</span>`}</td>
    <td><span class="tag status-${r.status}">${itemStatusLabels[r.status]}</span></td>
  </tr>`,
  )}</tbody></table></div>`
}`;
    return kit.page(req, reply, { title: 'Hàng đợi thẩm định', body, section: '/tham-dinh', flash: kit.flashOf(req), breadcrumbs: [['Thẩm định', '/tham-dinh'], [round.name]] });
  });

  /** The summary above a decision form: links to the fields beside which the messages are; others in full. */
  function decisionSummary(e: WebError, form: 'ap' | 'fi'): Slot {
    const targets: Record<string, [string, string]> = {
      points: [`${form}-points`, 'Điểm'],
      comment: [`${form}-comment`, form === 'ap' ? 'Nhận xét' : 'Kết luận'],
      ...(form === 'ap' ? { confirmNotApplicable: ['ap-kps-err', 'Đơn vị khai “không phát sinh”'] as [string, string] } : {}),
    };
    const keys = Object.keys(e.fields);
    return errorSummary(
      e.message,
      keys.filter((k) => targets[k]).map((k) => targets[k]!),
      keys.filter((k) => !targets[k]).map((k) => e.fields[k]!),
    );
  }

  function pointsControl(item: ItemDetail, name: string, value: string, error: string | undefined): Html {
    const allowed = allowedDecisionPoints(item.rule as Rule | null, item.maxPoints);
    const id = `${name}-points`;
    const err = error ? html`<p class="field-error" id="${id}-err">${error}</p>` : null;
    if (allowed) {
      return html`<div class="field"><label for="${id}">Điểm (tối đa ${fmtPoints(item.maxPoints)})</label>
  <select id="${id}" name="points"${error ? html` aria-invalid="true" aria-describedby="${id}-err"` : ''}><option value="">– Chọn điểm –</option>${allowed.map((v) => html`<option value="${String(v).replace('.', ',')}"${attr('selected', parseDecimal(value) === v)}>${fmtPoints(v)}</option>`)}</select>${err}</div>`;
    }
    return html`<div class="field"><label for="${id}">Điểm (0 đến ${fmtPoints(item.maxPoints)}, tối đa 2 chữ số thập phân)</label>
  <input id="${id}" name="points" type="text" inputmode="decimal" value="${value}"${error ? html` aria-invalid="true" aria-describedby="${id}-err"` : ''}>${err}</div>`;
  }

  function historyTable(item: ItemDetail): Slot {
    const h = item.history ?? [];
    if (!h.length) return html`<p class="muted">Chưa có thay đổi.</p>`;
    const summary = (kind: string, data: unknown): string => {
      const d = (data ?? {}) as Record<string, unknown>;
      if (kind === 'self') return d.notApplicable ? 'Không phát sinh' : `${inputText(item.rule as Rule | null, d.input as Record<string, unknown> | null)} → ${fmtPoints(d.points as number | null)} điểm`;
      if (kind === 'appraisal') return `${d.confirmNotApplicable === true ? 'Công nhận không phát sinh' : `${fmtPoints(d.points as number | null)} điểm`}${d.requestExplanation ? ' · yêu cầu giải trình' : ''}`;
      if (kind === 'final') return `${fmtPoints(d.points as number | null)} điểm`;
      if (kind === 'evidence_added' || kind === 'evidence_removed') return String(d.filename ?? d.docNumber ?? '');
      if (kind === 'explanation') return String(d.text ?? '');
      if (kind === 'self_confirmed') return `${fmtPoints(d.points as number | null)} điểm`;
      return '';
    };
    return html`<div class="table-wrap"><table class="data history"><thead><tr><th scope="col">Thời điểm</th><th scope="col">Nội dung</th><th scope="col">Người thực hiện</th><th scope="col">Chi tiết</th></tr></thead>
<tbody>${h.map(
      (e) => html`<tr><td>${fmtDateTime(e.at)}</td><td>${historyKindLabels[e.kind] ?? e.kind}</td><td>${e.actor ?? ('office' in e ? e.office : '') ?? ''}${e.actorRole ? html` <span class="muted">(${roleLabels[e.actorRole as Role] ?? e.actorRole})</span>` : ''}</td><td>${summary(e.kind, e.data)}${e.comment ? html`<br><span class="muted">${e.comment}</span>` : ''}</td></tr>`,
    )}</tbody></table></div>`;
  }

  async function itemPage(req: FastifyRequest, reply: FastifyReply, p: PI, state?: FormState) {
    const ctx = kit.ctx(req);
    const item = await assessments.getItem(ctx, p.roundId, p.unitCode, p.code);
    const round = await rounds.get(ctx, p.roundId);
    const siblings = await assessments.queue(ctx, p.roundId, { unitCode: p.unitCode });
    const unitName = siblings[0]?.unitName ?? p.unitCode;
    const pos = siblings.findIndex((s) => s.criterionCode === p.code);
    const prev = pos > 0 ? siblings[pos - 1] : undefined;
    const next = pos >= 0 ? siblings[pos + 1] : undefined;
    const csrf = kit.csrf(req, reply);
    const rule = item.rule as Rule | null;
    const posted = state?.posted ?? {};
    const errOf = (form: FormState['form']) => (state?.form === form ? state.error : undefined);

    const tracked = (await trackedOf(app, kit, req, p.roundId, p.unitCode)).get(p.code);
    const self = html`<section class="panel">
  <h2>Đơn vị tự chấm</h2>
  ${rule && item.source === 'self' ? html`<p class="rule-help">${ruleText(rule, item.maxPoints)}</p>` : html`<p class="source-note">${sourceLabels[item.source]}.</p>`}
  ${trackedBlock(tracked)}
  <dl class="facts">
    <div><dt>Kết quả</dt><dd>${item.notApplicable ? html`<strong>Khai không phát sinh</strong>` : inputText(rule, item.selfInput as Record<string, unknown> | null)}</dd></div>
    <div><dt>Điểm tự chấm</dt><dd><strong>${item.notApplicable ? '–' : fmtPoints(item.selfPoints)}</strong> / ${fmtPoints(item.maxPoints)}</dd></div>
    ${item.note ? html`<div><dt>Ghi chú của đơn vị</dt><dd>${item.note}</dd></div>` : ''}
  </dl>
  <h3>Tài liệu kiểm chứng${item.evidenceRequired ? html` <span class="tag ${item.missingEvidence ? 'warn' : ''}">bắt buộc</span>` : ''}</h3>
  ${item.evidenceHint ? html`<p class="hint">${item.evidenceHint}</p>` : ''}
  ${evidenceList(p.roundId, p.unitCode, item, null)}
  ${item.explanation ? html`<h3>Giải trình của đơn vị</h3><p class="comment">${item.explanation.text ?? ''}</p><p class="muted">${fmtDateTime(item.explanation.at)}</p>` : ''}
</section>`;

    const decisions: Slot = item.appraisal
      ? html`<div class="decision"><h3>Kết quả thẩm định</h3>
  <p>${item.appraisal.confirmNotApplicable === true ? 'Công nhận không phát sinh' : html`<strong>${fmtPoints(item.appraisal.points)}</strong> / ${fmtPoints(item.maxPoints)} điểm`}${item.appraisal.requestExplanation ? html` · <span class="tag attention">yêu cầu giải trình</span>` : ''}</p>
  ${item.appraisal.comment ? html`<p class="comment">${item.appraisal.comment}</p>` : ''}
  <p class="muted">${item.appraisal.by?.username ?? ''} ${item.appraisal.by?.office ? `(${item.appraisal.by.office})` : ''} · ${fmtDateTime(item.appraisal.at)}</p>
  ${item.final && item.final.source === 'final' ? html`<h3>Thẩm định lại</h3><p><strong>${fmtPoints(item.final.points)}</strong> điểm${item.final.comment ? html` · ${item.final.comment}` : ''}</p>` : ''}
</div>`
      : html`<p class="muted">Chưa thẩm định.</p>`;

    let appraisalForm: Slot = null;
    if (item.mayAppraise) {
      const e = errOf('appraisal');
      const naClaim = item.notApplicable && item.source === 'self';
      const pointsDefault = posted.points ?? (item.appraisal ? (item.appraisal.points === null ? '' : String(item.appraisal.points)) : item.selfPoints === null ? '' : String(item.selfPoints)).replace('.', ',');
      const confirm = posted.xac_nhan_kps ?? (item.appraisal?.confirmNotApplicable === true ? 'co' : item.appraisal?.confirmNotApplicable === false ? 'khong' : '');
      const comment = posted.comment ?? item.appraisal?.comment ?? '';
      const requestExplanation = state?.form === 'appraisal' ? posted.yeu_cau_giai_trinh === '1' : (item.appraisal?.requestExplanation ?? false);
      appraisalForm = html`<form method="post" action="${itemHref(p.roundId, p.unitCode, p.code)}/tham-dinh" class="appraisal-form">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="etag" value="${item.etag}">
  <h3>${item.appraisal ? 'Sửa kết quả thẩm định' : 'Thẩm định tiêu chí'}</h3>
  ${e ? decisionSummary(e, 'ap') : ''}
  ${
    naClaim
      ? html`<fieldset class="choices"><legend>Đơn vị khai “không phát sinh”</legend>
    <label class="choice"><input type="radio" name="xac_nhan_kps" value="co"${attr('checked', confirm === 'co')}> Công nhận không phát sinh</label>
    <label class="choice"><input type="radio" name="xac_nhan_kps" value="khong"${attr('checked', confirm === 'khong')}> Không công nhận (chấm điểm bên dưới)</label>
    ${fieldError('ap-kps', e?.fields.confirmNotApplicable)}</fieldset>`
      : ''
  }
  ${pointsControl(item, 'ap', pointsDefault, e?.fields.points)}
  <div class="field"><label for="ap-comment">Nhận xét (bắt buộc khi điều chỉnh điểm hoặc yêu cầu giải trình)</label>
    <textarea id="ap-comment" name="comment" rows="3"${e?.fields.comment ? html` aria-invalid="true" aria-describedby="ap-comment-err"` : ''}>${comment}</textarea>
    ${e?.fields.comment ? html`<p class="field-error" id="ap-comment-err">${e.fields.comment}</p>` : ''}</div>
  <label class="check"><input type="checkbox" name="yeu_cau_giai_trinh" value="1"${attr('checked', requestExplanation)}> Yêu cầu đơn vị giải trình</label>
  <div class="form-foot"><button class="button primary" type="submit">Lưu thẩm định</button></div>
</form>`;
    }

    // The coordinator enters the council's decision: on open items in final_appraisal, on any in council_review.
    const mayDecideAsCouncil =
      req.actor!.role === 'coordinator' && item.source !== 'survey' && (round.phase === 'council_review' || (round.phase === 'final_appraisal' && item.final === null));
    let finalForm: Slot = null;
    if (item.mayFinalize || mayDecideAsCouncil) {
      const e = errOf('final');
      const pointsDefault = posted.points ?? String(item.final?.source === 'final' ? (item.final.points ?? '') : (item.appraisal?.points ?? '')).replace('.', ',');
      finalForm = html`<form method="post" action="${itemHref(p.roundId, p.unitCode, p.code)}/chot" class="final-form">
  <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="etag" value="${item.etag}">
  <h3>${mayDecideAsCouncil ? 'Quyết định của Hội đồng thẩm định (cơ quan điều phối nhập)' : 'Thẩm định lại sau giải trình'}</h3>
  ${e ? decisionSummary(e, 'fi') : ''}
  ${pointsControl(item, 'fi', pointsDefault, e?.fields.points)}
  <div class="field"><label for="fi-comment">Kết luận (bắt buộc)</label><textarea id="fi-comment" name="comment" rows="3" required${invalidAttrs('fi-comment', e?.fields.comment)}>${posted.comment ?? (item.final?.source === 'final' ? (item.final.comment ?? '') : '')}</textarea>
  ${fieldError('fi-comment', e?.fields.comment)}</div>
  <div class="form-foot"><button class="button primary" type="submit">Lưu điểm cuối cùng</button></div>
</form>`;
    }

    const nav = html`<nav class="pager" aria-label="Chuyển tiêu chí">
  ${prev ? html`<a class="button" href="${itemHref(p.roundId, p.unitCode, prev.criterionCode)}">← ${prev.criterionCode}</a>` : html`<span></span>`}
  <a class="button" href="${queueHref(p.roundId)}?don_vi=${encodeURIComponent(p.unitCode)}">Danh sách của đơn vị</a>
  ${next ? html`<a class="button" href="${itemHref(p.roundId, p.unitCode, next.criterionCode)}">${next.criterionCode} →</a>` : html`<span></span>`}
</nav>`;

    const body = html`<div class="page-head"><div><p class="sub">${unitName} · ${round.name}</p>
  <h1><span class="code">${item.criterionCode}</span> ${item.title}</h1></div>
  <div class="status-box"><span class="tag phase">${phaseLabel(round.phase)}</span> <span class="tag status-${item.status}">${itemStatusLabels[item.status]}</span> <span class="tag">Tối đa ${fmtPoints(item.maxPoints)} điểm</span></div></div>
<div class="two-col">
  ${self}
  <section class="panel">
    <h2>Hội đồng thẩm định</h2>
    ${decisions}
    ${appraisalForm}
    ${finalForm}
    ${!item.mayAppraise && !item.mayFinalize && !mayDecideAsCouncil ? html`<p class="muted">${req.actor!.role === 'coordinator' ? 'Cơ quan điều phối chỉ xem.' : round.phase === 'appraisal' || round.phase === 'final_appraisal' ? 'Tiêu chí này không cần xử lý trong giai đoạn hiện tại.' : `Giai đoạn hiện tại (${phaseLabel(round.phase)}) không nhận thẩm định.`}</p>` : ''}
  </section>
</div>
<section class="panel"><h2>Lịch sử thay đổi</h2>${historyTable(item)}</section>
${nav}`;
    return kit.page(req, reply, {
      title: `${item.criterionCode} · ${unitName}`,
      body,
      section: '/tham-dinh',
      flash: kit.flashOf(req),
      breadcrumbs: [['Thẩm định', '/tham-dinh'], [round.name, queueHref(p.roundId)], [unitName, `${queueHref(p.roundId)}?don_vi=${encodeURIComponent(p.unitCode)}`], [item.criterionCode]],
      status: state ? state.error.status : 200,
    });
  }

  app.get<{ Params: PI }>('/tham-dinh/:roundId/:unitCode/:code', { config: cfg, schema: hide }, async (req, reply) => itemPage(req, reply, req.params));

  function postedOf(body: unknown) {
    const out: Record<string, string> = {};
    for (const k of ['points', 'comment', 'xac_nhan_kps', 'yeu_cau_giai_trinh']) {
      const v = field(body, k);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  async function decide(req: FastifyRequest<{ Params: PI }>, reply: FastifyReply, form: FormState['form'], run: (points: number | undefined) => Promise<unknown>) {
    const p = req.params;
    const posted = postedOf(req.body);
    const points = parseDecimal(posted.points);
    if (points !== undefined && Number.isNaN(points)) {
      return itemPage(req, reply, p, { form, posted, error: { status: 422, message: 'Dữ liệu chưa hợp lệ.', fields: { points: 'Số điểm không hợp lệ (ví dụ 1,5).' }, items: [] } });
    }
    try {
      await run(points);
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500) throw err;
      return itemPage(req, reply, p, { form, posted: e.status === 412 ? {} : posted, error: e });
    }
    return kit.redirect(reply, itemHref(p.roundId, p.unitCode, p.code), form === 'final' ? 'da-chot' : 'da-tham-dinh');
  }

  app.post<{ Params: PI }>('/tham-dinh/:roundId/:unitCode/:code/tham-dinh', { config: cfg, schema: hide }, async (req, reply) => {
    const p = req.params;
    const b = req.body;
    const confirm = field(b, 'xac_nhan_kps');
    return decide(req, reply, 'appraisal', (points) =>
      assessments.putAppraisal(kit.ctx(req), p.roundId, p.unitCode, p.code, field(b, 'etag') ?? '', {
        points: points ?? null,
        comment: field(b, 'comment')?.trim() || null,
        requestExplanation: field(b, 'yeu_cau_giai_trinh') === '1',
        ...(confirm === 'co' ? { confirmNotApplicable: true } : confirm === 'khong' ? { confirmNotApplicable: false } : {}),
      }),
    );
  });

  app.post<{ Params: PI }>('/tham-dinh/:roundId/:unitCode/:code/chot', { config: cfg, schema: hide }, async (req, reply) => {
    const p = req.params;
    const b = req.body;
    const comment = field(b, 'comment')?.trim() ?? '';
    if (!comment) {
      return itemPage(req, reply, p, { form: 'final', posted: postedOf(b), error: { status: 422, message: 'Dữ liệu chưa hợp lệ.', fields: { comment: 'Vui lòng ghi kết luận.' }, items: [] } });
    }
    return decide(req, reply, 'final', async (points) => {
      if (points === undefined) {
        throw new ValidationError([{ field: 'body.points', message: 'is required', code: 'required' }]);
      }
      const ctx = kit.ctx(req);
      return ctx.actor.role === 'coordinator'
        ? app.services.settlement.councilDecision(ctx, p.roundId, p.unitCode, p.code, field(b, 'etag') ?? '', { points, comment })
        : assessments.putFinal(ctx, p.roundId, p.unitCode, p.code, field(b, 'etag') ?? '', { points, comment });
    });
  });
}

/**
 * The "still to do" figure of the queue. Outside the two phases in which an appraiser acts, "Còn phải xử lý 0"
 * while items are still unappraised read as "nothing left" (issue 15): say what the phase is waiting for instead.
 */
function todoStat(phase: string, toDo: number, unappraised: number): Html {
  if (phase === 'appraisal' || phase === 'final_appraisal') {
    return html`<div class="stat ${toDo ? 'warn' : ''}"><span class="stat-label">Còn phải xử lý</span><strong>${toDo}</strong></div>`;
  }
  const waiting =
    phase === 'draft' || phase === 'self_assessment'
      ? 'chưa đến giai đoạn thẩm định'
      : phase === 'explanation'
        ? 'đang chờ đơn vị giải trình'
        : 'giai đoạn thẩm định đã kết thúc';
  return html`<div class="stat"><span class="stat-label">Chưa thẩm định</span><strong>${unappraised}</strong><span class="muted"> (${waiting})</span></div>`;
}
