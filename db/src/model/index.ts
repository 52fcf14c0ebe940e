// The isomorphic entry point: no Node, Postgres or React imports, so browser and server share it.

export { type DocRef, docName, parseDocRef } from '../policy/doc-names';
export { type ClientActivity, NOTIFY_REASONS, type NotifyReason } from './activity';
export { type GuardedReplica, guardedReplica } from './guarded-replica';
export { completion, lazyDatabase, settle } from './indexeddb';
export { type IndexedDbFactory, indexedDbOutboxStorage } from './indexeddb-outbox';
export * from './layout';
export {
  applyIntent,
  type Intent,
  memoryOutboxStorage,
  Outbox,
  type OutboxStorage,
} from './outbox';
export {
  type PersistenceTracker,
  type ProviderLike,
  trackPersistence,
} from './persistence-tracker';
export {
  hasMessage,
  localStatus,
  type MessageRecord,
  type MessageView,
  messageCount,
  reactionsOn,
  readMarker,
  readMessageRecord,
  readMessages,
  stateClock,
} from './readers';
export { isCleanLine, isCleanText, normalizeText, textProblem } from './text';
export {
  type DecodedUpdate,
  REJECT_REASONS,
  type RejectReason,
  type ValidationContext,
  type Verdict,
  validateUpdate,
} from './validator';
export {
  CloseCode,
  MessageType,
  PRESENCE_HEARTBEAT_MS,
  PRESENCE_WATCH_MAX,
  type Presence,
  type PresenceFrame,
  type ReportedPresence,
  reconnects,
  SyncStep,
  ULID_PATTERN,
  ULID_SOURCE,
  UUID_PATTERN,
  UUID_SOURCE,
} from './wire';
export {
  deleteMessage,
  editMessage,
  editMessageFiles,
  markRead,
  type NewMessage,
  newMessageId,
  postMessage,
  saveDraft,
  toggleReaction,
  toggleSaved,
} from './writers';
