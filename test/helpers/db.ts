// A fresh database per test file: in-memory PGlite by default, a throwaway PostgreSQL database
// when TEST_DATABASE_URL is set (as .ci/run does). Nothing leaks between files.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../../src/db/client.js';

// Tests read the environment directly: they choose the database the suite runs on.
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const onRealPostgres = !!TEST_DATABASE_URL;

export interface TestDatabase extends Database {
  /** Connection string of the throwaway database (real PostgreSQL only). */
  url?: string;
  name?: string;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

const migrationsDir = path.resolve(import.meta.dirname, '../../migrations');

/**
 * A dump of a migrated in-memory database, made once per set of migrations and PGlite version and shared by every
 * test file through a file in the temporary directory: starting from it takes about 0.4 s where initdb and the
 * migrations take about 3 s, and a run opens a database in more than a hundred files.
 */
async function migratedPgliteDump(): Promise<Blob> {
  const key = createHash('sha256');
  for (const file of fs.readdirSync(migrationsDir, { recursive: true }).map(String).sort()) {
    const full = path.join(migrationsDir, file);
    if (fs.statSync(full).isFile()) key.update(file).update(fs.readFileSync(full));
  }
  const pgliteManifest = path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json');
  key.update(fs.readFileSync(pgliteManifest));
  const file = path.join(os.tmpdir(), `par-test-pglite-${key.digest('hex').slice(0, 16)}.tar`);
  if (!fs.existsSync(file)) {
    const database = await openPglite();
    await database.migrate();
    const dump = await (database.db as unknown as { $client: PGlite }).$client.dumpDataDir('none');
    await database.close();
    // Written under a unique name and renamed: files starting in parallel never read half a dump.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(partial, file);
    } catch {
      // A full or read-only temporary directory: this file uses the dump it made, the next one tries again.
      fs.rmSync(partial, { force: true });
      return dump;
    }
  }
  return new Blob([fs.readFileSync(file)]);
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    const database = await openPglite(undefined, { loadDataDir: await migratedPgliteDump() });
    // A no-op on the dump (every migration is recorded there); it keeps a stale dump from passing silently.
    await database.migrate();
    return database;
  }
  const name = `par_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(TEST_DATABASE_URL, name);
  const database = openPostgres(url);
  await database.migrate();
  return {
    ...database,
    url,
    name,
    async close() {
      await database.close();
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
