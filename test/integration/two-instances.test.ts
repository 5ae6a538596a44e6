// Two server PROCESSES on one empty PostgreSQL database, started at the same moment (issue 16 item 6):
//   1. both come up (one migrates and bootstraps under the start-up lock, the other waits) with one admin;
//   2. failed logins alternating between the instances are limited as if on one;
//   3. a publish, a transition, a submit and a survey import sent to both at once each happen exactly once;
//   4. each scheduled job ran once per slot (hour) across both instances;
//   5. a correction published on one instance is what the other serves next.
// PostgreSQL only (PGlite is one process by design): skipped unless TEST_DATABASE_URL is set. Prints the measured
// figures quoted in docs/scaling.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openPostgres, type Database } from '../../src/db/client.js';
import { orgUnitsRepo } from '../../src/modules/org-units/org-units.repo.js';
import { directory, PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';
import { insertFramework } from '../helpers/fixtures.js';
import { api, driveToCouncilReview, selfScores, writeItem } from '../helpers/rounds.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';

/**
 * The council record publication needs (members, minutes, issuer, signer). Recorded here, not assumed from the
 * round helper: PUT replaces, so recording it again is harmless.
 */
async function recordCouncil(t: TestApp, roundId: string) {
  const council = await api(t, 'coord', 'PUT', `/api/v1/rounds/${roundId}/council`, {
    members: [{ name: 'Nguyễn Văn A', position: 'Chủ tịch Hội đồng' }],
    decisionIssuer: 'Ủy ban nhân dân thành phố Thử Nghiệm',
    signerName: 'Trần Thị B',
    signerTitle: 'Chủ tịch',
  });
  expect(council.statusCode, council.body).toBe(200);
  const minutes = await api(t, 'coord', 'PUT', `/api/v1/rounds/${roundId}/council/minutes`, { docNumber: '05/BB-HĐTĐ', docDate: '2025-12-22', issuer: 'Hội đồng thẩm định', title: 'Biên bản họp Hội đồng thẩm định' });
  expect(minutes.statusCode, minutes.body).toBe(200);
}

const root = path.resolve(import.meta.dirname, '../..');
const dbName = `par_two_${Date.now()}_${randomBytes(3).toString('hex')}`;
const url = TEST_DATABASE_URL ? Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${dbName}` }).toString() : '';
const keys = generateKeyPairSync('ed25519');
const signing = {
  SIGNING_PRIVATE_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  SIGNING_PUBLIC_KEY: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'par-two-'));
const figures: Record<string, number> = {};

interface Instance {
  name: string;
  proc: ChildProcess;
  base: string;
  output: string[];
}
let instances: Instance[] = [];
let fixture: TestApp;
let fixtureDb: Database;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Starts `node --import tsx src/server.ts` and resolves with its base URL once it prints where it listens. */
function start(name: string): Promise<Instance> {
  const dataDir = path.join(tmp, name);
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_PASSWORD: PASSWORD,
      DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      INSTANCE_ID: name,
      MAX_EVENT_LOOP_DELAY_MS: '0',
      LOGIN_RATE_LIMIT_PER_MINUTE: '3',
      PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
      PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
      ...signing,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('')}`)), 150_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const m = /is listening on (http:\/\/[^\s]+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve({ name, proc, base: m[1]!, output });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output.join('')}`));
    });
  });
}

async function stop(i: Instance) {
  if (i.proc.exitCode !== null) return;
  const exited = new Promise((r) => i.proc.once('exit', r));
  i.proc.kill('SIGTERM');
  const timer = setTimeout(() => i.proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function http(base: string, method: string, p: string, opts: { token?: string; json?: unknown; body?: string; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.body !== undefined) {
    headers['content-type'] = opts.type ?? 'text/plain';
    body = opts.body;
  }
  const res = await fetch(base + p, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, json: parsed, text, headers: res.headers };
}

const login = async (base: string, username: string, password = PASSWORD) => (await http(base, 'POST', '/api/v1/auth/login', { json: { username, password } })).json?.token as string;
const scalar = async (q: ReturnType<typeof sql>) => Number(((await fixtureDb.db.execute(q)) as unknown as { rows: { n: number }[] }).rows[0]!.n);

describe.runIf(!!TEST_DATABASE_URL)('two instances as processes on one PostgreSQL', () => {
  beforeAll(async () => {
    await admin((c) => c.query(`create database "${dbName}"`));
    const t0 = performance.now();
    // Both at the same moment, on an empty database.
    instances = await Promise.all([start('instance-a'), start('instance-b')]);
    figures.bothReadyMs = Math.round(performance.now() - t0);

    // A third, in-process app on the same database, only to lay out fixtures (directory, framework, rounds).
    fixtureDb = openPostgres(url);
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: path.join(tmp, 'fixture'), LOG_LEVEL: 'silent', DATABASE_URL: url, LOGIN_RATE_LIMIT_PER_MINUTE: '1000', ...signing });
    const now = new Date('2025-10-20T03:00:00Z');
    const app = await buildApp({ config, database: fixtureDb, logger: false, clock: () => now });
    const tokens = new Map<string, string>();
    const doLogin = async (u: string, p = PASSWORD) => {
      const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u, password: p }, remoteAddress: '10.9.9.9' });
      if (r.statusCode !== 200) throw new Error(`fixture login ${u}: ${r.statusCode} ${r.body}`);
      return r.json().token as string;
    };
    fixture = {
      app,
      database: fixtureDb,
      config,
      login: doLogin,
      as: async (u) => {
        if (!tokens.has(u)) tokens.set(u, await doLogin(u));
        return { authorization: `Bearer ${tokens.get(u)}` };
      },
      close: async () => {
        await app.close();
      },
    };
    const ctx = { actor: null, requestId: 'fixture', now };
    for (const u of directory.units) await orgUnitsRepo.insert(fixtureDb.db, { ...u, parentCode: u.parentCode ?? null, createdAt: now, updatedAt: now });
    // 'admin' was created by the instances' bootstrap (ADMIN_PASSWORD).
    for (const u of directory.users.filter((x) => x.username !== 'admin')) await app.services.users.createAsSystem(ctx, { ...u, password: PASSWORD });
  }, 300_000);

  afterAll(async () => {
    await Promise.all(instances.map(stop));
    await fixture?.close();
    await fixtureDb?.close();
    await admin((c) => c.query(`drop database if exists "${dbName}" with (force)`));
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`two-instance figures: ${JSON.stringify(figures)}`);
  }, 60_000);

  it('both came up on the empty database: schema migrated once, one admin, both ready', async () => {
    for (const i of instances) expect((await http(i.base, 'GET', '/health/ready')).status).toBe(200);
    expect(await scalar(sql`select count(*)::int as n from users where username = 'admin'`)).toBe(1);
    const journal = JSON.parse(fs.readFileSync(path.join(root, 'migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(await scalar(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)).toBe(journal.entries.length);
    expect(await scalar(sql`select count(*)::int as n from audit_events where action = 'user.created' and entity_id = 'admin'`)).toBe(1);
  });

  it('failed logins alternating between the instances are limited as if on one (3 per address and username)', async () => {
    const [a, b] = instances as [Instance, Instance];
    const attempt = (i: Instance, password: string) => http(i.base, 'POST', '/api/v1/auth/login', { json: { username: 'p1.editor', password } });
    const codes = [(await attempt(a, 'x1')).status, (await attempt(b, 'x2')).status, (await attempt(a, 'x3')).status];
    expect(codes).toEqual([401, 401, 401]);
    const t0 = performance.now();
    const limited = await attempt(b, PASSWORD);
    figures.limitedLoginMs = Math.round(performance.now() - t0);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    // Successful logins of other users from the same address are not counted and not refused.
    for (const [k, u] of ['coord', 'p1.head', 'p2.head', 'appraiser', 'admin'].entries()) expect(await login(instances[k % 2]!.base, u)).toMatch(/^par_/);
  });

  it('publish, transition, submit and import sent to both instances at once each happen exactly once', async () => {
    const [a, b] = instances as [Instance, Instance];
    await insertFramework(fixture, { code: 'XA-T', lineage: 'XA' });
    const units = { P1: { head: 'p1.head', self: selfScores.good }, P2: { head: 'p2.head', self: selfScores.na } };
    const toPublish = await driveToCouncilReview(fixture, { year: 2025, groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', units }] });
    await recordCouncil(fixture, toPublish);
    // Deadlines after today's real date: the instances run on the real clock.
    const later = { self_assessment: '2099-11-03', appraisal: '2099-11-29', explanation: '2099-12-05', final_appraisal: '2099-12-12', council_review: '2099-12-20' };
    // A unit is assessed once a year: the other rounds are of other years, each on that year's framework.
    const mk = async (year: number) => {
      await insertFramework(fixture, { code: `XA-T${year}`, lineage: 'XA', year });
      const r = await api(fixture, 'coord', 'POST', '/api/v1/rounds', { year, name: `Kỳ thử ${year}`, groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: `XA-T${year}`, unitCodes: ['P1', 'P2'] }], schedule: later });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };
    const toOpen = await mk(2026);
    const toSubmit = await mk(2027);
    expect((await api(fixture, 'coord', 'POST', `/api/v1/rounds/${toSubmit}/transition`, { to: 'self_assessment' })).statusCode).toBe(200);
    for (const [code, body] of Object.entries(selfScores.good)) expect((await writeItem(fixture, 'p1.head', toSubmit, 'P1', code, 'self', body)).statusCode).toBe(200);
    await insertSurvey(fixture, surveyDoc('SIPAS-TWO'));
    const csv = ['id,unit,Q1,Q2', ...Array.from({ length: 40 }, (_, k) => `r-${k},P${(k % 2) + 1},5,4`)].join('\n');

    const coordA = await login(a.base, 'coord');
    const coordB = await login(b.base, 'coord');
    const headA = await login(a.base, 'p1.head');
    const headB = await login(b.base, 'p1.head');
    const both = <T>(fa: () => Promise<T>, fb: () => Promise<T>) => Promise.all([fa(), fb()]);

    const t0 = performance.now();
    const published = await both(
      () => http(a.base, 'POST', `/api/v1/rounds/${toPublish}/publications`, { token: coordA, json: { decisionNumber: '90/QĐ-UBND', decisionDate: '2025-12-25' } }),
      () => http(b.base, 'POST', `/api/v1/rounds/${toPublish}/publications`, { token: coordB, json: { decisionNumber: '90/QĐ-UBND', decisionDate: '2025-12-25' } }),
    );
    figures.concurrentPublishMs = Math.round(performance.now() - t0);
    expect(published.map((r) => r.status).sort(), published.map((r) => r.text).join('\n')).toEqual([201, 409]);
    const winner = published.find((r) => r.status === 201)!.json;
    expect(published.find((r) => r.status === 409)!.json).toMatchObject({ code: 'already_published', publicationId: winner.id });

    const moved = await both(
      () => http(a.base, 'POST', `/api/v1/rounds/${toOpen}/transition`, { token: coordA, json: { to: 'self_assessment' } }),
      () => http(b.base, 'POST', `/api/v1/rounds/${toOpen}/transition`, { token: coordB, json: { to: 'self_assessment' } }),
    );
    expect(moved.map((r) => r.status).sort(), moved.map((r) => r.text).join('\n')).toEqual([200, 409]);

    const submitted = await both(
      () => http(a.base, 'POST', `/api/v1/rounds/${toSubmit}/assessments/P1/submit`, { token: headA }),
      () => http(b.base, 'POST', `/api/v1/rounds/${toSubmit}/assessments/P1/submit`, { token: headB }),
    );
    expect(submitted.map((r) => r.status).sort(), submitted.map((r) => r.text).join('\n')).toEqual([200, 409]);

    const t1 = performance.now();
    const imported = await both(
      () => http(a.base, 'POST', '/api/v1/surveys/SIPAS-TWO/responses/import', { token: coordA, body: csv, type: 'text/csv' }),
      () => http(b.base, 'POST', '/api/v1/surveys/SIPAS-TWO/responses/import', { token: coordB, body: csv, type: 'text/csv' }),
    );
    figures.concurrentImport40RowsMs = Math.round(performance.now() - t1);
    expect(imported.map((r) => r.status), imported.map((r) => r.text).join('\n')).toEqual([200, 200]);
    expect(imported.map((r) => r.json.imported).sort()).toEqual([0, 40]);
    expect(imported.map((r) => r.json.duplicate).sort()).toEqual([0, 40]);

    // What the database holds: one of each.
    expect(await scalar(sql`select count(*)::int as n from publications where round_id = ${toPublish}`)).toBe(1);
    expect(await scalar(sql`select count(*)::int as n from audit_events where action = 'round.transition' and entity_id = ${toOpen}`)).toBe(1);
    expect(await scalar(sql`select count(*)::int as n from assessments a join (select count(*) c from audit_events where action = 'assessment.submitted' and entity_id = ${`${toSubmit}/P1`}) e on e.c = 1 where a.round_id = ${toSubmit} and a.unit_code = 'P1' and a.status = 'submitted'`)).toBe(1);
    expect(await scalar(sql`select count(*)::int as n from survey_responses r join surveys s on s.id = r.survey_id where s.code = 'SIPAS-TWO'`)).toBe(40);

    // A correction published on A is what B serves next; both serve the same bytes for either publication.
    const corrected = await http(a.base, 'POST', `/api/v1/rounds/${toPublish}/publications`, { token: coordA, json: { decisionNumber: '91/QĐ-UBND', decisionDate: '2025-12-28', reason: 'Đính chính số quyết định' } });
    expect(corrected.status).toBe(201);
    const current = await http(b.base, 'GET', `/api/v1/public/publications?roundId=${toPublish}`);
    expect(current.json.map((p: { id: string }) => p.id)).toEqual([corrected.json.id]);
    const docs = await Promise.all(instances.map((i) => http(i.base, 'GET', `/api/v1/public/publications/${corrected.json.id}`)));
    expect(docs[0]!.text).toBe(docs[1]!.text);
    const verified = await http(b.base, 'GET', `/api/v1/public/publications/${corrected.json.id}/verify`);
    expect(verified.json.valid).toBe(true);

    // Public reads, 8 clients: on one instance, then spread over both (rough figures for docs/scaling.md).
    const readRate = async (spread: number) => {
      const n = 400;
      const t2 = performance.now();
      let next = 0;
      const workers = Array.from({ length: 8 }, async () => {
        while (next < n) {
          const k = next++;
          const r = await http(instances[k % spread]!.base, 'GET', `/api/v1/public/publications/${winner.id}`);
          expect(r.status).toBe(200);
        }
      });
      await Promise.all(workers);
      return Math.round(n / ((performance.now() - t2) / 1000));
    };
    figures.publicReadsPerSecondOneInstance = await readRate(1);
    figures.publicReadsPerSecondTwoInstances = await readRate(2);
  }, 600_000);

  it('each scheduled job ran once per slot across both instances, recorded with the instance that ran it', async () => {
    const runs = ((await fixtureDb.db.execute(sql`select name, slot, instance, outcome from job_runs order by started_at`)) as unknown as { rows: { name: string; slot: string; instance: string; outcome: string }[] }).rows;
    const names = ['evidence-sweep', 'housekeeping', 'survey-personal-data-purge'];
    expect([...new Set(runs.map((r) => r.name))].sort()).toEqual(names);
    const perSlot = new Map<string, number>();
    for (const r of runs) perSlot.set(`${r.name}@${r.slot}`, (perSlot.get(`${r.name}@${r.slot}`) ?? 0) + 1);
    expect([...perSlot.values()].every((c) => c === 1)).toBe(true);
    expect(runs.every((r) => ['instance-a', 'instance-b'].includes(r.instance) && r.outcome === 'succeeded')).toBe(true);
    // Admins see them through the API of either instance.
    const token = await login(instances[1]!.base, 'admin');
    const listed = await http(instances[1]!.base, 'GET', '/api/v1/jobs/runs', { token });
    expect(listed.json.length).toBe(runs.length);
  });
});
