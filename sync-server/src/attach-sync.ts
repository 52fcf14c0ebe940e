import type { Server } from 'node:http';
import { type Backends, type Logger, Policy } from '@confab/db';
import type { SyncLimits } from './limits';
import { createDocLog, type GroupCommitOptions } from './persistence/doc-log';
import { attachSyncEndpoint } from './sync-endpoint';
import { SyncService } from './sync-service';

export interface AttachSyncOptions extends GroupCommitOptions {
  allowedOrigins: readonly string[];
  logger: Logger;
  unloadAfterMs?: number;
  limits?: SyncLimits;
}

/**
 * The sync side of a Confab process on an existing HTTP server: the `/sync/` endpoint and the
 * engine behind it, on the process's backends. `stop` refuses new sockets, closes open ones
 * (1001, so clients reconnect elsewhere) and waits for the log's last commit.
 */
export async function attachSync(server: Server, backends: Backends, options: AttachSyncOptions) {
  const { allowedOrigins, logger, maxBatch, unloadAfterMs, limits } = options;
  const policy = new Policy(backends.database.db);
  const service = await SyncService.start({
    log: createDocLog(backends.database.db, { maxBatch }),
    bus: backends.bus,
    policy,
    logger,
    unloadAfterMs,
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
