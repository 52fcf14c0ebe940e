import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, useTestRedis } from '@confab/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATE_PROCESS } from './task-commands';

// The migration task's own command, run here as ECS runs it (`sh -c`), on an empty database.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const migrations = readdirSync(new URL('../../../db/migrations/', import.meta.url)).filter((file) =>
  file.endsWith('.sql'),
);
const redis = useTestRedis();
const name = `confab_migrate_${randomBytes(6).toString('hex')}`;
// Without S3 the backends open a local blob folder: keep it out of the checkout.
const dataDir = mkdtempSync(join(tmpdir(), 'confab-migrate-'));

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(): string {
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

function migrate(env: Record<string, string>) {
  return runProcess(['sh', '-c', MIGRATE_PROCESS], env, root, 90_000);
}

beforeAll(() => admin((client) => client.query(`CREATE DATABASE "${name}"`)));
afterAll(async () => {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the migration task', () => {
  it('applies every migration to an empty database, then exits 0; a second run changes nothing', async () => {
    const env = {
      DATABASE_URL: databaseUrl(),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      DATA_DIR: dataDir,
      // The machine's Redis keeps nothing on disk; production's ElastiCache passes the check.
      UNSAFE_SKIP_DURABILITY_CHECKS: 'true',
    };
    for (let run = 0; run < 2; run++) {
      const result = await migrate(env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('migrations applied');
    }
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      const applied = await client.query(
        'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
      );
      expect(applied.rows[0].n).toBe(migrations.length);
    } finally {
      await client.end();
    }
    // Two process starts (tsx compiles the backends on each): generous on a shared machine.
  }, 180_000);

  it('exits 1 naming the variable when the configuration is bad, touching no database', async () => {
    const result = await migrate({
      DATABASE_URL: 'mysql://nowhere',
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
    });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('DATABASE_URL');
  }, 120_000);
});
