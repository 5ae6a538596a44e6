// Shared set-up for the scale benchmarks (issue 14): a throwaway database on 127.0.0.1 (PostgreSQL) or in memory
// (PGlite), a synthetic 120-criterion framework, N units with their editors, and rounds opened through the service.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openPglite, openPostgres, type Database } from '../../src/db/client.js';
import { orgUnits } from '../../src/db/schema.js';
import type { SystemCtx } from '../../src/lib/context.js';

export const BENCH_PASSWORD = 'bench-password-1';
export const LEAVES_PER_AREA = 12;
export const AREAS = 10;

/** Only 127.0.0.1: a benchmark never touches another machine. */
export function benchDatabaseUrl(): string | undefined {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (process.env.BENCH_DRIVER === 'pglite') return undefined;
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`benchmarks target 127.0.0.1 only (got ${host})`);
  return url;
}

/** A fresh database `name` on the server of `adminUrl`; dropped by the returned cleanup. */
export async function freshPostgres(adminUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function benchFramework(code = 'BENCH-120') {
  const option = { type: 'options', options: [{ code: 'FULL', label: 'Đạt', points: 1 }, { code: 'HALF', label: 'Đạt một phần', points: 0.5 }, { code: 'NONE', label: 'Không đạt', points: 0 }] };
  return {
    code,
    lineage: 'BENCH',
    name: 'Bộ tiêu chí thử tải 120 tiêu chí',
    year: 2025,
    legalBasis: 'bench',
    bonusCap: 0,
    penaltyCap: 0,
    surveyOptional: true,
    capIndexAt100: true,
    bands: [
      { code: 'TOT', label: 'Tốt', minIndex: 80 },
      { code: 'KHA', label: 'Khá', minIndex: 50 },
      { code: 'YEU', label: 'Yếu', minIndex: 0 },
    ],
    criteria: Array.from({ length: AREAS }, (_, a) => ({
      code: String(a + 1),
      title: `Lĩnh vực ${a + 1}`,
      maxPoints: LEAVES_PER_AREA,
      children: Array.from({ length: LEAVES_PER_AREA }, (_, l) => ({
        code: `${a + 1}.${l + 1}`,
        title: `Tiêu chí ${a + 1}.${l + 1}`,
        maxPoints: 1,
        source: 'self',
        naAllowed: false,
        rule: option,
      })),
    })),
  };
}

export interface Bench {
  app: FastifyInstance;
  database: Database;
  url: string | undefined;
  /** The service's DATA_DIR (signing key); with `pgliteDir`, the embedded database's files too. */
  dataDir: string;
  pgliteDir: string | undefined;
  system: SystemCtx;
  /** Closes the service and the database connection, keeping the database and DATA_DIR for other processes. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** `pgliteDir`: PGlite keeps its files in DATA_DIR (so another process can open them) instead of in memory. */
export async function openBench(name: string, env: Record<string, string> = {}, opts: { pgliteDir?: boolean } = {}): Promise<Bench> {
  const adminUrl = benchDatabaseUrl();
  const fresh = adminUrl ? await freshPostgres(adminUrl, name) : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-'));
  const pgliteDir = !fresh && opts.pgliteDir ? path.join(dataDir, 'pglite') : undefined;
  const database = fresh ? openPostgres(fresh.url, undefined, { max: 40 }) : await openPglite(pgliteDir);
  await database.migrate();
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT_PER_MINUTE: '100000', MAX_EVENT_LOOP_DELAY_MS: '0', HEAVY_MAX_CONCURRENT: '0', ...env });
  const app = await buildApp({ config, database, logger: false });
  await app.ready();
  const system: SystemCtx = { actor: null, requestId: 'bench', now: new Date() };
  await database.db.insert(orgUnits).values([{ code: 'PROV', name: 'UBND tỉnh Thử Tải', kind: 'province' }, { code: 'SNV', name: 'Sở Nội vụ', kind: 'department', parentCode: 'PROV' }]);
  await app.services.users.createAsSystem(system, { username: 'coord', displayName: 'Sở Nội vụ', role: 'coordinator', orgUnitCode: 'SNV', password: BENCH_PASSWORD });
  await app.services.frameworks.installPublished(system, benchFramework());
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await app.close();
    await database.close();
  };
  return {
    app,
    database,
    url: fresh?.url,
    dataDir,
    pgliteDir,
    system,
    release,
    async close() {
      await release();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await fresh?.drop();
    },
  };
}

/** `n` communes U00001… (one set-based insert). */
export async function addUnits(b: Bench, prefix: string, n: number): Promise<string[]> {
  const codes = Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(5, '0')}`);
  for (let i = 0; i < codes.length; i += 1000) {
    await b.database.db.insert(orgUnits).values(codes.slice(i, i + 1000).map((code) => ({ code, name: `UBND xã ${code}`, kind: 'commune' as const, parentCode: 'PROV' })));
  }
  return codes;
}

export async function coordinatorCtx(b: Bench) {
  const actor = await b.app.services.auth.resolve(await login(b, 'coord'), new Date());
  return { actor: actor!, requestId: 'bench', now: new Date() };
}

export async function login(b: Bench, username: string): Promise<string> {
  const res = await b.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: BENCH_PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

/** Creates a round over `units` and opens it (draft → self_assessment); returns its id and the opening time. */
export async function openRound(b: Bench, units: string[], name: string) {
  const ctx = await coordinatorCtx(b);
  const today = new Date().toISOString().slice(0, 10);
  const round = await b.app.services.rounds.create(ctx, {
    year: 2025,
    name,
    groups: [{ code: 'XA', name: 'Xã', frameworkCode: 'BENCH-120', unitCodes: units }],
    schedule: { self_assessment: `${Number(today.slice(0, 4)) + 1}-12-31` },
  } as Parameters<typeof b.app.services.rounds.create>[1]);
  const t0 = performance.now();
  await b.app.services.rounds.transition(ctx, round.id, 'self_assessment');
  return { roundId: round.id, openMs: performance.now() - t0 };
}

/** Fills every self item of the round with a deterministic mix of answers (set-based, for the read benchmarks). */
export async function fillSelfScores(b: Bench, roundId: string) {
  await b.database.db.execute(sql`update assessment_items i set
      self_input = case abs(hashtext(i.id::text)) % 3 when 0 then '{"option":"FULL"}'::jsonb when 1 then '{"option":"HALF"}'::jsonb else '{"option":"NONE"}'::jsonb end,
      self_points = case abs(hashtext(i.id::text)) % 3 when 0 then 1 when 1 then 0.5 else 0 end,
      version = version + 1
    from assessments a where a.id = i.assessment_id and a.round_id = ${roundId}`);
}

export const fmt = (x: number, digits = 1) => x.toFixed(digits);
export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
