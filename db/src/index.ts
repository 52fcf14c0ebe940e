export { type BackendStatus, type Backends, type BackendsHealth, openBackends } from './backends';
export { assertBlobKey, type BlobStore, type StoredBlob } from './blobs/blob-store';
export { createLocalBlobStore } from './blobs/local-blob-store';
export { createS3BlobStore } from './blobs/s3-blob-store';
export type { EventBus, EventHandler, Unsubscribe } from './bus/event-bus';
export { createInProcessBus } from './bus/in-process-bus';
export { createRedisBus } from './bus/redis-bus';
export {
  activityChannelTopic,
  activityUserTopic,
  MEMBERSHIP_CHANGED_TOPIC,
  type MembershipChangedEvent,
  SESSIONS_REVOKED_TOPIC,
  type SessionsRevokedEvent,
} from './bus/topics';
export {
  type BackendEnv,
  backendEnvSchema,
  ConfigError,
  logLevelSchema,
  parseEnv,
  portSchema,
  serverEnvSchema,
} from './config';
export {
  type Database,
  type Db,
  openPglite,
  openPostgres,
  type Schema,
  STATEMENT_TIMEOUT_MS,
} from './database';
export { ensureInstallation, type Installation } from './installation';
export {
  type ConnectionCounts,
  createInProcessConnectionCounts,
  createRedisConnectionCounts,
} from './kv/connection-counts';
export { createEmbeddedKeyValueStore } from './kv/embedded-key-value-store';
export type { KeyValueStore } from './kv/key-value-store';
export { sessionKey } from './kv/keys';
export { createRedisKeyValueStore } from './kv/redis-key-value-store';
export {
  closeServer,
  exitOnSignals,
  type HttpLimits,
  limitHttpServer,
  listen,
  runMain,
} from './lifecycle';
export { createLogger, type Logger } from './logger';
export * from './policy/decisions';
export { type DocRef, docName, parseDocRef } from './policy/doc-names';
export {
  activeMembership,
  type Channel,
  type DocGrant,
  grantFrom,
  Policy,
} from './policy/policy';
export * from './presence/index';
export { asSql, rawQuery, SqlParams } from './raw-sql';
export { openRedis, type Redis } from './redis';
export * as schema from './schema/index';
