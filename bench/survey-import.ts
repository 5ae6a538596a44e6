// Benchmark of the survey bulk import (not part of the tests): `npm run bench:survey-import`.
//
// Creates a throwaway PostgreSQL database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), writes
// a KoboToolbox-style CSV of BENCH_ROWS (default 1,000,000) responses to 10 questions for 100 units on disk, then:
//   import — POST /api/v1/surveys/{code}/responses/import over HTTP to the running service: streamed parse, checks
//            against the questionnaire and the unit directory, batched INSERT … ON CONFLICT DO NOTHING, one transaction;
//   copy   — `COPY survey_responses (…) FROM STDIN` of the same rows (same survey, units, ids, answers, times) into the
//            same table, emptied in between: the database's own bulk-load speed, the baseline.
// Prints rows/s of both and the ratio import/copy (target ≥ 0.3), then drops the database.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openPostgres } from '../src/db/client.js';
import { orgUnits, surveys } from '../src/db/schema.js';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const UNITS = 100;
const QUESTIONS = Array.from({ length: 10 }, (_, i) => `Q${i + 1}`);
const OPTIONS = ['5', '4', '3', '2', '1', '0'];

const dbName = `par_bench_${Date.now()}`;
const withDb = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
};
async function admin(query: string) {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-'));
const csvPath = path.join(tmp, 'responses.csv');
const copyPath = path.join(tmp, 'responses.copy');

/** The same rows twice: the export the province's survey tool gives, and COPY text format for the baseline. */
async function writeFiles(surveyId: string) {
  const csv = fs.createWriteStream(csvPath);
  const copy = fs.createWriteStream(copyPath);
  csv.write(`_uuid,${QUESTIONS.map((q) => `grp/${q}`).join(',')},unitCode,_submission_time\n`);
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const base = Date.parse('2025-03-01T00:00:00Z');
  let csvChunk = '';
  let copyChunk = '';
  for (let i = 0; i < ROWS; i++) {
    const id = `bench-${i.toString(36)}-${Math.floor(rnd() * 1e9).toString(36)}`;
    const unit = `U${String(i % UNITS).padStart(3, '0')}`;
    const answers = QUESTIONS.map(() => OPTIONS[Math.floor(rnd() * OPTIONS.length)]!);
    const at = new Date(base + i * 1000).toISOString();
    csvChunk += `${id},${answers.join(',')},${unit},${at}\n`;
    const json = `{${QUESTIONS.map((q, k) => `"${q}": "${answers[k]}"`).join(', ')}}`;
    copyChunk += `${surveyId}\t${unit}\t${id}\timport\t${json}\t${at}\t${at}\n`;
    if (csvChunk.length > 1 << 20) {
      if (!csv.write(csvChunk)) await once(csv, 'drain');
      if (!copy.write(copyChunk)) await once(copy, 'drain');
      csvChunk = '';
      copyChunk = '';
    }
  }
  csv.end(csvChunk);
  copy.end(copyChunk);
  await Promise.all([once(csv, 'finish'), once(copy, 'finish')]);
}

function post(url: string, token: string, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': fs.statSync(file).size } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    fs.createReadStream(file).pipe(req);
  });
}

await admin(`create database "${dbName}"`);
const url = withDb(BASE_URL, dbName);
const database = openPostgres(url);
try {
  await database.migrate();
  const db = database.db;
  const now = new Date();
  await db.insert(orgUnits).values(Array.from({ length: UNITS }, (_, i) => ({ code: `U${String(i).padStart(3, '0')}`, name: `Đơn vị ${i}`, kind: 'commune' as const, createdAt: now, updatedAt: now })));
  const options = OPTIONS.map((code) => ({ code, label: `Mức ${code}`, value: code === '0' ? null : Number(code) >= 4 ? 1 : 0 }));
  const [survey] = await db
    .insert(surveys)
    .values({
      code: 'SIPAS-BENCH',
      name: 'Khảo sát benchmark',
      kind: 'satisfaction',
      status: 'published',
      definition: { description: null, demographics: [], dimensions: [{ code: 'D', title: 'Chung', weight: 1, questions: QUESTIONS.map((code) => ({ code, text: code, required: false, options })) }] },
      createdBy: 'bench',
      createdAt: now,
      updatedAt: now,
      publishedAt: now,
    })
    .returning();

  let t0 = performance.now();
  await writeFiles(survey!.id);
  const mb = (fs.statSync(csvPath).size / 1024 / 1024).toFixed(1);
  console.log(`generated ${ROWS.toLocaleString('en')} rows: CSV ${mb} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: url, DATA_DIR: tmp, ADMIN_PASSWORD: 'bench-password-1', SURVEY_IMPORT_MAX_MB: '1024' });
  const app = await buildApp({ config, database, logger: false });
  await app.services.users.createAsSystem({ actor: null, requestId: 'bench', now }, { username: 'coord', password: 'bench-password-1', displayName: 'Bench', role: 'coordinator', orgUnitCode: 'U000' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const login = await fetch(`${address}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'coord', password: 'bench-password-1' }) });
  const { token } = (await login.json()) as { token: string };

  const count = async () => ((await db.execute(sql`select count(*)::int as n from survey_responses`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;

  // Peak memory while importing: the file is streamed, so it stays flat whatever the row count.
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  t0 = performance.now();
  const res = await post(`${address}/api/v1/surveys/SIPAS-BENCH/responses/import`, token, csvPath);
  const importS = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  if (res.status !== 200) throw new Error(`import failed: ${res.status} ${res.body.slice(0, 500)}`);
  const report = JSON.parse(res.body) as { imported: number; duplicate: number; rejected: number };
  if (report.imported !== ROWS || (await count()) !== ROWS) throw new Error(`import wrote ${report.imported} rows: ${res.body.slice(0, 500)}`);
  await app.close();

  await db.execute(sql`truncate survey_responses cascade`);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  t0 = performance.now();
  await pipeline(fs.createReadStream(copyPath), client.query(copyStreams.from('copy survey_responses (survey_id, unit_code, response_id, source, answers, submitted_at, created_at) from stdin')));
  const copyS = (performance.now() - t0) / 1000;
  client.release();
  await pool.end();
  if ((await count()) !== ROWS) throw new Error('COPY did not load every row');

  const importRate = ROWS / importS;
  const copyRate = ROWS / copyS;
  const ratio = importRate / copyRate;
  console.log(`import (HTTP, parse + validate + insert): ${importS.toFixed(2)} s, ${Math.round(importRate).toLocaleString('en')} rows/s`);
  console.log(`  process RSS during the import: ${(rssBefore / 1048576).toFixed(0)} MB before, ${(rssPeak / 1048576).toFixed(0)} MB peak (CSV on disk: ${mb} MB)`);
  console.log(`COPY FROM STDIN (same rows, same table):  ${copyS.toFixed(2)} s, ${Math.round(copyRate).toLocaleString('en')} rows/s`);
  console.log(`ratio import/COPY: ${ratio.toFixed(2)} (target ≥ 0.3) ${ratio >= 0.3 ? 'OK' : 'BELOW TARGET'}`);
  process.exitCode = ratio >= 0.3 ? 0 : 1;
} finally {
  await database.close();
  await admin(`drop database if exists "${dbName}" with (force)`);
  fs.rmSync(tmp, { recursive: true, force: true });
}
