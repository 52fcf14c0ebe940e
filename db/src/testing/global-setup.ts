import type { TestProject } from 'vitest/node';
import { startTestServices } from './services';

/**
 * Runs once per `vitest run`: finds or starts Postgres and Redis, builds the migrated template, and
 * hands their addresses to every test file. Private servers it started are stopped at the end.
 */
export default async function setup(project: TestProject) {
  const services = await startTestServices();
  project.provide('postgresAdminUrl', services.postgres.adminUrl);
  project.provide('postgresTemplate', services.template);
  project.provide('redisUrl', services.redis.url);
  return () => services.stop();
}
