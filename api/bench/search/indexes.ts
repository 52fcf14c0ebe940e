import type { Db } from '@confab/db';
import { execute, executeLong } from './sql';

/** A search index as the migrations made it, read back from the catalog. */
export interface IndexDefinition {
  name: string;
  table: string;
  definition: string;
}

export interface BuiltIndex {
  name: string;
  table: string;
  buildMs: number;
  bytes: number;
}

/**
 * The search indexes of messages and files: every GIN index there (full text and trigrams) and
 * any other index named for search, whatever migration made it, so a later index change is
 * measured without editing the benchmark.
 */
export async function searchIndexes(db: Db): Promise<IndexDefinition[]> {
  return execute<IndexDefinition>(
    db,
    `SELECT indexname AS name, tablename AS "table", indexdef AS definition FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename IN ('messages', 'files')
        AND (indexdef ILIKE '% USING gin %' OR indexname LIKE '%search%')
      ORDER BY tablename DESC, indexname`,
  );
}

export async function dropIndexes(db: Db, indexes: IndexDefinition[]): Promise<void> {
  for (const index of indexes) await execute(db, `DROP INDEX "${index.name}"`);
}

/** Builds each index in turn (as after a restore), timing it; then its size on disk. */
export async function buildIndexes(
  admin: Db,
  indexes: IndexDefinition[],
  maintenanceWorkMem: string,
): Promise<BuiltIndex[]> {
  const built: BuiltIndex[] = [];
  for (const index of indexes) {
    const started = performance.now();
    await executeLong(admin, index.definition, maintenanceWorkMem);
    const buildMs = performance.now() - started;
    built.push({
      name: index.name,
      table: index.table,
      buildMs,
      bytes: await relationBytes(admin, index.name),
    });
  }
  return built;
}

export async function relationBytes(db: Db, name: string): Promise<number> {
  const [row] = await execute<{ bytes: string | number }>(
    db,
    'SELECT pg_relation_size(to_regclass($1)) AS bytes',
    [name],
  );
  return Number(row?.bytes ?? 0);
}

/** The table's heap (TOAST included) and all its indexes. */
export async function tableBytes(
  db: Db,
  table: string,
): Promise<{ heap: number; indexes: number }> {
  const [row] = await execute<{ heap: string | number; indexes: string | number }>(
    db,
    `SELECT pg_table_size(to_regclass($1)) AS heap, pg_indexes_size(to_regclass($1)) AS indexes`,
    [table],
  );
  return { heap: Number(row?.heap ?? 0), indexes: Number(row?.indexes ?? 0) };
}
