import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/lib/context.js';
import type { Role } from '../../src/db/schema.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const PASSWORD = 'test-password-1';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  close(): Promise<void>;
  /** Logs in and returns the bearer token. */
  login(username: string, password?: string): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for a username (logs in once and caches). */
  as(username: string): Promise<Record<string, string>>;
}

export async function createTestApp(opts: { env?: Record<string, string>; clock?: Clock } = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-test-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT_PER_MINUTE: '1000', MAX_EVENT_LOOP_DELAY_MS: '0', ...opts.env });
  const database = await createTestDatabase();
  const app = await buildApp({ config, database, logger: false, ...(opts.clock ? { clock: opts.clock } : {}) });
  await app.ready();
  const tokens = new Map<string, string>();
  const login = async (username: string, password = PASSWORD) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    return (res.json() as { token: string }).token;
  };
  return {
    app,
    database,
    config,
    login,
    async as(username: string) {
      let t = tokens.get(username);
      if (!t) {
        t = await login(username);
        tokens.set(username, t);
      }
      return { authorization: `Bearer ${t}` };
    },
    async close() {
      await app.close();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A small directory: a city with its Phòng Nội vụ (coordinator), Phòng Tư pháp (appraiser) and two wards,
 * each ward with an editor and a head. All passwords are PASSWORD.
 */
export const directory = {
  units: [
    { code: 'CITY', name: 'UBND thành phố Thử Nghiệm', kind: 'district' as const },
    { code: 'PNV', name: 'Phòng Nội vụ', kind: 'department' as const, parentCode: 'CITY' },
    { code: 'PTP', name: 'Phòng Tư pháp', kind: 'department' as const, parentCode: 'CITY' },
    { code: 'P1', name: 'UBND Phường 1', kind: 'commune' as const, parentCode: 'CITY' },
    { code: 'P2', name: 'UBND Phường An Hòa', kind: 'commune' as const, parentCode: 'CITY' },
  ],
  users: [
    { username: 'admin', displayName: 'Quản trị', role: 'admin' as Role, orgUnitCode: null },
    { username: 'coord', displayName: 'Cán bộ Phòng Nội vụ', role: 'coordinator' as Role, orgUnitCode: 'PNV' },
    { username: 'appraiser', displayName: 'Thẩm định viên Tư pháp', role: 'appraiser' as Role, orgUnitCode: 'PTP' },
    { username: 'p1.editor', displayName: 'Văn thư P1', role: 'unit_editor' as Role, orgUnitCode: 'P1' },
    { username: 'p1.head', displayName: 'Chủ tịch P1', role: 'unit_head' as Role, orgUnitCode: 'P1' },
    { username: 'p2.editor', displayName: 'Văn thư P2', role: 'unit_editor' as Role, orgUnitCode: 'P2' },
    { username: 'p2.head', displayName: 'Chủ tịch P2', role: 'unit_head' as Role, orgUnitCode: 'P2' },
  ],
};

export async function seedDirectory(t: TestApp) {
  const ctx = { actor: null, requestId: 'test-seed', now: t.app.clock() };
  const { orgUnitsRepo } = await import('../../src/modules/org-units/org-units.repo.js');
  for (const u of directory.units) {
    await orgUnitsRepo.insert(t.database.db, { ...u, parentCode: u.parentCode ?? null, createdAt: ctx.now, updatedAt: ctx.now });
  }
  for (const u of directory.users) await t.app.services.users.createAsSystem(ctx, { ...u, password: PASSWORD });
}
