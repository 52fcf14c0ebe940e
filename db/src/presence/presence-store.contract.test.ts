import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestRedis, waitFor } from '../testing/index';
import { createInProcessPresenceStore } from './in-process-presence-store';
import type { NodePresence, PresenceSettings, PresenceStore } from './presence-store';
import { createRedisPresenceStore } from './redis-presence-store';

const testRedis = useTestRedis();
const settings: PresenceSettings = { graceMs: 100, ttlMs: 400 };

const entries = (...pairs: Array<[string, NodePresence]>) => new Map(pairs);

/** One suite for every implementation: what the sync nodes and the API's readers rely on. */
function presenceContract(
  name: string,
  open: () => Promise<{ store: PresenceStore; close(): Promise<void> }>,
) {
  describe(`presence store contract: ${name}`, () => {
    let store: PresenceStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(() => close());

    it('answers offline for users nobody holds, and for no users an empty map', async () => {
      const ada = randomUUID();
      expect(await store.read([ada])).toEqual(new Map([[ada, 'offline']]));
      expect(await store.read([])).toEqual(new Map());
      expect(store.settings).toEqual(settings);
    });

    it('aggregates over nodes: active > away > offline', async () => {
      const [ada, bob, cy] = [randomUUID(), randomUUID(), randomUUID()];
      await store.write('node-a', entries([ada, 'away'], [bob, 'away']));
      await store.write('node-b', entries([ada, 'active'], [cy, 'offline']));
      expect(await store.read([ada, bob, cy])).toEqual(
        new Map([
          [ada, 'active'],
          [bob, 'away'],
          [cy, 'offline'],
        ]),
      );
      await store.write('node-b', entries([ada, 'offline']));
      expect((await store.read([ada])).get(ada)).toBe('away');
      await store.write('node-a', entries([ada, 'offline'], [bob, 'active']));
      expect(await store.read([ada, bob])).toEqual(
        new Map([
          [ada, 'offline'],
          [bob, 'active'],
        ]),
      );
    });

    it('forgets a node that stops refreshing after the TTL, while a refreshing node stays', async () => {
      const [ada, bob] = [randomUUID(), randomUUID()];
      await store.write('dies', entries([ada, 'active'], [bob, 'active']));
      await store.write('lives', entries([bob, 'away']));
      const refresher = setInterval(() => {
        void store.write('lives', entries([bob, 'away']));
      }, settings.ttlMs / 3);
      try {
        await waitFor(
          'the dead node’s users offline',
          async () => ((await store.read([ada])).get(ada) === 'offline' ? true : undefined),
          { timeoutMs: 5_000 },
        );
        // Bob is still held by the live node: the dead one's `active` no longer counts.
        expect((await store.read([bob])).get(bob)).toBe('away');
      } finally {
        clearInterval(refresher);
      }
    });

    it('takes a removed node’s users offline at once', async () => {
      const [ada, bob] = [randomUUID(), randomUUID()];
      await store.write('stopping', entries([ada, 'active'], [bob, 'active']));
      await store.write('other', entries([bob, 'away']));
      await store.removeNode('stopping', [ada, bob]);
      expect(await store.read([ada, bob])).toEqual(
        new Map([
          [ada, 'offline'],
          [bob, 'away'],
        ]),
      );
    });

    it('lets a node that comes back after expiring count again on its next write', async () => {
      const ada = randomUUID();
      await store.write('flaky', entries([ada, 'active']));
      await waitFor(
        'expiry',
        async () => ((await store.read([ada])).get(ada) === 'offline' ? true : undefined),
        { timeoutMs: 5_000 },
      );
      await store.write('flaky', entries([ada, 'active']));
      expect((await store.read([ada])).get(ada)).toBe('active');
    });
  });
}

presenceContract('redis', async () => {
  const redis = new Redis(testRedis.url);
  return {
    store: createRedisPresenceStore(redis, `${testRedis.prefix}presence:`, settings),
    close: async () => redis.disconnect(),
  };
});
presenceContract('in-process', async () => ({
  store: createInProcessPresenceStore(settings),
  close: async () => {},
}));

describe('redis presence store', () => {
  it('heals after Redis lost everything, on the node’s next refresh [S9]', async () => {
    const redis = new Redis(testRedis.url);
    try {
      const prefix = `${testRedis.prefix}healing:`;
      const store = createRedisPresenceStore(redis, prefix, settings);
      const ada = randomUUID();
      const held = entries([ada, 'active']);
      await store.write('node', held);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBe(2);
      await redis.del(...keys);
      expect((await store.read([ada])).get(ada)).toBe('offline');
      await store.write('node', held);
      expect((await store.read([ada])).get(ada)).toBe('active');
    } finally {
      redis.disconnect();
    }
  });
});

describe('redis presence store pruning', () => {
  it('keeps the field of a lapsed node that refreshed between a read’s liveness check and its prune', async () => {
    const redis = new Redis(testRedis.url);
    try {
      const prefix = `${testRedis.prefix}prune-race:`;
      const ada = randomUUID();
      const held = entries([ada, 'active']);
      // The refresh runs while the read holds its stale view: node key lapsed, field still there.
      const refreshing = createRedisPresenceStore(redis, prefix, settings);
      const store = createRedisPresenceStore(redis, prefix, settings, {
        beforePrune: () => refreshing.write('stalled', held),
      });
      await refreshing.write('stalled', held);
      await redis.del(`${prefix}node:stalled`);
      expect((await store.read([ada])).get(ada)).toBe('offline');
      expect(await redis.hget(`${prefix}user:${ada}`, 'stalled')).toBe('active');
      expect((await refreshing.read([ada])).get(ada)).toBe('active');
    } finally {
      redis.disconnect();
    }
  });

  it('still prunes the field of a node whose key stays missing', async () => {
    const redis = new Redis(testRedis.url);
    try {
      const prefix = `${testRedis.prefix}prune-dead:`;
      const store = createRedisPresenceStore(redis, prefix, settings);
      const [ada, bob] = [randomUUID(), randomUUID()];
      await store.write('dead', entries([ada, 'active'], [bob, 'away']));
      await store.write('alive', entries([bob, 'active']));
      await redis.del(`${prefix}node:dead`);
      expect(await store.read([ada, bob])).toEqual(
        new Map([
          [ada, 'offline'],
          [bob, 'active'],
        ]),
      );
      expect(await redis.hkeys(`${prefix}user:${ada}`)).toEqual([]);
      expect(await redis.hkeys(`${prefix}user:${bob}`)).toEqual(['alive']);
    } finally {
      redis.disconnect();
    }
  });
});
