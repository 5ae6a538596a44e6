// Origin check of the web UI's unsafe requests (CSRF defence in depth, next to the token in session.ts).
// A browser sends `Origin` on every POST (and `Referer` where a privacy setting strips Origin); a form posted
// from another site therefore names that site. The CSRF token alone is not enough: a token leaked to, or
// replayed by, a foreign page must still not let that page write. Requests with neither header (scripts, old
// clients) keep working with a valid token, which the caller checks next.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

export type OriginVerdict = { ok: true; origin: string | null } | { ok: false; origin: string };

/** `scheme://host[:port]` of a URL, lower-cased with the default port dropped; null when it is not a URL. */
function originOf(value: string): string | null {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

/**
 * The origins this service answers as: the address the request reached (scheme and Host, or X-Forwarded-* behind
 * TRUST_PROXY as Fastify reports them), PUBLIC_BASE_URL when set, and every CORS_ORIGINS entry.
 */
export function ownOrigins(config: Pick<Config, 'publicBaseUrl' | 'publicBaseUrlSet' | 'corsOrigins'>, req: FastifyRequest): Set<string> {
  const out = new Set<string>();
  const add = (v: string | undefined) => {
    const o = v ? originOf(v) : null;
    if (o) out.add(o);
  };
  add(`${req.protocol}://${req.host}`);
  if (config.publicBaseUrlSet) add(config.publicBaseUrl);
  for (const o of config.corsOrigins) add(o);
  return out;
}

/**
 * Whether an unsafe request comes from this service's own pages: `Origin`, or `Referer` when Origin is absent,
 * must be one of ownOrigins. `Origin: null` (sandboxed frames, some redirects) and unparsable values are foreign.
 */
export function checkRequestOrigin(config: Pick<Config, 'publicBaseUrl' | 'publicBaseUrlSet' | 'corsOrigins'>, req: FastifyRequest): OriginVerdict {
  const header = req.headers.origin ?? req.headers.referer;
  if (header === undefined || header === '') return { ok: true, origin: null };
  const claimed = Array.isArray(header) ? header[0]! : header;
  const origin = originOf(claimed);
  if (origin && ownOrigins(config, req).has(origin)) return { ok: true, origin };
  return { ok: false, origin: (origin ?? claimed).slice(0, 200) };
}
