import { createServer } from 'node:http';
import { closeServer, createLogger, exitOnSignals, listen, runMain } from '@confab/db';
import { loadProjectorEnv } from '../env';
import { startProjector } from './projector-runtime';

/**
 * The projector as a process of its own, beside the sync nodes (each of which also runs one in a
 * worker): whichever tailer holds the lease projects, the others take over when it lapses. Plain
 * HTTP answers `GET /health` for an orchestrator; SIGTERM gives the lease up and exits.
 */
await runMain(async () => {
  const env = loadProjectorEnv(process.env);
  const logger = createLogger(env.LOG_LEVEL, { service: 'confab-projector' });
  const projector = await startProjector(
    {
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      copiesMaxBytes: env.PROJECTOR_COPIES_MAX_MB * 1024 * 1024,
    },
    logger,
  );
  const server = createServer((request, response) => {
    const ok = request.method === 'GET' && request.url === '/health';
    response.writeHead(ok ? 200 : 404, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(ok ? { status: 'ok' } : { error: { code: 'not_found' } }));
  });
  const address = await listen(server, env.PORT, env.HOST);
  logger.info({ port: address.port, tailer: projector.tailer.id }, 'listening');
  exitOnSignals(async () => {
    await closeServer(server, env.SHUTDOWN_TIMEOUT_MS);
    await projector.stop();
  }, logger);
});
