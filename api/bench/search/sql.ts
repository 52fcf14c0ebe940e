import { asSql, type Db, SqlParams } from '@confab/db';

/** Runs one statement with positional parameters, inside drizzle (so it also runs in `db.transaction`). */
export async function execute<Row = Record<string, unknown>>(
  db: Pick<Db, 'execute'>,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const params = new SqlParams();
  for (const value of values) params.add(value);
  // node-postgres answers a QueryResult and PGlite a Results: both carry `rows`.
  const result = (await db.execute(asSql(text, params))) as unknown as { rows: Row[] };
  return result.rows;
}

/**
 * A statement that may outlast the pool's statement timeout (index builds, VACUUM), with more
 * maintenance memory, as an operator would give a bulk index build. The settings and the statement
 * go to one connection: `admin` is a pool of one, and nothing else uses it meanwhile.
 */
export async function executeLong(
  admin: Db,
  text: string,
  maintenanceWorkMem: string,
): Promise<void> {
  await execute(admin, 'SET statement_timeout = 0');
  await execute(admin, `SET maintenance_work_mem = '${maintenanceWorkMem}'`);
  await execute(admin, text);
}
