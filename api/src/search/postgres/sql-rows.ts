import type { Db } from '@confab/db';
import type { SQL } from 'drizzle-orm';

/**
 * Runs a drizzle `sql` statement and returns its rows, on node-postgres and PGlite alike (both
 * answer `execute` with an object holding `rows`).
 */
export async function queryRows<Row>(db: Db, statement: SQL): Promise<Row[]> {
  const result = (await db.execute(statement)) as unknown as { rows: Row[] };
  return result.rows;
}

/** A JSON array parameter, read as a Postgres array: the same text on both drivers. */
export function jsonArray(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** A json column: node-postgres parses it, PGlite may hand over the text. */
export function parseJson<Value>(value: Value | string | null | undefined): Value | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? (JSON.parse(value) as Value) : value;
}
