import type { Presence } from '../model/wire';
import {
  type NodePresence,
  type PresenceSettings,
  type PresenceStore,
  strongestPresence,
} from './presence-store';

/**
 * Presence of a single-process installation (embedded mode): the API and the sync side share this
 * one instance. Node liveness expires like Redis keys, on the given clock.
 */
export function createInProcessPresenceStore(
  settings: PresenceSettings,
  now: () => number = Date.now,
): PresenceStore {
  const users = new Map<string, Map<string, NodePresence>>();
  const nodesAliveUntil = new Map<string, number>();
  const alive = (nodeId: string) => (nodesAliveUntil.get(nodeId) ?? 0) > now();
  return {
    kind: 'in-process',
    settings,
    async write(nodeId, entries) {
      nodesAliveUntil.set(nodeId, now() + settings.ttlMs);
      for (const [userId, presence] of entries) {
        let held = users.get(userId);
        if (presence === 'offline') {
          held?.delete(nodeId);
          if (held?.size === 0) users.delete(userId);
          continue;
        }
        if (!held) {
          held = new Map();
          users.set(userId, held);
        }
        held.set(nodeId, presence);
      }
    },
    async removeNode(nodeId, userIds) {
      nodesAliveUntil.delete(nodeId);
      for (const userId of userIds) {
        const held = users.get(userId);
        held?.delete(nodeId);
        if (held?.size === 0) users.delete(userId);
      }
    },
    async read(userIds) {
      const result = new Map<string, Presence>();
      for (const userId of userIds) {
        let presence: Presence = 'offline';
        const held = users.get(userId);
        for (const [nodeId, state] of held ?? []) {
          // A node that stopped refreshing is gone: forget what it held.
          if (alive(nodeId)) presence = strongestPresence(presence, state);
          else held?.delete(nodeId);
        }
        if (held?.size === 0) users.delete(userId);
        result.set(userId, presence);
      }
      return result;
    },
  };
}
