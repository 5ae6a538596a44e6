// The web forms: server-rendered Vietnamese pages beside the API, on the same services and authorisation.
// Sessions are login tokens in an HttpOnly cookie; every POST carries a CSRF token; assets (CSS, JS, the chart
// library) are served from this server, never a CDN. Routes are hidden from the OpenAPI document.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { contentDisposition } from '../lib/blobs/index.js';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import { html } from './html.js';
import { createKit, field, homeOf, safeNext, type Kit } from './kit.js';
import { webError } from './messages.js';
import { adminPages } from './pages/admin.js';
import { appraiserPages } from './pages/appraiser.js';
import { coordinatorPages } from './pages/coordinator.js';
import { settlementPages } from './pages/settlement.js';
import { councilPages } from './pages/council.js';
import { resultsExportPages } from './pages/exports.js';
import { frameworkPages } from './pages/frameworks.js';
import { notFoundPages } from './pages/not-found.js';
import { planPages } from './pages/plans.js';
import { passwordPages, PASSWORD_PAGE } from './pages/password.js';
import { publicPages } from './pages/public.js';
import { surveyPages } from './pages/surveys.js';
import { csrfRefused, unitPages } from './pages/unit.js';
import { checkRequestOrigin } from './origin.js';
import { registerPostRedirectGet } from './prg.js';
import { cookieNames, cookieOptions, verifyCsrf } from './session.js';

const hide = { hide: true } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** src/web/assets, also when running the compiled dist/src/web/index.js (assets are not compiled). */
export function assetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'assets'), path.resolve(here, '../../../src/web/assets')];
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'app.css')));
  if (!found) throw new Error(`web assets not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Third-party browser files served from node_modules under /assets/vendor/. */
function vendorFiles(): Record<string, { file: string; type: string }> {
  const require = createRequire(import.meta.url);
  const chartDir = path.dirname(require.resolve('chart.js'));
  return { 'chart.umd.min.js': { file: path.join(chartDir, 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' } };
}

function loginPage(kit: Kit, req: FastifyRequest, reply: FastifyReply, o: { next?: string | null; username?: string; error?: string; status?: number } = {}) {
  const expired = req.webSessionExpired || (req.query as Record<string, unknown>)?.['het-han'] !== undefined;
  const body = html`<section class="panel login">
  <h1>Đăng nhập</h1>
  <p class="muted">Hệ thống xác định Chỉ số cải cách hành chính. Tài khoản do cơ quan điều phối (Phòng/Sở Nội vụ) cấp.</p>
  ${expired && !o.error ? html`<p class="flash flash-info" role="status">Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.</p>` : ''}
  ${o.error ? html`<p class="flash flash-error" role="alert">${o.error}</p>` : ''}
  <form method="post" action="/dang-nhap" class="stack">
    <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
    ${o.next ? html`<input type="hidden" name="tiep" value="${o.next}">` : ''}
    <div class="field"><label for="username">Tên đăng nhập</label><input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${o.username ?? ''}" autofocus></div>
    <div class="field"><label for="password">Mật khẩu</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
    <button class="button primary big" type="submit">Đăng nhập</button>
  </form>
  <p><a href="/cong-khai">Xem kết quả Chỉ số CCHC đã công bố</a></p>
</section>`;
  return kit.page(req, reply, { title: 'Đăng nhập', body, narrow: true, flash: kit.flashOf(req), status: o.status ?? 200 });
}

export const webRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const names = cookieNames(app.appConfig);
  const kit = createKit(names);
  const { auth, assessments } = app.services;

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  await app.register(fastifyStatic, { root: assetsDir(), prefix: '/assets/', decorateReply: false, maxAge: '1h', schemaHide: true });

  const vendor = vendorFiles();
  app.get<{ Params: { file: string } }>('/assets/vendor/:file', { schema: hide }, async (req, reply) => {
    const v = vendor[req.params.file];
    if (!v) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy');
    return reply.type(v.type).header('cache-control', 'public, max-age=86400').send(fs.createReadStream(v.file));
  });

  // The session: the login token in the cookie, resolved by the auth service exactly as a bearer token is.
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/assets/')) return;
    const raw = req.cookies[names.session];
    if (!raw) return;
    const actor = await auth.resolve(raw, app.clock());
    if (actor && actor.tokenKind === 'session') {
      req.actor = actor;
    } else {
      req.webSessionExpired = true;
      reply.clearCookie(names.session, cookieOptions(names));
    }
  });

  // Form POSTs answered with a page are redirected (303) to the form's page, which shows that page again (prg.ts).
  registerPostRedirectGet(app, names);

  // Unsafe requests from another site's page are refused before the body is read, even with a valid CSRF token.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    const verdict = checkRequestOrigin(app.appConfig, req);
    if (verdict.ok) return;
    req.log.warn({ origin: verdict.origin }, 'web form refused: foreign origin');
    return csrfRefused(req, reply, kit);
  });

  // Who may open the page, then the CSRF token of every POST (multipart forms check it themselves).
  app.addHook('preHandler', async (req, reply) => {
    const cfg = req.routeOptions.config;
    // Round ids are UUIDs; anything else is a page that does not exist (not a database error).
    const roundId = (req.params as Record<string, unknown> | undefined)?.roundId;
    if (typeof roundId === 'string' && !UUID.test(roundId)) return kit.errorPage(req, reply, new NotFoundError('Round', roundId));
    if (cfg.webRoles) {
      if (!req.actor) {
        const next = req.method === 'GET' ? req.url : (req.headers.referer ? new URL(req.headers.referer, 'http://x').pathname : '/');
        const params = new URLSearchParams({ tiep: next });
        if (req.webSessionExpired) params.set('het-han', '1');
        return reply.redirect(`/dang-nhap?${params}`, 303);
      }
      // A password someone else set (generated first admin, admin reset): nothing else until it is changed.
      if (req.actor.mustChangePassword && req.routeOptions.url !== PASSWORD_PAGE) return reply.redirect(PASSWORD_PAGE, 303);
      if (cfg.webRoles !== 'any' && !cfg.webRoles.includes(req.actor.role)) {
        return kit.errorPage(req, reply, new ForbiddenError());
      }
    }
    if (req.method === 'POST' && !cfg.webManualCsrf) {
      const token = field(req.body, '_csrf') ?? req.headers['x-csrf-token'];
      if (!verifyCsrf(req, names, token)) return csrfRefused(req, reply, kit);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const e = webError(err);
    if (e.status === 401) return reply.redirect(`/dang-nhap?${new URLSearchParams({ tiep: req.url })}`, 303);
    if (e.status === 500 && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors: body too large, bad form encoding, rate limit.
      const msg = err.statusCode === 429 ? 'Bạn thao tác quá nhanh; vui lòng chờ một phút rồi thử lại.' : err.statusCode === 413 ? 'Dữ liệu gửi lên quá lớn.' : 'Yêu cầu không hợp lệ.';
      const body = html`<section class="panel error-page"><h1>Không thực hiện được</h1><p>${msg}</p><p><a class="button" href="/">Về trang chính</a></p></section>`;
      return kit.page(req, reply, { title: 'Không thực hiện được', body, status: err.statusCode });
    }
    return kit.errorPage(req, reply, err);
  });

  // -----------------------------------------------------------------------------------------------------------
  // Entry, login, logout.

  app.get('/', { schema: hide }, async (req, reply) => reply.redirect(req.actor ? homeOf(req.actor.role) : '/dang-nhap', 303));

  app.get<{ Querystring: { tiep?: string } }>('/dang-nhap', { schema: hide }, async (req, reply) => {
    if (req.actor) return reply.redirect(safeNext(req.query.tiep) ?? homeOf(req.actor.role), 303);
    return loginPage(kit, req, reply, { next: safeNext(req.query.tiep) });
  });

  app.post(
    '/dang-nhap',
    // Throttled by auth.login itself (failed attempts only, shared by all instances).
    { schema: hide },
    async (req, reply) => {
      const username = (field(req.body, 'username') ?? '').trim();
      const password = field(req.body, 'password') ?? '';
      const next = safeNext(field(req.body, 'tiep'));
      if (!username || !password) return loginPage(kit, req, reply, { next, username, error: 'Vui lòng nhập tên đăng nhập và mật khẩu.', status: 422 });
      try {
        const now = app.clock();
        const r = await auth.login({ username: username.slice(0, 64), password: password.slice(0, 256) }, { requestId: req.id, now, ip: req.ip });
        const maxAge = (Date.parse(r.expiresAt) - now.getTime()) / 1000;
        reply.setCookie(names.session, r.token, cookieOptions(names, maxAge));
        return reply.redirect(r.mustChangePassword ? PASSWORD_PAGE : (next ?? homeOf(r.user.role)), 303);
      } catch (err) {
        const e = webError(err);
        if (e.status >= 500) throw err;
        const error = e.status === 401 ? 'Tên đăng nhập hoặc mật khẩu không đúng.' : e.message;
        return loginPage(kit, req, reply, { next, username, error, status: e.status });
      }
    },
  );

  app.post('/dang-xuat', { schema: hide }, async (req, reply) => {
    if (req.actor) await auth.logout(kit.ctx(req));
    reply.clearCookie(names.session, cookieOptions(names));
    return kit.redirect(reply, '/dang-nhap', 'da-dang-xuat');
  });

  // Evidence files for everyone who may read the item (the unit, its appraisers, the coordinator).
  app.get<{ Params: { roundId: string; unitCode: string; code: string; evidenceId: string } }>(
    '/tai-lieu/:roundId/:unitCode/:code/:evidenceId',
    { schema: hide, config: { webRoles: 'any' } },
    async (req, reply) => {
      const p = req.params;
      if (!UUID.test(p.evidenceId)) return kit.errorPage(req, reply, new NotFoundError('Evidence', p.evidenceId));
      const f = await assessments.openEvidence(kit.ctx(req), p.roundId, p.unitCode, p.code, p.evidenceId);
      reply.type(f.mime).header('content-disposition', contentDisposition(f.filename)).header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store');
      if (f.size !== undefined) reply.header('content-length', f.size);
      return reply.send(f.stream);
    },
  );

  unitPages(app, kit);
  appraiserPages(app, kit);
  coordinatorPages(app, kit);
  settlementPages(app, kit);
  councilPages(app, kit);
  frameworkPages(app, kit);
  surveyPages(app, kit);
  planPages(app, kit);
  resultsExportPages(app, kit);
  publicPages(app, kit);
  adminPages(app, kit);
  passwordPages(app, kit);
  // Unknown URLs: a browser gets the Vietnamese 404 page, API clients keep problem+json.
  notFoundPages(app, kit);
};
