import type { Redis } from 'ioredis';

/**
 * Open sync connections per user over every node of an installation, for the per-user cap. Each
 * node adds a connection before it upgrades the socket and removes it when the socket closes; its
 * entries live `ttlMs` unless it refreshes them (every third of it), so the connections of a node
 * that died without a word (SIGKILL, a lost machine) stop counting by themselves. Redis, or
 * in-process in embedded mode (one process, nothing to share).
 */
export interface ConnectionCounts {
  readonly kind: 'redis' | 'in-process';
  readonly ttlMs: number;
  /**
   * Counts `connectionId` (unique over all nodes) as one of the user's, unless they already hold
   * `max` connections on the live nodes; false then, and nothing is counted.
   */
  add(userId: string, connectionId: string, max: number): Promise<boolean>;
  remove(userId: string, connectionId: string): Promise<void>;
  /** Keeps these connections (by user) counted for another `ttlMs`; restores any the store lost. */
  refresh(held: ReadonlyMap<string, readonly string[]>): Promise<void>;
}

// Redis's own clock, so that nodes whose clocks differ agree on what has expired.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS[1] the user's sorted set (connection id -> expiry); ARGV max, connection id, ttl.
const ADD = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// KEYS[1] the user's sorted set; ARGV ttl, connection ids.
const REFRESH = `${NOW}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/** `<prefix>user:<id>`: a sorted set of the user's connection ids, scored by when each expires. */
export function createRedisConnectionCounts(
  redis: Redis,
  prefix: string,
  ttlMs: number,
): ConnectionCounts {
  const userKey = (userId: string) => `${prefix}user:${userId}`;
  return {
    kind: 'redis',
    ttlMs,
    async add(userId, connectionId, max) {
      return (await redis.eval(ADD, 1, userKey(userId), max, connectionId, ttlMs)) === 1;
    },
    async remove(userId, connectionId) {
      await redis.zrem(userKey(userId), connectionId);
    },
    async refresh(held) {
      await Promise.all(
        [...held].map(([userId, ids]) => redis.eval(REFRESH, 1, userKey(userId), ttlMs, ...ids)),
      );
    },
  };
}

export function createInProcessConnectionCounts(ttlMs = 30_000): ConnectionCounts {
  const byUser = new Map<string, Set<string>>();
  return {
    kind: 'in-process',
    ttlMs,
    async add(userId, connectionId, max) {
      const ids = byUser.get(userId) ?? new Set<string>();
      if (ids.size >= max) return false;
      ids.add(connectionId);
      byUser.set(userId, ids);
      return true;
    },
    async remove(userId, connectionId) {
      const ids = byUser.get(userId);
      ids?.delete(connectionId);
      if (ids?.size === 0) byUser.delete(userId);
    },
    // Nothing expires in one process: its connections close with it.
    async refresh() {},
  };
}
