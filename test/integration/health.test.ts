import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/db/client.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, onRealPostgres } from '../helpers/db.js';
import { startProxy } from '../helpers/tcp-proxy.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('health', () => {
  it('live and ready answer without authentication', async () => {
    const live = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(live.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', database: onRealPostgres ? 'pg' : 'pglite' });
  });

  it('ready is 503 problem+json once the embedded database is closed', async () => {
    const t2 = await createTestApp();
    try {
      await t2.database.close();
      const res = await t2.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().detail).toBe('Không kết nối được cơ sở dữ liệu.'); // problem text is Vietnamese by default
      expect((await t2.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await t2.app.close();
    }
  });

  // Outage and recovery need a real server and connection pool.
  it.runIf(onRealPostgres)('ready goes 503 when PostgreSQL is unreachable and back to 200 when it returns', async () => {
    const db = await createTestDatabase();
    const target = new URL(db.url!);
    const proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(db.url!);
    viaProxy.port = String(proxy.port);
    const database = openPostgres(viaProxy.toString(), undefined, { connectionTimeoutMillis: 500 });
    const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' }), database, logger: false });
    await app.ready();
    try {
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      await proxy.stop();
      const down = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(down.statusCode).toBe(503);
      // The process keeps running (pool errors are handled) and recovers by itself.
      await proxy.start();
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
    } finally {
      await app.close();
      await database.close();
      await proxy.stop();
      await db.close();
    }
  });
});
