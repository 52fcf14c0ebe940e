import { type SQL, sql } from 'drizzle-orm';
import pg from 'pg';
import type { Db } from './database';

/** The positional parameters of one raw statement: `add` keeps a value and returns its `$n`. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Runs fixed SQL text with positional parameters on the driver under drizzle, skipping the
 * query builder. For the statements every message runs, where building them through drizzle
 * (a type check per chunk, a tracing span per call) cost more CPU than the driver's work. A
 * `name` makes it a prepared statement on Postgres: each pooled connection parses and plans it
 * once (one name per text). Bigints may come back as strings.
 */
export async function rawQuery<Row>(
  db: Db,
  text: string,
  params: SqlParams,
  name?: string,
): Promise<Row[]> {
  const client = (db as unknown as { $client: pg.Pool | RawClient }).$client;
  const result =
    client instanceof pg.Pool
      ? await client.query({ name, text, values: params.values })
      : await client.query(text, params.values);
  return result.rows as Row[];
}

/** PGlite's query, which has no named statements (one connection, in process). */
interface RawClient {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The same statement as drizzle SQL, for running it inside one of drizzle's transactions. */
export function asSql(text: string, params: SqlParams): SQL {
  // split with a capture group: odd entries are the numbers of `$n` placeholders.
  const parts = text.split(/\$(\d+)\b/);
  return sql.join(
    parts.map((part, index) =>
      index % 2 ? sql.param(params.values[Number(part) - 1]) : sql.raw(part),
    ),
  );
}
