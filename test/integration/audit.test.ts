import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedDirectory(t);
});
afterAll(() => t.close());

const verify = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: await t.as('admin') })).json();

describe('audit log', () => {
  it('records each mutation with actor, before/after and the request id, in the same transaction', async () => {
    const headers = { ...(await t.as('admin')), 'x-request-id': 'req-rename-p1' };
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/org-units/P1', headers, payload: { name: 'UBND Phường Một' } });
    expect(res.statusCode).toBe(200);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/audit?entityType=org_unit&entityId=P1', headers: await t.as('coord') });
    expect(list.statusCode).toBe(200);
    const [event] = list.json().items;
    expect(event).toMatchObject({
      action: 'org_unit.updated',
      actorUsername: 'admin',
      requestId: 'req-rename-p1',
      before: expect.objectContaining({ name: 'UBND Phường 1' }),
      after: expect.objectContaining({ name: 'UBND Phường Một' }),
    });
  });

  it('writes nothing when the mutation fails', async () => {
    const count = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=500', headers: await t.as('admin') })).json().items.length;
    const before = await count();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: await t.as('admin'), payload: { code: 'X', name: 'X', kind: 'commune', parentCode: 'NOPE' } });
    expect(res.statusCode).toBe(422);
    expect(await count()).toBe(before);
  });

  it('never stores passwords or token material', async () => {
    await t.app.inject({ method: 'PATCH', url: '/api/v1/users/p1.editor', headers: await t.as('admin'), payload: { password: 'another-long-password' } });
    const all = await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=500', headers: await t.as('admin') });
    expect(all.body).not.toMatch(/another-long-password|argon2|par_[A-Za-z0-9_-]{20}/);
  });

  it('is readable by admins and coordinators only', async () => {
    for (const who of ['appraiser', 'p1.head']) {
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: await t.as(who) })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: await t.as(who) })).statusCode).toBe(403);
    }
  });

  it('the database refuses updates and deletes of audit rows', async () => {
    await expect(t.database.db.execute(sql`update audit_events set action = 'x'`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`delete from audit_events`)).rejects.toThrow();
  });

  it('verify passes on the untouched chain and names the first edited row', async () => {
    const ok = await verify();
    expect(ok.valid).toBe(true);
    expect(ok.checked).toBeGreaterThan(5);

    // Someone with database superuser rights switches the guard off and edits history.
    const rows = await t.database.db.execute(sql`select seq from audit_events order by seq`);
    const seqs = (rows as unknown as { rows: { seq: string | number }[] }).rows.map((r) => Number(r.seq));
    const victim = seqs[2]!;
    await t.database.db.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
    await t.database.db.execute(sql`update audit_events set after = jsonb_set(after, '{name}', '"Sửa lén"') where seq = ${victim}`);
    await t.database.db.execute(sql`alter table audit_events enable trigger audit_events_no_update`);

    const bad = await verify();
    expect(bad.valid).toBe(false);
    expect(bad.firstBrokenSeq).toBe(victim);
    expect(bad.problems[0]).toContain(`row ${victim}`);
  });

  it('verify detects a removed row by the broken link', async () => {
    const t2 = await createTestApp();
    try {
      await seedDirectory(t2);
      const rows = await t2.database.db.execute(sql`select seq from audit_events order by seq`);
      const seqs = (rows as unknown as { rows: { seq: string | number }[] }).rows.map((r) => Number(r.seq));
      await t2.database.db.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
      await t2.database.db.execute(sql`delete from audit_events where seq = ${seqs[1]!}`);
      const res = (await t2.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: await t2.as('admin') })).json();
      expect(res).toMatchObject({ valid: false, firstBrokenSeq: seqs[2] });
    } finally {
      await t2.close();
    }
  });
});
