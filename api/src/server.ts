import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { PresenceLookup } from '@confab/db';
import {
  closeServer,
  type HttpLimits,
  type Logger,
  limitHttpServer,
  listen,
  openBackends,
} from '@confab/db';
import { attachSync } from '@confab/sync-server';
import { createAdaptorServer } from '@hono/node-server';
import { BackgroundTasks } from './background-tasks';
import {
  authConfigFromEnv,
  composeApp,
  fileSettingsFromEnv,
  searchEngineFromEnv,
} from './compose-app';
import type { ApiEnv } from './env';
import { enqueueFileProcessing, registerFileJobs } from './files/file-jobs';
import { startFilePurge } from './files/purge';
import { type JobQueue, openJobQueue } from './jobs/job-queue';
import { createOutboxMailer, createSmtpMailer } from './mail/mailer';
import { registerNotificationMailJob } from './notifications/mail-job';
import { Notifier } from './notifications/notifier';
import { UnsubscribeTokens } from './notifications/unsubscribe-token';
import { registerStatusJobs, scheduleStatusExpiry } from './status/status-jobs';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

/** Deleted files' bytes go within this long after their grace period; so do abandoned uploads. */
const FILE_PURGE_INTERVAL_MS = 10 * 60_000;

export interface RunningServer {
  address: AddressInfo;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Overrides the HTTP server's limits (tests shorten timeouts); defaults from `httpLimits`. */
  http?: HttpLimits;
}

/**
 * Behind a load balancer (TRUST_PROXY) every connection comes from it: no per-address cap, and
 * idle connections outlive its own idle timeout (60 s on AWS ALB), or it would reuse one we are
 * closing and answer 502.
 */
export function httpLimits(env: Pick<ApiEnv, 'TRUST_PROXY'>): HttpLimits {
  return env.TRUST_PROXY
    ? { maxConnectionsPerIp: 0, keepAliveTimeoutMs: 65_000 }
    : { maxConnectionsPerIp: 256, keepAliveTimeoutMs: 5_000 };
}

/**
 * Opens the backends (migrating the database), then serves the configured services on one port:
 * the client at `/`, the API under `/api`, the sync WebSocket under `/sync`.
 */
export async function startServer(
  env: ApiEnv,
  logger: Logger,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const backends = await openBackends(env, {
    logger: logger.child({ component: 'backends' }),
    connectionName: 'confab',
  });
  let jobs: JobQueue | null = null;
  let notifier: Notifier | null = null;
  try {
    const tasks = new BackgroundTasks(logger.child({ component: 'tasks' }));
    // Durable jobs (file processing) run in the processes that take uploads.
    const queue = env.SERVICES.includes('api')
      ? await openJobQueue(backends.database, { logger })
      : null;
    jobs = queue;
    if (queue) {
      await registerFileJobs(queue, {
        db: backends.database.db,
        blobs: backends.blobs,
        logger: logger.child({ component: 'files' }),
        bus: backends.bus,
      });
      await registerStatusJobs(queue, {
        db: backends.database.db,
        bus: backends.bus,
        logger: logger.child({ component: 'status' }),
      });
    }
    const mailer = env.SMTP_URL
      ? createSmtpMailer(env.SMTP_URL, env.MAIL_FROM)
      : await createOutboxMailer(resolve(env.DATA_DIR, 'outbox'), env.MAIL_FROM);
    // Notifications are decided and mailed by the API processes (README "Notifications").
    const presence: PresenceLookup = (userIds) => backends.presence.read(userIds);
    if (env.SERVICES.includes('api')) {
      notifier = new Notifier({
        db: backends.database.db,
        bus: backends.bus,
        logger: logger.child({ component: 'notifications' }),
        presence,
      });
      await notifier.start();
    }
    if (queue) {
      await registerNotificationMailJob(queue, {
        db: backends.database.db,
        mailer,
        presence,
        logger: logger.child({ component: 'notifications' }),
        publicUrl: env.PUBLIC_URL,
        unsubscribeTokens: UnsubscribeTokens.opener(backends.database.db),
      });
    }
    const { app, auth } = await composeApp({
      backends,
      auth: authConfigFromEnv(env),
      mailer,
      tasks,
      logger: logger.child({ component: 'http' }),
      services: env.SERVICES,
      clientDir: env.CLIENT_DIST_DIR,
      version,
      files: {
        settings: fileSettingsFromEnv(env),
        ...(queue
          ? { enqueueProcessing: (fileId: string) => enqueueFileProcessing(queue, fileId) }
          : {}),
      },
      search: searchEngineFromEnv(env, backends.database.db),
      ...(queue ? { scheduleStatusExpiry: (job, at) => scheduleStatusExpiry(queue, job, at) } : {}),
    });
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    limitHttpServer(server, { ...httpLimits(env), ...options.http });
    const sync = env.SERVICES.includes('sync')
      ? await attachSync(server, backends, {
          allowedOrigins: env.ALLOWED_ORIGINS,
          logger: logger.child({ component: 'sync' }),
          // On Postgres and Redis the projector works in a worker thread with connections of its
          // own, off the API's event loop; embedded PGlite has one handle, so it stays in-thread.
          ...(env.DATABASE_URL && env.REDIS_URL
            ? {
                projector: {
                  databaseUrl: env.DATABASE_URL,
                  redisUrl: env.REDIS_URL,
                  redisKeyPrefix: env.REDIS_KEY_PREFIX,
                  logLevel: env.LOG_LEVEL,
                },
              }
            : {}),
        })
      : null;
    // Hourly is plenty: keys sign for 30 days, and a node meeting an unknown kid reloads at once.
    const stopKeyRotation = auth.keys.startRotation(3_600_000, (error) =>
      logger.error({ err: error }, 'signing key rotation failed'),
    );
    const stopFilePurge = env.SERVICES.includes('api')
      ? startFilePurge(
          { db: backends.database.db, blobs: backends.blobs },
          { intervalMs: FILE_PURGE_INTERVAL_MS, logger: logger.child({ component: 'files' }) },
        )
      : () => {};
    const address = await listen(server, env.PORT, env.HOST);
    logger.info(
      {
        port: address.port,
        host: address.address,
        services: env.SERVICES,
        installationId: backends.installation.id,
      },
      'listening',
    );
    return {
      address,
      async stop() {
        stopKeyRotation();
        stopFilePurge();
        await sync?.stop();
        await notifier?.stop();
        await closeServer(server, env.SHUTDOWN_TIMEOUT_MS);
        await tasks.drain();
        await queue?.stop();
        await mailer.close();
        await backends.close();
      },
    };
  } catch (error) {
    await notifier?.stop();
    await jobs?.stop();
    await backends.close();
    throw error;
  }
}
