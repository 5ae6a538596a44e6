// Benchmark of the public JSON endpoint (not part of the tests): `npm run bench:public-read`.
//
// A national-scale publication — 4,000 units in 4 groups on the demo commune framework (10 areas, 38 criteria),
// deterministic pseudo-random final scores run through the real scoring engine, frozen and signed by the real
// publication service — is served by the real app (PGlite in memory, every plugin: helmet, CORS, rate limit,
// under-pressure, auth hook) from a child process on 127.0.0.1. autocannon (100 connections, 10 s after a warm-up)
// reads GET /api/v1/public/publications/{id}, alternating with a bare Fastify server in another child process
// that returns the same bytes, measured the same way (median of --rounds runs each). Two scenarios: as browsers ask (Accept-Encoding: gzip — the app serves
// its precompressed bytes, the bare server the same gzip bytes) and uncompressed (the full JSON every time).
// Prints req/s of both, the ratio (target ≥ 0.5) and p99 latency.
//
// Options: --units 4000 --groups 4 --connections 100 --duration 10 --rounds 3
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import type { GroupOutcome, UnitOutcome } from '../src/modules/results/results.service.js';

const self = fileURLToPath(import.meta.url);
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

// autocannon 9 decodes every response chunk into a string and appends it to the request's `body` (kept for its
// expectBody/verifyBody options, which this bench does not use). With 100 connections each reading a 2–31 MB
// body, that string building — not either server — is what a run measures, and uncompressed it exhausts the heap.
// The client still parses every response and counts every byte; it only stops keeping the text.
createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js').prototype.addBody = () => {};

type Ready = { port: number; path: string; bytes?: number; seedMs?: number };

// ------------------------------------------------------------------------------------------ child: the app

async function serveApp() {
  const { buildApp } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config.js');
  const { openPglite } = await import('../src/db/client.js');
  const { frameworks, roundGroups, rounds } = await import('../src/db/schema.js');
  const { documentColumns } = await import('../src/modules/frameworks/frameworks.repo.js');
  const { frameworkDocumentSchema, leavesOf, normaliseDocument } = await import('../src/modules/frameworks/frameworks.document.js');
  const { aggregateUnit, compileFramework, rankGroup } = await import('../src/scoring/index.js');
  const xa = JSON.parse(fs.readFileSync(path.resolve(path.dirname(self), '../src/demo/frameworks/xa-2025.json'), 'utf8'));

  const units = arg('units', 4000);
  const groupCount = arg('groups', 4);
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-'));
  const database = await openPglite();
  await database.migrate();
  const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000000' });
  const app = await buildApp({ config, database, logger: false });
  const db = database.db;
  const now = new Date('2025-12-22T02:00:00Z');

  const doc = normaliseDocument(frameworkDocumentSchema.parse(xa));
  await db.insert(frameworks).values({ ...documentColumns(doc), status: 'published', version: 1, createdBy: 'bench', createdAt: now, updatedAt: now, publishedAt: now });
  const [round] = await db.insert(rounds).values({ year: 2025, name: 'Xác định Chỉ số CCHC năm 2025 (toàn quốc, thử tải)', phase: 'council_review', schedule: {}, createdAt: now, updatedAt: now }).returning();
  const regions = ['Đồng bằng sông Hồng', 'Bắc Trung Bộ và duyên hải', 'Tây Nguyên', 'Đồng bằng sông Cửu Long', 'Đông Nam Bộ', 'Trung du miền núi phía Bắc'];
  const names = ['Tân Phú', 'An Hòa', 'Phước Long', 'Hòa Bình', 'Thạnh Lợi', 'Mỹ Xuyên', 'Đông Hưng', 'Quảng Điền', 'Nghĩa Đàn', 'Ea Kar'];

  // Deterministic scores (mulberry32), each leaf a multiple of 0.25 within its max, aggregated by the engine.
  let a = 20251222 >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const compiled = compileFramework(doc);
  const leaves = leavesOf(doc);
  const perGroup = Math.ceil(units / groupCount);
  const groups: GroupOutcome[] = [];
  for (let g = 0; g < groupCount; g++) {
    const code = `G${g + 1}`;
    const rows: Omit<UnitOutcome, 'rank'>[] = [];
    for (let u = g * perGroup; u < Math.min(units, (g + 1) * perGroup); u++) {
      const finalPoints: Record<string, number | null> = {};
      const notApplicable: string[] = [];
      const items = leaves.map(({ node, area }) => {
        const na = !!node.naAllowed && rand() < 0.05;
        const points = na ? null : Math.round(Math.floor(rand() * (node.maxPoints / 0.25 + 1)) * 0.25 * 100) / 100;
        finalPoints[node.code] = points;
        if (na) notApplicable.push(node.code);
        return { code: node.code, title: node.title, areaCode: area.code, max: node.maxPoints, selfPoints: points, selfNotApplicable: na, final: { points, notApplicable: na, source: 'appraisal' as const, open: false } };
      });
      const r = aggregateUnit(compiled, { finalPoints, notApplicable });
      rows.push({
        unitCode: `X${String(u + 1).padStart(5, '0')}`,
        unitName: `UBND xã ${names[u % names.length]} ${Math.floor(u / names.length) + 1}`,
        total: r.total,
        max: r.max,
        index: r.index,
        band: r.band,
        bandLabel: r.bandLabel,
        selfTotal: r.total,
        selfIndex: r.index,
        gap: 0,
        areas: r.areas.map((ar) => ({ code: ar.code, title: ar.title ?? null, kind: ar.kind, points: ar.points, max: ar.max, index: ar.index, selfPoints: ar.points })),
        openItems: 0,
        items,
        trace: r.trace,
      });
    }
    groups.push({ code, name: `UBND xã, phường vùng ${regions[g % regions.length]}`, frameworkCode: doc.code, rows: rankGroup(rows) });
  }
  await db.insert(roundGroups).values(groups.map((g, i) => ({ roundId: round!.id, code: g.code, name: g.name, frameworkCode: doc.code, unitCodes: g.rows.map((r) => r.unitCode), position: i })));
  const { meta } = await db.transaction((tx) =>
    app.services.publications.freeze(tx, { now, actor: { username: 'bench' } }, { round: round!, groups, decision: { number: '2500/QĐ-BNV', date: '2025-12-22' }, supersedes: null }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const ready: Ready = { port, path: `/api/v1/public/publications/${meta.id}`, seedMs: Date.now() - started };
  process.send!(ready);
  process.on('message', async () => {
    await app.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

// ------------------------------------------------------------------------------------------ child: bare Fastify

async function serveBare(file: string) {
  const { default: Fastify } = await import('fastify');
  const body = fs.readFileSync(file);
  const gz = fs.readFileSync(`${file}.gz`);
  const app = Fastify({ logger: false });
  app.get('/doc', (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
  app.get('/doc.gz', (_req, reply) => reply.type('application/json; charset=utf-8').header('content-encoding', 'gzip').send(gz));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send!({ port, path: '/doc', bytes: body.length } satisfies Ready);
  process.on('message', async () => {
    await app.close();
    process.exit(0);
  });
}

// ------------------------------------------------------------------------------------------ parent: measure

const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL'))); // a failed run leaves no server behind

function start(args: string[]): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(self, args, { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ready: m as Ready }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.send('stop');
  await exited;
}

async function measure(url: string, connections: number, duration: number, headers: Record<string, string>) {
  // A 31 MB body shared by 100 connections can take longer than autocannon's default 10 s timeout to arrive.
  await autocannon({ url, headers, connections: Math.min(10, connections), duration: 2, timeout: 60 }); // warm-up (JIT, caches, sockets)
  return autocannon({ url, headers, connections, duration, timeout: 60 });
}

function line(label: string, r: autocannon.Result) {
  const mb = (r.throughput.average / 1_048_576).toFixed(1);
  return `${label.padEnd(34)} ${r.requests.average.toFixed(1).padStart(9)} req/s   p99 ${String(r.latency.p99).padStart(6)} ms   ${mb.padStart(7)} MB/s   non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`;
}

async function main() {
  const connections = arg('connections', 100);
  const duration = arg('duration', 10);
  console.log(`Seeding a national-scale publication (${arg('units', 4000)} units) on PGlite…`);
  const appProc = await start(['--serve-app', ...process.argv.slice(2)]);
  const url = `http://127.0.0.1:${appProc.ready.port}${appProc.ready.path}`;
  // Seeding blocks the child's event loop for seconds, so under-pressure may still answer 503 + Retry-After for
  // a moment — as it would to any client right after a national publish. Wait for it like a client would.
  let first = await raw(url, {});
  for (let i = 0; first.status === 503 && i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    first = await raw(url, {});
  }
  if (first.status !== 200) throw new Error(`GET ${url}: ${first.status}`);
  const bytes = first.body;
  const doc = JSON.parse(bytes.toString('utf8'));
  const rows = doc.snapshot.groups.reduce((s: number, g: { rows: unknown[] }) => s + g.rows.length, 0);
  console.log(`  seeded, frozen and signed in ${((appProc.ready.seedMs ?? 0) / 1000).toFixed(1)} s: ${rows} units in ${doc.snapshot.groups.length} groups`);
  console.log(`  JSON ${(bytes.length / 1_048_576).toFixed(1)} MB, ETag ${first.etag}`);
  const compressed = await raw(url, { 'accept-encoding': 'gzip' });
  if (compressed.encoding !== 'gzip') throw new Error('the app did not answer gzip');
  const gz = compressed.body;
  console.log(`  gzip ${(gz.length / 1_048_576).toFixed(1)} MB, ETag ${compressed.etag}`);
  // verify re-checks the stored 31 MB snapshot once per row version; later requests reuse that.
  for (const label of ['first', 'repeated']) {
    const t0 = performance.now();
    const v = await raw(`${url}/verify`, {});
    const valid = (JSON.parse(v.body.toString('utf8')) as { valid?: boolean }).valid;
    console.log(`  GET …/verify (${label}): ${v.status}, valid ${valid}, ${(performance.now() - t0).toFixed(0)} ms`);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-')), 'publication.json');
  fs.writeFileSync(file, bytes);
  fs.writeFileSync(`${file}.gz`, gz);

  // Both servers stay up (the idle one costs nothing) and the runs alternate app, bare, app, bare…: on a shared
  // 2-core machine one pair of runs swings by ±30 %, so each figure is the median of `--rounds` runs.
  const bareProc = await start(['--serve-bare', file]);
  if (bareProc.ready.bytes !== bytes.length) throw new Error('bare server does not serve the same bytes');
  const bare = `http://127.0.0.1:${bareProc.ready.port}`;
  const bareGzBody = await raw(`${bare}/doc.gz`, { 'accept-encoding': 'gzip' });
  if (!bareGzBody.body.equals(gz)) throw new Error('bare server does not serve the same gzip bytes');

  const rounds = arg('rounds', 3);
  console.log(`autocannon: ${connections} connections, ${duration} s per run (after a 2 s warm-up), median of ${rounds} alternating runs`);
  const scenarios: { label: string; headers: Record<string, string>; app: string; bare: string }[] = [
    { label: 'Accept-Encoding: gzip (browsers)', headers: { 'accept-encoding': 'gzip' }, app: url, bare: `${bare}/doc.gz` },
    { label: 'uncompressed', headers: {}, app: url, bare: `${bare}/doc` },
  ];
  const results: { label: string; app: autocannon.Result[]; bare: autocannon.Result[] }[] = [];
  for (const sc of scenarios) {
    const out = { label: sc.label, app: [] as autocannon.Result[], bare: [] as autocannon.Result[] };
    for (let i = 0; i < rounds; i++) {
      out.app.push(await measure(sc.app, connections, duration, sc.headers));
      out.bare.push(await measure(sc.bare, connections, duration, sc.headers));
      console.log(`  ${sc.label}, run ${i + 1}: app ${out.app.at(-1)!.requests.average.toFixed(1)} req/s, bare ${out.bare.at(-1)!.requests.average.toFixed(1)} req/s`);
    }
    results.push(out);
  }
  await stop(appProc.child);
  await stop(bareProc.child);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });

  const median = (runs: autocannon.Result[]) => [...runs].sort((x, y) => x.requests.average - y.requests.average)[Math.floor(runs.length / 2)]!;
  for (const r of results) {
    const app = median(r.app);
    const bareR = median(r.bare);
    console.log(`\n${r.label} (median run)`);
    console.log(line('  public JSON endpoint (app)', app));
    console.log(line('  bare Fastify, same bytes', bareR));
    const ratio = app.requests.average / bareR.requests.average;
    console.log(`  ratio app / bare: ${ratio.toFixed(2)} (target ≥ 0.5) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}`);
    if (r.app.some((x) => x.non2xx || x.errors || x.timeouts)) console.log('  WARNING: the app answered errors or timed out during a run');
  }
}

/** The response exactly as sent (no transparent decompression). */
function raw(url: string, headers: Record<string, string>): Promise<{ status: number; etag: string | undefined; encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

if (process.argv[2] === '--serve-app') await serveApp();
else if (process.argv[2] === '--serve-bare') await serveBare(process.argv[3]!);
else await main();
