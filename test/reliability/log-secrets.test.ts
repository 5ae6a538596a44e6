// Every log line at every level, captured while logging in (API and web), using tokens, failing logins and
// failing queries, is scanned for secrets: passwords, password hashes, tokens and their hashes, session cookies
// and CSRF tokens must never appear. Failed queries are logged with their SQL text and error code only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { users } from '../../src/db/schema.js';
import { loggerOptions } from '../../src/lib/logging.js';
import { hashToken } from '../../src/modules/auth/auth.service.js';
import { PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { WebClient } from '../helpers/web.js';

const lines: string[] = [];
let app: FastifyInstance;
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-logs-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'trace', LOGIN_RATE_LIMIT_PER_MINUTE: '1000', MAX_EVENT_LOOP_DELAY_MS: '0' });
  database = await createTestDatabase();
  const logger = pino(loggerOptions('trace'), { write: (s: string) => void lines.push(s) });
  app = await buildApp({ config, database, logger });
  await app.ready();
  await seedDirectory({ app, database, config } as unknown as TestApp);
});
afterAll(async () => {
  await app.close();
  await database.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('no secrets in the logs', () => {
  it('login, token use, failed logins, web session and CSRF, failed queries', async () => {
    const secrets: Record<string, string> = { password: PASSWORD };

    // API login and use of the token.
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const token = login.json().token as string;
    secrets.token = token;
    secrets.tokenHash = hashToken(token);
    const auth = { authorization: `Bearer ${token}` };
    expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: auth })).statusCode).toBe(200);

    // Failed logins (wrong password, unknown user), a forged token, a password in a malformed body.
    const wrong = 'Wrong-Secret-Pass-9';
    secrets.wrongPassword = wrong;
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'coord', password: wrong } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody', password: wrong } })).statusCode).toBe(401);
    const forged = 'forged-token-value-1234567890abcdef';
    secrets.forged = forged;
    expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: { authorization: `Bearer ${forged}` } })).statusCode).toBe(401);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: `{"username":"admin","password":"${wrong}"` });
    expect(bad.statusCode).toBe(400);

    // Creating a user whose username exists: the insert carries the new password's hash and fails on the database.
    const newPassword = 'Another-Secret-77';
    secrets.newPassword = newPassword;
    const dup = await app.inject({ method: 'POST', url: '/api/v1/users', headers: auth, payload: { username: 'coord', displayName: 'X', role: 'coordinator', orgUnitCode: 'PNV', password: newPassword } });
    expect([409, 422]).toContain(dup.statusCode);

    // Web session: cookie and CSRF token.
    const web = new WebClient(app);
    await web.login('coord', PASSWORD);
    for (const [name, value] of web.cookies) secrets[`cookie ${name}`] = value;
    expect(web.csrf).not.toBe('');
    secrets.csrf = web.csrf;
    await web.post('/dang-xuat', {});

    // A failed query carrying a password hash, logged the way the error handler and jobs log errors, at every level.
    const [row] = await database.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.username, 'admin'));
    secrets.passwordHash = row!.passwordHash;
    const failed = await database.db
      .execute(sql`insert into users (id, username, display_name, role, password_hash) values (gen_random_uuid(), 'admin', 'x', 'admin', ${row!.passwordHash})`)
      .then(() => null, (e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(String((failed as Error).message)).toContain(row!.passwordHash); // the raw error does carry it
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) app.log[level]({ err: failed }, 'failed query');
    app.log.error(failed as Error);
    // A token reaching a log call by accident is censored by path.
    app.log.warn({ token, user: { password: PASSWORD, passwordHash: row!.passwordHash, tokenHash: secrets.tokenHash } }, 'careless log call');

    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length, what).toBeGreaterThan(7);
      expect(lines.find((l) => l.includes(secret))?.slice(0, 600), `${what} appears in the logs`).toBeUndefined();
      expect(all.includes(encodeURIComponent(secret)), `${what} (url-encoded) appears in the logs`).toBe(false);
    }
    // Not vacuous: the failed query is logged with its SQL text and SQLSTATE.
    const logged = lines.map((l) => JSON.parse(l) as { msg?: string; err?: { query?: string; code?: string; cause?: { code?: string } } }).filter((l) => l.msg === 'failed query');
    expect(logged).toHaveLength(6);
    expect(logged[0]!.err!.query).toMatch(/^insert into users/);
    expect(logged[0]!.err!.cause?.code ?? logged[0]!.err!.code).toBe('23505');
  });
});
