import {
  type ConnectionCounts,
  createInProcessConnectionCounts,
  createLogger,
  createRedisConnectionCounts,
} from '@confab/db';
import { useTestRedis, waitFor } from '@confab/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NodeConnections } from './connection-count';
import { SYNC_LIMITS } from './limits';
import { type SyncNode, ticketFor, useSyncWorld } from './sync-test-kit';

const sync = useSyncWorld({ ...SYNC_LIMITS, maxConnectionsPerUser: 2 }, {}, 2);
const testRedis = useTestRedis();
const logger = createLogger('silent');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedis.url);
});
afterAll(() => redis.disconnect());

/** A raw socket to `node` as `userId`: 101 once open, or the status it was refused with. */
async function connect(node: SyncNode, userId: string) {
  const socket = new WebSocket(
    `ws://127.0.0.1:${node.port}/sync/${sync.world.publicDoc}?ticket=${await ticketFor(node.backends, userId)}`,
  );
  const status = await new Promise<number>((resolve) => {
    socket.on('open', () => resolve(101));
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const close = () => {
    socket.close();
    return closed;
  };
  return { socket, status, close };
}

describe('the per-user connection cap over two sync nodes', () => {
  it('counts a user’s sockets on both nodes, and frees a place when one closes', async () => {
    const [one, two] = sync.nodes as [SyncNode, SyncNode];
    const { ada, bob } = sync.world.users;
    const first = await connect(one, ada);
    const second = await connect(two, ada);
    expect([first.status, second.status]).toEqual([101, 101]);
    expect((await connect(one, ada)).status).toBe(429);
    expect((await connect(two, ada)).status).toBe(429);
    // Another user's sockets count apart.
    const other = await connect(two, bob);
    expect(other.status).toBe(101);
    await first.close();
    const again = await waitFor('a place freed on the other node', async () => {
      const attempt = await connect(two, ada);
      return attempt.status === 101 ? attempt : undefined;
    });
    await Promise.all([second.close(), other.close(), again.close()]);
  });
});

const stores: Array<[string, (ttlMs: number) => ConnectionCounts]> = [
  [
    'redis',
    (ttlMs) => createRedisConnectionCounts(redis, `${testRedis.prefix}connections:`, ttlMs),
  ],
  ['in-process', (ttlMs) => createInProcessConnectionCounts(ttlMs)],
];

describe.each(stores)('connection counts (%s)', (kind, store) => {
  it('admits up to the maximum over nodes, and one more after a removal', async () => {
    const counts = store(30_000);
    const user = `user-cap-${kind}`;
    expect(await counts.add(user, 'a:1', 2)).toBe(true);
    expect(await counts.add(user, 'b:1', 2)).toBe(true);
    expect(await counts.add(user, 'b:2', 2)).toBe(false);
    expect(await counts.add(`${user}-other`, 'b:3', 2)).toBe(true);
    await counts.remove(user, 'a:1');
    expect(await counts.add(user, 'b:2', 2)).toBe(true);
  });

  it('admits exactly the maximum of concurrent additions', async () => {
    const counts = store(30_000);
    const added = await Promise.all(
      Array.from({ length: 10 }, (_, i) => counts.add(`user-race-${kind}`, `n:${i}`, 3)),
    );
    expect(added.filter(Boolean)).toHaveLength(3);
  });

  it('hands out each of a node’s connections once and removes it once', async () => {
    const counts = store(30_000);
    const node = new NodeConnections(counts, 1, logger);
    const user = `user-node-${kind}`;
    const release = await node.acquire(user);
    expect(release).not.toBeNull();
    expect(await node.acquire(user)).toBeNull();
    release?.();
    release?.();
    const next = await waitFor('released', () => node.acquire(user).then((r) => r ?? undefined));
    expect(await node.acquire(user)).toBeNull();
    next();
    node.stop();
  });
});

describe('connection counts in Redis when a node stops refreshing', () => {
  it('stop counting a dead node’s connections after the TTL, and keep a live node’s', async () => {
    const ttlMs = 400;
    const counts = createRedisConnectionCounts(redis, `${testRedis.prefix}connections:`, ttlMs);
    const user = 'user-heal';
    const live = new NodeConnections(counts, 2, logger);
    expect(await live.acquire(user)).not.toBeNull();
    // A node that died: added, never refreshed, never removed.
    expect(await counts.add(user, 'dead:1', 2)).toBe(true);
    expect(await counts.add(user, 'probe', 2)).toBe(false);
    await waitFor('the dead node’s connection expired', async () =>
      (await counts.add(user, 'probe', 2)) ? true : undefined,
    );
    // Several TTLs later the live node's connection, refreshed, still counts (the probes not).
    await new Promise((resolve) => setTimeout(resolve, ttlMs * 3));
    expect(await counts.add(user, 'probe-2', 1)).toBe(false);
    live.stop();
  });
});
