import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite, openPostgres } from '../database';
import { useTestDatabase, useTestRedis, waitFor } from '../testing/index';
import { createEmbeddedKeyValueStore } from './embedded-key-value-store';
import type { KeyValueStore } from './key-value-store';
import { sessionKey } from './keys';
import { createRedisKeyValueStore } from './redis-key-value-store';

const testDb = useTestDatabase();
const testRedis = useTestRedis();

/** One suite for every implementation: what sessions, tickets and tokens rely on. */
function keyValueContract(
  name: string,
  open: () => Promise<{ store: KeyValueStore; close(): Promise<void> }>,
) {
  describe(`key-value store contract: ${name}`, () => {
    let store: KeyValueStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(() => close());

    it('stores, replaces and deletes values', async () => {
      expect(await store.get('a')).toBeNull();
      await store.set('a', '1');
      await store.set('a', '2');
      expect(await store.get('a')).toBe('2');
      expect(await store.ttl('a')).toBeNull();
      await store.delete('a', 'never-set');
      expect(await store.get('a')).toBeNull();
    });

    it('forgets a value after its time to live', async () => {
      await store.set('short', 'x', 150);
      expect(await store.get('short')).toBe('x');
      const ttl = await store.ttl('short');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(150);
      await waitFor(
        'expiry',
        async () => ((await store.get('short')) === null ? true : undefined),
        {
          timeoutMs: 5_000,
        },
      );
      expect(await store.take('short')).toBeNull();
      expect(await store.setIfAbsent('short', 'y', 1_000)).toBe(true);
    });

    it('sets if absent only once among concurrent callers', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.setIfAbsent('once', String(i), 10_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('lets exactly one of concurrent compare-and-sets from one value win, keeping the expiry', async () => {
      await store.set('cas', 'v0', 60_000);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.compareAndSet('cas', 'v0', `v${i + 1}`)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get('cas')).toMatch(/^v[1-8]$/);
      expect(await store.ttl('cas')).toBeGreaterThan(50_000);
      expect(await store.compareAndSet('cas', 'v0', 'late')).toBe(false);
      expect(await store.compareAndSet('missing', 'v0', 'x')).toBe(false);
    });

    it('hands a taken value to exactly one of concurrent takers', async () => {
      await store.set('ticket', 'secret', 60_000);
      const taken = await Promise.all(Array.from({ length: 8 }, () => store.take('ticket')));
      expect(taken.filter((value) => value !== null)).toEqual(['secret']);
      expect(await store.get('ticket')).toBeNull();
    });

    it('gives each of concurrent increments a count of its own, and starts again after expiry', async () => {
      const counts = await Promise.all(
        Array.from({ length: 8 }, () => store.increment('counter', 10_000)),
      );
      expect([...counts].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const ttl = await store.ttl('counter');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10_000);
      expect(await store.increment('brief', 150)).toBe(1);
      await waitFor(
        'expiry',
        async () => ((await store.get('brief')) === null ? true : undefined),
        {
          timeoutMs: 5_000,
        },
      );
      expect(await store.increment('brief', 10_000)).toBe(1);
    });

    it('redeems a single-use ticket for exactly one of concurrent redeemers, while its session lives', async () => {
      await store.set(sessionKey('s-live'), '{}', 60_000);
      const ticket = JSON.stringify({ sessionId: 's-live' });
      await store.set('t-once', ticket, 60_000);
      const redeemed = await Promise.all(
        Array.from({ length: 8 }, () => store.redeemTicket('t-once')),
      );
      expect(redeemed.filter((value) => value !== null)).toEqual([ticket]);
      expect(await store.get('t-once')).toBeNull();
      expect(await store.redeemTicket('t-never')).toBeNull();
    });

    it('redeems a ticket of several uses no more often than it has uses, the count expiring with it', async () => {
      await store.set(sessionKey('s-burst'), '{}', 60_000);
      await store.set('t-burst', JSON.stringify({ sessionId: 's-burst', uses: 3 }), 10_000);
      const redeemed = await Promise.all(
        Array.from({ length: 8 }, () => store.redeemTicket('t-burst')),
      );
      expect(redeemed.filter((value) => value !== null)).toHaveLength(3);
      expect(await store.redeemTicket('t-burst')).toBeNull();
      const counterTtl = await store.ttl('t-burst:used');
      expect(counterTtl).toBeGreaterThan(0);
      expect(counterTtl).toBeLessThanOrEqual(10_000);
    });

    it('refuses a ticket of several uses stored without an expiry (its count would never hold)', async () => {
      await store.set(sessionKey('s-forever'), '{}', 60_000);
      await store.set('t-forever', JSON.stringify({ sessionId: 's-forever', uses: 3 }));
      const redeemed = await Promise.all(
        Array.from({ length: 5 }, () => store.redeemTicket('t-forever')),
      );
      expect(redeemed).toEqual([null, null, null, null, null]);
      expect(await store.get('t-forever:used')).toBeNull();
    });

    it('refuses a ticket whose session ended, and a ticket naming no session', async () => {
      await store.set('t-orphan', JSON.stringify({ sessionId: 's-ended', uses: 5 }), 60_000);
      expect(await store.redeemTicket('t-orphan')).toBeNull();
      await store.set(sessionKey('s-ended'), '{}', 60_000);
      expect(await store.redeemTicket('t-orphan')).not.toBeNull();
      await store.delete(sessionKey('s-ended'));
      expect(await store.redeemTicket('t-orphan')).toBeNull();
      await store.set('t-anonymous', JSON.stringify({ uses: 2 }), 60_000);
      expect(await store.redeemTicket('t-anonymous')).toBeNull();
    });

    it('keeps sets of members', async () => {
      await store.setAdd('set', 'a');
      await store.setAdd('set', 'b');
      await store.setAdd('set', 'a');
      expect((await store.setMembers('set')).sort()).toEqual(['a', 'b']);
      await store.setRemove('set', 'a');
      expect(await store.setMembers('set')).toEqual(['b']);
      await store.delete('set');
      expect(await store.setMembers('set')).toEqual([]);
    });

    it('refuses a time to live that is not a positive integer', async () => {
      for (const ttl of [0, -1, 1.5, Number.NaN]) {
        await expect(store.set('bad', 'x', ttl)).rejects.toThrow(RangeError);
      }
    });
  });
}

async function embedded(open: () => Promise<Database>) {
  const database = await open();
  await database.migrate();
  return { store: createEmbeddedKeyValueStore(database.db), close: () => database.close() };
}

keyValueContract('redis', async () => {
  const redis = new Redis(testRedis.url);
  return {
    store: createRedisKeyValueStore(redis, testRedis.prefix),
    close: async () => redis.disconnect(),
  };
});
keyValueContract('embedded on postgres', () =>
  embedded(() => openPostgres(testDb.url, { poolSize: 10 })),
);
keyValueContract('embedded on pglite', () => embedded(() => openPglite('memory')));
