import { createServer } from 'node:http';
import {
  closeServer,
  createLogger,
  exitOnSignals,
  limitHttpServer,
  listen,
  openBackends,
  runMain,
} from '@confab/db';
import { attachSync } from './attach-sync';
import { loadSyncEnv } from './env';

/** The sync server as a process of its own, for deployments that scale it apart from the API. */
await runMain(async () => {
  const env = loadSyncEnv(process.env);
  const logger = createLogger(env.LOG_LEVEL, { service: 'confab-sync' });
  const backends = await openBackends(env, { logger, connectionName: 'confab-sync' });
  // Plain HTTP answers only the load balancer's health check; everything else is the API's.
  const server = createServer((request, response) => {
    const body = (status: number, value: unknown) => {
      response.writeHead(status, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
      response.end(JSON.stringify(value));
    };
    if (request.method === 'GET' && request.url === '/health') {
      backends.health().then(
        (health) =>
          body(health.ok ? 200 : 503, { status: health.ok ? 'ok' : 'degraded', ...health }),
        () => body(503, { status: 'degraded' }),
      );
      return;
    }
    body(404, { error: { code: 'not_found', message: 'Not found' } });
  });
  // Run alone, it sits behind the load balancer that splits `/sync` from the API: every
  // connection comes from the balancer, so no per-address cap, and idle connections outlive the
  // balancer's own idle timeout (60 s on AWS ALB).
  limitHttpServer(server, { maxConnectionsPerIp: 0, keepAliveTimeoutMs: 65_000 });
  const sync = await attachSync(server, backends, {
    allowedOrigins: env.ALLOWED_ORIGINS,
    logger,
    // Off the sync event loop: a worker thread with its own pool and bus connection.
    projector: {
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      logLevel: env.LOG_LEVEL,
      copiesMaxBytes: env.PROJECTOR_COPIES_MAX_MB * 1024 * 1024,
    },
  });
  const address = await listen(server, env.PORT, env.HOST);
  logger.info({ port: address.port, installationId: backends.installation.id }, 'listening');
  exitOnSignals(async () => {
    await sync.stop();
    await closeServer(server, env.SHUTDOWN_TIMEOUT_MS);
    await backends.close();
  }, logger);
});
