import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgUnits, users } from '../../src/db/schema.js';
import { createTestApp, directory, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock: () => new Date('2025-11-10T02:00:00Z') });
  await seedDirectory(t);
});
afterAll(() => t.close());

const snapshot = async () => ({
  units: await t.database.db.select().from(orgUnits).orderBy(orgUnits.code),
  users: await t.database.db.select().from(users).orderBy(users.username),
});

describe('org units', () => {
  it('admin creates, reads, filters and updates units', async () => {
    const headers = await t.as('admin');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/org-units',
      headers,
      payload: { code: 'P3', name: 'UBND Phường 3', kind: 'commune', parentCode: 'CITY', activeFrom: '2020-01-01' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: 'P3', parentCode: 'CITY', active: true, activeTo: null });

    const communes = await t.app.inject({ method: 'GET', url: '/api/v1/org-units?kind=commune&parentCode=CITY', headers });
    expect(communes.json().map((u: { code: string }) => u.code)).toEqual(['P1', 'P2', 'P3']);
    const search = await t.app.inject({ method: 'GET', url: `/api/v1/org-units?q=${encodeURIComponent('an hòa')}`, headers });
    expect(search.json().map((u: { code: string }) => u.code)).toEqual(['P2']);

    const renamed = await t.app.inject({ method: 'PATCH', url: '/api/v1/org-units/P3', headers, payload: { name: 'UBND Phường Ba' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().name).toBe('UBND Phường Ba');
  });

  it('refuses an unknown parent, a parent cycle and an inverted date range, naming the field', async () => {
    const headers = await t.as('admin');
    const noParent = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: { code: 'X1', name: 'X', kind: 'commune', parentCode: 'NOPE' } });
    expect(noParent.statusCode).toBe(422);
    expect(noParent.json().errors[0].field).toBe('body.parentCode');
    const cycle = await t.app.inject({ method: 'PATCH', url: '/api/v1/org-units/CITY', headers, payload: { parentCode: 'P1' } });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json().errors[0]).toMatchObject({ field: 'body.parentCode', code: 'cycle' });
    const range = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: { code: 'X2', name: 'X', kind: 'commune', activeFrom: '2025-01-01', activeTo: '2024-01-01' } });
    expect(range.statusCode).toBe(422);
    expect(range.json().errors[0].field).toBe('body.activeTo');
  });

  it('deactivates a merged unit and keeps it; a referenced unit cannot be deleted', async () => {
    const headers = await t.as('admin');
    const del = await t.app.inject({ method: 'DELETE', url: '/api/v1/org-units/P1', headers });
    expect(del.statusCode).toBe(409);
    expect(del.json().references).toEqual({ users: 2, children: 0 });

    const merged = await t.app.inject({ method: 'POST', url: '/api/v1/org-units/P3/deactivate', headers, payload: { activeTo: '2025-07-01', reason: 'Sáp nhập vào Phường 1 (NQ 1656/NQ-UBTVQH15)' } });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({ activeTo: '2025-07-01', active: false });
    const inactive = await t.app.inject({ method: 'GET', url: '/api/v1/org-units?active=false', headers });
    expect(inactive.json().map((u: { code: string }) => u.code)).toEqual(['P3']);
    const active = await t.app.inject({ method: 'GET', url: '/api/v1/org-units?active=true', headers });
    expect(active.json().map((u: { code: string }) => u.code)).not.toContain('P3');

    // A unit that ended cannot take new users.
    const user = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers, payload: { username: 'p3.x', password: PASSWORD, displayName: 'X', role: 'unit_editor', orgUnitCode: 'P3' } });
    expect(user.statusCode).toBe(422);
    expect(user.json().errors[0]).toMatchObject({ field: 'body.orgUnitCode', code: 'inactive_unit' });

    const tmp = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: { code: 'TYPO', name: 'Nhập nhầm', kind: 'commune' } });
    expect(tmp.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/org-units/TYPO', headers })).statusCode).toBe(204);
  });
});

describe('users', () => {
  it('binds unit roles to a unit and refuses a unit role without one', async () => {
    const headers = await t.as('admin');
    const missing = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers, payload: { username: 'x.editor', password: PASSWORD, displayName: 'X', role: 'unit_editor' } });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0]).toMatchObject({ field: 'body.orgUnitCode', code: 'required' });
    const appraiser = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers, payload: { username: 'x.appraiser', password: PASSWORD, displayName: 'X', role: 'appraiser' } });
    expect(appraiser.statusCode).toBe(422);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers, payload: { username: 'P2.Clerk', password: PASSWORD, displayName: 'Văn thư mới', role: 'unit_editor', orgUnitCode: 'P2' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ username: 'p2.clerk', orgUnitCode: 'P2', active: true });
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers, payload: { username: 'p2.clerk', password: PASSWORD, displayName: 'Trùng', role: 'unit_editor', orgUnitCode: 'P2' } });
    expect(dup.statusCode).toBe(409);
  });

  it('rejects privileged or unknown fields (mass assignment) and changes nothing', async () => {
    const before = await snapshot();
    const headers = await t.as('admin');
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers,
      payload: { username: 'sneaky', password: PASSWORD, displayName: 'X', role: 'unit_editor', orgUnitCode: 'P1', passwordHash: 'x', active: false },
    });
    expect(create.statusCode).toBe(400);
    expect(create.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.active', 'body.passwordHash']);
    const patch = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/p1.editor', headers, payload: { failedLoginCount: 0, id: 'x' } });
    expect(patch.statusCode).toBe(400);
    // A unit editor cannot raise their own role through /me either (no such route accepts it).
    const self = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/p1.editor', headers: await t.as('p1.editor'), payload: { role: 'admin' } });
    expect(self.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('an admin cannot lock themselves out by deactivating or demoting themselves', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/admin', headers: await t.as('admin'), payload: { role: 'coordinator' } });
    expect(res.statusCode).toBe(409);
  });
});

describe('role and unit scope on every directory route', () => {
  // [who, method, url, payload, expected status]
  const writes: [string, 'POST' | 'PATCH' | 'DELETE', string, object | undefined][] = [
    ['POST', 'POST', '/api/v1/org-units', { code: 'Z1', name: 'Z', kind: 'commune' }],
    ['PATCH', 'PATCH', '/api/v1/org-units/P2', { name: 'Đổi tên trái phép' }],
    ['DEACT', 'POST', '/api/v1/org-units/P2/deactivate', { reason: 'x' }],
    ['DELETE', 'DELETE', '/api/v1/org-units/P2', undefined],
    ['USER', 'POST', '/api/v1/users', { username: 'zzz', password: PASSWORD, displayName: 'Z', role: 'unit_editor', orgUnitCode: 'P2' }],
    ['PATCHU', 'PATCH', '/api/v1/users/p2.editor', { displayName: 'Bị sửa' }],
    ['UNLOCK', 'POST', '/api/v1/users/p2.editor/unlock', undefined],
  ];
  for (const who of ['coord', 'appraiser', 'p1.editor', 'p1.head']) {
    it(`${who} cannot write the directory (403) and the database is unchanged`, async () => {
      const before = await snapshot();
      const headers = await t.as(who);
      for (const [, method, url, payload] of writes) {
        const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${who} ${method} ${url}`).toBe(403);
      }
      expect(await snapshot()).toEqual(before);
    });
  }

  it("a unit role sees only its own unit and its own unit's users; another unit is a 404", async () => {
    const headers = await t.as('p1.editor');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/org-units', headers });
    expect(list.json().map((u: { code: string }) => u.code)).toEqual(['P1']);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/org-units/P1', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/org-units/P2', headers })).statusCode).toBe(404);

    const people = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers });
    expect(people.json().map((u: { username: string }) => u.username).sort()).toEqual(['p1.editor', 'p1.head']);
    const filtered = await t.app.inject({ method: 'GET', url: '/api/v1/users?orgUnitCode=P2', headers });
    expect(filtered.json()).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users/p2.editor', headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users/p1.head', headers })).statusCode).toBe(200);
  });

  it('coordinators read the whole directory', async () => {
    const headers = await t.as('coord');
    const all = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers });
    const names = all.json().map((u: { username: string }) => u.username);
    for (const u of directory.users) expect(names).toContain(u.username);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/org-units/P2', headers })).statusCode).toBe(200);
  });
});
