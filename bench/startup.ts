// Issue 14 items 3–4: time from starting the compiled server (what `npm start` runs once dist/ is current) to /health/ready on a fresh data directory (embedded database + demo
// data) and again on the existing data, and the idle RSS of the server process after each start. The baseline is
// a bare `node -e` process start measured in the same run.
//   npm run bench:startup   (builds dist/ first when the sources changed; targets: second start ≤ 3 s,
//                            fresh demo start ≤ 8 s, idle RSS after the demo ≤ 400 MB)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-start-'));
const port = 20000 + Math.floor(Math.random() * 20000);

const status = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** CPU seconds the process used (user + system): on a machine shared with other work this, unlike wall time, does not grow with the load. */
const cpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

async function start(label: string) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['dist/src/server.js'], { env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'development' }, stdio: ['ignore', 'ignore', 'inherit'] });
  let ready = false;
  while (!ready && performance.now() - t0 < 120_000) {
    try {
      ready = (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const readyMs = performance.now() - t0;
  const cpu = cpuSeconds(child.pid!);
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const rss = status(child.pid!, 'VmRSS');
  const peak = status(child.pid!, 'VmHWM');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  console.log(
    `${label}: ready in ${(readyMs / 1000).toFixed(2)} s${ready ? '' : ' (NOT READY)'} (${cpu.toFixed(2)} CPU s); idle RSS after ${idleSeconds} s ${rss.toFixed(0)} MB (peak ${peak.toFixed(0)} MB)`,
  );
  return { readyMs, rss, cpu };
}

try {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  const nodeMs = performance.now() - t0;
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} CPUs; baseline: bare node process start ${nodeMs.toFixed(0)} ms`);
  const fresh = await start('fresh demo start (embedded database, demo data)');
  const second = await start('second start on the existing data');
  console.log(
    `\ntargets: fresh ≤ 8 s ${fresh.readyMs <= 8000 ? 'OK' : 'MISSED'}, second ≤ 3 s ${second.readyMs <= 3000 ? 'OK' : 'MISSED'}, ` +
      `idle RSS after the demo ≤ 400 MB ${fresh.rss <= 400 ? 'OK' : 'MISSED'} (second start ${second.rss.toFixed(0)} MB); ` +
      `second start = ${(second.readyMs / nodeMs).toFixed(0)}× a bare node start; fresh = ${(fresh.readyMs / second.readyMs).toFixed(1)}× the second start`,
  );
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
