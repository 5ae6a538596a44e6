// Hồ sơ Hội đồng thẩm định on the coordinator's round pages (issue 13 item 10): the council's members, who issues
// and signs the publishing decision, and the minutes (biên bản) as an uploaded file or a document reference.
// The same council service as PUT /api/v1/rounds/{id}/council and …/council/minutes; publication refuses until
// the record is complete, so the results page shows what is still missing beside the publish form.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readSingleFile } from '../../lib/multipart-upload.js';
import { ValidationError, type FieldError } from '../../lib/errors.js';
import type { CouncilView } from '../../modules/council/council.service.js';
import { fmtDate, fmtDateTime, parseDate } from '../format.js';
import { attr, html, type Html, type Slot } from '../html.js';
import { COORDINATOR, field, fields, type Kit } from '../kit.js';
import { phaseLabel } from '../labels.js';
import { webError, type WebError } from '../messages.js';
import { verifyCsrf } from '../session.js';
import { csrfRefused } from './unit.js';

const hide = { hide: true } as const;
type PR = { roundId: string };

export const councilHref = (roundId: string) => `/dieu-phoi/ky-danh-gia/${encodeURIComponent(roundId)}/hoi-dong`;

/** The service's `missing` entries, in words. */
export const councilMissingLabels: Record<string, string> = {
  members: 'thành viên Hội đồng thẩm định',
  minutes: 'biên bản họp Hội đồng',
  decisionIssuer: 'cơ quan/người ban hành quyết định',
  signer: 'họ tên và chức danh người ký quyết định',
};

/** Beside the publish form: what the council record still lacks, with a link to complete it. */
export function councilStatus(roundId: string, missing: readonly string[], linked = true): Html {
  return missing.length
    ? html`<div class="flash flash-error council-missing" role="status"><p><strong>Hồ sơ Hội đồng thẩm định chưa đủ để công bố.</strong> Còn thiếu: ${missing.map((m) => councilMissingLabels[m] ?? m).join('; ')}.</p>
  ${linked ? html`<p><a class="button" href="${councilHref(roundId)}">Cập nhật hồ sơ Hội đồng</a></p>` : ''}</div>`
    : html`<p class="council-complete">Hồ sơ Hội đồng thẩm định đã đủ.${linked ? html` <a href="${councilHref(roundId)}">Xem hoặc sửa</a>` : ''}</p>`;
}

/** Blank member rows shown under the recorded ones, so several people are entered in one go. */
const SPARE_ROWS = 3;
const MAX_MEMBERS = 60;

interface Posted {
  members: { name: string; position: string }[];
  decisionIssuer: string;
  signerName: string;
  signerTitle: string;
}

/** Pairs the repeated name/position fields row by row; a half-filled row is an error, an empty one is skipped. */
export function parseCouncilForm(body: unknown): { posted: Posted; errors: FieldError[] } {
  const names = fields(body, 'memberName');
  const positions = fields(body, 'memberPosition');
  const members: Posted['members'] = [];
  const errors: FieldError[] = [];
  for (let i = 0; i < Math.max(names.length, positions.length); i++) {
    const name = (names[i] ?? '').trim();
    const position = (positions[i] ?? '').trim();
    if (!name && !position) continue;
    if (!name) errors.push({ field: `members.${members.length}.name`, message: 'required', code: 'required' });
    if (!position) errors.push({ field: `members.${members.length}.position`, message: 'required', code: 'required' });
    members.push({ name, position });
  }
  const posted = {
    members,
    decisionIssuer: (field(body, 'decisionIssuer') ?? '').trim(),
    signerName: (field(body, 'signerName') ?? '').trim(),
    signerTitle: (field(body, 'signerTitle') ?? '').trim(),
  };
  if (members.length === 0) errors.push({ field: 'members', message: 'at least one member', code: 'required' });
  if (members.length > MAX_MEMBERS) errors.push({ field: 'members', message: `at most ${MAX_MEMBERS}`, code: 'too_big' });
  for (const k of ['decisionIssuer', 'signerName', 'signerTitle'] as const) if (!posted[k]) errors.push({ field: k, message: 'required', code: 'required' });
  return { posted, errors };
}

const fieldWords: Record<string, string> = {
  members: 'Thành viên Hội đồng: nhập ít nhất một người (họ tên và chức vụ).',
  decisionIssuer: 'Cơ quan/người ban hành quyết định: bắt buộc.',
  signerName: 'Họ tên người ký: bắt buộc.',
  signerTitle: 'Chức danh người ký: bắt buộc.',
};

function problemWords(e: FieldError): string {
  const m = /^(?:body\.)?members\.(\d+)\.(name|position)$/.exec(e.field);
  if (m) return `Thành viên dòng ${Number(m[1]) + 1}: ${m[2] === 'name' ? 'thiếu họ tên' : 'thiếu chức vụ'}.`;
  const f = e.field.replace(/^body\./, '');
  return fieldWords[f] ?? `${f}: ${e.message}`;
}

type FormName = 'council' | 'file' | 'document';
interface PageError {
  form: FormName;
  e: WebError;
  problems?: FieldError[];
  posted?: Partial<Posted>;
  doc?: Record<string, string>;
}

export function councilPages(app: FastifyInstance, kit: Kit) {
  const { rounds, council } = app.services;
  const cfg = { webRoles: COORDINATOR };

  async function councilPage(req: FastifyRequest, reply: FastifyReply, roundId: string, error?: PageError) {
    const ctx = kit.ctx(req);
    const round = await rounds.get(ctx, roundId);
    const view: CouncilView = await council.get(ctx, roundId);
    const csrf = kit.csrf(req, reply);
    const editable = round.phase !== 'published' && !round.cancelledAt;
    const box = (form: FormName): Slot =>
      error?.form === form
        ? html`<div class="flash flash-error" role="alert"><p><strong>${error.e.message}</strong></p>${
            error.problems?.length ? html`<ul class="problems">${error.problems.map((p) => html`<li>${problemWords(p)}</li>`)}</ul>` : ''
          }</div>`
        : null;
    const posted = error?.form === 'council' ? error.posted : undefined;
    const members = posted?.members ?? view.members;
    const rows = [...members, ...Array.from({ length: SPARE_ROWS }, () => ({ name: '', position: '' }))];
    const v = (k: 'decisionIssuer' | 'signerName' | 'signerTitle') => (posted ? (posted[k] ?? '') : (view[k] ?? ''));
    const doc = error?.form === 'document' ? (error.doc ?? {}) : {};
    const m = view.minutes;
    const roundHref = `/dieu-phoi/ky-danh-gia/${encodeURIComponent(roundId)}`;

    const body = html`<div class="page-head"><div><h1>Hồ sơ Hội đồng thẩm định</h1><p class="sub">${round.name}</p></div>
  <div class="status-box"><span class="tag phase">${phaseLabel(round.phase)}</span></div></div>
${councilStatus(roundId, view.missing, false)}
${editable ? '' : html`<p class="panel muted">${round.phase === 'published' ? 'Kỳ đánh giá đã công bố: hồ sơ Hội đồng đã được đóng băng trong bản công bố.' : 'Kỳ đánh giá đã bị hủy.'}</p>`}
<section class="panel" id="thanh-vien">
  <h2>Thành viên, người ban hành và người ký quyết định</h2>
  ${box('council')}
  <form method="post" action="${councilHref(roundId)}" class="stack council-form">
    <input type="hidden" name="_csrf" value="${csrf}">
    <fieldset><legend>Thành viên Hội đồng (bỏ trống các dòng không dùng)</legend>
    <div class="table-wrap"><table class="data members"><thead><tr><th scope="col" class="num">TT</th><th scope="col">Họ và tên</th><th scope="col">Chức vụ trong Hội đồng</th></tr></thead>
    <tbody>${rows.map(
      (r, i) => html`<tr><td class="num">${i + 1}</td>
      <td><input name="memberName" aria-label="Họ và tên thành viên ${i + 1}" value="${r.name}"${attr('disabled', !editable)}></td>
      <td><input name="memberPosition" aria-label="Chức vụ thành viên ${i + 1}" placeholder="${i === 0 ? 'Chủ tịch Hội đồng' : 'Thành viên'}" value="${r.position}"${attr('disabled', !editable)}></td></tr>`,
    )}</tbody></table></div>
    <p class="muted">Cần thêm dòng? Lưu rồi mở lại trang: luôn có ${SPARE_ROWS} dòng trống.</p></fieldset>
    <div class="field"><label for="hd-issuer">Cơ quan/người ban hành quyết định (sau chữ “của”)</label><input id="hd-issuer" name="decisionIssuer" required placeholder="Chủ tịch Ủy ban nhân dân tỉnh Đồng Tháp" value="${v('decisionIssuer')}"${attr('disabled', !editable)}></div>
    <div class="field-row">
      <div class="field"><label for="hd-signer-title">Chức danh người ký</label><input id="hd-signer-title" name="signerTitle" required placeholder="KT. Chủ tịch - Phó Chủ tịch" value="${v('signerTitle')}"${attr('disabled', !editable)}></div>
      <div class="field"><label for="hd-signer-name">Họ tên người ký</label><input id="hd-signer-name" name="signerName" required value="${v('signerName')}"${attr('disabled', !editable)}></div>
    </div>
    ${editable ? html`<button class="button primary" type="submit">Lưu hồ sơ Hội đồng</button>` : ''}
  </form>
  ${view.updatedAt ? html`<p class="muted">Cập nhật lần cuối ${fmtDateTime(view.updatedAt)} bởi ${view.updatedBy ?? ''}.</p>` : ''}
</section>
<section class="panel" id="bien-ban">
  <h2>Biên bản họp Hội đồng</h2>
  ${
    m === null
      ? html`<p class="warn-text">Chưa có biên bản.</p>`
      : m.kind === 'file'
        ? html`<p class="minutes-current">Tệp: <a href="${m.downloadUrl}">${m.filename ?? 'bien-ban'}</a> <span class="muted">(${m.size ?? 0} byte, SHA-256 <code>${(m.sha256 ?? '').slice(0, 16)}…</code>)</span></p>`
        : html`<p class="minutes-current">Văn bản số ${m.docNumber ?? ''} ngày ${m.docDate ? fmtDate(m.docDate) : ''} của ${m.issuer ?? ''}: ${m.title ?? ''}${m.url ? html` (<a href="${m.url}" rel="noopener">liên kết</a>)` : ''}</p>`
  }
  ${
    editable
      ? html`${m ? html`<p class="muted">Ghi nhận lại sẽ thay thế biên bản hiện có.</p>` : ''}
  <details${attr('open', m === null || error?.form === 'file')}><summary>Tải lên tệp biên bản (PDF, DOCX, JPG, PNG)</summary>
    ${box('file')}
    <form method="post" action="${councilHref(roundId)}/bien-ban" enctype="multipart/form-data" class="upload-form">
      <input type="hidden" name="_csrf" value="${csrf}">
      <div class="field"><label for="bb-file">Tệp biên bản</label><input id="bb-file" type="file" name="file" accept=".pdf,.docx,.jpg,.jpeg,.png" required></div>
      <button class="button" type="submit">Tải lên biên bản</button>
    </form>
  </details>
  <details${attr('open', error?.form === 'document')}><summary>Hoặc ghi số, ngày văn bản biên bản</summary>
    ${box('document')}
    <form method="post" action="${councilHref(roundId)}/van-ban" class="doc-form">
      <input type="hidden" name="_csrf" value="${csrf}">
      <div class="field-row">
        <div class="field"><label for="bb-so">Số, ký hiệu</label><input id="bb-so" name="docNumber" required placeholder="05/BB-HĐTĐ" value="${doc.docNumber ?? ''}"></div>
        <div class="field"><label for="bb-ngay">Ngày</label><input id="bb-ngay" name="docDate" required inputmode="numeric" placeholder="dd/mm/yyyy" value="${doc.docDate ?? ''}"></div>
      </div>
      <div class="field"><label for="bb-cq">Cơ quan ban hành</label><input id="bb-cq" name="issuer" required placeholder="Hội đồng thẩm định Chỉ số CCHC" value="${doc.issuer ?? ''}"></div>
      <div class="field"><label for="bb-ty">Trích yếu</label><input id="bb-ty" name="title" required placeholder="Biên bản họp Hội đồng thẩm định" value="${doc.title ?? ''}"></div>
      <div class="field"><label for="bb-url">Đường dẫn (nếu có)</label><input id="bb-url" name="url" type="url" placeholder="https://" value="${doc.url ?? ''}"></div>
      <button class="button" type="submit">Ghi nhận văn bản biên bản</button>
    </form>
  </details>`
      : ''
  }
</section>
<p><a class="button" href="${roundHref}/ket-qua">Về trang Kết quả và công bố</a></p>`;
    return kit.page(req, reply, {
      title: `Hội đồng thẩm định · ${round.name}`,
      body,
      section: '/dieu-phoi',
      flash: kit.flashOf(req),
      breadcrumbs: [['Kỳ đánh giá', '/dieu-phoi'], [round.name, roundHref], ['Hội đồng thẩm định']],
      status: error ? error.e.status : 200,
    });
  }

  /** A refused write re-renders the page with the message beside its form; server faults go to the error page. */
  async function refused(req: FastifyRequest<{ Params: PR }>, reply: FastifyReply, err: unknown, form: FormName, extra: Partial<PageError> = {}) {
    const e = webError(err);
    if (e.status >= 500 || e.status === 404) throw err;
    const problems = err instanceof ValidationError ? ((err.extra.errors as FieldError[] | undefined) ?? []) : [];
    return councilPage(req, reply, req.params.roundId, { form, e, problems, ...extra });
  }

  app.get<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/hoi-dong', { config: cfg, schema: hide }, async (req, reply) => councilPage(req, reply, req.params.roundId));

  app.post<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/hoi-dong', { config: cfg, schema: hide }, async (req, reply) => {
    const { posted, errors } = parseCouncilForm(req.body);
    try {
      if (errors.length) throw new ValidationError(errors, 'Hồ sơ Hội đồng chưa đủ thông tin.');
      await council.put(kit.ctx(req), req.params.roundId, posted);
    } catch (err) {
      return refused(req, reply, err, 'council', { posted });
    }
    return kit.redirect(reply, councilHref(req.params.roundId), 'da-luu-hoi-dong');
  });

  app.post<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/hoi-dong/van-ban', { config: cfg, schema: hide }, async (req, reply) => {
    const doc: Record<string, string> = {};
    for (const k of ['docNumber', 'docDate', 'issuer', 'title', 'url']) doc[k] = (field(req.body, k) ?? '').trim();
    const docDate = parseDate(doc.docDate);
    try {
      const problems: FieldError[] = ['docNumber', 'docDate', 'issuer', 'title'].filter((k) => !doc[k]).map((k) => ({ field: k, message: 'required', code: 'required' }));
      if (doc.docDate && !docDate) problems.push({ field: 'docDate', message: 'dd/mm/yyyy', code: 'invalid_date' });
      if (doc.url && !/^https?:\/\/\S+$/i.test(doc.url)) problems.push({ field: 'url', message: 'http(s)', code: 'invalid_url' });
      if (problems.length) {
        const e: WebError = {
          status: 422,
          message: problems.some((p) => p.code === 'required')
            ? 'Vui lòng nhập đủ số, ngày, cơ quan ban hành và trích yếu của biên bản.'
            : problems.some((p) => p.field === 'docDate')
              ? 'Ngày biên bản không hợp lệ (nhập theo dạng dd/mm/yyyy).'
              : 'Đường dẫn phải bắt đầu bằng http:// hoặc https://.',
          fields: {},
          items: [],
        };
        return await councilPage(req, reply, req.params.roundId, { form: 'document', e, doc });
      }
      await council.putMinutesDocument(kit.ctx(req), req.params.roundId, { docNumber: doc.docNumber!, docDate: docDate!, issuer: doc.issuer!, title: doc.title!, ...(doc.url ? { url: doc.url } : {}) });
    } catch (err) {
      return refused(req, reply, err, 'document', { doc });
    }
    return kit.redirect(reply, councilHref(req.params.roundId), 'da-luu-bien-ban', 'bien-ban');
  });

  // Multipart: the CSRF token arrives as the first part, before the file is read (as for evidence uploads).
  app.post<{ Params: PR }>('/dieu-phoi/ky-danh-gia/:roundId/hoi-dong/bien-ban', { config: { ...cfg, webManualCsrf: true }, schema: hide }, async (req, reply) => {
    if (!req.isMultipart()) return kit.errorPage(req, reply, Object.assign(new Error('not multipart'), { statusCode: 400 }));
    const { fields: parts, file, rejectExtraFiles } = await readSingleFile(req);
    if (!verifyCsrf(req, kit.names, parts.get('_csrf'))) {
      file?.file.resume();
      return csrfRefused(req, reply, kit);
    }
    if (!file || file.fieldname !== 'file' || !file.filename) {
      file?.file.resume();
      const e: WebError = { status: 400, message: 'Vui lòng chọn tệp biên bản.', fields: { file: 'Vui lòng chọn tệp.' }, items: [] };
      return councilPage(req, reply, req.params.roundId, { form: 'file', e });
    }
    try {
      await council.putMinutesFile(kit.ctx(req), req.params.roundId, { stream: file.file, filename: file.filename });
    } catch (err) {
      file.file.resume();
      return refused(req, reply, err, 'file');
    }
    // The form has one file input; a hand-made request with a second file gets told that only the first (now
    // shown as the minutes) was recorded. Reading the rest also drains the request.
    try {
      await rejectExtraFiles();
    } catch {
      const e: WebError = { status: 400, message: `Chỉ tệp đầu tiên (${file.filename}) được ghi nhận làm biên bản; các tệp khác không được lưu.`, fields: {}, items: [] };
      return councilPage(req, reply, req.params.roundId, { form: 'file', e });
    }
    return kit.redirect(reply, councilHref(req.params.roundId), 'da-luu-bien-ban', 'bien-ban');
  });
}
