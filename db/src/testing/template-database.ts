import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openPostgres } from '../database';

const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));
const TEMPLATE_LOCK_KEY = 0x74706c; // "tpl"

/** Names the template after the migrations, so a schema change gets a new template by itself. */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsDir, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('_journal.json')) {
      hash.update(file).update(readFileSync(`${migrationsDir}/${file}`));
    }
  }
  return `confab_tpl_${hash.digest('hex').slice(0, 16)}`;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Makes sure a migrated template database exists. It is built under a scratch name and renamed
 * when complete, so an interrupted build never leaves a half-migrated template behind.
 */
export async function ensureTemplateDatabase(adminUrl: string): Promise<string> {
  const name = templateName();
  return withAdmin(adminUrl, async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        name,
      ]);
      if (rowCount) return name;
      const scratch = `${name}_build_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE "${scratch}"`);
      const database = await openPostgres(databaseUrl(adminUrl, scratch), { poolSize: 2 });
      try {
        await database.migrate();
      } finally {
        await database.close();
      }
      await admin.query(`ALTER DATABASE "${scratch}" RENAME TO "${name}"`);
      await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true`);
      return name;
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
}

/** A fresh database cloned from the template; far faster than migrating an empty one. */
export async function createDatabaseFromTemplate(
  adminUrl: string,
  template: string,
): Promise<string> {
  const name = `confab_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, async (admin) => {
    // Two clones of one template at the same instant can fail with "being accessed by other
    // users"; the clone itself is fine to retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message))
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  });
  return name;
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (admin) =>
    admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}
