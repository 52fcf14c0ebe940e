import type { TestProject } from 'vitest/node';
import { ensurePostgres, redact } from './postgres-service';
import { ensureRedis } from './redis-service';
import { ensureTemplateDatabase } from './template-database';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresTemplate: string;
    redisUrl: string;
  }
}

/**
 * Runs once per `vitest run`: finds or starts Postgres and Redis, builds the migrated template, and
 * hands their addresses to every test file. Private servers it started are stopped at the end.
 */
export default async function setup(project: TestProject) {
  const postgres = await ensurePostgres(
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  const redis = await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  if (postgres.origin !== 'existing' || redis.origin !== 'existing') {
    console.info(
      `test services: postgres ${postgres.origin} (${redact(postgres.adminUrl)}), redis ${redis.origin} (${redis.url})`,
    );
  }
  project.provide('postgresAdminUrl', postgres.adminUrl);
  project.provide('postgresTemplate', await ensureTemplateDatabase(postgres.adminUrl));
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    await postgres.stop();
  };
}
