// Issue 14 item 1: saving one self score (PUT …/items/{code}/self with If-Match, over HTTP) against a raw
// single-row INSERT through `pg`, both at 1 and at 32 concurrent writers, measured in the same run on the same
// database. Each writer works on its own unit. The HTTP clients run in a worker thread so that the load generator
// does not share the server's event loop.
//   npm run bench:write                        PostgreSQL on 127.0.0.1 (BENCH_DATABASE_URL to override)
//   BENCH_DRIVER=pglite npm run bench:write    embedded database (raw baseline through PGlite's query)
// Targets (PostgreSQL): writes ≥ 0.25× the raw INSERT rate at 1 and at 32 writers; p99 < 250 ms at 32.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import Fastify from 'fastify';
import { sql } from 'drizzle-orm';
import { addUnits, BENCH_PASSWORD, fmt, login, openBench, openRound, percentile } from './lib/scale.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);

/**
 * CPU time (ms) the server's thread has used, from /proc (Linux; undefined elsewhere). On a shared machine the
 * rates move with the load, while the CPU the server spends per PUT does not: it is printed with each measurement.
 */
function serverThreadCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms clock ticks
  } catch {
    return undefined;
  }
}
const WRITERS = [1, 32];

const b = await openBench('par_bench_write');
try {
  const units = await addUnits(b, 'W', Math.max(...WRITERS));
  const system = { actor: null, requestId: 'bench', now: new Date() };
  for (const u of units) {
    await b.app.services.users.createAsSystem(system, { username: `ed.${u.toLowerCase()}`, displayName: `Văn thư ${u}`, role: 'unit_editor', orgUnitCode: u, password: BENCH_PASSWORD });
  }
  // A national users table (4,000 units, two accounts each): lookups that scan users show here, not with 33 rows.
  await b.database.db.execute(sql`insert into users (username, display_name, role, org_unit_code, password_hash)
    select 'nv' || g, 'Cán bộ ' || g, 'unit_editor', ${units[0]!}, 'not-a-hash' from generate_series(1, 8000) g`);
  const { roundId } = await openRound(b, units, 'Thử tải ghi');
  const writers: { token: string; unitCode: string; etags: Record<string, string> }[] = [];
  for (const u of units) {
    const token = await login(b, `ed.${u.toLowerCase()}`);
    const res = await b.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/assessments/${u}`, headers: { authorization: `Bearer ${token}` } });
    const items = (res.json() as { items: { criterionCode: string; etag: string }[] }).items;
    writers.push({ token, unitCode: u, etags: Object.fromEntries(items.map((i) => [i.criterionCode, i.etag])) });
  }
  await b.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (b.app.server.address() as AddressInfo).port;

  // Baseline: single-row INSERTs of a similar payload through the same driver, n concurrent clients.
  await b.database.db.execute(sql`create table bench_raw (id bigserial primary key, unit text not null, payload jsonb, at timestamptz not null default now())`);
  async function raw(n: number) {
    const pool = b.url ? new pg.Pool({ connectionString: b.url, max: n }) : undefined;
    let count = 0;
    const lat: number[] = [];
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: n }, async (_, w) => {
        while (performance.now() < end) {
          const t0 = performance.now();
          const payload = JSON.stringify({ input: { option: 'FULL' }, points: 1, writer: w });
          if (pool) await pool.query('insert into bench_raw (unit, payload) values ($1, $2::jsonb)', [`W${w}`, payload]);
          else await b.database.db.execute(sql`insert into bench_raw (unit, payload) values (${`W${w}`}, ${payload}::jsonb)`);
          lat.push(performance.now() - t0);
          count++;
        }
      }),
    );
    await pool?.end();
    return summary(count, lat);
  }

  function summary(count: number, lat: number[], errors = 0) {
    lat.sort((x, y) => x - y);
    return { perSecond: count / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99), errors };
  }

  // Second baseline, the ceiling of any HTTP write on this machine: a bare Fastify (no plugins, no logging) whose
  // PUT on the same path runs the raw INSERT above and answers a small JSON with an ETag, driven by the same
  // load generator. What the service adds on top of it (auth, checks, history, audit chain) is the difference.
  const bare = Fastify();
  const barePool = b.url ? new pg.Pool({ connectionString: b.url, max: Math.max(...WRITERS) }) : undefined;
  let bareTag = 0;
  bare.put<{ Params: { unit: string; code: string }; Body: unknown }>('/api/v1/rounds/:roundId/assessments/:unit/items/:code/self', async (req, reply) => {
    const payload = JSON.stringify(req.body);
    if (barePool) await barePool.query('insert into bench_raw (unit, payload) values ($1, $2::jsonb)', [req.params.unit, payload]);
    else await b.database.db.execute(sql`insert into bench_raw (unit, payload) values (${req.params.unit}, ${payload}::jsonb)`);
    reply.header('etag', `"${++bareTag}"`);
    return { criterionCode: req.params.code, ok: true };
  });
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const barePort = (bare.server.address() as AddressInfo).port;

  async function writes(n: number, target = port) {
    const cpu0 = serverThreadCpuMs();
    const worker = new Worker(new URL('./lib/write-client.mjs', import.meta.url), { workerData: { port: target, roundId, seconds, writers: writers.slice(0, n) } });
    const out = await new Promise<{ count: number; errors: number; statuses: Record<string, number>; latencies: number[]; etags: Record<string, string>[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const cpu1 = serverThreadCpuMs();
    await worker.terminate();
    // workerData is a copy: carry the ETags the writers ended with into the next measurement.
    if (target === port) out.etags.forEach((etags, i) => (writers[i]!.etags = etags));
    const cpuPerPut = cpu0 === undefined || cpu1 === undefined || out.count === 0 ? undefined : (cpu1 - cpu0) / out.count;
    return { ...summary(out.count, out.latencies, out.errors), statuses: out.statuses, cpuPerPut };
  }

  const driver = b.url ? 'PostgreSQL' : 'PGlite';
  console.log(`write path vs raw INSERT on ${driver}, ${seconds} s per measurement`);
  for (const n of WRITERS) {
    const base = await raw(n);
    const ceiling = await writes(n, barePort);
    const put = await writes(n);
    const ratio = put.perSecond / base.perSecond;
    console.log(
      `${String(n).padStart(2)} writer(s): raw INSERT ${fmt(base.perSecond, 0)}/s (p99 ${fmt(base.p99)} ms); ` +
        `bare Fastify + that INSERT over HTTP ${fmt(ceiling.perSecond, 0)}/s (${(ceiling.perSecond / base.perSecond).toFixed(3)}× raw; p99 ${fmt(ceiling.p99)} ms); ` +
        `PUT self ${fmt(put.perSecond, 0)}/s (p50 ${fmt(put.p50)} ms, p99 ${fmt(put.p99)} ms) → ratio ${ratio.toFixed(3)}× raw (target ≥ 0.25×${n > 1 ? ', p99 < 250 ms' : ''}), ` +
        `${(put.perSecond / ceiling.perSecond).toFixed(3)}× the bare-Fastify ceiling` +
        (put.cpuPerPut === undefined ? '' : `; server CPU ${fmt(put.cpuPerPut, 2)} ms per PUT (bare ${fmt(ceiling.cpuPerPut ?? 0, 2)})`),
    );
    // Printed under the measurement it belongs to; any failed write is a finding (each writer owns its unit).
    if (put.errors) console.log(`   ${put.errors} failed writes at ${n} writer(s): ${JSON.stringify(put.statuses)}`);
  }
  await bare.close();
  await barePool?.end();
  const verify = await b.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${await login(b, 'coord')}` } });
  console.log(`audit chain after the run: ${JSON.stringify(verify.json())}`);
} finally {
  await b.close();
}
