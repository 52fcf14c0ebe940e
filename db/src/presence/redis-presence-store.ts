import type { Redis } from 'ioredis';
import type { Presence } from '../model/wire';
import {
  isReportedPresence,
  type PresenceSettings,
  type PresenceStore,
  strongestPresence,
} from './presence-store';

/**
 * Deletes each `(user hash, node id)` field only while that node's key is still missing, in one
 * atomic step: a node whose key lapsed may refresh (SET its key, HSET its field) between a read's
 * liveness check and this prune, and an unconditional HDEL would then erase the fresh field and
 * show the user offline until the node's next refresh. KEYS = user key, node key pairs; ARGV =
 * the node ids.
 */
const PRUNE_LAPSED_FIELDS = `
local removed = 0
for i = 1, #ARGV do
  if redis.call('EXISTS', KEYS[2 * i]) == 0 then
    removed = removed + redis.call('HDEL', KEYS[2 * i - 1], ARGV[i])
  end
end
return removed
`;

/** Test seam: runs between a read's liveness check and its prune, to interleave a refresh. */
export interface RedisPresenceSeams {
  beforePrune?: () => Promise<void>;
}

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
  seams: RedisPresenceSeams = {},
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
      const pruneKeys: string[] = [];
      const pruneNodeIds: string[] = [];
      userIds.forEach((userId, index) => {
        let presence: Presence = 'offline';
        for (const [nodeId, state] of Object.entries(held[index] ?? {})) {
          if (!live.has(nodeId)) {
            pruneKeys.push(userKey(userId), nodeKey(nodeId));
            pruneNodeIds.push(nodeId);
          } else if (isReportedPresence(state)) presence = strongestPresence(presence, state);
        }
        result.set(userId, presence);
      });
      // Pruning only saves memory: what a dead node left is already ignored above.
      if (pruneNodeIds.length) {
        await seams.beforePrune?.();
        await redis.eval(PRUNE_LAPSED_FIELDS, pruneKeys.length, ...pruneKeys, ...pruneNodeIds);
      }
      return result;
    },
  };
}
