import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index';

export type Schema = typeof schema;
/** The query builder, the same type whether Postgres or PGlite is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Round trip to the server; throws when it does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const STATEMENT_TIMEOUT_MS = 30_000;

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Key of the advisory lock that serialises migrations when several nodes start at once; drizzle's
 * migrator has no lock of its own, and two nodes applying one migration would fail the second.
 */
const MIGRATION_LOCK_KEY = 0x636f6e66; // "conf"

export async function openPostgres(
  url: string,
  { poolSize = 10, applicationName = 'confab' } = {},
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    // No statement runs longer than this, so compaction may trust that log rows older than
    // twice as long were either committed or never will be (sync-server compaction).
    statement_timeout: STATEMENT_TIMEOUT_MS,
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener the process dies.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new Error(`Cannot reach Postgres at DATABASE_URL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const db = drizzlePostgres(pool, { schema });
  return {
    kind: 'postgres',
    db,
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          await migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder });
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}

/** PGlite (PostgreSQL in WASM) in a folder; one process owns the folder at a time. */
export async function openPglite(dataDir: string | 'memory'): Promise<Database> {
  if (dataDir !== 'memory') await mkdir(dataDir, { recursive: true });
  // The contrib extensions the migrations create (search); PGlite loads them only when listed here.
  const extensions = { btree_gin, pg_trgm, unaccent };
  const client = new PGlite(dataDir === 'memory' ? { extensions } : { dataDir, extensions });
  await client.waitReady;
  const db = drizzlePglite(client, { schema });
  return {
    kind: 'pglite',
    db,
    async migrate() {
      await migratePglite(db, { migrationsFolder });
    },
    async ping() {
      await db.execute(sql`SELECT 1`);
    },
    async close() {
      // PGlite flushes its files on close; skipping it can lose the last writes.
      await client.close();
    },
  };
}
