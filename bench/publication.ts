// Issue 14 item 4: publishing a national-scale round (4,000 units × 120 criteria) stays under 1 GB peak RSS. Times
// the publication (results, snapshot, signature) and the first render of each representation (JSON, CSV, XLSX,
// PDF), with the peak RSS of each step, against a baseline measured in the same run: a raw SELECT of the same
// 480,000 item rows via `pg` into memory.
//   npm run bench:publication                      (PostgreSQL on 127.0.0.1; BENCH_DATABASE_URL to choose it)
//   BENCH_UNITS=1000 npm run bench:publication      (smaller round; BENCH_DRIVER=pglite for the embedded database)
// The round is set up with set-based SQL (answers, submission, self points confirmed): what is measured is the
// publication and its renders, not the way there.
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { addUnits, coordinatorCtx, fillSelfScores, fmt, openBench } from './lib/scale.js';

const units = Number(process.env.BENCH_UNITS ?? 4000);
const PEAK_TARGET_MB = 1024;

const mb = (bytes: number) => bytes / 1024 / 1024;
const status = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
/** Resets the kernel's peak-RSS mark (VmHWM) so that each step reports its own peak. */
const resetPeak = () => {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux or not allowed: peaks are then cumulative from the start (an upper bound).
  }
};

/** Runs `fn` after a GC (when exposed), returning its time and the process's peak RSS while it ran. */
async function measured<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number; peakMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  resetPeak();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const peakMb = status('VmHWM');
  console.log(`${label.padEnd(44)} ${fmt(ms / 1000, 2).padStart(7)} s   peak RSS ${fmt(peakMb, 0).padStart(5)} MB`);
  return { value, ms, peakMb };
}

const b = await openBench('publication');
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

  // Baseline: the same item rows fetched raw into memory.
  const raw = await measured(`baseline: raw SELECT of ${units * 120} item rows`, async () => {
    if (!b.url) return ((await b.database.db.execute(sql`select i.* from assessment_items i join assessments a on a.id = i.assessment_id where a.round_id = ${round.id}`)) as unknown as { rows: unknown[] }).rows.length;
    const client = new pg.Client({ connectionString: b.url });
    await client.connect();
    try {
      return (await client.query('select i.* from assessment_items i join assessments a on a.id = i.assessment_id where a.round_id = $1', [round.id])).rowCount;
    } finally {
      await client.end();
    }
  });
  const pubs = b.app.services.publications;
  const published = await measured('publish (results, snapshot, signature)', () => pubs.publish(ctx, round.id, { decisionNumber: '99/QĐ-UBND', decisionDate: day(6) }));
  const id = published.value.body.id;
  const steps: { ms: number; peakMb: number }[] = [published];
  const sizes: string[] = [];
  for (const [label, render] of [
    ['render JSON (public document, gzip copy)', () => pubs.document(id)],
    ['render CSV', () => pubs.exported(id, 'csv')],
    ['render XLSX', () => pubs.exported(id, 'xlsx')],
    ['render PDF', () => pubs.exported(id, 'pdf')],
  ] as const) {
    const step = await measured(label, render);
    steps.push(step);
    sizes.push(`${label.split(' ')[1]} ${fmt(mb(step.value.body.length), 1)} MB`);
  }
  const verify = await measured('verify (hash, signature, index rows)', () => pubs.verify(id));
  steps.push(verify);
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  console.log(`held after the steps (after GC): heap ${fmt(mb(after.heapUsed), 0)} MB, RSS ${fmt(mb(after.rss), 0)} MB`);
  const usage = pubs.cacheUsage();
  const peak = Math.max(...steps.map((s) => s.peakMb));
  console.log(`\nsizes: ${sizes.join(', ')}; publication cache ${fmt(mb(usage.bytes), 1)} MB in ${usage.entries} entries (limit ${fmt(mb(usage.maxBytes), 0)} MB); verify ${verify.value.valid ? 'valid' : 'INVALID'}`);
  console.log(
    `ratios to the raw SELECT (${fmt(raw.ms / 1000, 2)} s, peak ${fmt(raw.peakMb, 0)} MB): publish ${fmt(published.ms / raw.ms)}×, ` +
      steps
        .slice(1, 5)
        .map((s, i) => `${['JSON', 'CSV', 'XLSX', 'PDF'][i]} ${fmt(s.ms / raw.ms)}×`)
        .join(', ') +
      `; peak RSS ${fmt(peak / raw.peakMb)}× the baseline's`,
  );
  console.log(`target: peak RSS < ${PEAK_TARGET_MB} MB at every step ${peak < PEAK_TARGET_MB ? 'OK' : 'MISSED'} (highest ${fmt(peak, 0)} MB)`);
} finally {
  await b.close();
}
