import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
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
  /**
   * Runs `fn` (migrations, first-start bootstrap) while holding the start-up lock: on PostgreSQL a session advisory
   * lock, so of several instances started at once on one database one migrates and bootstraps while the others
   * wait and then find the work done. The embedded database has a single process and needs no lock.
   */
  withStartupLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Advisory lock key of the start-up lock (the publication chain uses 727_002). */
const STARTUP_LOCK = 727_016;

const here = path.dirname(fileURLToPath(import.meta.url));
/** migrations/ sits at the project root both when run from src/ (tsx) and from dist/src/ (compiled). */
export function migrationsFolder(): string {
  for (const candidate of [path.resolve(here, '../../migrations'), path.resolve(here, '../../../migrations')]) {
    if (fs.existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
  }
  throw new Error('migrations folder not found');
}

/**
 * A pg pool that survives connections dying while they are checked out. pg-pool listens for a client's 'error'
 * only while it is idle; a backend terminated (pg_terminate_backend, failover) or a network cut during a
 * transaction emits 'error' on a checked-out client with no listener, which is an uncaught exception and took the
 * whole process down. Here every client keeps a listener for its whole life, and a checked-out client whose
 * connection broke is handed back (and discarded) at once: drizzle does not release the client when `begin`
 * itself fails, which would otherwise leak one pool slot per outage until the pool is exhausted for good.
 */
class ResilientPool extends pg.Pool {
  constructor(
    config: pg.PoolConfig,
    private readonly onLost: (err: Error) => void,
  ) {
    super(config);
    this.on('connect', (client) => {
      client.on('error', (err: Error) => this.onLost(err));
    });
    // Idle clients: pg-pool removes them and re-emits here; the client listener above already logged it.
    this.on('error', () => {});
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<pg.PoolClient> | void {
    if (callback) return super.connect(callback);
    return super.connect().then((client) => {
      const release = client.release.bind(client);
      let released = false;
      const onError = (err: Error) => {
        if (!released) client.release(err);
      };
      client.release = (err?: Error | boolean) => {
        if (released) return;
        released = true;
        client.removeListener('error', onError);
        release(err);
      };
      client.on('error', onError);
      return client;
    });
  }
}

export function openPostgres(url: string, logger?: Logger, poolOptions: pg.PoolConfig = {}): Database {
  // A lost connection fails only the statements that were using it; the pool opens new connections on demand,
  // so the service recovers by itself when PostgreSQL is back (readiness reports the outage meanwhile).
  const pool = new ResilientPool(
    {
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Detect half-open connections after a silent network cut instead of waiting for the OS default (hours).
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      ...poolOptions,
    },
    (err) => logger?.warn({ err }, 'postgres connection lost'),
  );
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
    async withStartupLock<T>(fn: () => Promise<T>): Promise<T> {
      // A dedicated connection holds the session lock while `fn` uses the rest of the pool.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [STARTUP_LOCK]);
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock($1)', [STARTUP_LOCK]).catch(() => undefined);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** Embedded PostgreSQL (PGlite). `dir` undefined = in memory (tests). */
/**
 * Embedded PostgreSQL settings (issue 14, memory): PGlite runs one backend in this process, so PostgreSQL's default
 * 128 MB of shared buffers is 128 MB of our RSS; the operating system's page cache serves the data files anyway.
 */
const PGLITE_CONF = ['shared_buffers = 32MB', 'temp_buffers = 4MB', 'maintenance_work_mem = 32MB'];

/**
 * A pristine embedded data directory (initdb and every migration applied), made once at build time by
 * `node dist/src/db/pglite-template.js` (scripts/ensure-build.mjs runs it). initdb in WebAssembly is about a third
 * of a fresh demo start (issue 14: ≤ 8 s); copying this directory takes a few hundred milliseconds instead. The key
 * names what the directory was made from, so a template of other migrations, another PGlite or other settings is
 * never used: the fresh directory is then initialised as before.
 */
export function pgliteTemplateDir(): string {
  return path.join(path.dirname(migrationsFolder()), 'dist', 'pglite-template');
}

export function pgliteTemplateKey(): string {
  const hash = createHash('sha256');
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8')) as { version: string };
  hash.update(`pglite ${pkg.version}\n${PGLITE_CONF.join('\n')}\n`);
  const folder = migrationsFolder();
  for (const f of ['meta/_journal.json', ...fs.readdirSync(folder).filter((n) => n.endsWith('.sql')).sort()]) {
    hash.update(`${f}\n`).update(fs.readFileSync(path.join(folder, f)));
  }
  return hash.digest('hex');
}

/** Builds the template (initdb + migrations) next to the build output; a current one is left as it is. */
export async function buildPgliteTemplate(): Promise<'current' | 'built'> {
  const root = pgliteTemplateDir();
  const key = pgliteTemplateKey();
  const keyFile = path.join(root, 'key');
  if (fs.existsSync(keyFile) && fs.readFileSync(keyFile, 'utf8') === key) return 'current';
  const work = `${root}.tmp-${process.pid}`;
  fs.rmSync(work, { recursive: true, force: true });
  const database = await openPglite(path.join(work, 'data'), { template: false });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  fs.writeFileSync(path.join(work, 'key'), key);
  fs.rmSync(root, { recursive: true, force: true });
  fs.renameSync(work, root);
  return 'built';
}

/** Copies the template into the empty `dir` when one matching this build exists; false when there is none. */
function copyPgliteTemplate(dir: string): boolean {
  let root: string;
  try {
    root = pgliteTemplateDir();
    const keyFile = path.join(root, 'key');
    if (!fs.existsSync(keyFile) || fs.readFileSync(keyFile, 'utf8') !== pgliteTemplateKey()) return false;
  } catch {
    return false;
  }
  fs.cpSync(path.join(root, 'data'), dir, { recursive: true });
  return true;
}

/**
 * `loadDataDir`: an in-memory database starts from this dump (PGlite's `dumpDataDir`) instead of running initdb;
 * the tests use it to give every file a migrated database in a fraction of the time.
 */
export async function openPglite(dir?: string, opts: { template?: boolean; loadDataDir?: Blob } = {}): Promise<Database> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  if (dir && !fs.existsSync(path.join(dir, 'PG_VERSION')) && opts.template !== false && fs.readdirSync(dir).length === 0) copyPgliteTemplate(dir);
  if (dir && !fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    // A fresh data directory is initialised by a separate WebAssembly instance (initdb) whose memory stays attached
    // to the client that ran it (≈ 400 MB of RSS for the life of the process). Initialise, close, and reopen.
    const init = new PGlite(dir, { postgresqlconf: PGLITE_CONF });
    await init.waitReady;
    await init.close();
  }
  const client = dir ? new PGlite(dir, { postgresqlconf: PGLITE_CONF }) : new PGlite({ postgresqlconf: PGLITE_CONF, ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}) });
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
    withStartupLock: (fn) => fn(),
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
