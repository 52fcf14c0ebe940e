export { createInProcessPresenceStore } from './in-process-presence-store';
export {
  isReportedPresence,
  type NodePresence,
  type PresenceLookup,
  type PresenceSettings,
  type PresenceStore,
  strongestPresence,
} from './presence-store';
export {
  decodePresenceEvent,
  encodePresenceEvent,
  type PresenceEvent,
  presenceUserTopic,
} from './presence-topics';
export { createRedisPresenceStore } from './redis-presence-store';
export { selectRows, type Viewer, visiblePeople, visibleUsers } from './visible-people';
