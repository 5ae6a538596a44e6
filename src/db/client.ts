import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Logger } from 'pino';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** Both drivers' databases and transactions share this query-builder type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  driver: 'pg' | 'pglite';
  /** Cheap round-trip used by readiness. */
  ping(): Promise<void>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** migrations/ sits at the project root both when run from src/ (tsx) and from dist/src/ (compiled). */
export function migrationsFolder(): string {
  for (const candidate of [path.resolve(here, '../../migrations'), path.resolve(here, '../../../migrations')]) {
    if (fs.existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
  }
  throw new Error('migrations folder not found');
}

export function openPostgres(url: string, logger?: Logger, poolOptions: pg.PoolConfig = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...poolOptions,
  });
  // An idle client losing its connection (database restart, network cut) must not crash the process;
  // the pool discards it and readiness reports the outage until the database returns.
  pool.on('error', (err) => logger?.warn({ err: { message: err.message } }, 'postgres pool client error'));
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pg',
    async ping() {
      await pool.query('select 1');
    },
    async migrate() {
      await migratePg(drizzlePg(pool), { migrationsFolder: migrationsFolder() });
    },
    async close() {
      await pool.end();
    },
  };
}

/** Embedded PostgreSQL (PGlite). `dir` undefined = in memory (tests). */
export async function openPglite(dir?: string): Promise<Database> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const client = dir ? new PGlite(dir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    async ping() {
      await client.query('select 1');
    },
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder: migrationsFolder() });
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; logger?: Logger }): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.logger);
  return openPglite(path.join(opts.dataDir, 'pglite'));
}

export async function isEmptyDatabase(db: Db): Promise<boolean> {
  const rows = await db.execute(sql`select count(*)::int as n from org_units`);
  const first = (rows as unknown as { rows: { n: number }[] }).rows[0];
  return !first || first.n === 0;
}
