// Database faults: a backend killed mid-write, a network cut, a closed embedded database. The process must stay
// up, the affected requests fail with 503 + Retry-After, nothing is half-written and the service recovers alone.
// PostgreSQL-only cases need a real server and skip themselves only when TEST_DATABASE_URL is unset.
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/db/client.js';
import { isDatabaseUnavailable } from '../../src/lib/db-errors.js';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { createTestDatabase, onRealPostgres } from '../helpers/db.js';
import { startProxy } from '../helpers/tcp-proxy.js';

const PROBLEM = /^application\/problem\+json/;
const unit = (code: string) => ({ code, name: `UBND xã ${code}`, kind: 'commune', parentCode: 'CITY' });

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('classification of driver errors', () => {
  it('connection-level failures are "unavailable", statement errors are not', () => {
    for (const e of [
      { code: '57P01', message: 'terminating connection due to administrator command' },
      { code: '08006', message: 'connection failure' },
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' },
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new Error('Failed query: begin\nparams: '), { cause: new Error('Connection terminated') }),
    ]) expect(isDatabaseUnavailable(e), JSON.stringify(e.message)).toBe(true);
    for (const e of [{ code: '23505', message: 'duplicate key' }, { code: '22003', message: 'out of range' }, new Error('boom')]) {
      expect(isDatabaseUnavailable(e)).toBe(false);
    }
  });
});

describe('embedded and real database: failed statements never wedge it', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await seedDirectory(t);
  });
  afterAll(() => t.close());

  it('a failed write inside a transaction and an aborted transaction leave the database usable', async () => {
    const admin = await t.as('admin');
    // Duplicate code: the service's transaction fails on the database; the answer is a 409, not a 500.
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: admin, payload: unit('P1') });
    expect(dup.statusCode).toBe(409);
    // A statement failing inside a transaction whose error is swallowed: the transaction is aborted (25P02) and
    // rolled back as a whole; nothing of it stays, and the connection is clean afterwards.
    await expect(
      t.database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into org_units (code, name, kind, created_at, updated_at) values ('WEDGE', 'x', 'commune', now(), now())`);
        await tx.execute(sql`select 1/0`).catch(() => undefined);
        await tx.execute(sql`select 1`);
      }),
    ).rejects.toThrow();
    const left = (await t.database.db.execute(sql`select count(*)::int as n from org_units where code = 'WEDGE'`)) as unknown as { rows: unknown[] };
    expect(left.rows).toEqual([{ n: 0 }]);
    // Values the database cannot store, sent straight to it, fail only their own statement.
    await expect(t.database.db.execute(sql`select ${'a\u0000b'}::text`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`select ${2147483648}::int4`)).rejects.toThrow();
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const next = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: admin, payload: unit('P9') });
    expect(next.statusCode).toBe(201);
  });

  it('a closed database answers 503 problem+json with Retry-After; live stays 200', async () => {
    const t2 = await createTestApp();
    try {
      await seedDirectory(t2);
      const admin = await t2.as('admin');
      await t2.database.close();
      for (const req of [
        { method: 'GET' as const, url: '/api/v1/org-units', headers: admin },
        { method: 'POST' as const, url: '/api/v1/org-units', headers: admin, payload: unit('P7') },
        { method: 'POST' as const, url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } },
      ]) {
        const res = await t2.app.inject(req);
        expect(res.statusCode, `${req.method} ${req.url}: ${res.body}`).toBe(503);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.json()).toMatchObject({ status: 503, type: 'urn:par-index:problem:database-unavailable' });
      }
      expect((await t2.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      expect((await t2.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    } finally {
      await t2.app.close();
    }
  });
});

describe.runIf(onRealPostgres)('PostgreSQL: backend killed mid-write', () => {
  let t: TestApp;
  let admin: pg.Client;
  beforeAll(async () => {
    t = await createTestApp();
    await seedDirectory(t);
    admin = new pg.Client({ connectionString: t.database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await t.close();
  });

  it('the request fails cleanly with 503, nothing is half-written, the process lives and the next write works', async () => {
    const headers = await t.as('admin');
    const auditBefore = (await admin.query('select count(*)::int as n from audit_events')).rows[0].n as number;
    // Hold org_unit_names so the create blocks after inserting its org_units row, inside its transaction.
    await admin.query('begin');
    await admin.query('lock table org_unit_names in access exclusive mode');
    const pending = t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: unit('KILL1') });
    const pid = await until('the write to block on the lock', async () => {
      const r = await admin.query(
        "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'",
      );
      return r.rows[0]?.pid as number | undefined;
    });
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.query('rollback');

    const res = await pending;
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ type: 'urn:par-index:problem:database-unavailable', status: 503 });
    expect(res.body).not.toMatch(/insert|org_units|terminat/i);

    // All or nothing: neither the unit, nor its name history, nor an audit event of the failed request.
    expect((await admin.query("select count(*)::int as n from org_units where code = 'KILL1'")).rows[0].n).toBe(0);
    expect((await admin.query("select count(*)::int as n from org_unit_names where unit_code = 'KILL1'")).rows[0].n).toBe(0);
    expect((await admin.query('select count(*)::int as n from audit_events')).rows[0].n).toBe(auditBefore);

    // Same process, same pool: the next write succeeds and the audit chain still verifies.
    const next = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: unit('KILL1') });
    expect(next.statusCode, next.body).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const verify = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers });
    expect(verify.statusCode).toBe(200);
    expect(verify.json().valid).toBe(true);
  });

  it('killing idle pooled connections costs nothing: the pool replaces them', async () => {
    const headers = await t.as('admin');
    // Warm several pooled connections, then terminate every backend of the app at once.
    await Promise.all(Array.from({ length: 5 }, () => t.app.inject({ method: 'GET', url: '/api/v1/org-units', headers })));
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    const res = await until('a fresh connection', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/v1/org-units', headers });
      return r.statusCode === 200 ? r : undefined;
    });
    expect(res.statusCode).toBe(200);
  });
});

describe.runIf(onRealPostgres)('PostgreSQL: network cut through a TCP proxy', () => {
  it('503 with Retry-After while cut (live 200, ready 503), then recovery without restart', async () => {
    const db = await createTestDatabase();
    const target = new URL(db.url!);
    const proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(db.url!);
    viaProxy.port = String(proxy.port);
    const database = openPostgres(viaProxy.toString(), undefined, { connectionTimeoutMillis: 1_000 });
    const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', LOGIN_RATE_LIMIT_PER_MINUTE: '1000' }), database, logger: false });
    await app.ready();
    const t = { app, database } as unknown as TestApp;
    try {
      await seedDirectory(t);
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } });
      const headers = { authorization: `Bearer ${login.json().token}` };
      expect((await app.inject({ method: 'GET', url: '/api/v1/org-units', headers })).statusCode).toBe(200);

      // Cut while a write is in flight and while reads arrive.
      const inFlight = app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: unit('CUT1') });
      await proxy.stop();
      const during = await Promise.all([
        inFlight,
        app.inject({ method: 'GET', url: '/api/v1/org-units', headers }),
        app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: unit('CUT2') }),
      ]);
      // The in-flight write may have committed before the cut; if it did not, it failed cleanly.
      expect([201, 503]).toContain(during[0].statusCode);
      for (const res of during.slice(1)) {
        expect(res.statusCode, res.body).toBe(503);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.headers['retry-after']).toBe('5');
      }
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);

      await proxy.start();
      await until('ready again', async () => ((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200 ? true : undefined));
      const after = await app.inject({ method: 'POST', url: '/api/v1/org-units', headers, payload: unit('CUT2') });
      expect(after.statusCode, after.body).toBe(201);
      // Nothing half-written: CUT1 exists exactly when its request answered 201.
      const direct = new pg.Client({ connectionString: db.url });
      await direct.connect();
      try {
        const n = (await direct.query("select count(*)::int as n from org_units where code = 'CUT1'")).rows[0].n;
        const names = (await direct.query("select count(*)::int as n from org_unit_names where unit_code = 'CUT1'")).rows[0].n;
        expect(n).toBe(during[0].statusCode === 201 ? 1 : 0);
        expect(names).toBe(n);
      } finally {
        await direct.end();
      }
    } finally {
      await app.close();
      await database.close();
      await proxy.stop();
      await db.close();
    }
  });
});
