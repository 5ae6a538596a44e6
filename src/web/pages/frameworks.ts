// Criteria frameworks (bộ tiêu chí) for the coordinator and the admin: list, tree view, publish, and XLSX import
// with a dry-run report that names each problem's sheet, row and column.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../db/schema.js';
import type { Criterion } from '../../modules/frameworks/frameworks.document.js';
import type { ImportIssue } from '../../modules/frameworks/frameworks.xlsx.js';
import type { Rule } from '../../scoring/index.js';
import { fmtDateTime, fmtIndex, fmtPoints } from '../format.js';
import { html, type Html, type Slot } from '../html.js';
import { readCappedPart, type Kit } from '../kit.js';
import { areaKindBadge, ruleText, sourceLabels } from '../labels.js';
import { webError, type WebError } from '../messages.js';
import { verifyCsrf } from '../session.js';
import { csrfRefused } from './unit.js';

const hide = { hide: true } as const;
const ROLES: readonly Role[] = ['coordinator', 'admin'];
const XLSX_MAX_BYTES = 5 * 1024 * 1024;
export const frameworkHref = (code: string) => `/dieu-phoi/bo-tieu-chi/${encodeURIComponent(code)}`;

/** Import problems by code, in Vietnamese; the validator's own text stays as technical detail. */
const issueTexts: Record<string, string> = {
  missing_sheet: 'Thiếu trang tính bắt buộc.',
  missing_column: 'Thiếu cột bắt buộc.',
  unreadable: 'Không đọc được tệp: hãy lưu lại dưới dạng .xlsx.',
  invalid_json: 'Quy tắc chấm điểm không đúng định dạng.',
  invalid_value: 'Giá trị không hợp lệ.',
  invalid_type: 'Kiểu dữ liệu không đúng.',
  required: 'Thiếu thông tin bắt buộc.',
  duplicate: 'Mã bị trùng.',
  not_nested: 'Mã tiêu chí con phải bắt đầu bằng mã của tiêu chí cha.',
  sum_mismatch: 'Điểm tối đa không bằng tổng điểm các tiêu chí con.',
  out_of_range: 'Giá trị nằm ngoài khoảng cho phép.',
  too_many_decimals: 'Điểm chỉ được có tối đa 2 chữ số thập phân.',
  too_deep: 'Cây tiêu chí quá nhiều cấp.',
  too_big: 'Bộ tiêu chí quá lớn.',
  tier_bound: 'Mỗi mức của quy tắc bậc thang phải có đúng một ngưỡng.',
  survey_mapping: 'Tiêu chí khảo sát phải chỉ rõ câu hỏi hoặc nhóm câu hỏi.',
  step_not_divisor: 'Bước điểm phải chia hết điểm tối đa.',
  max_unreachable: 'Không mức nào đạt được điểm tối đa của tiêu chí.',
  leaf_field_on_node: 'Tiêu chí có tiêu chí con thì không mang quy tắc chấm riêng.',
  kind_not_area: 'Chỉ lĩnh vực (cấp 1) mới là điểm thưởng/điểm trừ.',
  bands_order: 'Các mức xếp loại phải xếp từ cao xuống thấp.',
  bands_floor: 'Mức xếp loại thấp nhất phải bắt đầu từ 0.',
  unrecognized_key: 'Có cột hoặc trường không được hỗ trợ.',
  rejected_by_scoring_engine: 'Quy tắc chấm điểm không hợp lệ.',
  exists: 'Đã có bộ tiêu chí với mã này; đổi mã để nhập thành dự thảo mới.',
};

function issuesTable(issues: ImportIssue[]): Html {
  return html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Trang tính</th><th scope="col" class="num">Dòng</th><th scope="col">Cột</th><th scope="col">Vấn đề</th></tr></thead>
<tbody>${issues.map(
    (i) => html`<tr><td>${i.sheet}</td><td class="num">${i.row ?? '–'}</td><td>${i.column ?? '–'}</td><td>${issueTexts[i.code] ?? 'Không hợp lệ.'}<br><small class="muted">${i.field}: ${i.message}</small></td></tr>`,
  )}</tbody></table></div>`;
}

function tree(nodes: Criterion[], depth = 1): Html {
  return html`<ul class="tree depth-${depth}">${nodes.map((n) => {
    const leaf = !n.children?.length;
    return html`<li>
  <div class="tree-node${leaf ? ' leaf' : ''}"><span class="code">${n.code}</span> <span class="title">${n.title}</span> <span class="pts">${fmtPoints(n.maxPoints)} điểm</span>${depth === 1 && areaKindBadge(n.kind, n.title) ? html` <span class="tag">${areaKindBadge(n.kind, n.title)}</span>` : ''}</div>
  ${
    leaf
      ? html`<div class="tree-leaf-info"><span class="tag">${sourceLabels[n.source ?? 'self']}</span>${n.naAllowed ? html` <span class="tag">cho phép không phát sinh</span>` : ''}${n.evidence?.required ? html` <span class="tag">bắt buộc tài liệu</span>` : ''}
    <p class="rule-help">${ruleText(n.rule as Rule | undefined, n.maxPoints)}</p>${n.evidence?.hint ? html`<p class="hint">Tài liệu kiểm chứng: ${n.evidence.hint}</p>` : ''}</div>`
      : tree(n.children!, depth + 1)
  }
</li>`;
  })}</ul>`;
}

export function frameworkPages(app: FastifyInstance, kit: Kit) {
  const { frameworks } = app.services;
  const cfg = { webRoles: ROLES };

  app.get('/dieu-phoi/bo-tieu-chi', { config: cfg, schema: hide }, async (req, reply) => {
    const list = await frameworks.list(kit.ctx(req), {});
    const body = html`<div class="page-head"><div><h1>Bộ tiêu chí</h1></div><div><a class="button primary" href="/dieu-phoi/bo-tieu-chi/nhap">Nhập từ tệp Excel</a></div></div>
<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Mã</th><th scope="col">Tên</th><th scope="col">Năm</th><th scope="col">Trạng thái</th><th scope="col" class="num">Lĩnh vực</th><th scope="col" class="num">Tiêu chí</th><th scope="col" class="num">Điểm tối đa</th></tr></thead>
<tbody>${list.map(
      (f) => html`<tr><td><a href="${frameworkHref(f.code)}">${f.code}</a></td><td>${f.name}</td><td>${f.year}</td>
<td><span class="tag ${f.status === 'published' ? 'submitted' : 'open'}">${f.status === 'published' ? 'Đã ban hành' : 'Dự thảo'}</span></td>
<td class="num">${f.totals.areaCount}</td><td class="num">${f.totals.leafCount}</td><td class="num">${fmtPoints(f.totals.maxPoints)}</td></tr>`,
    )}</tbody></table></div>`;
    return kit.page(req, reply, { title: 'Bộ tiêu chí', body, section: '/dieu-phoi/bo-tieu-chi', flash: kit.flashOf(req) });
  });

  async function importPage(req: FastifyRequest, reply: FastifyReply, report?: { kind: 'dry-run'; result: Awaited<ReturnType<typeof frameworks.importDryRun>>; filename: string } | { kind: 'error'; e: WebError; issues: ImportIssue[] }) {
    let result: Slot = null;
    if (report?.kind === 'dry-run') {
      const r = report.result;
      result = html`<section class="panel ${r.valid ? 'ok-panel' : 'attention'}" aria-live="polite">
  <h2>Kết quả kiểm tra: ${report.filename}</h2>
  ${
    r.valid && r.framework
      ? html`<p class="flash flash-ok">Tệp hợp lệ: bộ tiêu chí <strong>${r.framework.code}</strong> · ${r.framework.name} (năm ${r.framework.year}), ${r.framework.totals.areaCount} lĩnh vực, ${r.framework.totals.leafCount} tiêu chí chấm điểm, tổng ${fmtPoints(r.framework.totals.maxPoints)} điểm. Chọn “Nhập thành dự thảo” để lưu.</p>`
      : html`<p class="flash flash-error" role="alert">Tệp có ${r.errors.length} vấn đề; chưa có gì được lưu.</p>${issuesTable(r.errors)}`
  }
</section>`;
    } else if (report?.kind === 'error') {
      result = html`<section class="panel attention"><p class="flash flash-error" role="alert">${report.e.message}</p>${report.issues.length ? issuesTable(report.issues) : ''}</section>`;
    }
    const body = html`<h1>Nhập bộ tiêu chí từ tệp Excel</h1>
<p>Tệp .xlsx theo mẫu (trang tính “Tiêu chí” và “Thông tin”; có thể tải mẫu từ một bộ tiêu chí có sẵn qua API xuất Excel). “Kiểm tra” chỉ đọc tệp và báo lỗi theo từng dòng; “Nhập thành dự thảo” lưu bộ tiêu chí ở trạng thái dự thảo.</p>
${result}
<form method="post" action="/dieu-phoi/bo-tieu-chi/nhap" enctype="multipart/form-data" class="panel stack">
  <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
  <div class="field"><label for="xlsx">Tệp Excel (.xlsx, tối đa 5 MB)</label><input id="xlsx" type="file" name="file" accept=".xlsx" required></div>
  <div class="form-foot"><button class="button" type="submit" name="mode" value="kiem-tra">Kiểm tra (chạy thử)</button> <button class="button primary" type="submit" name="mode" value="nhap">Nhập thành dự thảo</button></div>
</form>`;
    const status = report?.kind === 'error' ? report.e.status : 200;
    return kit.page(req, reply, { title: 'Nhập bộ tiêu chí', body, section: '/dieu-phoi/bo-tieu-chi', breadcrumbs: [['Bộ tiêu chí', '/dieu-phoi/bo-tieu-chi'], ['Nhập từ Excel']], status });
  }

  app.get('/dieu-phoi/bo-tieu-chi/nhap', { config: cfg, schema: hide }, async (req, reply) => importPage(req, reply));

  app.post('/dieu-phoi/bo-tieu-chi/nhap', { config: { ...cfg, webManualCsrf: true }, schema: hide }, async (req, reply) => {
    if (!req.isMultipart()) return importPage(req, reply, { kind: 'error', e: { status: 400, message: 'Vui lòng chọn tệp.', fields: {}, items: [] }, issues: [] });
    let csrfOk = false;
    let mode = 'kiem-tra';
    let buffer: Buffer | null = null;
    let filename = '';
    let tooBig = false;
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === '_csrf') csrfOk = verifyCsrf(req, kit.names, part.value);
        if (part.fieldname === 'mode' && typeof part.value === 'string') mode = part.value;
        continue;
      }
      if (!csrfOk || part.fieldname !== 'file' || !part.filename) {
        part.file.resume();
        continue;
      }
      const read = await readCappedPart(part.file, XLSX_MAX_BYTES);
      tooBig ||= read.tooBig;
      buffer = read.buffer;
      filename = part.filename;
    }
    if (!csrfOk) return csrfRefused(req, reply, kit);
    if (tooBig) return importPage(req, reply, { kind: 'error', e: { status: 413, message: 'Tệp lớn hơn 5 MB.', fields: {}, items: [] }, issues: [] });
    if (!buffer || buffer.length === 0) return importPage(req, reply, { kind: 'error', e: { status: 400, message: 'Vui lòng chọn tệp Excel.', fields: {}, items: [] }, issues: [] });
    const ctx = kit.ctx(req);
    if (mode !== 'nhap') return importPage(req, reply, { kind: 'dry-run', result: await frameworks.importDryRun(ctx, buffer), filename });
    try {
      const fw = await frameworks.importXlsx(ctx, buffer);
      return kit.redirect(reply, frameworkHref(fw.code), 'da-nhap');
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500) throw err;
      const issues = ((err as { extra?: { errors?: ImportIssue[] } }).extra?.errors ?? []).filter((i) => typeof i.sheet === 'string');
      return importPage(req, reply, { kind: 'error', e: { ...e, message: e.status === 409 ? 'Đã có bộ tiêu chí với mã này; đổi mã trong tệp để nhập thành dự thảo mới.' : issues.length ? `Tệp có ${issues.length} vấn đề; chưa có gì được lưu.` : e.message }, issues });
    }
  });

  async function frameworkPage(req: FastifyRequest, reply: FastifyReply, code: string, error?: WebError) {
    const fw = await frameworks.get(kit.ctx(req), code);
    const draft = fw.status === 'draft';
    const body = html`<div class="page-head"><div><h1>${fw.name}</h1><p class="sub">${fw.code} · năm ${fw.year}${fw.legalBasis ? ` · ${fw.legalBasis}` : ''}</p></div>
  <div class="status-box"><span class="tag ${draft ? 'open' : 'submitted'}">${draft ? 'Dự thảo' : `Đã ban hành ${fmtDateTime(fw.publishedAt)}`}</span></div></div>
${error ? html`<p class="flash flash-error" role="alert">${error.message}</p>` : ''}
${
  draft && req.actor && (req.actor.role === 'coordinator' || req.actor.role === 'admin')
    ? html`<form method="post" action="${frameworkHref(fw.code)}/ban-hanh" class="panel" data-confirm="Ban hành bộ tiêu chí ${fw.code}? Sau khi ban hành không sửa được nữa.">
  <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}"><p>Bộ tiêu chí đang là dự thảo. Khi ban hành, bộ tiêu chí không thay đổi được nữa và có thể dùng cho kỳ đánh giá.</p>
  <button class="button primary" type="submit">Ban hành bộ tiêu chí</button></form>`
    : ''
}
<section class="summary-grid">
  <div class="stat"><span class="stat-label">Điểm tối đa</span><strong>${fmtPoints(fw.totals.maxPoints)}</strong></div>
  <div class="stat"><span class="stat-label">Lĩnh vực</span><strong>${fw.totals.areaCount}</strong></div>
  <div class="stat"><span class="stat-label">Tiêu chí chấm điểm</span><strong>${fw.totals.leafCount}</strong></div>
  <div class="stat"><span class="stat-label">Điểm thưởng / trừ tối đa</span><strong>${fmtPoints(fw.bonusCap)} / ${fmtPoints(fw.penaltyCap)}</strong></div>
</section>
<section class="panel"><h2>Xếp loại</h2><ul class="inline-list">${fw.bands.map((b) => html`<li><strong>${b.label}</strong>: từ ${fmtIndex(b.minIndex)}</li>`)}</ul>
${fw.surveyOptional ? html`<p class="muted">Tiêu chí khảo sát không có phiếu thì không tính (chỉ số tính trên phần còn lại).</p>` : ''}
<p class="muted">Tiêu chí “không phát sinh”: ${fw.notApplicableScoring === 'full_points' ? 'được tính đạt điểm tối đa của tiêu chí.' : 'không tính vào điểm tối đa (chỉ số tính trên phần còn lại).'}</p></section>
<section class="panel"><h2>Cây tiêu chí</h2>${tree(fw.criteria as Criterion[])}</section>`;
    return kit.page(req, reply, {
      title: fw.code,
      body,
      section: '/dieu-phoi/bo-tieu-chi',
      flash: kit.flashOf(req),
      breadcrumbs: [['Bộ tiêu chí', '/dieu-phoi/bo-tieu-chi'], [fw.code]],
      status: error?.status ?? 200,
    });
  }

  app.get<{ Params: { code: string } }>('/dieu-phoi/bo-tieu-chi/:code', { config: { webRoles: [...ROLES, 'appraiser'] }, schema: hide }, async (req, reply) => frameworkPage(req, reply, req.params.code));

  app.post<{ Params: { code: string } }>('/dieu-phoi/bo-tieu-chi/:code/ban-hanh', { config: cfg, schema: hide }, async (req, reply) => {
    try {
      await frameworks.publish(kit.ctx(req), req.params.code);
    } catch (err) {
      const e = webError(err);
      if (e.status >= 500 || e.status === 404) throw err;
      return frameworkPage(req, reply, req.params.code, e);
    }
    return kit.redirect(reply, frameworkHref(req.params.code), 'da-ban-hanh');
  });
}
