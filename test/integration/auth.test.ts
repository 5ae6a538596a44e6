import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authTokens, users } from '../../src/db/schema.js';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';

let now = new Date('2025-11-10T02:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
  await seedDirectory(t);
});
afterAll(() => t.close());

const login = (username: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

describe('login, me, logout', () => {
  it('returns a bearer token and the user without secrets', async () => {
    const res = await login('P1.Editor', PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^par_/);
    expect(body.user).toMatchObject({ username: 'p1.editor', role: 'unit_editor', orgUnitCode: 'P1' });
    expect(JSON.stringify(body.user)).not.toMatch(/hash|argon/i);
    const who = await me(body.token);
    expect(who.statusCode).toBe(200);
    expect(who.json().username).toBe('p1.editor');
  });

  it('stores only a hash of the token', async () => {
    const { token } = (await login('p1.head', PASSWORD)).json();
    const rows = await t.database.db.select().from(authTokens);
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('refuses a wrong password and an unknown user with the same 401', async () => {
    const wrong = await login('appraiser', 'not-the-password');
    const unknown = await login('nobody', 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().detail).toBe(unknown.json().detail);
  });

  it('requires a token on API routes and rejects a forged one', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    const forged = await me('par_' + 'A'.repeat(43));
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['www-authenticate']).toBe('Bearer');
  });

  it('logout revokes the token used', async () => {
    const { token } = (await login('p2.head', PASSWORD)).json();
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
    expect(out.statusCode).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('a session token expires', async () => {
    const { token } = (await login('appraiser', PASSWORD)).json();
    const saved = now;
    now = new Date(saved.getTime() + t.config.sessionTtlMs + 1000);
    try {
      expect((await me(token)).statusCode).toBe(401);
    } finally {
      now = saved;
    }
  });
});

describe('lockout', () => {
  it('locks after 5 failures in a row, even for the right password, until the lock expires', async () => {
    for (let i = 0; i < 4; i++) expect((await login('p2.editor', 'wrong-' + i)).statusCode).toBe(401);
    // A success resets the run of failures.
    expect((await login('p2.editor', PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login('p2.editor', 'wrong-' + i)).statusCode).toBe(401);
    // Locked: even the right password gets exactly the answer a wrong password gets (issue 18 item 7), so the
    // caller cannot tell a locked account (or an existing username) from a typo.
    const locked = await login('p2.editor', PASSWORD);
    const wrong = await login('p2.editor', 'wrong-again');
    const unknown = await login('no.such.user', 'wrong-again');
    for (const r of [locked, wrong, unknown]) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['retry-after']).toBeUndefined();
    }
    const shape = (r: typeof locked) => { const { instance: _i, requestId: _r, ...rest } = r.json(); return rest; };
    expect(shape(locked)).toEqual(shape(wrong));
    expect(shape(locked)).toEqual(shape(unknown));
    // The lock is for admins to see: on the user resource and in the audit log.
    const user = await t.app.inject({ method: 'GET', url: '/api/v1/users/p2.editor', headers: await t.as('admin') });
    expect(user.json().lockedUntil).toBe(new Date(now.getTime() + 15 * 60_000).toISOString());
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/audit?action=user.locked&entityId=p2.editor', headers: await t.as('admin') });
    expect(audit.json().items).toHaveLength(1);
    expect(audit.json().items[0].after).toMatchObject({ lockedUntil: new Date(now.getTime() + 15 * 60_000).toISOString(), failures: 5 });
    const saved = now;
    now = new Date(saved.getTime() + 15 * 60_000 + 1);
    try {
      expect((await login('p2.editor', PASSWORD)).statusCode).toBe(200);
    } finally {
      now = saved;
    }
  });

  it('an admin can lift a lock early', async () => {
    for (let i = 0; i < 5; i++) await login('p1.head', 'wrong-' + i);
    expect((await login('p1.head', PASSWORD)).statusCode).toBe(401);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users/p1.head/unlock', headers: await t.as('admin') });
    expect(res.statusCode).toBe(200);
    expect((await login('p1.head', PASSWORD)).statusCode).toBe(200);
  });
});

describe('password change and deactivation revoke tokens', () => {
  it('changing my password revokes every token of mine, including API tokens', async () => {
    const session = (await login('coord', PASSWORD)).json().token as string;
    const headers = { authorization: `Bearer ${session}` };
    const api = (await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers, payload: { name: 'cổng thông tin' } })).json();
    expect((await me(api.token)).statusCode).toBe(200);

    const weak = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers, payload: { currentPassword: PASSWORD, newPassword: 'short' } });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().errors[0].field).toBe('body.newPassword');
    const wrongCurrent = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers, payload: { currentPassword: 'nope-nope-nope', newPassword: 'a-new-long-password' } });
    expect(wrongCurrent.statusCode).toBe(422);
    expect(wrongCurrent.json().errors[0].field).toBe('body.currentPassword');

    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers, payload: { currentPassword: PASSWORD, newPassword: 'a-new-long-password' } });
    expect(ok.statusCode).toBe(204);
    expect((await me(session)).statusCode).toBe(401);
    expect((await me(api.token)).statusCode).toBe(401);
    expect((await login('coord', PASSWORD)).statusCode).toBe(401);
    expect((await login('coord', 'a-new-long-password')).statusCode).toBe(200);
  });

  it('deactivating a user revokes their tokens and blocks login', async () => {
    const { token } = (await login('p2.head', PASSWORD)).json();
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/p2.head', headers: await t.as('admin'), payload: { active: false } });
    expect(res.statusCode).toBe(200);
    expect(res.json().active).toBe(false);
    expect((await me(token)).statusCode).toBe(401);
    expect((await login('p2.head', PASSWORD)).statusCode).toBe(401);
    const [row] = await t.database.db.select().from(users).where(eq(users.username, 'p2.head'));
    expect(row?.active).toBe(false);
  });
});

describe('personal API tokens', () => {
  it('are shown once, listed without the secret, and revocable', async () => {
    const headers = await t.as('appraiser');
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers, payload: { name: 'công cụ khảo sát', expiresInDays: 30 } });
    expect(created.statusCode).toBe(201);
    const tok = created.json();
    expect(tok.token).toMatch(/^par_/);
    expect(new Date(tok.expiresAt).getTime() - now.getTime()).toBe(30 * 86_400_000);
    expect((await me(tok.token)).json().username).toBe('appraiser');

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers });
    expect(list.json()).toEqual([expect.objectContaining({ id: tok.id, name: 'công cụ khảo sát', active: true })]);
    expect(list.body).not.toContain(tok.token);

    // Someone else cannot revoke it.
    const foreign = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${tok.id}`, headers: await t.as('p1.editor') });
    expect(foreign.statusCode).toBe(404);
    expect((await me(tok.token)).statusCode).toBe(200);

    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${tok.id}`, headers });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().active).toBe(false);
    expect((await me(tok.token)).statusCode).toBe(401);
  });
});

describe('login rate limit', () => {
  it('answers 429 problem+json past the per-minute limit', async () => {
    const limited = await createTestApp({ env: { LOGIN_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x', password: 'y' } });
        codes.push(res.statusCode);
        if (res.statusCode === 429) expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});
