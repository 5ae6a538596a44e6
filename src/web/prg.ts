// Post/redirect/get for every web form, in one place. A form POST that answers with a page instead of a redirect
// (a refused form showing what the user typed and the messages beside the fields, or a result page such as an
// import preview) would leave the browser on the POST address: reloading re-sends the form, and the address has no
// GET (404). Here that page is kept for a short while and the browser is sent (303) to the page the form was on,
// `?loi=<id>`; that GET shows the kept page, as often as it is reloaded, until it expires. The page is stored as
// rendered, so whatever the handler showed (typed values, messages, their statuses) comes back unchanged, without
// every page having to know how to rebuild a failed form.
//
// The kept page is bound to the browser (hash of its CSRF secret cookie, which every accepted POST carries) and to
// the user, so a copied address shows it to nobody else. Rows are in the database, shared by every instance.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eq, lt } from 'drizzle-orm';
import { webFormSnapshots } from '../db/schema.js';
import { ownOrigins } from './origin.js';
import type { CookieNames } from './session.js';

/** Long enough to read the messages, fix the form and reload a few times; short enough to hold little. */
export const FORM_SNAPSHOT_TTL_MS = 30 * 60_000;
/** The query parameter naming a kept page. */
export const SNAPSHOT_PARAM = 'loi';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ownerOf = (secret: string) => createHash('sha256').update(`web-form-snapshot:${secret}`, 'utf8').digest('hex');

/** The address without the kept-page and flash parameters (`tb` is a success message that no longer applies). */
function cleanTarget(pathname: string, search: string): string {
  const params = new URLSearchParams(search);
  params.delete(SNAPSHOT_PARAM);
  params.delete('tb');
  const q = params.toString();
  return q ? `${pathname}?${q}` : pathname;
}

/**
 * The page the form was on: the Referer (browsers send it to this origin: Referrer-Policy same-origin), when it is
 * one of this service's pages (often the POST address itself: most forms post to their own page). Null when there is
 * none (scripts, privacy settings): the answer then stays as it was.
 */
function formPage(app: FastifyInstance, req: FastifyRequest): string | null {
  const referer = req.headers.referer;
  if (!referer) return null;
  let u: URL;
  try {
    u = new URL(referer);
  } catch {
    return null;
  }
  if (!ownOrigins(app.appConfig, req).has(u.origin)) return null;
  if (/^\/(?:api|assets)(?:\/|$)/.test(u.pathname)) return null;
  return cleanTarget(u.pathname, u.search);
}

/** Registers both halves inside the web plugin, after the session hook (the kept page is bound to the user). */
export function registerPostRedirectGet(app: FastifyInstance, names: CookieNames) {
  const db = () => app.database.db;

  // GET ?loi=<id>: the kept page, when it is this browser's and this user's, for this address, and still fresh.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET') return;
    const q = req.url.indexOf('?');
    if (q < 0) return;
    const params = new URLSearchParams(req.url.slice(q + 1));
    const id = params.get(SNAPSHOT_PARAM);
    const secret = req.cookies[names.csrf];
    if (!id || !UUID.test(id) || !secret) return;
    const [row] = await db().select().from(webFormSnapshots).where(eq(webFormSnapshots.id, id)).limit(1);
    const now = app.clock();
    if (!row || row.expiresAt <= now || row.ownerHash !== ownerOf(secret) || row.userId !== (req.actor?.userId ?? null)) return;
    if (row.path !== cleanTarget(req.url.slice(0, q), req.url.slice(q + 1))) return;
    return reply.code(row.status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(row.body);
  });

  // A web POST answering with a page: keep it and redirect to the form's page.
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'POST' || reply.statusCode < 200 || (reply.statusCode >= 300 && reply.statusCode < 400)) return payload;
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    const secret = req.cookies[names.csrf];
    const target = formPage(app, req);
    if (!secret || !target) return payload;
    const now = app.clock();
    const id = randomUUID();
    try {
      await db().delete(webFormSnapshots).where(lt(webFormSnapshots.expiresAt, now));
      await db()
        .insert(webFormSnapshots)
        .values({ id, ownerHash: ownerOf(secret), userId: req.actor?.userId ?? null, path: target, status: reply.statusCode, body: payload, createdAt: now, expiresAt: new Date(now.getTime() + FORM_SNAPSHOT_TTL_MS) });
    } catch (err) {
      // The database is what failed (503 pages): the page is answered where it is; reloading re-sends the form.
      req.log.warn({ err }, 'web form page not kept for post/redirect/get');
      return payload;
    }
    const sep = target.includes('?') ? '&' : '?';
    // `#loi`: the browser scrolls to the refused form's summary (form-errors.ts), which may be far down the page.
    // A page that is not a refusal (a row added in an editor, an import preview) gets no fragment, so the browser
    // keeps the one the form was posted to (formaction="…#row"), as it does across any redirect without one.
    redirectInPlace(reply, `${target}${sep}${SNAPSHOT_PARAM}=${id}${reply.statusCode >= 400 ? '#loi' : ''}`);
    return '';
  });
}

function redirectInPlace(reply: FastifyReply, location: string) {
  reply.code(303).header('location', location).header('content-type', 'text/plain; charset=utf-8').removeHeader('retry-after');
}

