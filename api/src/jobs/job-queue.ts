import { randomUUID } from 'node:crypto';
import type { Database, Logger } from '@confab/db';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { fromPglite, PgBoss } from 'pg-boss';

export interface SendOptions {
  /** Not before this time, or this many seconds from now. */
  startAfter?: Date | number;
  /** At most one queued job per key (a second send answers null). */
  singletonKey?: string;
}

export interface Job<T> {
  id: string;
  data: T;
  /** 0 on the first attempt. */
  retryCount: number;
  /** True when a throw now fails the job for good instead of retrying it. */
  lastAttempt: boolean;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface WorkOptions {
  /** Jobs of this name this process runs at once. */
  concurrency?: number;
}

/**
 * Durable background jobs. A job is retried (with growing delays) when its handler throws, and run
 * again when the process running it dies: handlers must be idempotent, since a job can run more
 * than once (writing the same result twice must look like writing it once).
 */
export interface JobQueue {
  readonly kind: 'postgres' | 'pglite';
  /** Queues a job and answers its id, or null when a job with the same singletonKey is queued. */
  send<T extends object>(name: string, data: T, options?: SendOptions): Promise<string | null>;
  /** Runs `handler` for jobs of this name in this process until `stop`. */
  work<T extends object>(
    name: string,
    handler: JobHandler<T>,
    options?: WorkOptions,
  ): Promise<void>;
  /** Stops taking jobs, waits for running handlers (up to a timeout), and releases the connection. */
  stop(): Promise<void>;
}

export interface JobQueueOptions {
  logger: Logger;
  /** Attempts after the first. */
  retryLimit?: number;
  /** First retry delay; each later one about doubles, up to 10 minutes. */
  retryDelaySeconds?: number;
  /**
   * A running handler proves it is alive this often; a job whose process died (SIGKILL, a lost
   * machine) runs again after about this long plus `superviseIntervalSeconds`. At least 10.
   */
  heartbeatSeconds?: number;
  /** How often jobs whose heartbeat stopped are looked for. */
  superviseIntervalSeconds?: number;
  /** How often an idle worker asks for new jobs. */
  pollingIntervalSeconds?: number;
  /** A handler running longer than this is taken for stuck and its job retried. */
  expireInSeconds?: number;
  /** How long `stop` waits for running handlers before leaving their jobs to the heartbeat. */
  stopTimeoutMs?: number;
}

/** pg-boss keeps its tables in this schema, apart from the app's migrations. */
const SCHEMA = 'pgboss';

/**
 * pg-boss (maintained, Postgres-native: SKIP LOCKED claims, retries with backoff, heartbeats) on
 * the app's database. On Postgres it opens a small pool of its own so that polling never waits
 * behind request queries; on PGlite it shares the single in-process connection through pg-boss's
 * PGlite adapter.
 */
export async function openJobQueue(
  database: Database,
  {
    logger,
    retryLimit = 5,
    retryDelaySeconds = 5,
    heartbeatSeconds = 30,
    superviseIntervalSeconds = 30,
    pollingIntervalSeconds = 2,
    expireInSeconds = 15 * 60,
    stopTimeoutMs = 10_000,
  }: JobQueueOptions,
): Promise<JobQueue> {
  const client = (database.db as unknown as { $client: pg.Pool | PGlite }).$client;
  const common = {
    schema: SCHEMA,
    superviseIntervalSeconds,
    // Expired and silent jobs are failed (and so retried) in the monitor step of a supervise pass,
    // which runs at most this often per queue: without it, at most once a minute.
    monitorIntervalSeconds: superviseIntervalSeconds,
    // Cron schedules are not used; their timers would only cost wake-ups.
    schedule: false,
    // One line per instance in pg-boss's registry is bookkeeping nothing here reads.
    registerInstance: false,
  };
  const boss =
    database.kind === 'pglite'
      ? new PgBoss({ ...common, db: fromPglite(client as PGlite), backend: 'pglite' })
      : new PgBoss({
          ...common,
          connectionString: (client as pg.Pool).options.connectionString,
          max: 3,
          application_name: 'confab-jobs',
        });
  const log = logger.child({ component: 'jobs' });
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  boss.on('warning', (warning) => log.warn({ warning }, 'job queue warning'));
  await boss.start();

  const policy = {
    // One queued job per singletonKey (sends without a key get a unique one: see send).
    policy: 'short' as const,
    retryLimit,
    retryDelay: retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 600,
    heartbeatSeconds,
    expireInSeconds,
  };
  const queues = new Map<string, Promise<void>>();
  /** Queues are made on first use, with the one policy (a queue that exists keeps its own). */
  const ensureQueue = (name: string) => {
    let ready = queues.get(name);
    if (!ready) {
      ready = boss.createQueue(name, policy);
      ready.catch(() => queues.delete(name));
      queues.set(name, ready);
    }
    return ready;
  };

  return {
    kind: database.kind,
    async send(name, data, options = {}) {
      await ensureQueue(name);
      // The 'short' policy counts a missing key as one more key, so keyless jobs get one each.
      const { startAfter, singletonKey = randomUUID() } = options;
      return boss.send(name, data, { startAfter, singletonKey });
    },
    async work(name, handler, { concurrency = 1 } = {}) {
      await ensureQueue(name);
      await boss.work<object>(
        name,
        { batchSize: 1, localConcurrency: concurrency, pollingIntervalSeconds },
        async ([job]) => {
          if (!job) return;
          const attempt = {
            id: job.id,
            data: job.data as never,
            retryCount: job.retryCount,
            lastAttempt: job.retryCount >= retryLimit,
          };
          try {
            await handler(attempt);
          } catch (error) {
            log.warn({ err: error, job: job.id, name, attempt: job.retryCount }, 'job failed');
            throw error;
          }
        },
      );
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: stopTimeoutMs });
    },
  };
}
