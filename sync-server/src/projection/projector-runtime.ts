import { createRedisBus, type Logger, openPostgres, openRedis, schema } from '@confab/db';
import { ActivityHub } from '../activity';
import { LogTailer } from './log-tailer';

/** Where a projector outside the sync node's event loop connects (worker thread or process). */
export interface ProjectorConnections {
  databaseUrl: string;
  redisUrl: string;
  /** The deployment's `REDIS_KEY_PREFIX`: activity goes on the bus the sync nodes follow. */
  redisKeyPrefix: string;
  /** Connections of its own pool. */
  poolSize?: number;
  /** Bound of its doc copies (`PROJECTOR_COPIES_MAX_MB`). */
  copiesMaxBytes?: number;
}

/**
 * A tailer with its own Postgres pool and its own Redis bus connection, publishing activity and
 * notification nudges after its commits. `stop` gives its lease up and closes what it opened.
 */
export async function startProjector(
  { databaseUrl, redisUrl, redisKeyPrefix, poolSize = 4, copiesMaxBytes }: ProjectorConnections,
  logger: Logger,
  onQuarantined?: (count: number) => void,
) {
  const connectionName = 'confab-projector';
  const database = await openPostgres(databaseUrl, { poolSize, applicationName: connectionName });
  const redis = await openRedis(redisUrl, { connectionName });
  const bus = await createRedisBus(redis, {
    prefix: `${redisKeyPrefix}bus:`,
    onError: (error) => logger.error({ err: error }, 'bus handler failed'),
  });
  // Only its publishing is used: the projector follows no topic.
  const activity = new ActivityHub(bus, async () => [], logger);
  const nudge = new TextEncoder().encode('{}');
  const tailer = new LogTailer({
    db: database.db,
    logger,
    activity: (events) => activity.publish(events),
    queued: () => {
      bus
        .publish(schema.NOTIFICATIONS_PENDING_TOPIC, nudge)
        .catch((error: unknown) => logger.warn({ err: error }, 'notification nudge not published'));
    },
    onQuarantined,
    copiesMaxBytes,
  });
  tailer.start();
  return {
    tailer,
    async stop() {
      await tailer.stop();
      await bus.close();
      await redis.quit();
      await database.close();
    },
  };
}
