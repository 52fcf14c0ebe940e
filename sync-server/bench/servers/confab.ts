import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendEnvSchema, createLogger, openBackends } from '@confab/db';
import { attachSync } from '../../src/attach-sync';
import { announce } from './announce';

/**
 * Confab's sync server as deployed (Postgres log, Redis fan-out), on the benchmark's database.
 * BENCH_MAX_BATCH=1 turns group commit off: one transaction per update.
 */
const logger = createLogger('warn');
const backends = await openBackends(
  backendEnvSchema.parse({
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX,
    DATA_DIR: await mkdtemp(join(tmpdir(), 'confab-bench-')),
  }),
  { logger, connectionName: 'confab-bench' },
);
const server = createServer((_request, response) => response.end());
const maxBatch = process.env.BENCH_MAX_BATCH ? Number(process.env.BENCH_MAX_BATCH) : undefined;
const sync = await attachSync(server, backends, { allowedOrigins: [], logger, maxBatch });
await announce(server, async () => {
  await sync.stop();
  await backends.close();
});
