// SIGTERM while an evidence upload is still streaming in: the process exits cleanly (exit code 0, not the grace
// timeout's 1) well within the 10 s grace period, and the upload's temp file is gone (issue 18 item 4).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');
const childScript = path.join(here, 'upload-shutdown-child.ts');
const MB = 1024 * 1024;

let child: ChildProcess | undefined;
let dataDir: string | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

function start(): Promise<{ port: number; roundId: string; dir: string; token: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\d+) (\S+) (\S+) (\S+)$/m.exec(out);
      if (m) resolve({ port: Number(m[1]), roundId: m[2]!, dir: m[3]!, token: m[4]! });
    });
    proc.on('exit', (code, signal) => reject(new Error(`child exited early (${code ?? signal}): ${out}\n${err}`)));
  });
}

const partFiles = (dir: string): string[] => {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.part')) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
};

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

describe('SIGTERM during an upload', () => {
  it('exits cleanly within the grace period and leaves no temp file', async () => {
    const { port, roundId, dir, token } = await start();
    dataDir = dir;
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', () => {});
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    const boundary = 'shutdowntest';
    sock.write(
      [
        `POST /api/v1/rounds/${roundId}/assessments/P1/items/1.1/evidence HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        `Authorization: Bearer ${token}`,
        `Content-Type: multipart/form-data; boundary=${boundary}`,
        `Content-Length: ${40 * MB}`,
        '',
        '',
      ].join('\r\n'),
    );
    sock.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
    // A slow client: 64 KB every 20 ms, until the server has a temp file of it.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const feeder = setInterval(() => {
      if (!sock.destroyed) sock.write(chunk);
    }, 20);
    try {
      expect(await until(() => partFiles(dir).length === 1, 15_000)).toBe(true);
      const exited = new Promise<{ code: number | null; at: number }>((resolve) => child!.once('exit', (code) => resolve({ code, at: Date.now() })));
      const sentAt = Date.now();
      child!.kill('SIGTERM');
      const { code, at } = await exited;
      // Exit code 0: app.close() finished; close-with-grace's timeout would have exited with 1 after 10 s.
      expect(code).toBe(0);
      expect(at - sentAt).toBeLessThan(5_000);
      expect(partFiles(dir)).toEqual([]);
    } finally {
      clearInterval(feeder);
      sock.destroy();
    }
  }, 120_000);
});
