// Unknown URLs. A browser asking for a page that does not exist gets a Vietnamese 404 page in the site frame (with
// its session, so the navigation is the user's own); everything else — API clients, /api/, /openapi.json, /health,
// /assets — is handed to the application's not-found handler and keeps its problem+json 404.
//
// This is a catch-all GET route inside the web plugin rather than a branch in the root not-found handler because
// only routes of this plugin run the web hooks (cookie parsing, session, CSRF secret) that the page frame needs.
import type { FastifyInstance } from 'fastify';
import { headerQuality } from '../../lib/http.js';
import { html } from '../html.js';
import type { Kit } from '../kit.js';

const hide = { hide: true } as const;

/** Paths that are never pages: their 404 is always problem+json. */
const NOT_PAGES = /^\/(?:api(?:\/|$)|openapi\.json$|health(?:\/|$)|assets(?:\/|$))/;

/**
 * True when the client asks for HTML at least as much as for JSON: a browser's navigation ("text/html,…,*\/*;q=0.8").
 * No Accept header or only "*\/*" (curl, API clients) is not a browser.
 */
export function prefersHtml(accept: string | undefined): boolean {
  const htmlQ = headerQuality(accept, ['text/html', 'application/xhtml+xml']);
  const jsonQ = headerQuality(accept, ['application/json', 'application/problem+json', 'application/*']);
  return htmlQ > 0 && htmlQ >= jsonQ;
}

export function notFoundPages(app: FastifyInstance, kit: Kit) {
  app.get('/*', { schema: hide }, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (NOT_PAGES.test(path) || !prefersHtml(req.headers.accept)) return reply.callNotFound();
    const body = html`<section class="panel error-page">
  <h1>Không tìm thấy trang</h1>
  <p>Địa chỉ <code>${path}</code> không có trên hệ thống. Có thể đường dẫn đã gõ sai hoặc trang đã được chuyển đi.</p>
  <p><a class="button primary" href="/">Về trang chính</a> <a class="button" href="/cong-khai">Xem kết quả Chỉ số CCHC đã công bố</a></p>
</section>`;
    return kit.page(req, reply, { title: 'Không tìm thấy trang', body, status: 404 });
  });
}
