// Hot-path statements (issue 14). Building a drizzle query costs more JavaScript than PostgreSQL spends running it
// (the profile of `PUT …/self` showed query building and row mapping at about a fifth of the server's CPU), so the
// statements run on every item write are fixed SQL text: on PostgreSQL sent as named prepared statements (parsed
// and planned once per connection), on the embedded database through the same client drizzle uses. A table row
// travels as one JSON value (one result column instead of thirty: the driver describes and parses every column of
// every execution) and is mapped by the drizzle columns themselves, so it comes out as a drizzle select gives it.
import pg from 'pg';
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './client.js';

interface PgliteLike {
  query(text: string, values: unknown[], options: { rowMode: 'array' }): Promise<{ rows: unknown[][] }>;
}

/** The driver client under a drizzle database or transaction (a pg Pool or PoolClient, or PGlite). */
function clientOf(db: Db): unknown {
  return (db as unknown as { session: { client: unknown } }).session.client;
}

/**
 * Runs a fixed statement and returns its rows as arrays. `name` must be unique to `text`: PostgreSQL keeps the
 * prepared statement per connection under that name.
 */
export async function hotQuery(db: Db, name: string, text: string, values: unknown[]): Promise<unknown[][]> {
  const client = clientOf(db);
  if (client instanceof pg.Pool || client instanceof pg.Client) {
    const result = await (client as pg.Pool).query({ name, text, values, rowMode: 'array' } as pg.QueryArrayConfig);
    return result.rows as unknown[][];
  }
  const result = await (client as PgliteLike).query(text, values, { rowMode: 'array' });
  return result.rows;
}

export interface JsonRow<T> {
  /** SQL for the row of `alias` as one JSON object keyed by column name (numerics as text, keeping their scale). */
  sql: string;
  /** That JSON (or json_agg / to_json of the table row, when it has no numeric column), mapped as drizzle maps it. */
  fromJson(json: Record<string, unknown>): T;
}

export function jsonRow<T extends PgTable>(table: T, alias: string): JsonRow<T['$inferSelect']> {
  const columns = Object.entries(getTableColumns(table)) as [string, PgColumn][];
  const map = (column: PgColumn, value: unknown) => (value === null || value === undefined ? null : column.mapFromDriverValue(value));
  const pairs = columns.map(([, c]) => `'${c.name}', ${alias}."${c.name}"${c.getSQLType().startsWith('numeric') ? '::text' : ''}`);
  if (pairs.length > 50) throw new Error(`json_build_object takes at most 100 arguments (${alias})`);
  return {
    sql: `json_build_object(${pairs.join(', ')})`,
    fromJson(json) {
      const out: Record<string, unknown> = {};
      for (const [key, column] of columns) out[key] = map(column, json[column.name]);
      return out as T['$inferSelect'];
    },
  };
}
