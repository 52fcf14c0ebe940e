import type { Server } from 'node:http';
import {
  type Backends,
  type Db,
  type Logger,
  Policy,
  schema,
  sessionKey,
  visibleUsers,
} from '@confab/db';
import { eq } from 'drizzle-orm';
import { ActivityHub } from './activity';
import { BurstGrants } from './burst-grants';
import type { SyncLimits } from './limits';
import { createClientIdRegistry } from './persistence/client-ids';
import { type CompactionOptions, compactDoc } from './persistence/compaction';
import { createDocLog, type GroupCommitOptions } from './persistence/doc-log';
import { PresenceHub } from './presence/presence-hub';
import { type Projector, projectInThread, projectInWorker } from './projection/projector';
import type { ProjectorWorkerConfig } from './projection/projector-worker';
import { createReceipts } from './projection/receipts';
import { attachSyncEndpoint } from './sync-endpoint';
import { SyncService } from './sync-service';

export interface AttachSyncOptions extends GroupCommitOptions {
  allowedOrigins: readonly string[];
  logger: Logger;
  unloadAfterMs?: number;
  limits?: SyncLimits;
  /** Compaction after every this many appends to a doc (default 500), with these settings. */
  compactEvery?: number;
  compaction?: CompactionOptions;
  /**
   * Where the projector runs: by default a tailer on this thread against `backends`' handle
   * (embedded mode and tests); with connections, a worker thread with its own pool and bus
   * connection (Postgres mode, `main.ts`).
   */
  projector?: ProjectorWorkerConfig;
}

/**
 * The sync side of a Confab process on an existing HTTP server: the `/sync/` endpoint and the
 * engine behind it, on the process's backends. `stop` refuses new sockets, closes open ones
 * (1001, so clients reconnect elsewhere) and waits for the log's last commit.
 */
export async function attachSync(server: Server, backends: Backends, options: AttachSyncOptions) {
  const { allowedOrigins, logger, unloadAfterMs, limits, compactEvery, compaction } = options;
  const db = backends.database.db;
  const policy = new Policy(backends.database.db);
  const clientIds = createClientIdRegistry(db);
  const activity = new ActivityHub(backends.bus, (userId) => channelIdsOf(db, userId), logger);
  const projector = startProjection(backends, db, logger, activity, options.projector);
  const presence = new PresenceHub({
    store: backends.presence,
    bus: backends.bus,
    visible: (viewerId, userIds) => visibleUsers(db, viewerId, userIds),
    logger: logger.child({ component: 'presence' }),
  });
  const service = await SyncService.start({
    log: createDocLog(backends.database.db, {
      maxBatch: options.maxBatch,
      maxInFlight: options.maxInFlight,
    }),
    clientIds,
    projector,
    activity,
    presence,
    receipts: createReceipts(db, logger, (events) => activity.publish(events)),
    bus: backends.bus,
    policy,
    sessionAlive: async (sessionId) => (await backends.kv.get(sessionKey(sessionId))) !== null,
    logger,
    unloadAfterMs,
    compact: (docName) => compactDoc(db, docName, compaction),
    compactEvery,
  });
  const grants = await BurstGrants.start(db, policy, backends.bus);
  const endpoint = attachSyncEndpoint(server, {
    allowedOrigins,
    logger,
    kv: backends.kv,
    policy,
    service,
    limits,
    connectionCounts: backends.connections,
    grants,
  });
  return {
    service,
    /** Its quarantine count is what monitoring (and tests) read. */
    projector,
    presence,
    async stop() {
      endpoint.close();
      await service.stop();
      await projector.stop();
      // After the sockets closed: this node's users go offline now, not after the TTL.
      await presence.stop();
    },
  };
}

/** Every channel (of any workspace) the user is a member of: what their activity stream covers. */
async function channelIdsOf(db: Db, userId: string): Promise<string[]> {
  const { channelMembers } = schema;
  const rows = await db
    .select({ channelId: channelMembers.channelId })
    .from(channelMembers)
    .where(eq(channelMembers.userId, userId));
  return rows.map((row) => row.channelId);
}

function startProjection(
  backends: Backends,
  db: Db,
  logger: Logger,
  activity: ActivityHub,
  where: ProjectorWorkerConfig | undefined,
): Projector {
  if (where) return projectInWorker(where, logger);
  return projectInThread({
    db,
    logger,
    activity: (events) => activity.publish(events),
    // New messages are queued for the API's notifier in their commit; this wakes it at once.
    queued: () => {
      backends.bus
        .publish(schema.NOTIFICATIONS_PENDING_TOPIC, new TextEncoder().encode('{}'))
        .catch((error: unknown) => logger.warn({ err: error }, 'notification nudge not published'));
    },
  });
}
