import { resolve } from 'node:path';
import type { BlobStore } from './blobs/blob-store';
import { openBlobStore } from './blobs/open-blob-store';
import type { EventBus } from './bus/event-bus';
import { createInProcessBus } from './bus/in-process-bus';
import { createRedisBus } from './bus/redis-bus';
import type { BackendEnv } from './config';
import { type Database, openPglite, openPostgres } from './database';
import {
  checkPostgresDurability,
  checkRedisDurability,
  enforceDurability,
} from './durability-checks';
import { ensureInstallation, type Installation } from './installation';
import {
  type ConnectionCounts,
  createInProcessConnectionCounts,
  createRedisConnectionCounts,
} from './kv/connection-counts';
import { createEmbeddedKeyValueStore } from './kv/embedded-key-value-store';
import type { KeyValueStore } from './kv/key-value-store';
import { createRedisKeyValueStore } from './kv/redis-key-value-store';
import type { Logger } from './logger';
import { createInProcessPresenceStore } from './presence/in-process-presence-store';
import type { PresenceStore } from './presence/presence-store';
import { createRedisPresenceStore } from './presence/redis-presence-store';
import { rawQuery, SqlParams } from './raw-sql';
import { openRedis, type Redis } from './redis';

/** Everything a server process stores or shares through, opened once at start. */
export interface Backends {
  readonly database: Database;
  /** Null in embedded mode; sessions, limits and presence then live in-process. */
  readonly redis: Redis | null;
  readonly bus: EventBus;
  /** Sessions, tickets, one-time tokens: Redis, or a table in the database. */
  readonly kv: KeyValueStore;
  /** Who is around: Redis with TTLs, or in-process (one instance for the API and sync). */
  readonly presence: PresenceStore;
  /** Open sync connections per user over all nodes (the per-user cap); entries live as presence's. */
  readonly connections: ConnectionCounts;
  readonly blobs: BlobStore;
  readonly installation: Installation;
  health(): Promise<BackendsHealth>;
  close(): Promise<void>;
}

export interface BackendStatus {
  kind: string;
  /** True for the in-process/in-folder stand-ins used when no real service is configured. */
  embedded: boolean;
  ok: boolean;
  error?: string;
}

export interface BackendsHealth {
  ok: boolean;
  database: BackendStatus;
  redis: BackendStatus;
  bus: BackendStatus;
  blobs: BackendStatus;
}

const HEALTH_TIMEOUT_MS = 2_000;
const KV_SWEEP_INTERVAL_MS = 60_000;

/**
 * Opens the real services where the environment names them and embedded ones otherwise, runs
 * migrations, and makes sure the installation id exists. Fails (and closes what it opened) when a
 * named service does not answer, so that a misconfigured node never starts half-working.
 */
export async function openBackends(
  env: BackendEnv,
  { logger, connectionName }: { logger: Logger; connectionName: string },
): Promise<Backends> {
  const opened: Array<() => Promise<unknown>> = [];
  const closeOpened = async () => {
    for (const close of opened.reverse()) await close().catch(() => {});
  };
  try {
    const database = env.DATABASE_URL
      ? await openPostgres(env.DATABASE_URL, {
          poolSize: env.DATABASE_POOL_SIZE,
          applicationName: connectionName,
        })
      : await openPglite(resolve(env.DATA_DIR, 'pglite'));
    opened.push(() => database.close());
    const redis = env.REDIS_URL ? await openRedis(env.REDIS_URL, { connectionName }) : null;
    if (redis) opened.push(() => redis.quit());
    // Before migrating: a node that would lose acknowledged data changes nothing and says why.
    enforceDurability(
      [
        ...(database.kind === 'postgres'
          ? await checkPostgresDurability((text) => rawQuery(database.db, text, new SqlParams()))
          : []),
        ...(redis ? await checkRedisDurability(redis) : []),
      ],
      { skip: env.UNSAFE_SKIP_DURABILITY_CHECKS, logger },
    );
    await database.migrate();
    const installation = await ensureInstallation(database.db);

    const onError = (error: unknown) => logger.error({ err: error }, 'bus handler failed');
    const bus = redis
      ? await createRedisBus(redis, { prefix: `${env.REDIS_KEY_PREFIX}bus:`, onError })
      : createInProcessBus({ onError });
    opened.push(() => bus.close());

    let kv: KeyValueStore;
    if (redis) {
      kv = createRedisKeyValueStore(redis, `${env.REDIS_KEY_PREFIX}kv:`);
    } else {
      const embeddedKv = createEmbeddedKeyValueStore(database.db);
      const sweeper = setInterval(() => {
        embeddedKv
          .sweep()
          .catch((error: unknown) => logger.warn({ err: error }, 'kv sweep failed'));
      }, KV_SWEEP_INTERVAL_MS);
      sweeper.unref();
      opened.push(async () => clearInterval(sweeper));
      kv = embeddedKv;
    }

    const presenceSettings = { graceMs: env.PRESENCE_GRACE_MS, ttlMs: env.PRESENCE_TTL_MS };
    const presence = redis
      ? createRedisPresenceStore(redis, `${env.REDIS_KEY_PREFIX}presence:`, presenceSettings)
      : createInProcessPresenceStore(presenceSettings);
    const connections = redis
      ? createRedisConnectionCounts(
          redis,
          `${env.REDIS_KEY_PREFIX}connections:`,
          env.PRESENCE_TTL_MS,
        )
      : createInProcessConnectionCounts(env.PRESENCE_TTL_MS);

    const blobs = await openBlobStore(env);
    opened.push(() => blobs.close());
    logger.info(
      {
        database: database.kind,
        redis: redis ? 'redis' : 'none',
        bus: bus.kind,
        blobs: blobs.kind,
      },
      'backends ready',
    );

    return {
      database,
      redis,
      bus,
      kv,
      presence,
      connections,
      blobs,
      installation,
      async health() {
        const [db, kv, blob] = await Promise.all([
          probe(database.kind, database.kind === 'pglite', () => database.ping()),
          redis
            ? probe('redis', false, () => redis.ping())
            : Promise.resolve({ kind: 'in-process', embedded: true, ok: true }),
          probe(blobs.kind, blobs.kind === 'local', () => blobs.ping()),
        ]);
        // The bus is healthy exactly when its transport is: Redis, or the process itself.
        const busStatus = { kind: bus.kind, embedded: !redis, ok: redis ? kv.ok : true };
        return {
          ok: db.ok && kv.ok && blob.ok,
          database: db,
          redis: kv,
          bus: busStatus,
          blobs: blob,
        };
      },
      close: closeOpened,
    };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}

async function probe(
  kind: string,
  embedded: boolean,
  ping: () => Promise<unknown>,
): Promise<BackendStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${HEALTH_TIMEOUT_MS} ms`)),
          HEALTH_TIMEOUT_MS,
        );
      }),
    ]);
    return { kind, embedded, ok: true };
  } catch (error) {
    return { kind, embedded, ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
