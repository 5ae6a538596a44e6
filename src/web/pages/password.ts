// Đổi mật khẩu: any logged-in user may change their password here; an account whose password someone else set
// (the first admin's generated password printed on the console, a reset by an admin) is sent here after login and
// cannot open any other page until it is done (see the preHandler in ../index.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MIN_PASSWORD_LENGTH } from '../../modules/auth/auth.service.js';
import { AppError, ValidationError, type FieldError } from '../../lib/errors.js';
import { errorSummary, fieldError, invalidAttrs } from '../form-errors.js';
import { html } from '../html.js';
import { field, homeOf, type Kit } from '../kit.js';
import { cookieOptions } from '../session.js';

export const PASSWORD_PAGE = '/doi-mat-khau';
const hide = { hide: true } as const;

const labels = { current: 'Mật khẩu hiện tại', next: 'Mật khẩu mới', again: 'Nhập lại mật khẩu mới' } as const;
type Key = keyof typeof labels;

export function passwordPages(app: FastifyInstance, kit: Kit) {
  const { auth } = app.services;
  const cfg = { webRoles: 'any' as const };

  function page(req: FastifyRequest, reply: FastifyReply, errors: Partial<Record<Key, string>> = {}, status = 200) {
    const forced = !!req.actor?.mustChangePassword;
    const keys = (Object.keys(labels) as Key[]).filter((k) => errors[k]);
    const input = (k: Key, autocomplete: string) => html`<div class="field"><label for="mk-${k}">${labels[k]}</label>
  <input id="mk-${k}" name="${k}" type="password" autocomplete="${autocomplete}" required maxlength="256"${invalidAttrs(`mk-${k}`, errors[k])}>
  ${k === 'next' ? html`<p class="hint">Tối thiểu ${MIN_PASSWORD_LENGTH} ký tự, khác mật khẩu hiện tại.</p>` : ''}${fieldError(`mk-${k}`, errors[k])}</div>`;
    const body = html`<section class="panel login">
  <h1>Đổi mật khẩu</h1>
  ${
    forced
      ? html`<p class="flash flash-info" role="status">Mật khẩu của tài khoản này do người khác đặt (mật khẩu tạo tự động khi khởi động lần đầu, hoặc do quản trị đặt lại). Vui lòng đặt mật khẩu mới trước khi sử dụng hệ thống.</p>`
      : ''
  }
  ${keys.length ? errorSummary('Chưa đổi được mật khẩu, vui lòng kiểm tra các ô được đánh dấu.', keys.map((k) => [`mk-${k}`, labels[k]] as const)) : ''}
  <form method="post" action="${PASSWORD_PAGE}" class="stack" novalidate>
    <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
    <input type="hidden" name="username" value="${req.actor?.username ?? ''}" autocomplete="username">
    ${input('current', 'current-password')}
    ${input('next', 'new-password')}
    ${input('again', 'new-password')}
    <button class="button primary big" type="submit">Đổi mật khẩu</button>
  </form>
  <p class="muted">Sau khi đổi, mọi phiên đăng nhập khác của tài khoản (kể cả mã truy cập API) bị thu hồi.</p>
</section>`;
    return kit.page(req, reply, { title: 'Đổi mật khẩu', body, narrow: true, status });
  }

  app.get(PASSWORD_PAGE, { config: cfg, schema: hide }, async (req, reply) => page(req, reply));

  app.post(PASSWORD_PAGE, { config: cfg, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    const current = field(req.body, 'current') ?? '';
    const next = field(req.body, 'next') ?? '';
    const again = field(req.body, 'again') ?? '';
    const errors: Partial<Record<Key, string>> = {};
    if (!current) errors.current = 'Vui lòng nhập mật khẩu hiện tại.';
    if (next.length < MIN_PASSWORD_LENGTH) errors.next = `Mật khẩu mới cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`;
    else if (next === current) errors.next = 'Mật khẩu mới phải khác mật khẩu hiện tại.';
    if (!errors.next && again !== next) errors.again = 'Hai lần nhập mật khẩu mới không giống nhau.';
    if (Object.keys(errors).length) return page(req, reply, errors, 422);
    try {
      await auth.changePassword(ctx, { currentPassword: current.slice(0, 256), newPassword: next.slice(0, 256) });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const e of (err.extra.errors as FieldError[] | undefined) ?? []) {
        if (e.field.endsWith('currentPassword')) errors.current = 'Mật khẩu hiện tại không đúng.';
        else errors.next = `Mật khẩu mới cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`;
      }
      return page(req, reply, errors, 422);
    }
    // Every token of the account was revoked with the change, this session's too: a new one, so the user goes on.
    try {
      const r = await auth.login({ username: ctx.actor.username, password: next }, { requestId: req.id, now: app.clock(), ip: req.ip });
      reply.setCookie(kit.names.session, r.token, cookieOptions(kit.names, (Date.parse(r.expiresAt) - app.clock().getTime()) / 1000));
      return kit.redirect(reply, homeOf(r.user.role), 'da-doi-mat-khau');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      reply.clearCookie(kit.names.session, cookieOptions(kit.names));
      return kit.redirect(reply, '/dang-nhap', 'da-doi-mat-khau');
    }
  });
}
