import type { Server } from 'node:http';
import { type Backends, type Logger, Policy } from '@confab/db';
import type { SyncLimits } from './limits';
import { createClientIdRegistry } from './persistence/client-ids';
import { type CompactionOptions, compactDoc } from './persistence/compaction';
import { createDocLog, type GroupCommitOptions } from './persistence/doc-log';
import { Projector } from './projection/projector';
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
}

/**
 * The sync side of a Confab process on an existing HTTP server: the `/sync/` endpoint and the
 * engine behind it, on the process's backends. `stop` refuses new sockets, closes open ones
 * (1001, so clients reconnect elsewhere) and waits for the log's last commit.
 */
export async function attachSync(server: Server, backends: Backends, options: AttachSyncOptions) {
  const { allowedOrigins, logger, maxBatch, unloadAfterMs, limits, compactEvery, compaction } =
    options;
  const db = backends.database.db;
  const policy = new Policy(backends.database.db);
  const clientIds = createClientIdRegistry(db);
  const service = await SyncService.start({
    log: createDocLog(backends.database.db, { maxBatch }),
    clientIds,
    projector: new Projector(db, clientIds, logger),
    receipts: createReceipts(db, logger),
    bus: backends.bus,
    policy,
    logger,
    unloadAfterMs,
    compact: (docName) => compactDoc(db, docName, compaction),
    compactEvery,
  });
  const endpoint = attachSyncEndpoint(server, {
    allowedOrigins,
    logger,
    kv: backends.kv,
    policy,
    service,
    limits,
  });
  return {
    service,
    async stop() {
      endpoint.close();
      await service.stop();
    },
  };
}
