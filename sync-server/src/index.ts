export { type AttachSyncOptions, attachSync } from './attach-sync';
export { CloseCode, UpgradeStatus } from './close-codes';
export { DocRoom } from './engine/doc-room';
export type { DocLog, LogEntry, SyncConnection } from './engine/ports';
export { MessageType } from './engine/protocol';
export { assertUpdateWithinLimits, UPDATE_LIMITS, UpdateOutOfLimits } from './engine/update-limits';
export { originListSchema } from './env';
export { SYNC_LIMITS, type SyncLimits } from './limits';
export { isOriginAllowed } from './origin';
export { type CompactionOptions, compactDoc, SETTLE_MS } from './persistence/compaction';
export { createDocLog, type GroupCommitOptions } from './persistence/doc-log';
export {
  attachSyncEndpoint,
  SYNC_PATH_PREFIX,
  type SyncEndpoint,
  type SyncEndpointOptions,
} from './sync-endpoint';
export { SyncService, type SyncServiceOptions } from './sync-service';
export {
  issueSyncTicket,
  MAX_SYNC_TICKET_USES,
  redeemSyncTicket,
  SYNC_TICKET_TTL_MS,
  type SyncPrincipal,
} from './tickets';
