// User and unit administration (quản trị người dùng, đơn vị). The admin creates and edits both; coordinators see the
// same lists read-only, because the policy grants them org_unit.read and user.read but not the writes. Every change
// is checked against the API's own request schemas and then made by app.services.users / app.services.orgUnits, so
// it is validated, authorised and audited exactly as through the API; errors come back beside the field.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError } from 'zod';
import { authorize, can } from '../../auth/policy.js';
import { orgUnitKinds, roles, type OrgUnitKind, type Role } from '../../db/schema.js';
import type { Actor } from '../../lib/context.js';
import { AppError, ConflictError, ValidationError, type FieldError } from '../../lib/errors.js';
import { vnDate } from '../../lib/http.js';
import { orgUnitCreateBody, orgUnitDeactivateBody, orgUnitPatchBody } from '../../modules/org-units/org-units.routes.js';
import { userCreateSchema, userPatchSchema } from '../../modules/users/users.schemas.js';
import { fmtDate, fmtDateTime, parseDate } from '../format.js';
import { attr, html, type Html, type Slot } from '../html.js';
import { errorSummary, fieldError, invalidAttrs } from '../form-errors.js';
import { field, type Kit } from '../kit.js';
import type { Flash } from '../layout.js';
import { roleLabels } from '../labels.js';

const hide = { hide: true } as const;
/** Who may open the pages; what each may do inside is the policy's (user.write / org_unit.write). */
const ROLES: readonly Role[] = ['admin', 'coordinator'];
const BASE = '/quan-tri';
const USERS = `${BASE}/nguoi-dung`;
const UNITS = `${BASE}/don-vi`;
/** Outside /nguoi-dung/ so that no username (letters, digits, . - _) can collide with it. */
const CREATE_USER = `${BASE}/tao-nguoi-dung`;
export const userHref = (username: string) => `${USERS}/${encodeURIComponent(username)}`;
export const unitHref = (code: string) => `${UNITS}/${encodeURIComponent(code)}`;

export const kindLabels: Record<OrgUnitKind, string> = {
  province: 'Tỉnh, thành phố',
  department: 'Sở, phòng chuyên môn',
  district: 'Huyện, quận, thị xã',
  commune: 'Xã, phường, thị trấn',
  agency: 'Cơ quan, tổ chức khác',
};

/** Messages after a redirect, by code; the kit's own codes are tried first. */
const flashTexts: Record<string, Flash> = {
  'qt-tao-nd': { kind: 'ok', text: 'Đã tạo người dùng. Hãy báo tên đăng nhập và mật khẩu ban đầu cho người dùng qua kênh an toàn.' },
  'qt-luu-nd': { kind: 'ok', text: 'Đã lưu thông tin người dùng.' },
  'qt-mat-khau': { kind: 'ok', text: 'Đã đặt lại mật khẩu; mọi phiên đăng nhập cũ của người dùng đã bị thu hồi.' },
  'qt-ngung-nd': { kind: 'ok', text: 'Đã ngừng kích hoạt tài khoản; người dùng bị đăng xuất khỏi mọi phiên.' },
  'qt-kich-hoat-nd': { kind: 'ok', text: 'Đã kích hoạt lại tài khoản.' },
  'qt-mo-khoa': { kind: 'ok', text: 'Đã mở khóa tài khoản.' },
  'qt-khong-doi': { kind: 'info', text: 'Không có thay đổi nào để lưu.' },
  'qt-tao-dv': { kind: 'ok', text: 'Đã tạo đơn vị.' },
  'qt-luu-dv': { kind: 'ok', text: 'Đã lưu thông tin đơn vị.' },
  'qt-ngung-dv': { kind: 'ok', text: 'Đã ghi nhận đơn vị ngừng hoạt động; lịch sử của đơn vị vẫn được giữ.' },
  'qt-kich-hoat-dv': { kind: 'ok', text: 'Đơn vị hoạt động trở lại.' },
};

// -------------------------------------------------------------------------------------------------------------
// Errors: the API's schema errors and the services' errors, in Vietnamese, one message per form field.

const fieldLabels: Record<string, string> = {
  username: 'Tên đăng nhập',
  displayName: 'Họ và tên',
  password: 'Mật khẩu',
  role: 'Vai trò',
  orgUnitCode: 'Đơn vị',
  code: 'Mã đơn vị',
  name: 'Tên đơn vị',
  kind: 'Loại đơn vị',
  parentCode: 'Đơn vị cấp trên',
  activeTo: 'Ngày ngừng hoạt động',
  reason: 'Lý do',
};

interface FormError {
  status: number;
  message: string;
  fields: Record<string, string>;
}

/** One field problem in Vietnamese; `key` is the form field (the last segment of the API's field path). */
function adminFieldMessage(key: string, e: Pick<FieldError, 'code' | 'message'>): string {
  const label = fieldLabels[key] ?? 'Giá trị';
  const lower = label.charAt(0).toLowerCase() + label.slice(1);
  switch (e.code) {
    case 'too_small':
      if (key === 'username') return 'Tên đăng nhập cần ít nhất 3 ký tự.';
      return `Vui lòng nhập ${lower}.`;
    case 'too_short':
      return /at least (\d+)/.test(e.message) ? `Mật khẩu cần ít nhất ${/at least (\d+)/.exec(e.message)![1]} ký tự.` : 'Mật khẩu quá ngắn.';
    case 'too_big':
      return `${label} quá dài.`;
    case 'invalid_format':
    case 'invalid_string':
      if (key === 'username' || key === 'code') return `${label} chỉ gồm chữ cái không dấu, chữ số, dấu chấm (.), gạch ngang (-) và gạch dưới (_), không có khoảng trắng.`;
      return `${label} không đúng định dạng.`;
    case 'invalid_value':
    case 'invalid_enum_value':
    case 'invalid_type':
      return `Vui lòng chọn ${lower}.`;
    case 'invalid_date':
      return 'Ngày không hợp lệ (dd/mm/yyyy).';
    case 'required': {
      const role = /for role '(\w+)'/.exec(e.message)?.[1] as Role | undefined;
      if (key === 'orgUnitCode' && role) {
        const need: Partial<Record<Role, string>> = {
          coordinator: 'cơ quan điều phối (Phòng/Sở Nội vụ)',
          appraiser: 'cơ quan thẩm định của thành viên',
          unit_editor: 'đơn vị có bản tự đánh giá mà người dùng phụ trách',
          unit_head: 'đơn vị mà người dùng làm thủ trưởng',
        };
        return `Vai trò “${roleLabels[role] ?? role}” phải gắn với một đơn vị: ${need[role] ?? 'hãy chọn đơn vị'}.`;
      }
      return `Vui lòng nhập ${lower}.`;
    }
    case 'unknown_unit':
      return key === 'parentCode' ? 'Đơn vị cấp trên không tồn tại.' : 'Đơn vị không tồn tại.';
    case 'inactive_unit':
      return 'Đơn vị đã ngừng hoạt động; hãy chọn một đơn vị đang hoạt động.';
    case 'cycle':
      return 'Không thể chọn đơn vị này làm cấp trên: một đơn vị không thể trực thuộc chính mình hoặc đơn vị cấp dưới của mình.';
    case 'range':
      return 'Ngày ngừng hoạt động không được trước ngày bắt đầu hoạt động.';
    case 'duplicate':
      if (key === 'username') return 'Tên đăng nhập này đã được dùng cho một tài khoản khác.';
      if (key === 'code') return 'Mã đơn vị này đã tồn tại.';
      return `${label} bị trùng.`;
    default:
      return `${label} không hợp lệ.`;
  }
}

const INVALID = 'Dữ liệu chưa hợp lệ, vui lòng kiểm tra các ô được đánh dấu.';

/** The API schema's verdict on a form, as field errors (each named by its form field). */
function schemaError(err: ZodError): FormError {
  const fields: Record<string, string> = {};
  for (const issue of err.issues) {
    const key = String(issue.path[issue.path.length - 1] ?? '');
    fields[key] ??= adminFieldMessage(key, { code: issue.code, message: issue.message });
  }
  return { status: 422, message: INVALID, fields };
}

/** A service error a form can show (validation, conflict); anything else (403, 404, 5xx) is rethrown. */
function serviceError(err: unknown): FormError {
  if (!(err instanceof AppError) || err.status >= 500 || [401, 403, 404].includes(err.status)) throw err;
  if (err instanceof ValidationError) {
    const fields: Record<string, string> = {};
    for (const e of (err.extra.errors as FieldError[] | undefined) ?? []) {
      const key = e.field.split('.').pop() ?? e.field;
      fields[key] ??= adminFieldMessage(key, e);
    }
    return { status: err.status, message: INVALID, fields };
  }
  if (err instanceof ConflictError) {
    const key = typeof err.extra.field === 'string' ? err.extra.field : null;
    if (key) {
      const msg = adminFieldMessage(key, { code: 'duplicate', message: err.message });
      return { status: 409, message: INVALID, fields: { [key]: msg } };
    }
    if (err.message.includes('cannot deactivate yourself')) {
      return { status: 409, message: 'Bạn không thể tự ngừng kích hoạt hoặc tự đổi vai trò của chính mình.', fields: {} };
    }
    return { status: 409, message: 'Thao tác bị từ chối vì trạng thái hiện tại không cho phép.', fields: {} };
  }
  return { status: err.status, message: 'Không thực hiện được thao tác này.', fields: {} };
}

// -------------------------------------------------------------------------------------------------------------
// Form pieces.

type Values = Record<string, string>;

const described = invalidAttrs;

function textInput(o: { id: string; name: string; label: string; value?: string | undefined; error?: string | undefined; required?: boolean; type?: string; extra?: Html; hint?: string; cls?: string }): Html {
  return html`<div class="field${o.cls ? ` ${o.cls}` : ''}"><label for="${o.id}">${o.label}</label>
  <input id="${o.id}" name="${o.name}"${o.type ? html` type="${o.type}"` : ''}${o.type === 'password' ? '' : html` value="${o.value ?? ''}"`}${attr('required', o.required ?? false)}${o.extra ?? ''}${described(o.id, o.error)}>
  ${o.hint ? html`<p class="hint">${o.hint}</p>` : ''}${fieldError(o.id, o.error)}</div>`;
}

function selectInput(o: { id: string; name: string; label: string; value?: string | undefined; error?: string | undefined; options: [string, string][]; empty?: string; cls?: string; hint?: string }): Html {
  return html`<div class="field${o.cls ? ` ${o.cls}` : ''}"><label for="${o.id}">${o.label}</label>
  <select id="${o.id}" name="${o.name}"${described(o.id, o.error)}>${o.empty !== undefined ? html`<option value="">${o.empty}</option>` : ''}${o.options.map(([v, l]) => html`<option value="${v}"${attr('selected', o.value === v)}>${l}</option>`)}</select>
  ${o.hint ? html`<p class="hint">${o.hint}</p>` : ''}${fieldError(o.id, o.error)}</div>`;
}

/**
 * The summary above a refused form: links to the fields in error (`ids`: form field → input id on this form); a
 * problem with no input on the form is written out in full, so nothing is lost and nothing is said twice.
 */
function errorBox(e: FormError | undefined, ids: Record<string, string> = {}): Slot {
  if (!e) return null;
  const keys = Object.keys(e.fields);
  const links = keys.filter((k) => ids[k]).map((k) => [ids[k]!, fieldLabels[k] ?? k] as const);
  return errorSummary(e.message, links, keys.filter((k) => !ids[k]).map((k) => e.fields[k]!));
}
const same = (...names: string[]) => Object.fromEntries(names.map((n) => [n, n]));

const roleOptions = (): [string, string][] => roles.map((r) => [r, roleLabels[r]]);
const kindOptions = (): [string, string][] => orgUnitKinds.map((k) => [k, kindLabels[k]]);

function tabs(current: 'users' | 'units'): Html {
  return html`<nav class="admin-tabs" aria-label="Quản trị"><a class="button small${current === 'users' ? ' primary' : ''}" href="${USERS}"${current === 'users' ? html` aria-current="page"` : ''}>Người dùng</a> <a class="button small${current === 'units' ? ' primary' : ''}" href="${UNITS}"${current === 'units' ? html` aria-current="page"` : ''}>Đơn vị</a></nav>`;
}

const activeTag = (active: boolean, off = 'Ngừng hoạt động') => (active ? html`<span class="tag submitted">Đang hoạt động</span>` : html`<span class="tag warn">${off}</span>`);

function lockedUntil(u: { lockedUntil: string | null }, now: Date): string | null {
  return u.lockedUntil && Date.parse(u.lockedUntil) > now.getTime() ? u.lockedUntil : null;
}

/** A trimmed text field of the posted form ('' when absent). */
const posted = (body: unknown, name: string) => (field(body, name) ?? '').trim();

export function adminPages(app: FastifyInstance, kit: Kit) {
  const { users, orgUnits } = app.services;
  const cfg = { webRoles: ROLES };
  const flashOf = (req: FastifyRequest) => {
    const code = (req.query as Record<string, unknown> | undefined)?.tb;
    return kit.flashOf(req) ?? (typeof code === 'string' ? (flashTexts[code] ?? null) : null);
  };
  const mayWriteUsers = (actor: Actor | null) => !!actor && can(actor, 'user.write');
  const mayWriteUnits = (actor: Actor | null) => !!actor && can(actor, 'org_unit.write');

  /** Units by code, for names and the unit pickers (all units, or only those active today). */
  async function unitChoices(req: FastifyRequest) {
    const list = await orgUnits.list(kit.ctx(req), {});
    return { list, name: new Map(list.map((u) => [u.code, u.name])), options: (activeOnly: boolean, except?: string): [string, string][] => list.filter((u) => (!activeOnly || u.active) && u.code !== except).map((u) => [u.code, `${u.name} (${u.code})`]) };
  }

  app.get(BASE, { config: cfg, schema: hide }, async (_req, reply) => reply.redirect(USERS, 303));

  // -----------------------------------------------------------------------------------------------------------
  // Users.

  app.get<{ Querystring: { don_vi?: string; vai_tro?: string } }>(USERS, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    const unit = typeof req.query.don_vi === 'string' && req.query.don_vi.length <= 32 ? req.query.don_vi : '';
    const role = (roles as readonly string[]).includes(req.query.vai_tro ?? '') ? (req.query.vai_tro as Role) : undefined;
    const list = await users.list(ctx, { ...(role ? { role } : {}), ...(unit ? { orgUnitCode: unit } : {}) });
    const units = await unitChoices(req);
    const filtered = !!(unit || role);
    const body = html`<div class="page-head"><div><h1>Người dùng</h1><p class="sub">${list.length} tài khoản${filtered ? ' theo bộ lọc' : ''}</p></div>
  <div>${mayWriteUsers(req.actor) ? html`<a class="button primary" href="${CREATE_USER}">Tạo người dùng</a>` : ''}</div></div>
${tabs('users')}
${mayWriteUsers(req.actor) ? '' : html`<p class="muted">Bạn được xem danh sách; việc tạo và sửa tài khoản do quản trị hệ thống thực hiện.</p>`}
<form method="get" action="${USERS}" class="panel filters" role="search">
  ${selectInput({ id: 'loc-don-vi', name: 'don_vi', label: 'Đơn vị', value: unit, options: units.options(false), empty: '– Tất cả đơn vị –' })}
  ${selectInput({ id: 'loc-vai-tro', name: 'vai_tro', label: 'Vai trò', value: role ?? '', options: roleOptions(), empty: '– Tất cả vai trò –' })}
  <div class="field"><button class="button" type="submit">Lọc</button>${filtered ? html` <a href="${USERS}">Bỏ lọc</a>` : ''}</div>
</form>
${
  list.length === 0
    ? html`<p class="panel">Không có người dùng nào${filtered ? ' theo bộ lọc này' : ''}.</p>`
    : html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Tên đăng nhập</th><th scope="col">Họ và tên</th><th scope="col">Vai trò</th><th scope="col">Đơn vị</th><th scope="col">Trạng thái</th><th scope="col">Khóa đăng nhập</th></tr></thead>
<tbody>${list.map((u) => {
        const locked = lockedUntil(u, ctx.now);
        return html`<tr><th scope="row"><a href="${userHref(u.username)}">${u.username}</a></th><td>${u.displayName}</td><td>${roleLabels[u.role]}</td>
<td>${u.orgUnitCode ? html`${units.name.get(u.orgUnitCode) ?? u.orgUnitCode} <span class="muted">(${u.orgUnitCode})</span>` : '–'}</td>
<td>${activeTag(u.active, 'Ngừng kích hoạt')}</td><td>${locked ? html`<span class="tag warn">Bị khóa đến ${fmtDateTime(locked)}</span>` : '–'}</td></tr>`;
      })}</tbody></table></div>`
}`;
    return kit.page(req, reply, { title: 'Người dùng', body, section: BASE, flash: flashOf(req), breadcrumbs: [['Quản trị', USERS], ['Người dùng']] });
  });

  async function createUserPage(req: FastifyRequest, reply: FastifyReply, values: Values = {}, error?: FormError) {
    authorize(kit.ctx(req).actor, 'user.write');
    const units = await unitChoices(req);
    const f = error?.fields ?? {};
    const body = html`<h1>Tạo người dùng</h1>
${errorBox(error, same('username', 'displayName', 'role', 'orgUnitCode', 'password'))}
<form method="post" action="${CREATE_USER}" class="panel stack" novalidate>
  <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
  <div class="field-row">
    ${textInput({ id: 'username', name: 'username', label: 'Tên đăng nhập', value: values.username, error: f.username, required: true, extra: html` autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="64"`, hint: 'Chữ cái không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới; ví dụ sadec.vanthu.' })}
    ${textInput({ id: 'displayName', name: 'displayName', label: 'Họ và tên', value: values.displayName, error: f.displayName, required: true, extra: html` maxlength="200"`, cls: 'grow' })}
  </div>
  <div class="field-row">
    ${selectInput({ id: 'role', name: 'role', label: 'Vai trò', value: values.role, error: f.role, options: roleOptions(), empty: '– Chọn vai trò –' })}
    ${selectInput({ id: 'orgUnitCode', name: 'orgUnitCode', label: 'Đơn vị', value: values.orgUnitCode, error: f.orgUnitCode, options: units.options(true), empty: '– Không gắn đơn vị –', cls: 'grow', hint: 'Cán bộ, thủ trưởng: đơn vị của mình; thành viên thẩm định: cơ quan thẩm định; cơ quan điều phối: Phòng/Sở Nội vụ; quản trị hệ thống: không bắt buộc.' })}
  </div>
  ${textInput({ id: 'password', name: 'password', label: 'Mật khẩu ban đầu', type: 'password', error: f.password, required: true, extra: html` autocomplete="new-password" maxlength="256"`, hint: `Tối thiểu 10 ký tự. Hệ thống không gửi thư: hãy báo mật khẩu cho người dùng qua kênh an toàn.${values.username ? ' Vì lý do an toàn, mật khẩu không được điền lại sau khi có lỗi; vui lòng nhập lại.' : ''}` })}
  <div class="form-foot"><button class="button primary" type="submit">Tạo người dùng</button> <a href="${USERS}">Hủy</a></div>
</form>`;
    return kit.page(req, reply, { title: 'Tạo người dùng', body, section: BASE, breadcrumbs: [['Quản trị', USERS], ['Người dùng', USERS], ['Tạo mới']], status: error?.status ?? 200 });
  }

  app.get(CREATE_USER, { config: cfg, schema: hide }, async (req, reply) => createUserPage(req, reply));

  app.post(CREATE_USER, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'user.write');
    const b = req.body;
    const values: Values = { username: posted(b, 'username'), displayName: posted(b, 'displayName'), role: posted(b, 'role'), orgUnitCode: posted(b, 'orgUnitCode') };
    const parsed = userCreateSchema.safeParse({ ...values, orgUnitCode: values.orgUnitCode || null, password: field(b, 'password') ?? '' });
    if (!parsed.success) return createUserPage(req, reply, values, schemaError(parsed.error));
    try {
      const u = await users.create(ctx, parsed.data);
      return kit.redirect(reply, userHref(u.username), 'qt-tao-nd');
    } catch (err) {
      return createUserPage(req, reply, values, serviceError(err));
    }
  });

  type UserForm = 'edit' | 'password' | 'status' | 'unlock';

  async function userPage(req: FastifyRequest, reply: FastifyReply, username: string, error?: { form: UserForm; e: FormError; values?: Values }) {
    const ctx = kit.ctx(req);
    const u = await users.get(ctx, username);
    const units = await unitChoices(req);
    const write = mayWriteUsers(req.actor);
    const csrf = kit.csrf(req, reply);
    const locked = lockedUntil(u, ctx.now);
    const self = req.actor?.userId === u.id;
    const errFor = (form: UserForm) => (error?.form === form ? error.e : undefined);
    const ef = errFor('edit')?.fields ?? {};
    const v: Values = error?.form === 'edit' && error.values ? error.values : { displayName: u.displayName, role: u.role, orgUnitCode: u.orgUnitCode ?? '' };
    const base = userHref(u.username);
    const body = html`<div class="page-head"><div><h1>${u.displayName}</h1><p class="sub">${u.username} · ${roleLabels[u.role]}</p></div>
  <div class="status-box">${activeTag(u.active, 'Ngừng kích hoạt')}${locked ? html` <span class="tag warn">Bị khóa đến ${fmtDateTime(locked)}</span>` : ''}</div></div>
<section class="panel"><dl class="facts">
  <div><dt>Tên đăng nhập</dt><dd>${u.username}</dd></div>
  <div><dt>Vai trò</dt><dd>${roleLabels[u.role]}</dd></div>
  <div><dt>Đơn vị</dt><dd>${u.orgUnitCode ? html`<a href="${unitHref(u.orgUnitCode)}">${units.name.get(u.orgUnitCode) ?? u.orgUnitCode}</a> <span class="muted">(${u.orgUnitCode})</span>` : '–'}</dd></div>
  <div><dt>Tạo lúc</dt><dd>${fmtDateTime(u.createdAt)}</dd></div>
  <div><dt>Cập nhật lần cuối</dt><dd>${fmtDateTime(u.updatedAt)}</dd></div>
</dl></section>
${
  write
    ? html`<section class="panel" id="sua">
  <h2>Sửa thông tin</h2>
  ${errorBox(errFor('edit'), same('displayName', 'role', 'orgUnitCode'))}
  <form method="post" action="${base}" class="stack" novalidate>
    <input type="hidden" name="_csrf" value="${csrf}">
    ${textInput({ id: 'displayName', name: 'displayName', label: 'Họ và tên', value: v.displayName, error: ef.displayName, required: true, extra: html` maxlength="200"` })}
    <div class="field-row">
      ${selectInput({ id: 'role', name: 'role', label: 'Vai trò', value: v.role, error: ef.role, options: roleOptions() })}
      ${selectInput({ id: 'orgUnitCode', name: 'orgUnitCode', label: 'Đơn vị', value: v.orgUnitCode, error: ef.orgUnitCode, options: units.options(false), empty: '– Không gắn đơn vị –', cls: 'grow' })}
    </div>
    <p class="hint">Đổi vai trò hoặc đơn vị sẽ đăng xuất người dùng khỏi mọi phiên đang mở.</p>
    <button class="button primary" type="submit">Lưu thông tin</button>
  </form>
</section>
<section class="panel" id="mat-khau">
  <h2>Đặt lại mật khẩu</h2>
  ${errorBox(errFor('password'), { password: 'new-password' })}
  <form method="post" action="${base}/mat-khau" class="stack" novalidate>
    <input type="hidden" name="_csrf" value="${csrf}">
    ${textInput({ id: 'new-password', name: 'password', label: 'Mật khẩu mới', type: 'password', error: errFor('password')?.fields.password, required: true, extra: html` autocomplete="new-password" maxlength="256"`, hint: `Tối thiểu 10 ký tự. Mọi phiên đăng nhập của người dùng bị thu hồi và tài khoản được mở khóa.${self ? ' Đây là tài khoản của bạn: bạn sẽ phải đăng nhập lại.' : ''}` })}
    <button class="button" type="submit">Đặt lại mật khẩu</button>
  </form>
</section>
<section class="panel" id="trang-thai">
  <h2>Trạng thái tài khoản</h2>
  ${errorBox(errFor('status') ?? errFor('unlock'))}
  ${
    u.active
      ? html`<form method="post" action="${base}/trang-thai" data-confirm="Ngừng kích hoạt tài khoản ${u.username}? Người dùng sẽ bị đăng xuất ngay.">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="active" value="0">
    <p>Tài khoản đang hoạt động. Khi ngừng kích hoạt, người dùng không đăng nhập được và mọi phiên đang mở bị thu hồi; dữ liệu và lịch sử vẫn được giữ.</p>
    <button class="button danger" type="submit"${attr('disabled', self)}>Ngừng kích hoạt</button>${self ? html` <span class="muted">Bạn không thể tự ngừng kích hoạt tài khoản của mình.</span>` : ''}
  </form>`
      : html`<form method="post" action="${base}/trang-thai">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="active" value="1">
    <p>Tài khoản đang ngừng kích hoạt.</p>
    <button class="button primary" type="submit">Kích hoạt lại</button>
  </form>`
  }
  ${
    locked
      ? html`<form method="post" action="${base}/mo-khoa" class="stack">
    <input type="hidden" name="_csrf" value="${csrf}">
    <p>Tài khoản bị tạm khóa do đăng nhập sai nhiều lần (đến ${fmtDateTime(locked)}).</p>
    <button class="button" type="submit">Mở khóa</button>
  </form>`
      : html`<p class="muted">Tài khoản không bị khóa đăng nhập.</p>`
  }
</section>`
    : html`<p class="muted">Việc sửa tài khoản do quản trị hệ thống thực hiện.</p>`
}`;
    return kit.page(req, reply, {
      title: u.username,
      body,
      section: BASE,
      flash: flashOf(req),
      breadcrumbs: [['Quản trị', USERS], ['Người dùng', USERS], [u.username]],
      status: error?.e.status ?? 200,
    });
  }

  type PU = { Params: { username: string } };

  app.get<PU>(`${USERS}/:username`, { config: cfg, schema: hide }, async (req, reply) => userPage(req, reply, req.params.username));

  /** Runs one user change through the service; a form error re-renders the page with what was typed. */
  async function userAction(req: FastifyRequest<PU>, reply: FastifyReply, form: UserForm, run: () => Promise<unknown>, flash: string, values?: Values) {
    try {
      await run();
    } catch (err) {
      return userPage(req, reply, req.params.username, { form, e: serviceError(err), ...(values ? { values } : {}) });
    }
    return kit.redirect(reply, userHref(req.params.username.toLowerCase()), flash);
  }

  app.post<PU>(`${USERS}/:username`, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'user.write');
    const b = req.body;
    const values: Values = { displayName: posted(b, 'displayName'), role: posted(b, 'role'), orgUnitCode: posted(b, 'orgUnitCode') };
    const parsed = userPatchSchema.safeParse({ displayName: values.displayName, role: values.role, orgUnitCode: values.orgUnitCode || null });
    if (!parsed.success) return userPage(req, reply, req.params.username, { form: 'edit', e: schemaError(parsed.error), values });
    const cur = await users.get(ctx, req.params.username);
    // Only what changed is sent, so a rename does not re-check an unchanged role/unit binding.
    const patch = {
      ...(parsed.data.displayName !== cur.displayName ? { displayName: parsed.data.displayName } : {}),
      ...(parsed.data.role !== cur.role ? { role: parsed.data.role } : {}),
      ...((parsed.data.orgUnitCode ?? null) !== cur.orgUnitCode ? { orgUnitCode: parsed.data.orgUnitCode ?? null } : {}),
    };
    if (Object.keys(patch).length === 0) return kit.redirect(reply, userHref(cur.username), 'qt-khong-doi');
    return userAction(req, reply, 'edit', () => users.update(ctx, cur.username, patch), 'qt-luu-nd', values);
  });

  app.post<PU>(`${USERS}/:username/mat-khau`, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'user.write');
    const parsed = userPatchSchema.safeParse({ password: field(req.body, 'password') ?? '' });
    if (!parsed.success) return userPage(req, reply, req.params.username, { form: 'password', e: schemaError(parsed.error) });
    return userAction(req, reply, 'password', () => users.update(ctx, req.params.username, { password: parsed.data.password! }), 'qt-mat-khau');
  });

  app.post<PU>(`${USERS}/:username/trang-thai`, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'user.write');
    const active = field(req.body, 'active') === '1';
    return userAction(req, reply, 'status', () => users.update(ctx, req.params.username, { active }), active ? 'qt-kich-hoat-nd' : 'qt-ngung-nd');
  });

  app.post<PU>(`${USERS}/:username/mo-khoa`, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'user.write');
    return userAction(req, reply, 'unlock', () => users.unlock(ctx, req.params.username), 'qt-mo-khoa');
  });

  // -----------------------------------------------------------------------------------------------------------
  // Org units.

  async function unitsPage(req: FastifyRequest, reply: FastifyReply, values: Values = {}, error?: FormError) {
    const units = await unitChoices(req);
    const write = mayWriteUnits(req.actor);
    const f = error?.fields ?? {};
    const body = html`<div class="page-head"><div><h1>Đơn vị</h1><p class="sub">${units.list.length} đơn vị · ${units.list.filter((u) => u.active).length} đang hoạt động</p></div>
  <div>${write ? html`<a class="button primary" href="#tao-don-vi">Tạo đơn vị</a>` : ''}</div></div>
${tabs('units')}
${
  units.list.length === 0
    ? html`<p class="panel">Chưa có đơn vị nào.</p>`
    : html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Mã</th><th scope="col">Tên đơn vị</th><th scope="col">Loại</th><th scope="col">Đơn vị cấp trên</th><th scope="col">Trạng thái</th></tr></thead>
<tbody>${units.list.map(
        (u) => html`<tr id="dv-${u.code}"><td><a href="${unitHref(u.code)}">${u.code}</a></td><th scope="row"><a href="${unitHref(u.code)}">${u.name}</a></th><td>${kindLabels[u.kind]}</td>
<td>${u.parentCode ? html`${units.name.get(u.parentCode) ?? u.parentCode} <span class="muted">(${u.parentCode})</span>` : '–'}</td>
<td>${activeTag(u.active)}${u.activeTo ? html`<br><span class="muted">${u.active ? 'đến hết' : 'từ'} ${fmtDate(u.active ? prevDay(u.activeTo) : u.activeTo)}</span>` : ''}</td></tr>`,
      )}</tbody></table></div>`
}
${
  write
    ? html`<section class="panel" id="tao-don-vi">
  <h2>Tạo đơn vị</h2>
  ${errorBox(error, same('code', 'name', 'kind', 'parentCode'))}
  <form method="post" action="${UNITS}" class="stack" novalidate>
    <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
    <div class="field-row">
      ${textInput({ id: 'code', name: 'code', label: 'Mã đơn vị', value: values.code, error: f.code, required: true, extra: html` autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="32"`, hint: 'Mã cố định, không đổi được sau khi tạo; ví dụ P1, STP.' })}
      ${textInput({ id: 'name', name: 'name', label: 'Tên đơn vị', value: values.name, error: f.name, required: true, extra: html` maxlength="300"`, cls: 'grow' })}
    </div>
    <div class="field-row">
      ${selectInput({ id: 'kind', name: 'kind', label: 'Loại đơn vị', value: values.kind, error: f.kind, options: kindOptions(), empty: '– Chọn loại –' })}
      ${selectInput({ id: 'parentCode', name: 'parentCode', label: 'Đơn vị cấp trên', value: values.parentCode, error: f.parentCode, options: units.options(false), empty: '– Không có –', cls: 'grow' })}
    </div>
    <button class="button primary" type="submit">Tạo đơn vị</button>
  </form>
</section>`
    : html`<p class="muted">Bạn được xem danh sách; việc tạo và sửa đơn vị do quản trị hệ thống thực hiện.</p>`
}`;
    return kit.page(req, reply, { title: 'Đơn vị', body, section: BASE, flash: flashOf(req), breadcrumbs: [['Quản trị', USERS], ['Đơn vị']], status: error?.status ?? 200 });
  }

  app.get(UNITS, { config: cfg, schema: hide }, async (req, reply) => unitsPage(req, reply));

  app.post(UNITS, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'org_unit.write');
    const b = req.body;
    const values: Values = { code: posted(b, 'code'), name: posted(b, 'name'), kind: posted(b, 'kind'), parentCode: posted(b, 'parentCode') };
    const parsed = orgUnitCreateBody.safeParse({ ...values, parentCode: values.parentCode || null });
    if (!parsed.success) return unitsPage(req, reply, values, schemaError(parsed.error));
    try {
      const u = await orgUnits.create(ctx, parsed.data);
      return kit.redirect(reply, UNITS, 'qt-tao-dv', `dv-${u.code}`);
    } catch (err) {
      return unitsPage(req, reply, values, serviceError(err));
    }
  });

  type UnitForm = 'edit' | 'deactivate' | 'reactivate';

  async function unitPage(req: FastifyRequest, reply: FastifyReply, code: string, error?: { form: UnitForm; e: FormError; values?: Values }) {
    const ctx = kit.ctx(req);
    const u = await orgUnits.get(ctx, code);
    const units = await unitChoices(req);
    const write = mayWriteUnits(req.actor);
    const csrf = kit.csrf(req, reply);
    const errFor = (form: UnitForm) => (error?.form === form ? error.e : undefined);
    const ef = errFor('edit')?.fields ?? {};
    const df = errFor('deactivate')?.fields ?? {};
    const v: Values = error?.form === 'edit' && error.values ? error.values : { name: u.name, kind: u.kind, parentCode: u.parentCode ?? '' };
    const dv: Values = error?.form === 'deactivate' && error.values ? error.values : { activeTo: fmtDate(vnDate(ctx.now)), reason: '' };
    const children = units.list.filter((x) => x.parentCode === u.code);
    const base = unitHref(u.code);
    const body = html`<div class="page-head"><div><h1>${u.name}</h1><p class="sub">${u.code} · ${kindLabels[u.kind]}</p></div>
  <div class="status-box">${activeTag(u.active)}</div></div>
<section class="panel"><dl class="facts">
  <div><dt>Mã đơn vị</dt><dd>${u.code}</dd></div>
  <div><dt>Loại</dt><dd>${kindLabels[u.kind]}</dd></div>
  <div><dt>Đơn vị cấp trên</dt><dd>${u.parentCode ? html`<a href="${unitHref(u.parentCode)}">${units.name.get(u.parentCode) ?? u.parentCode}</a>` : '–'}</dd></div>
  <div><dt>Hoạt động từ</dt><dd>${fmtDate(u.activeFrom)}</dd></div>
  <div><dt>Ngừng hoạt động từ</dt><dd>${fmtDate(u.activeTo)}</dd></div>
  <div><dt>Đơn vị trực thuộc</dt><dd>${children.length ? children.map((c, i) => html`${i ? ', ' : ''}<a href="${unitHref(c.code)}">${c.name}</a>`) : '–'}</dd></div>
</dl>
<p><a href="${USERS}?don_vi=${encodeURIComponent(u.code)}">Người dùng của đơn vị</a></p></section>
${
  write
    ? html`<section class="panel" id="sua">
  <h2>Sửa thông tin</h2>
  ${errorBox(errFor('edit'), same('name', 'kind', 'parentCode'))}
  <form method="post" action="${base}" class="stack" novalidate>
    <input type="hidden" name="_csrf" value="${csrf}">
    ${textInput({ id: 'name', name: 'name', label: 'Tên đơn vị', value: v.name, error: ef.name, required: true, extra: html` maxlength="300"` })}
    <div class="field-row">
      ${selectInput({ id: 'kind', name: 'kind', label: 'Loại đơn vị', value: v.kind, error: ef.kind, options: kindOptions() })}
      ${selectInput({ id: 'parentCode', name: 'parentCode', label: 'Đơn vị cấp trên', value: v.parentCode, error: ef.parentCode, options: units.options(false, u.code), empty: '– Không có –', cls: 'grow' })}
    </div>
    <p class="hint">Mã đơn vị không đổi được.</p>
    <button class="button primary" type="submit">Lưu thông tin</button>
  </form>
</section>
<section class="panel" id="trang-thai">
  <h2>${u.active ? 'Ngừng hoạt động' : 'Hoạt động trở lại'}</h2>
  ${errorBox(errFor('deactivate') ?? errFor('reactivate'), same('activeTo', 'reason'))}
  ${
    u.active
      ? html`<form method="post" action="${base}/ngung" class="stack" data-confirm="Ghi nhận ${u.name} ngừng hoạt động?" novalidate>
    <input type="hidden" name="_csrf" value="${csrf}">
    <p>Đơn vị sáp nhập hoặc giải thể: ghi ngày bắt đầu ngừng hoạt động. Lịch sử đánh giá của đơn vị vẫn được giữ; đơn vị không còn được chọn cho người dùng và kỳ đánh giá mới.</p>
    <div class="field-row">
      ${textInput({ id: 'activeTo', name: 'activeTo', label: 'Ngừng hoạt động từ ngày', value: dv.activeTo, error: df.activeTo, required: true, extra: html` inputmode="numeric" placeholder="dd/mm/yyyy"` })}
      ${textInput({ id: 'reason', name: 'reason', label: 'Lý do (ví dụ số quyết định sáp nhập)', value: dv.reason, error: df.reason, required: true, extra: html` maxlength="1000"`, cls: 'grow' })}
    </div>
    <button class="button danger" type="submit">Ngừng hoạt động</button>
  </form>`
      : html`<form method="post" action="${base}/kich-hoat" class="stack">
    <input type="hidden" name="_csrf" value="${csrf}">
    <p>Đơn vị đã ngừng hoạt động${u.activeTo ? ` từ ${fmtDate(u.activeTo)}` : ''}. Cho đơn vị hoạt động trở lại (xóa ngày ngừng hoạt động)?</p>
    <button class="button" type="submit">Cho hoạt động trở lại</button>
  </form>`
  }
</section>`
    : html`<p class="muted">Việc sửa đơn vị do quản trị hệ thống thực hiện.</p>`
}`;
    return kit.page(req, reply, {
      title: u.name,
      body,
      section: BASE,
      flash: flashOf(req),
      breadcrumbs: [['Quản trị', USERS], ['Đơn vị', UNITS], [u.code]],
      status: error?.e.status ?? 200,
    });
  }

  type PC = { Params: { code: string } };

  app.get<PC>(`${UNITS}/:code`, { config: cfg, schema: hide }, async (req, reply) => unitPage(req, reply, req.params.code));

  async function unitAction(req: FastifyRequest<PC>, reply: FastifyReply, form: UnitForm, run: () => Promise<unknown>, flash: string, values?: Values) {
    try {
      await run();
    } catch (err) {
      return unitPage(req, reply, req.params.code, { form, e: serviceError(err), ...(values ? { values } : {}) });
    }
    return kit.redirect(reply, unitHref(req.params.code), flash);
  }

  app.post<PC>(`${UNITS}/:code`, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'org_unit.write');
    const b = req.body;
    const values: Values = { name: posted(b, 'name'), kind: posted(b, 'kind'), parentCode: posted(b, 'parentCode') };
    const parsed = orgUnitPatchBody.safeParse({ name: values.name, kind: values.kind, parentCode: values.parentCode || null });
    if (!parsed.success) return unitPage(req, reply, req.params.code, { form: 'edit', e: schemaError(parsed.error), values });
    const cur = await orgUnits.get(ctx, req.params.code);
    const patch = {
      ...(parsed.data.name !== cur.name ? { name: parsed.data.name } : {}),
      ...(parsed.data.kind !== cur.kind ? { kind: parsed.data.kind } : {}),
      ...((parsed.data.parentCode ?? null) !== cur.parentCode ? { parentCode: parsed.data.parentCode ?? null } : {}),
    };
    if (Object.keys(patch).length === 0) return kit.redirect(reply, unitHref(cur.code), 'qt-khong-doi');
    return unitAction(req, reply, 'edit', () => orgUnits.update(ctx, cur.code, patch), 'qt-luu-dv', values);
  });

  app.post<PC>(`${UNITS}/:code/ngung`, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'org_unit.write');
    const values: Values = { activeTo: posted(req.body, 'activeTo'), reason: posted(req.body, 'reason') };
    const day = values.activeTo ? parseDate(values.activeTo) : undefined;
    if (day === null) return unitPage(req, reply, req.params.code, { form: 'deactivate', e: { status: 422, message: INVALID, fields: { activeTo: adminFieldMessage('activeTo', { code: 'invalid_date', message: '' }) } }, values });
    const parsed = orgUnitDeactivateBody.safeParse({ ...(day ? { activeTo: day } : {}), reason: values.reason });
    if (!parsed.success) return unitPage(req, reply, req.params.code, { form: 'deactivate', e: schemaError(parsed.error), values });
    return unitAction(req, reply, 'deactivate', () => orgUnits.deactivate(ctx, req.params.code, parsed.data), 'qt-ngung-dv', values);
  });

  app.post<PC>(`${UNITS}/:code/kich-hoat`, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    authorize(ctx.actor, 'org_unit.write');
    return unitAction(req, reply, 'reactivate', () => orgUnits.update(ctx, req.params.code, { activeTo: null }), 'qt-kich-hoat-dv');
  });
}

/** The last day a unit is active, from its first inactive day (activeTo is exclusive). */
function prevDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
