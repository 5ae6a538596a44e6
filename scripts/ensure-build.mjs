#!/usr/bin/env node
/* global process, console */
// Builds dist/ only when the TypeScript sources changed since the last build (issue 14/15: `npm start` used to
// compile on every start). Runs as `prepare` (after `npm install` / `npm ci`) and as `prestart`, so the README's
// `npm install && npm start` works on a fresh clone and later starts go straight to `node dist/src/server.js`.
// Plain JavaScript on purpose: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = path.join(root, 'dist', '.build-stamp');
const fromPrepare = process.argv.includes('--prepare');

// Docker's dependency stages install before the sources are copied: nothing to build yet.
if (!fs.existsSync(path.join(root, 'src', 'server.ts'))) process.exit(0);

/** Newest modification time and file count of everything the build reads. */
function sourceState() {
  let newest = 0;
  let count = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(p);
      else if (/\.(ts|json)$/.test(entry.name)) {
        newest = Math.max(newest, fs.statSync(p).mtimeMs);
        count++;
      }
    }
  };
  visit(path.join(root, 'src'));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    if (fs.existsSync(path.join(root, f))) newest = Math.max(newest, fs.statSync(path.join(root, f)).mtimeMs);
  }
  return `${Math.floor(newest)}:${count}`;
}

/** What the embedded database template is made from: the migrations and the PGlite release. */
function templateState() {
  let state = '';
  const dir = path.join(root, 'migrations');
  if (fs.existsSync(dir)) {
    for (const name of fs.readdirSync(dir).sort()) {
      if (name.endsWith('.sql')) state += `${name}:${Math.floor(fs.statSync(path.join(dir, name)).mtimeMs)};`;
    }
    const journal = path.join(dir, 'meta', '_journal.json');
    if (fs.existsSync(journal)) state += `journal:${Math.floor(fs.statSync(journal).mtimeMs)};`;
  }
  const pglite = path.join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  if (fs.existsSync(pglite)) state += `pglite:${JSON.parse(fs.readFileSync(pglite, 'utf8')).version}`;
  return state;
}

/**
 * A fresh embedded database starts from a copy of a pristine data directory (initdb and migrations) made here,
 * once per set of migrations, instead of running initdb on every first start (issue 14). Best effort: without it
 * the server initialises the directory itself, only slower.
 */
function ensureTemplate() {
  const stamp = path.join(root, 'dist', '.pglite-template-stamp');
  const state = templateState();
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === state && fs.existsSync(path.join(root, 'dist', 'pglite-template', 'key'))) return;
  const script = path.join(root, 'dist', 'src', 'db', 'pglite-template.js');
  if (!fs.existsSync(script)) return;
  const result = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  if (result.status === 0) fs.writeFileSync(stamp, state);
  else console.error('Could not prepare the embedded database template; a fresh start will initialise the database itself (slower).');
}

const state = sourceState();
const built = fs.existsSync(path.join(root, 'dist', 'src', 'server.js'));
if (built && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === state) {
  ensureTemplate();
  process.exit(0);
}

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // Production installs (`npm ci --omit=dev`) have no compiler; they ship a dist/ built elsewhere.
  if (built || fromPrepare) process.exit(0);
  console.error('dist/ is missing and TypeScript is not installed: run `npm install` (with dev dependencies) or `npm run build`.');
  process.exit(1);
}

console.error(built ? 'Sources changed since the last build: compiling (once)…' : 'Compiling the service (once, at install time)…');
const started = Date.now();
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
fs.writeFileSync(stampFile, state);
console.error(`Compiled in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
ensureTemplate();
