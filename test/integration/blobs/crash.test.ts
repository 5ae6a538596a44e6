// Crash consistency of uploads: a process killed (SIGKILL) mid-upload, or after the blob is stored but
// before its row is committed, leaves only leftovers that the start-up sweep of the next process
// removes — no orphaned file remains.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalBlobStore } from '../../../src/lib/blobs/index.js';
import { filesUnder } from '../../unit/blobs/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../../..');
const childScript = path.join(here, 'put-child.ts');

let root: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'par-blobs-crash-'));
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await rm(root, { recursive: true, force: true });
});

/** Starts the child and resolves with the first stdout line matching `ready`. */
function startChild(mode: 'mid-upload' | 'after-put', ready: RegExp): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, root, mode], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => ready.test(l));
      if (line) resolve({ proc, line });
    });
    proc.on('exit', (code, signal) => reject(new Error(`child exited early (${code ?? signal}): ${out}\n${err}`)));
  });
}

function killHard(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

describe('upload crash consistency (local store)', () => {
  it('a process killed mid-upload leaves only a temp file, which the sweep after restart removes', async () => {
    const { proc } = await startChild('mid-upload', /^started$/);
    // Mid-upload: a partial temp file exists and nothing is in objects/.
    const tmpFiles = await readdir(path.join(root, 'tmp'));
    expect(tmpFiles).toHaveLength(1);
    expect(tmpFiles[0]).toMatch(/\.part$/);
    expect(filesUnder(path.join(root, 'objects'))).toEqual([]);

    await killHard(proc);
    expect(proc.signalCode).toBe('SIGKILL');

    // "Restart": a new store instance on the same directory runs the start-up sweep.
    const restarted = createLocalBlobStore(root);
    const result = await restarted.sweep(async () => new Set(), { olderThanMs: 0, now: new Date(Date.now() + 1000) });
    expect(result).toEqual({ tempRemoved: 1, orphansRemoved: 0 });
    expect(filesUnder(root)).toEqual([]);
  });

  it('a process killed after the blob is stored but before the row is committed leaves an orphan the sweep removes', async () => {
    const { proc, line } = await startChild('after-put', /^stored /);
    const key = line.slice('stored '.length).trim();
    // The blob is durable and complete: the rename happened, no temp file is left.
    expect(existsSync(path.join(root, 'objects', key))).toBe(true);
    expect(filesUnder(path.join(root, 'tmp'))).toEqual([]);

    await killHard(proc);

    const restarted = createLocalBlobStore(root);
    // A referenced blob would survive; this one never got its row.
    const asked: string[] = [];
    const result = await restarted.sweep(
      async (keys) => {
        asked.push(...keys);
        return new Set();
      },
      { olderThanMs: 0, now: new Date(Date.now() + 1000) },
    );
    expect(asked).toEqual([key]);
    expect(result).toEqual({ tempRemoved: 0, orphansRemoved: 1 });
    expect(filesUnder(root)).toEqual([]);
  });

  it('the sweep keeps a blob whose row was committed', async () => {
    const { proc, line } = await startChild('after-put', /^stored /);
    const key = line.slice('stored '.length).trim();
    await killHard(proc);
    const result = await createLocalBlobStore(root).sweep(async (keys) => new Set(keys), { olderThanMs: 0, now: new Date(Date.now() + 1000) });
    expect(result).toEqual({ tempRemoved: 0, orphansRemoved: 0 });
    expect(filesUnder(root)).toEqual([path.join('objects', key)]);
  });
});
