// The isomorphic entry point: no Node, Postgres or React imports, so browser and server share it.
export {
  PERSISTED_MESSAGE,
  type PersistenceTracker,
  type ProviderLike,
  trackPersistence,
} from './persistence-tracker';
