/**
 * A process that only runs file processing jobs, for the kill-and-restart tests (on Postgres,
 * or on PGlite in DATA_DIR when DATABASE_URL is unset). With PAUSE_DIR
 * set, each job stops after storing its derived blobs (logging "derived stored") until a file
 * named after the file id appears in that folder: the test kills the process there. It answers
 * on an HTTP port so that the test harness sees it start ("listening").
 */
import { access } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  backendEnvSchema,
  closeServer,
  createLogger,
  exitOnSignals,
  listen,
  openBackends,
  parseEnv,
} from '@confab/db';
import { z } from 'zod';
import { registerFileJobs } from '../../files/file-jobs';
import { openJobQueue } from '../job-queue';

const env = parseEnv(backendEnvSchema.extend({ PAUSE_DIR: z.string().optional() }), process.env);
const logger = createLogger(env.LOG_LEVEL);
const backends = await openBackends(env, { logger, connectionName: 'confab-file-worker' });
const queue = await openJobQueue(backends.database, {
  logger,
  retryDelaySeconds: 1,
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 1,
  pollingIntervalSeconds: 0.5,
});

const pauseDir = env.PAUSE_DIR;
await registerFileJobs(
  queue,
  { db: backends.database.db, blobs: backends.blobs, logger },
  {
    onDerivedStored: pauseDir
      ? async (fileId) => {
          logger.info({ fileId }, 'derived stored');
          for (;;) {
            try {
              await access(join(pauseDir, fileId));
              return;
            } catch {
              await sleep(50);
            }
          }
        }
      : undefined,
  },
);

const server = createServer((_request, response) => response.end('ok'));
const { port } = await listen(server, 0, '127.0.0.1');
logger.info({ port }, 'listening');
// SIGTERM closes the database properly (PGlite writes its last pages on close); SIGKILL does not.
exitOnSignals(async () => {
  await closeServer(server, 1_000);
  await queue.stop();
  await backends.close();
}, logger);
