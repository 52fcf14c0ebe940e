import type { Redis } from 'ioredis';
import type { Presence } from '../model/wire';
import {
  isReportedPresence,
  type PresenceSettings,
  type PresenceStore,
  strongestPresence,
} from './presence-store';

/**
 * Presence in Redis. `<prefix>user:<id>` is a hash node id → `active`|`away`, expiring `ttlMs`
 * after its last write; `<prefix>node:<id>` exists while the node refreshes it. A user's
 * presence counts only the fields of live nodes, so a dead node's users go offline when its key
 * expires, even while another node keeps the hash alive; reads prune such fields.
 */
export function createRedisPresenceStore(
  redis: Redis,
  prefix: string,
  settings: PresenceSettings,
): PresenceStore {
  const userKey = (userId: string) => `${prefix}user:${userId}`;
  const nodeKey = (nodeId: string) => `${prefix}node:${nodeId}`;
  return {
    kind: 'redis',
    settings,
    async write(nodeId, entries) {
      const batch = redis.multi().set(nodeKey(nodeId), '1', 'PX', settings.ttlMs);
      for (const [userId, presence] of entries) {
        if (presence === 'offline') batch.hdel(userKey(userId), nodeId);
        else batch.hset(userKey(userId), nodeId, presence).pexpire(userKey(userId), settings.ttlMs);
      }
      await batch.exec();
    },
    async removeNode(nodeId, userIds) {
      const batch = redis.multi().del(nodeKey(nodeId));
      for (const userId of userIds) batch.hdel(userKey(userId), nodeId);
      await batch.exec();
    },
    async read(userIds) {
      const result = new Map<string, Presence>();
      if (!userIds.length) return result;
      const read = redis.pipeline();
      for (const userId of userIds) read.hgetall(userKey(userId));
      const held = ((await read.exec()) ?? []).map(([error, value]) => {
        if (error) throw error;
        return value as Record<string, string>;
      });
      const nodeIds = [...new Set(held.flatMap((fields) => Object.keys(fields)))];
      const live = new Set<string>();
      if (nodeIds.length) {
        const exists = await redis.mget(nodeIds.map(nodeKey));
        nodeIds.forEach((nodeId, index) => {
          if (exists[index] !== null) live.add(nodeId);
        });
      }
      const prune = redis.pipeline();
      let pruning = false;
      userIds.forEach((userId, index) => {
        let presence: Presence = 'offline';
        for (const [nodeId, state] of Object.entries(held[index] ?? {})) {
          if (!live.has(nodeId)) {
            prune.hdel(userKey(userId), nodeId);
            pruning = true;
          } else if (isReportedPresence(state)) presence = strongestPresence(presence, state);
        }
        result.set(userId, presence);
      });
      // Pruning only saves memory: what a dead node left is already ignored above.
      if (pruning) await prune.exec();
      return result;
    },
  };
}
