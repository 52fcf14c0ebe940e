import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backends, openBackends } from '../backends';
import { backendEnvSchema } from '../config';
import { createLogger } from '../logger';
import { ensurePostgres, type PostgresService, redact } from './postgres-service';
import { ensureRedis, type RedisService } from './redis-service';
import {
  createDatabaseFromTemplate,
  databaseUrl,
  dropDatabase,
  ensureTemplateDatabase,
} from './template-database';

export interface TestServices {
  postgres: PostgresService;
  redis: RedisService;
  /** The migrated template that fresh databases are cloned from. */
  template: string;
  /** A fresh migrated database of its own; `drop` removes it. */
  freshDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }>;
  /** Stops the private servers this call started (the machine's own are left running). */
  stop(): Promise<void>;
}

/**
 * Postgres and Redis for tests and benchmarks: the ones at DATABASE_URL / REDIS_URL (default: the
 * machine's), else private ones started here. Free of vitest, so benchmarks can use it too.
 */
export async function startTestServices(env = process.env): Promise<TestServices> {
  const postgres = await ensurePostgres(
    env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  const redis = await ensureRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  if (postgres.origin !== 'existing' || redis.origin !== 'existing') {
    console.info(
      `test services: postgres ${postgres.origin} (${redact(postgres.adminUrl)}), redis ${redis.origin} (${redis.url})`,
    );
  }
  const template = await ensureTemplateDatabase(postgres.adminUrl);
  return {
    postgres,
    redis,
    template,
    async freshDatabase() {
      const name = await createDatabaseFromTemplate(postgres.adminUrl, template);
      return {
        name,
        url: databaseUrl(postgres.adminUrl, name),
        drop: () => dropDatabase(postgres.adminUrl, name),
      };
    },
    async stop() {
      await redis.stop();
      await postgres.stop();
    },
  };
}

/**
 * Backends on a given Postgres database and Redis key prefix, with a throwaway data folder and
 * no logging: what a test or benchmark process needs to act as one Confab node.
 */
export async function openServiceBackends(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
  connectionName: string,
): Promise<Backends> {
  const env = backendEnvSchema.parse({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    DATA_DIR: await mkdtemp(join(tmpdir(), `${connectionName}-`)),
  });
  return openBackends(env, { logger: createLogger('silent'), connectionName });
}
