// Browser sessions and CSRF for the web pages. The session is the same login token the API hands out, kept in an
// HttpOnly cookie and resolved by the same auth service; its life is the token's (SESSION_TTL_HOURS) and logout
// revokes it. Every unsafe request carries a CSRF token that must match the secret in a second HttpOnly cookie
// (double submit with a hashed token, @fastify/csrf).
import { Tokens } from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

export interface CookieNames {
  session: string;
  csrf: string;
  secure: boolean;
}

/** `__Host-` cookies (Secure, Path=/, no Domain) in production; plain names over http in development and tests. */
export function cookieNames(config: Pick<Config, 'env'>): CookieNames {
  const prod = config.env === 'production';
  return { session: prod ? '__Host-par_session' : 'par_session', csrf: prod ? '__Host-par_csrf' : 'par_csrf', secure: prod };
}

const tokens = new Tokens({});

export function cookieOptions(names: CookieNames, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: names.secure,
    ...(maxAgeSeconds !== undefined ? { maxAge: Math.max(0, Math.floor(maxAgeSeconds)) } : {}),
  };
}

/** The CSRF token for forms on this page; creates the secret cookie on first use. */
export function csrfToken(req: FastifyRequest, reply: FastifyReply, names: CookieNames): string {
  const held = req as { csrfSecret?: string };
  let secret = req.cookies[names.csrf] ?? held.csrfSecret;
  if (!secret) {
    secret = tokens.secretSync();
    held.csrfSecret = secret;
    reply.setCookie(names.csrf, secret, cookieOptions(names));
  }
  return tokens.create(secret);
}

export function verifyCsrf(req: FastifyRequest, names: CookieNames, token: unknown): boolean {
  const secret = req.cookies[names.csrf];
  return typeof secret === 'string' && secret.length > 0 && typeof token === 'string' && token.length > 0 && tokens.verify(secret, token);
}
