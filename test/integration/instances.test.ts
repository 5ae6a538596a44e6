// Several instances on one database (issue 16), in process: two apps built on the same database, as two
// instances behind a load balancer would be. Runs on PGlite and on PostgreSQL. The same checks with two server
// processes and real concurrency are in test/integration/two-instances.test.ts (PostgreSQL only).
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { bootstrap } from '../../src/bootstrap.js';
import { sharedCounters } from '../../src/lib/shared-counters.js';
import { scheduledJobs } from '../../src/modules/jobs/jobs.schedule.js';
import { slotOf, startScheduler, type JobDefinition } from '../../src/modules/jobs/jobs.service.js';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework } from '../helpers/fixtures.js';
import { api, driveToCouncilReview, selfScores, writeItem } from '../helpers/rounds.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';
import { WebClient } from '../helpers/web.js';

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

let now = new Date('2025-10-20T03:00:00Z');
let a: TestApp;
let b: FastifyInstance;
const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'par-inst-b-'));
// Every instance signs with the same key (a key generated under each DATA_DIR would differ).
const keys = generateKeyPairSync('ed25519');
// Small limits so that the tests reach them: 3 failures per (address, username), 5 per address, 3 survey posts.
const env = {
  SIGNING_PRIVATE_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  SIGNING_PUBLIC_KEY: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  LOGIN_RATE_LIMIT_PER_MINUTE: '3',
  LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '5',
  LOGIN_MAX_FAILURES: '100',
  SURVEY_RATE_LIMIT_PER_MINUTE: '3',
  PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
  SESSION_TTL_HOURS: '8760',
};

beforeAll(async () => {
  a = await createTestApp({ clock: () => now, env: { ...env, INSTANCE_ID: 'instance-a' } });
  // Instance B: its own process state (caches, in-memory stores), the same database.
  const configB = loadConfig({ NODE_ENV: 'test', DATA_DIR: dirB, LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', ...env, INSTANCE_ID: 'instance-b' });
  b = await buildApp({ config: configB, database: a.database, logger: false, clock: () => now });
  await b.ready();
  await seedDirectory(a);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  fs.rmSync(dirB, { recursive: true, force: true });
});

const on = (app: FastifyInstance) => ({
  login: (username: string, password: string, ip = '203.0.113.7') =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: ip }),
});
const instances = () => [on(a.app), on(b)];
const later = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

describe('login limit shared by the instances (failed attempts only)', () => {
  it('failed logins alternating between instances are limited as if on one: the 4th attempt is 429 even with the right password', async () => {
    const [x, y] = instances();
    const codes = [
      (await x!.login('p1.editor', 'wrong-1')).statusCode,
      (await y!.login('p1.editor', 'wrong-2')).statusCode,
      (await x!.login('p1.editor', 'wrong-3')).statusCode,
    ];
    expect(codes).toEqual([401, 401, 401]);
    const limited = await y!.login('p1.editor', PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    // The window opened at the first failure, 60 s ago at most.
    expect(Number(limited.headers['retry-after'])).toBe(60);
    // Another address is not affected; nor is another username from the same address.
    expect((await x!.login('p1.editor', PASSWORD, '198.51.100.9')).statusCode).toBe(200);
    expect((await x!.login('p1.head', PASSWORD)).statusCode).toBe(200);
    later(60_001);
    expect((await y!.login('p1.editor', PASSWORD)).statusCode).toBe(200);
  });

  it('successful logins do not count: a whole office behind one address logs in; spraying usernames hits the address limit (5)', async () => {
    const [x, y] = instances();
    const office = '192.0.2.50';
    // 7 successful logins from one address: more than both limits, none refused.
    const users = ['admin', 'coord', 'appraiser', 'p1.editor', 'p1.head', 'p2.editor', 'p2.head'];
    for (const [i, u] of users.entries()) expect((await (i % 2 ? x : y)!.login(u, PASSWORD, office)).statusCode).toBe(200);
    // Five failures on five different usernames (each below its own limit of 3), alternating instances...
    for (const [i, u] of ['u1', 'u2', 'u3', 'u4', 'u5'].entries()) expect((await (i % 2 ? x : y)!.login(u, 'nope', office)).statusCode).toBe(401);
    // ...fill the address window: now even a right password from that address waits; unknown and known users alike.
    const known = await x!.login('coord', PASSWORD, office);
    const unknown = await y!.login('nobody', 'nope', office);
    expect([known.statusCode, unknown.statusCode]).toEqual([429, 429]);
    expect(known.json().detail).toBe(unknown.json().detail);
    later(60_001);
    expect((await y!.login('coord', PASSWORD, office)).statusCode).toBe(200);
  });

  it('the web login form on the other instance answers the same limit with a Vietnamese message', async () => {
    for (let i = 0; i < 3; i++) expect((await on(a.app).login('p2.head', `wrong-${i}`, '127.0.0.1')).statusCode).toBe(401);
    const web = new WebClient(b);
    await web.get('/dang-nhap');
    const res = await web.post('/dang-nhap', { username: 'p2.head', password: PASSWORD });
    expect(res.statusCode).toBe(429);
    expect(res.body).toContain('Đăng nhập sai quá nhiều lần từ địa chỉ này; vui lòng thử lại sau 60 giây.');
    later(60_001);
    expect((await web.post('/dang-nhap', { username: 'p2.head', password: PASSWORD })).statusCode).toBe(303);
  });

  it('the counters are one row per key in the database, shared by both instances', async () => {
    const ip = '203.0.113.99';
    await on(a.app).login('ghost', 'x', ip);
    await on(b).login('ghost', 'x', ip);
    const state = await sharedCounters.peek(a.database.db, [`login:a:${ip}`], now);
    expect(state.get(`login:a:${ip}`)?.hits).toBe(2);
  });
});

describe('survey form limit shared by the instances', () => {
  it('3 posts per address per minute in total, whichever instance receives them', async () => {
    const url = '/api/v1/public/surveys/NO-SUCH/units/P1/responses';
    const post = (app: FastifyInstance) => app.inject({ method: 'POST', url, payload: { responseId: 'r-1', answers: {} }, remoteAddress: '203.0.113.30' });
    const codes = [(await post(a.app)).statusCode, (await post(b)).statusCode, (await post(a.app)).statusCode, (await post(b)).statusCode];
    // The first three reach the handler (the survey does not exist or the body is refused), the fourth is limited.
    expect(codes.slice(0, 3).every((c) => c !== 429)).toBe(true);
    expect(codes[3]).toBe(429);
    later(60_001);
    expect((await post(b)).statusCode).not.toBe(429);
  });
});

describe('sessions across instances', () => {
  it('a token issued by one instance is valid on the other, and a logout on either is honoured by both', async () => {
    const res = await on(a.app).login('p2.editor', PASSWORD, '203.0.113.40');
    const token = res.json().token as string;
    const me = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect((await me(b)).statusCode).toBe(200);
    expect((await b.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(204);
    expect((await me(a.app)).statusCode).toBe(401);
    expect((await me(b)).statusCode).toBe(401);
  });
});

describe('exactly-once effects across instances', () => {
  let roundId: string;
  let openRoundId: string;
  const coordOn = async (app: FastifyInstance, method: 'POST' | 'GET', url: string, payload?: object) =>
    app.inject({ method, url, headers: await a.as('coord'), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    await insertFramework(a, { code: 'XA-T', lineage: 'XA' });
    roundId = await driveToCouncilReview(a, {
      year: 2025,
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', units: { P1: { head: 'p1.head', self: selfScores.good }, P2: { head: 'p2.head', self: selfScores.na } } }],
    });
    await recordCouncil(a, roundId);
  });

  it('two publishes of one round at the same moment on two instances: one publication (201) and one 409 already published', async () => {
    const body = { decisionNumber: '90/QĐ-UBND', decisionDate: '2025-12-25' };
    const res = await Promise.all([coordOn(a.app, 'POST', `/api/v1/rounds/${roundId}/publications`, body), coordOn(b, 'POST', `/api/v1/rounds/${roundId}/publications`, body)]);
    const codes = res.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 409]);
    const created = res.find((r) => r.statusCode === 201)!.json();
    const refused = res.find((r) => r.statusCode === 409)!.json();
    expect(refused).toMatchObject({ code: 'already_published', phase: 'published', publicationId: created.id });
    const list = await a.app.inject({ method: 'GET', url: `/api/v1/public/publications?roundId=${roundId}&includeSuperseded=true` });
    expect(list.json()).toHaveLength(1);
  });

  it('a correction published on one instance is what the other serves next; the old document stays the same bytes', async () => {
    const first = (await b.inject({ method: 'GET', url: `/api/v1/public/publications?roundId=${roundId}` })).json()[0];
    // Instance B renders and keeps the first publication's document.
    const oldDoc = await b.inject({ method: 'GET', url: `/api/v1/public/publications/${first.id}` });
    expect(oldDoc.statusCode, oldDoc.body).toBe(200);
    const corrected = await coordOn(a.app, 'POST', `/api/v1/rounds/${roundId}/publications`, { decisionNumber: '91/QĐ-UBND', decisionDate: '2025-12-28', reason: 'Đính chính số quyết định' });
    expect(corrected.statusCode).toBe(201);
    const current = (await b.inject({ method: 'GET', url: `/api/v1/public/publications?roundId=${roundId}` })).json();
    expect(current.map((p: { id: string }) => p.id)).toEqual([corrected.json().id]);
    const history = (await b.inject({ method: 'GET', url: '/api/v1/public/units/P1/history' })).json();
    expect(history.entries.map((e: { decisionNumber: string }) => e.decisionNumber)).toEqual(['91/QĐ-UBND']);
    const newDoc = await b.inject({ method: 'GET', url: `/api/v1/public/publications/${corrected.json().id}` });
    expect(newDoc.json().decisionNumber).toBe('91/QĐ-UBND');
    expect(newDoc.headers.etag).toBe(`"${corrected.json().hash}"`);
    const again = await b.inject({ method: 'GET', url: `/api/v1/public/publications/${first.id}` });
    expect(again.body).toBe(oldDoc.body);
    expect(again.headers.etag).toBe(`"${first.hash}"`);
  });

  it('two identical transitions at the same moment: one moves the round, the other is a 409 naming the phase it found', async () => {
    await insertFramework(a, { code: 'XA-T26', lineage: 'XA', year: 2026 });
    const other = await api(a, 'coord', 'POST', '/api/v1/rounds', {
      year: 2026,
      name: 'Kỳ đánh giá thử',
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T26', unitCodes: ['P1', 'P2'] }],
      schedule: { self_assessment: '2026-11-03', appraisal: '2026-11-29', explanation: '2026-12-05', final_appraisal: '2026-12-12', council_review: '2026-12-20' },
    });
    expect(other.statusCode).toBe(201);
    const id = other.json().id as string;
    const res = await Promise.all([a.app, b].map((app) => coordOn(app, 'POST', `/api/v1/rounds/${id}/transition`, { to: 'self_assessment' })));
    expect(res.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(res.find((r) => r.statusCode === 409)!.json().phase).toBe('self_assessment');
    const audit = await api(a, 'admin', 'GET', `/api/v1/audit?action=round.transition&entityId=${id}`);
    expect(audit.json().items).toHaveLength(1);
    openRoundId = id;
  });

  it('two submits of one self-assessment on two instances: one 200, one 409; submitted once in the audit log', async () => {
    for (const [code, body] of Object.entries(selfScores.good)) expect((await writeItem(a, 'p1.head', openRoundId, 'P1', code, 'self', body)).statusCode).toBe(200);
    const headers = await a.as('p1.head');
    const res = await Promise.all([a.app, b].map((app) => app.inject({ method: 'POST', url: `/api/v1/rounds/${openRoundId}/assessments/P1/submit`, headers })));
    expect(res.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const audit = await api(a, 'admin', 'GET', `/api/v1/audit?action=assessment.submitted&entityId=${openRoundId}/P1`);
    expect(audit.json().items).toHaveLength(1);
  });

  it('the same survey file imported on two instances at once: its 6 rows stored once (6 imported + 6 duplicates)', async () => {
    await insertSurvey(a, surveyDoc('SIPAS-INST'));
    const csv = ['id,unit,Q1,Q2', 'x-1,P1,5,4', 'x-2,P1,4,4', 'x-3,P2,3,5', 'x-4,P2,5,5', 'x-5,P1,1,2', 'x-6,P2,2,1'].join('\n');
    const headers = { ...(await a.as('coord')), 'content-type': 'text/csv' };
    const res = await Promise.all([a.app, b].map((app) => app.inject({ method: 'POST', url: '/api/v1/surveys/SIPAS-INST/responses/import', headers, payload: csv })));
    expect(res.map((r) => r.statusCode), res.map((r) => r.body).join('\n')).toEqual([200, 200]);
    expect(res.map((r) => [r.json().imported, r.json().duplicate]).sort()).toEqual([[0, 6], [6, 0]]);
    const rows = await a.database.db.execute(sql`select count(*)::int as n from survey_responses r join surveys s on s.id = r.survey_id where s.code = 'SIPAS-INST'`);
    expect((rows as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(6);
  });
});

describe('background jobs', () => {
  it('a job slot runs on one instance only, recorded with its instance and outcome; admins list the runs', async () => {
    let runs = 0;
    const job: JobDefinition = { name: 'test-job', periodMs: 3_600_000, run: async () => ({ n: ++runs }) };
    const results = await Promise.all([a.app.services.jobs.runIfDue(job, now), b.services.jobs.runIfDue(job, now), a.app.services.jobs.runIfDue(job, now)]);
    expect(runs).toBe(1);
    const ran = results.filter((r) => r !== null);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ name: 'test-job', slot: slotOf(now, 3_600_000), outcome: 'succeeded', detail: { n: 1 } });
    expect(['instance-a', 'instance-b']).toContain(ran[0]!.instance);
    // The next hour is a new slot.
    later(3_600_000);
    expect(await b.services.jobs.runIfDue(job, now)).toMatchObject({ instance: 'instance-b', outcome: 'succeeded', detail: { n: 2 } });

    const failing: JobDefinition = { name: 'failing-job', periodMs: 3_600_000, run: async () => Promise.reject(new Error('disk full')) };
    expect(await a.app.services.jobs.runIfDue(failing, now)).toMatchObject({ outcome: 'failed', detail: { error: 'disk full' } });

    const list = await api(a, 'admin', 'GET', '/api/v1/jobs/runs?name=test-job');
    expect(list.statusCode).toBe(200);
    expect(list.json().map((r: { detail: { n: number } }) => r.detail.n)).toEqual([2, 1]);
    expect((await api(a, 'coord', 'GET', '/api/v1/jobs/runs')).statusCode).toBe(403);
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/jobs/runs' })).statusCode).toBe(401);
  });

  it('the scheduled jobs (retention purge, evidence sweep, housekeeping) started on both instances run once per hour in total', async () => {
    later(3_600_000);
    const stops = [a.app, b].map((app) => startScheduler({ jobs: app.services.jobs, definitions: scheduledJobs(app), clock: app.clock, log: app.log, tickMs: 20 }));
    // Let each instance tick a few times within the same hour.
    await new Promise((r) => setTimeout(r, 400));
    await Promise.all(stops.map((s) => s()));
    const slot = slotOf(now, 3_600_000);
    const runs = (await api(a, 'admin', 'GET', '/api/v1/jobs/runs?limit=500')).json().filter((r: { slot: string }) => r.slot === slot);
    expect(runs.map((r: { name: string }) => r.name).sort()).toEqual(['evidence-sweep', 'housekeeping', 'survey-personal-data-purge']);
    expect(runs.every((r: { outcome: string }) => r.outcome === 'succeeded')).toBe(true);
    // Housekeeping removed the expired rate-limit windows of the tests above.
    expect(runs.find((r: { name: string }) => r.name === 'housekeeping').detail.rateLimitWindowsRemoved).toBeGreaterThan(0);
  });

  it('bootstrap under the start-up lock is idempotent: a second instance finds the admin and creates nothing', async () => {
    const first = await a.database.withStartupLock(() => bootstrap(a.app, { housekeeping: false }));
    const second = await a.database.withStartupLock(() => bootstrap(b, { housekeeping: false }));
    expect([first.adminCreated, second.adminCreated]).toEqual([false, false]);
    expect(second.sweep).toEqual({ tempRemoved: 0, orphansRemoved: 0 });
  });
});
