// Issue 14 item 4: publishing a national-scale round (4,000 units × 120 criteria) stays under 1 GB peak RSS. Times
// the publication (results, snapshot, signature), the first render of each representation (JSON, CSV, XLSX, PDF)
// the public verification and the public per-unit reads (a unit's attested history, i.e. the signed row index, and
// its public web page), with the peak RSS of each step, against a baseline: a raw SELECT of the same 480,000 item
// rows via `pg` into memory.
//   npm run bench:publication                      (PostgreSQL on 127.0.0.1; BENCH_DATABASE_URL to choose it)
//   BENCH_UNITS=1000 npm run bench:publication      (smaller round; BENCH_DRIVER=pglite for the embedded database)
// The round is set up with set-based SQL (answers, submission, self points confirmed): what is measured is the
// publication and its renders, not the way there.
//
// How peaks are measured. Neither V8 nor glibc hands freed memory back to the kernel promptly, so in one process
// the RSS left by an earlier step (the set-up, the baseline's 480,000 rows) is counted again in every later
// step's peak, even after resetting the kernel's high-water mark (VmHWM). So each step, the baseline included,
// runs in a fresh child process of this script that opens the same database and the same DATA_DIR (signing key)
// with the service started as in production, collects garbage, resets VmHWM, runs the one step and reports its
// peak: what a freshly started service needs for that step, started service included ("at start" is the RSS
// before the step). The baseline gets the same started service, so the ratios compare like with like. Renders
// start with an empty publication cache, as after a restart. With PGlite the database lives in DATA_DIR and is
// opened by one process at a time (the parent closes it after the set-up); its engine's memory is in every peak.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openPglite, openPostgres } from '../src/db/client.js';
import { addUnits, coordinatorCtx, fillSelfScores, fmt, openBench, type Bench } from './lib/scale.js';

const units = Number(process.env.BENCH_UNITS ?? 4000);
const PEAK_TARGET_MB = 1024;

const mb = (bytes: number) => bytes / 1024 / 1024;
const status = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
/** Resets the kernel's peak-RSS mark (VmHWM) so that the step reports its own peak. */
const resetPeak = () => {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux or not allowed: the peak then includes the start-up (an upper bound).
  }
};
const gc = () => (globalThis as { gc?: () => void }).gc?.();

type StepName = 'baseline' | 'publish' | 'json' | 'csv' | 'xlsx' | 'pdf' | 'verify' | 'history' | 'unitPage';
/** What a child process is told: where the database and DATA_DIR are, and what to work on. */
interface ChildJob {
  step: StepName;
  url: string | undefined;
  pgliteDir: string | undefined;
  dataDir: string;
  roundId: string;
  publicationId: string | undefined;
  decisionDate: string;
  /** A unit of the round: the public per-unit steps read its history and page. */
  unitCode: string;
}
interface StepReport {
  ms: number;
  startMb: number;
  peakMb: number;
  heldMb: number;
  /** JS heap in use after the step and a GC: what the step left in the service's caches. */
  heapMb: number;
  bytes?: number;
  publicationId?: string;
  valid?: boolean;
  cache?: { bytes: number; entries: number; maxBytes: number };
}

/** Child: starts the service on the existing database, runs one step and writes its report as JSON on stdout. */
async function runStep(job: ChildJob): Promise<StepReport> {
  const database = job.url ? openPostgres(job.url, undefined, { max: 40 }) : await openPglite(job.pgliteDir);
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: job.dataDir, LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT_PER_MINUTE: '100000', MAX_EVENT_LOOP_DELAY_MS: '0', HEAVY_MAX_CONCURRENT: '0' });
  const app = await buildApp({ config, database, logger: false });
  await app.ready();
  try {
    const pubs = app.services.publications;
    const ctx = job.step === 'publish' ? await coordinatorCtx({ app } as Bench) : undefined;
    const select = 'select i.* from assessment_items i join assessments a on a.id = i.assessment_id where a.round_id = $1';
    const run: () => Promise<Partial<StepReport>> = {
      baseline: async () => {
        if (!job.url) return { bytes: ((await database.db.execute(sql`select i.* from assessment_items i join assessments a on a.id = i.assessment_id where a.round_id = ${job.roundId}`)) as unknown as { rows: unknown[] }).rows.length };
        const client = new pg.Client({ connectionString: job.url });
        await client.connect();
        try {
          return { bytes: (await client.query(select, [job.roundId])).rowCount ?? 0 };
        } finally {
          await client.end();
        }
      },
      publish: async () => ({ publicationId: (await pubs.publish(ctx!, job.roundId, { decisionNumber: '99/QĐ-UBND', decisionDate: job.decisionDate })).body.id }),
      json: async () => ({ bytes: (await pubs.document(job.publicationId!)).body.length }),
      csv: async () => ({ bytes: (await pubs.exported(job.publicationId!, 'csv')).body.length }),
      xlsx: async () => ({ bytes: (await pubs.exported(job.publicationId!, 'xlsx')).body.length }),
      pdf: async () => ({ bytes: (await pubs.exported(job.publicationId!, 'pdf')).body.length }),
      verify: async () => ({ valid: (await pubs.verify(job.publicationId!)).valid }),
      // Public per-unit answers (issue 14): a unit's attested history (signed row index), and the unit's web page.
      history: async () => {
        const h = await pubs.history(job.unitCode);
        return { valid: h.entries.length === 1 && h.entries[0]!.proof.status === 'verified' };
      },
      unitPage: async () => {
        const res = await app.inject({ method: 'GET', url: `/cong-khai/${job.publicationId!}/don-vi/${encodeURIComponent(job.unitCode)}` });
        return { valid: res.statusCode === 200, bytes: res.rawPayload.length };
      },
    }[job.step];
    gc();
    const startMb = status('VmRSS');
    resetPeak();
    const t0 = performance.now();
    const out = await run();
    const ms = performance.now() - t0;
    const peakMb = status('VmHWM');
    gc();
    return { ...out, ms, startMb, peakMb, heldMb: status('VmRSS'), heapMb: mb(process.memoryUsage().heapUsed), cache: pubs.cacheUsage() };
  } finally {
    await app.close();
    await database.close();
  }
}

/** Parent: runs one step in a fresh child process and prints its line. */
async function measured(label: string, job: ChildJob): Promise<StepReport> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CHILD_JOB: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`step ${job.step} failed (exit ${code}): ${out}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as StepReport;
  console.log(`${label.padEnd(44)} ${fmt(r.ms / 1000, 2).padStart(7)} s   peak RSS ${fmt(r.peakMb, 0).padStart(5)} MB   (at start ${fmt(r.startMb, 0)} MB, held after GC ${fmt(r.heldMb, 0)} MB, heap ${fmt(r.heapMb, 0)} MB)`);
  return r;
}

if (process.env.BENCH_CHILD_JOB) {
  const report = await runStep(JSON.parse(process.env.BENCH_CHILD_JOB) as ChildJob);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

const b = await openBench('publication', {}, { pgliteDir: true });
try {
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} CPUs; ${units} units × 120 criteria on ${b.url ? 'PostgreSQL' : 'PGlite'}`);
  const t0 = performance.now();
  const codes = await addUnits(b, 'P', units);
  const ctx = await coordinatorCtx(b);
  const year = new Date().getUTCFullYear() + 1;
  const day = (m: number) => `${year}-${String(m).padStart(2, '0')}-28`;
  const round = await b.app.services.rounds.create(ctx, {
    year: 2025,
    name: `Thử công bố ${units} đơn vị`,
    groups: [{ code: 'XA', name: 'UBND các xã, phường', frameworkCode: 'BENCH-120', unitCodes: codes }],
    schedule: { self_assessment: day(1), appraisal: day(2), explanation: day(3), final_appraisal: day(4), council_review: day(5) },
  } as Parameters<typeof b.app.services.rounds.create>[1]);
  await b.app.services.rounds.transition(ctx, round.id, 'self_assessment');
  await fillSelfScores(b, round.id);
  await b.database.db.execute(sql`update assessments set status = 'submitted', submitted_at = now(), submitted_by = 'bench' where round_id = ${round.id}`);
  await b.app.services.rounds.transition(ctx, round.id, 'appraisal', { force: true });
  await b.app.services.rounds.transition(ctx, round.id, 'explanation', { force: true });
  await b.app.services.rounds.transition(ctx, round.id, 'final_appraisal', { force: true });
  await b.database.db.execute(sql`update assessment_items i set self_confirmed_at = now(), self_confirmed_by = 'coord', self_confirmed_reason = 'bench', version = version + 1
    from assessments a where a.id = i.assessment_id and a.round_id = ${round.id}`);
  await b.app.services.rounds.transition(ctx, round.id, 'council_review', { force: true });
  await b.app.services.council.put(ctx, round.id, {
    members: [{ name: 'Nguyễn Văn A', position: 'Chủ tịch Hội đồng' }],
    decisionIssuer: 'Chủ tịch Ủy ban nhân dân tỉnh Thử Tải',
    signerName: 'Nguyễn Văn A',
    signerTitle: 'Chủ tịch',
  });
  await b.app.services.council.putMinutesDocument(ctx, round.id, { docNumber: '01/BB-HĐTĐ', docDate: day(5), issuer: 'Hội đồng thẩm định', title: 'Biên bản họp Hội đồng' });
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`set-up (units, round, answers, phases): ${fmt((performance.now() - t0) / 1000, 1)} s; RSS now ${fmt(status('VmRSS'), 0)} MB (heap ${fmt(mb(process.memoryUsage().heapUsed), 0)} MB)\n`);

  const job = { url: b.url, pgliteDir: b.pgliteDir, dataDir: b.dataDir, roundId: round.id, publicationId: undefined as string | undefined, decisionDate: day(6), unitCode: codes[Math.floor(codes.length / 2)]! };
  // The children open the database themselves (PGlite: one process at a time).
  await b.release();

  const raw = await measured(`baseline: raw SELECT of ${units * 120} item rows`, { ...job, step: 'baseline' });
  const published = await measured('publish (results, snapshot, signature)', { ...job, step: 'publish' });
  job.publicationId = published.publicationId!;
  const steps: StepReport[] = [published];
  const sizes: string[] = [];
  let cache: StepReport['cache'];
  for (const [label, step] of [
    ['render JSON (public document, gzip copy)', 'json'],
    ['render CSV', 'csv'],
    ['render XLSX', 'xlsx'],
    ['render PDF', 'pdf'],
  ] as const) {
    const r = await measured(label, { ...job, step });
    steps.push(r);
    sizes.push(`${label.split(' ')[1]} ${fmt(mb(r.bytes!), 1)} MB`);
    if (step === 'json') cache = r.cache;
  }
  const verify = await measured('verify (hash, signature, index rows)', { ...job, step: 'verify' });
  steps.push(verify);
  const history = await measured("public history of a unit (signed rows)", { ...job, step: 'history' });
  const unitPage = await measured('public web page of a unit', { ...job, step: 'unitPage' });
  steps.push(history, unitPage);
  const peak = Math.max(...steps.map((s) => s.peakMb));
  console.log(`\nsizes: ${sizes.join(', ')}; publication cache after the JSON render ${fmt(mb(cache!.bytes), 1)} MB in ${cache!.entries} entries (limit ${fmt(mb(cache!.maxBytes), 0)} MB); verify ${verify.valid ? 'valid' : 'INVALID'}; history ${history.valid ? 'verified' : 'NOT VERIFIED'}; unit page ${unitPage.valid ? 'OK' : 'FAILED'}`);
  console.log(
    `ratios to the raw SELECT (${fmt(raw.ms / 1000, 2)} s, peak ${fmt(raw.peakMb, 0)} MB): publish ${fmt(published.ms / raw.ms)}×, ` +
      steps
        .slice(1, 5)
        .map((s, i) => `${['JSON', 'CSV', 'XLSX', 'PDF'][i]} ${fmt(s.ms / raw.ms)}×`)
        .join(', ') +
      `, verify ${fmt(verify.ms / raw.ms)}×, history ${fmt(history.ms / raw.ms)}×, unit page ${fmt(unitPage.ms / raw.ms)}×; peak RSS ${fmt(peak / raw.peakMb)}× the baseline's`,
  );
  console.log(`target: peak RSS < ${PEAK_TARGET_MB} MB at every step ${peak < PEAK_TARGET_MB ? 'OK' : 'MISSED'} (highest ${fmt(peak, 0)} MB)`);
} finally {
  await b.close();
}
