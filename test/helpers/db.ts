// A fresh database per test file: in-memory PGlite by default, a throwaway PostgreSQL database
// when TEST_DATABASE_URL is set (as .ci/run does). Nothing leaks between files.
import { randomBytes } from 'node:crypto';
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

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    const database = await openPglite();
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
