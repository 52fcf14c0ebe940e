export { CloseCode, UpgradeStatus } from './close-codes';
export { parseDocName } from './doc-name';
export { originListSchema } from './env';
export { isOriginAllowed } from './origin';
export {
  attachSyncEndpoint,
  SYNC_PATH_PREFIX,
  type SyncEndpoint,
  type SyncEndpointOptions,
} from './sync-endpoint';
export {
  issueSyncTicket,
  redeemSyncTicket,
  SYNC_TICKET_TTL_MS,
  type SyncPrincipal,
} from './tickets';
