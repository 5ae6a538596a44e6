// Issue 14 item 2: opening a round (draft → self_assessment, one item per unit × leaf), GET /results and
// GET /progress at 100 and 1,000 units (120 criteria each), timed in one run so the ratios compare like with like.
//   npm run bench:results                      PostgreSQL on 127.0.0.1 (BENCH_DATABASE_URL to override)
//   BENCH_DRIVER=pglite npm run bench:results  embedded database
// Targets: 1,000-unit opening ≤ 2 s; results and progress at 1,000 units ≤ 1.5 s and ≤ 12× the 100-unit time.
import { performance } from 'node:perf_hooks';
import { addUnits, fillSelfScores, fmt, login, openBench, openRound } from './lib/scale.js';

const sizes = (process.env.BENCH_UNITS ?? '100,1000').split(',').map(Number);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);

const b = await openBench('par_bench_results');
try {
  const token = await login(b, 'coord');
  const headers = { authorization: `Bearer ${token}` };
  const timed = async (url: string) => {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      const res = await b.app.inject({ method: 'GET', url, headers });
      times.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      bytes = res.rawPayload.length;
    }
    return { ms: Math.min(...times), bytes };
  };
  const rows: { units: number; openMs: number; results: { ms: number; bytes: number }; trace: { ms: number; bytes: number }; progress: { ms: number; bytes: number } }[] = [];
  for (const n of sizes) {
    const units = await addUnits(b, `U${n}_`, n);
    const { roundId, openMs } = await openRound(b, units, `Thử tải ${n} đơn vị`);
    await fillSelfScores(b, roundId);
    const results = await timed(`/api/v1/rounds/${roundId}/results`);
    const trace = await timed(`/api/v1/rounds/${roundId}/results?include=trace`);
    const progress = await timed(`/api/v1/rounds/${roundId}/progress`);
    rows.push({ units: n, openMs, results, trace, progress });
    console.log(
      `${n} units × 120 criteria (${b.url ? 'PostgreSQL' : 'PGlite'}): open ${fmt(openMs, 0)} ms; results ${fmt(results.ms, 0)} ms (${fmt(results.bytes / 1e6, 2)} MB); ` +
        `results?include=trace ${fmt(trace.ms, 0)} ms (${fmt(trace.bytes / 1e6, 2)} MB); progress ${fmt(progress.ms, 0)} ms`,
    );
  }
  if (rows.length >= 2) {
    const [small, large] = [rows[0]!, rows[rows.length - 1]!];
    const k = large.units / small.units;
    console.log(
      `\nratio ${large.units}/${small.units} units (×${k} data): open ${fmt(large.openMs / small.openMs)}×, results ${fmt(large.results.ms / small.results.ms)}×, ` +
        `progress ${fmt(large.progress.ms / small.progress.ms)}× (target ≤ 12×)`,
    );
    console.log(`targets at ${large.units} units: open ${large.openMs <= 2000 ? 'OK' : 'MISSED'} (≤ 2000 ms), results ${large.results.ms <= 1500 ? 'OK' : 'MISSED'} (≤ 1500 ms), progress ${large.progress.ms <= 1500 ? 'OK' : 'MISSED'} (≤ 1500 ms)`);
  }
} finally {
  await b.close();
}
