// What every page module uses: the session's actor and service context, rendering, redirects, form fields.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../db/schema.js';
import type { Ctx } from '../lib/context.js';
import { UnauthorizedError } from '../lib/errors.js';
import { DB_RETRY_AFTER_SECONDS } from '../lib/db-errors.js';
import { html, type Html } from './html.js';
import { layout, type Flash, type PageOptions } from './layout.js';
import { webError, type WebError } from './messages.js';
import { csrfToken, type CookieNames } from './session.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Web page: who may open it ('any' = any logged-in user); absent = public. */
    webRoles?: readonly Role[] | 'any';
    /** Multipart form: the handler checks the CSRF field itself (it arrives as the first part). */
    webManualCsrf?: boolean;
  }
  interface FastifyRequest {
    /** A session cookie was sent but its token is expired or revoked. */
    webSessionExpired?: boolean;
  }
}

export const UNIT_ROLES = ['unit_editor', 'unit_head'] as const satisfies readonly Role[];
export const COORDINATOR = ['coordinator'] as const satisfies readonly Role[];

export interface Kit {
  names: CookieNames;
  ctx(req: FastifyRequest): Ctx;
  csrf(req: FastifyRequest, reply: FastifyReply): string;
  /** Renders a full page in the common layout. */
  page(req: FastifyRequest, reply: FastifyReply, o: Omit<PageOptions, 'actor' | 'csrf'> & { status?: number }): FastifyReply;
  /** A Vietnamese error page for a service error. */
  errorPage(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply;
  /** POST-redirect-GET with a flash code understood by `flashOf`. */
  redirect(reply: FastifyReply, url: string, flash?: string, anchor?: string): FastifyReply;
  flashOf(req: FastifyRequest): Flash | null;
}

/** Messages shown after a redirect, by code (the URL carries the code, never the text). */
const flashTexts: Record<string, Flash> = {
  'da-luu': { kind: 'ok', text: 'Đã lưu kết quả tự chấm.' },
  'da-dinh-kem': { kind: 'ok', text: 'Đã đính kèm tài liệu kiểm chứng.' },
  'da-go': { kind: 'ok', text: 'Đã gỡ tài liệu kiểm chứng.' },
  'da-giai-trinh': { kind: 'ok', text: 'Đã gửi nội dung giải trình.' },
  'da-nop': { kind: 'ok', text: 'Đã nộp bản tự đánh giá. Cảm ơn đơn vị!' },
  'da-tham-dinh': { kind: 'ok', text: 'Đã lưu kết quả thẩm định.' },
  'da-chot': { kind: 'ok', text: 'Đã lưu điểm thẩm định lại.' },
  'da-tao-ky': { kind: 'ok', text: 'Đã tạo kỳ đánh giá (dự thảo).' },
  'da-chuyen': { kind: 'ok', text: 'Đã chuyển giai đoạn.' },
  'da-luu-lich': { kind: 'ok', text: 'Đã lưu lịch các giai đoạn.' },
  'da-phan-cong': { kind: 'ok', text: 'Đã lưu phân công thẩm định.' },
  'da-gia-han': { kind: 'ok', text: 'Đã gia hạn cho đơn vị.' },
  'da-tra-lai': { kind: 'ok', text: 'Đã trả lại bản tự đánh giá cho đơn vị.' },
  'da-xac-nhan': { kind: 'ok', text: 'Đã xác nhận điểm tự chấm cho các tiêu chí chưa thẩm định.' },
  'da-cong-bo': { kind: 'ok', text: 'Đã công bố kết quả.' },
  'da-luu-hoi-dong': { kind: 'ok', text: 'Đã lưu hồ sơ Hội đồng thẩm định.' },
  'da-luu-bien-ban': { kind: 'ok', text: 'Đã ghi nhận biên bản họp Hội đồng.' },
  'da-kien-nghi': { kind: 'ok', text: 'Đã gửi kiến nghị. Hội đồng/người thẩm định sẽ xem xét ở giai đoạn Thẩm định lại.' },
  'da-ban-hanh': { kind: 'ok', text: 'Đã ban hành bộ tiêu chí.' },
  'da-nhap': { kind: 'ok', text: 'Đã nhập bộ tiêu chí (dự thảo). Kiểm tra rồi ban hành.' },
  'da-dang-xuat': { kind: 'info', text: 'Bạn đã đăng xuất.' },
  'da-doi-mat-khau': { kind: 'ok', text: 'Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã bị thu hồi.' },
  'het-han': { kind: 'info', text: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.' },
};

export function createKit(names: CookieNames): Kit {
  const kit: Kit = {
    names,
    ctx(req) {
      if (!req.actor) throw new UnauthorizedError();
      return { actor: req.actor, requestId: req.id, now: req.server.clock() };
    },
    csrf: (req, reply) => csrfToken(req, reply, names),
    page(req, reply, o) {
      const { status, ...rest } = o;
      const body = layout({ ...rest, actor: req.actor, csrf: kit.csrf(req, reply) });
      return reply
        .code(status ?? 200)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(body.toString());
    },
    errorPage(req, reply, err) {
      const e: WebError = webError(err);
      if (e.status === 503) reply.header('retry-after', String(DB_RETRY_AFTER_SECONDS));
      else if (e.status >= 500) req.log.error({ err }, 'web page failed');
      const title = e.status === 404 ? 'Không tìm thấy' : e.status === 403 ? 'Không có quyền' : e.status >= 500 ? 'Đã có lỗi' : 'Không thực hiện được';
      const body: Html = html`<section class="panel error-page">
  <h1>${title}</h1>
  <p>${e.message}</p>
  ${e.status >= 500 ? html`<p class="muted">Mã yêu cầu: <code>${req.id}</code> (cung cấp mã này khi báo lỗi).</p>` : ''}
  <p><a class="button" href="/">Về trang chính</a></p>
</section>`;
      return kit.page(req, reply, { title, body, status: e.status });
    },
    redirect(reply, url, flash, anchor) {
      const sep = url.includes('?') ? '&' : '?';
      return reply.redirect(`${url}${flash ? `${sep}tb=${encodeURIComponent(flash)}` : ''}${anchor ? `#${encodeURIComponent(anchor)}` : ''}`, 303);
    },
    flashOf(req) {
      const code = (req.query as Record<string, unknown> | undefined)?.tb;
      return typeof code === 'string' ? (flashTexts[code] ?? null) : null;
    },
  };
  return kit;
}

/** One text field of a parsed form (the first when repeated). */
export function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | null | undefined)?.[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeated form field (checkbox lists). */
export function fields(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | null | undefined)?.[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** A local path to return to after login: never another origin. */
export function safeNext(next: string | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}

/** The home page of each role. */
export function homeOf(role: Role): string {
  switch (role) {
    case 'unit_editor':
    case 'unit_head':
      return '/don-vi';
    case 'appraiser':
      return '/tham-dinh';
    case 'coordinator':
      return '/dieu-phoi';
    case 'admin':
      return '/dieu-phoi/bo-tieu-chi';
  }
}

/**
 * Reads an uploaded form part into memory up to `maxBytes`; past that the rest is drained and `tooBig` is set, so
 * the page can answer with a message instead of holding an oversized file.
 */
export async function readCappedPart(file: AsyncIterable<unknown>, maxBytes: number): Promise<{ buffer: Buffer; tooBig: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  for await (const chunk of file) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) tooBig = true;
    else chunks.push(chunk as Buffer);
  }
  return { buffer: Buffer.concat(chunks), tooBig };
}
