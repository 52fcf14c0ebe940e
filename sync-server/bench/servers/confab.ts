import './loop-monitor';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendEnvSchema, createLogger, openBackends } from '@confab/db';
import { attachSync } from '../../src/attach-sync';
import { compactDoc } from '../../src/persistence/compaction';
import { announce } from './announce';

/**
 * Confab's sync server as deployed (Postgres log, Redis fan-out), on the benchmark's database.
 * BENCH_MAX_BATCH=1 turns group commit off: one transaction per update. PRESENCE_* settings pass
 * through as a deployment's would.
 */
const logger = createLogger('warn');
const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`the Confab bench server needs ${name}`);
  return value;
};
const backends = await openBackends(
  backendEnvSchema.parse({
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX,
    PRESENCE_GRACE_MS: process.env.PRESENCE_GRACE_MS,
    PRESENCE_TTL_MS: process.env.PRESENCE_TTL_MS,
    DATA_DIR: await mkdtemp(join(tmpdir(), 'confab-bench-')),
  }),
  { logger, connectionName: 'confab-bench' },
);

/**
 * `POST /bench/compact?doc=<name>` compacts that doc now, in this process, with the function the
 * server runs after every `compactEvery` appends (without the settle delay, which only guards
 * against other nodes' commits still in flight): the benchmark measures the event loop meanwhile.
 */
const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://bench');
  const docName = url.searchParams.get('doc');
  if (request.method !== 'POST' || url.pathname !== '/bench/compact' || !docName) {
    response.end();
    return;
  }
  const started = performance.now();
  compactDoc(backends.database.db, docName, { settleMs: 0, minUpdates: 1 }).then(
    (result) => {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ ...result, ms: performance.now() - started }));
    },
    (error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    },
  );
});
const maxBatch = process.env.BENCH_MAX_BATCH ? Number(process.env.BENCH_MAX_BATCH) : undefined;
const sync = await attachSync(server, backends, {
  allowedOrigins: [],
  logger,
  maxBatch,
  // As main.ts deploys it: the projector in a worker thread with its own pool and bus connection.
  projector: {
    databaseUrl: required('DATABASE_URL'),
    redisUrl: required('REDIS_URL'),
    redisKeyPrefix: required('REDIS_KEY_PREFIX'),
    logLevel: 'warn',
  },
});
await announce(server, async () => {
  await sync.stop();
  await backends.close();
});
