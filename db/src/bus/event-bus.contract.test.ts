import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestRedis, waitFor } from '../testing/index';
import type { EventBus } from './event-bus';
import { createInProcessBus } from './in-process-bus';
import { createRedisBus } from './redis-bus';

const testRedis = useTestRedis();
const connections: Redis[] = [];
afterAll(() => {
  for (const redis of connections) redis.disconnect();
});

async function redisBus(
  prefix = testRedis.prefix,
  errors: unknown[] = [],
  connectionName?: string,
): Promise<EventBus> {
  const redis = new Redis(testRedis.url, { connectionName });
  connections.push(redis);
  return createRedisBus(redis, { prefix, onError: (error) => errors.push(error) });
}

/** A pair of buses that stand for two nodes of one installation (the same bus, in-process). */
function busContract(name: string, pair: (errors: unknown[]) => Promise<[EventBus, EventBus]>) {
  describe(`event bus contract: ${name}`, () => {
    it('delivers the exact bytes published to every subscriber of the topic, on any node', async () => {
      const [a, b] = await pair([]);
      const seenA: Uint8Array[] = [];
      const seenB: Uint8Array[] = [];
      await a.subscribe('doc:1', (m) => seenA.push(m));
      await b.subscribe('doc:1', (m) => seenB.push(m));
      const bytes = new Uint8Array([0, 1, 255, 128, 0]);
      await a.publish('doc:1', bytes);
      await waitFor('both deliveries', () => (seenA.length && seenB.length ? true : undefined));
      expect(seenA).toEqual([bytes]);
      expect(seenB).toEqual([bytes]);
    });

    it("delivers exactly a view's bytes, not the rest of the buffer under it", async () => {
      const [a, b] = await pair([]);
      const seen: Uint8Array[] = [];
      await b.subscribe('doc:view', (m) => seen.push(m));
      const buffer = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);
      await a.publish('doc:view', buffer.subarray(2, 5));
      await waitFor('delivery', () => (seen.length ? true : undefined));
      expect(seen).toEqual([new Uint8Array([1, 2, 3])]);
    });

    it('keeps topics apart and stops delivering after unsubscribe', async () => {
      const [a, b] = await pair([]);
      const seen: string[] = [];
      const off = await b.subscribe('doc:2', (m) => seen.push(`2:${m[0]}`));
      await b.subscribe('doc:3', (m) => seen.push(`3:${m[0]}`));
      await a.publish('doc:2', new Uint8Array([1]));
      await waitFor('first delivery', () => (seen.length === 1 ? true : undefined));
      await off();
      await a.publish('doc:2', new Uint8Array([2]));
      await a.publish('doc:3', new Uint8Array([3]));
      await waitFor('doc:3 delivery', () => (seen.includes('3:3') ? true : undefined));
      expect(seen).toEqual(['2:1', '3:3']);
    });

    it('still delivers to the other handlers when one throws, and reports the error', async () => {
      const errors: unknown[] = [];
      const [a, b] = await pair(errors);
      const seen: number[] = [];
      await b.subscribe('doc:4', () => {
        throw new Error('handler bug');
      });
      await b.subscribe('doc:4', (m) => seen.push(m[0] ?? -1));
      await a.publish('doc:4', new Uint8Array([9]));
      await waitFor('delivery', () => (seen.length ? true : undefined));
      expect(seen).toEqual([9]);
      expect(errors).toHaveLength(1);
    });

    it('rejects malformed topics before they reach the transport', async () => {
      const [a] = await pair([]);
      for (const topic of ['', 'a b', 'x'.repeat(201), 'doc\n1', 'doc*']) {
        await expect(a.publish(topic, new Uint8Array([1]))).rejects.toThrow(/invalid bus topic/);
        await expect(a.subscribe(topic, () => {})).rejects.toThrow(/invalid bus topic/);
      }
    });
  });
}

busContract('in-process', async (errors) => {
  const bus = createInProcessBus({ onError: (error) => errors.push(error) });
  return [bus, bus];
});
busContract('redis', async (errors) => [
  await redisBus(undefined, errors),
  await redisBus(undefined, errors),
]);

describe('redis bus', () => {
  it('does not hear an installation that uses another key prefix', async () => {
    const mine = await redisBus(`${testRedis.prefix}mine:`);
    const theirs = await redisBus(`${testRedis.prefix}theirs:`);
    const seen: Uint8Array[] = [];
    await mine.subscribe('doc:1', (m) => seen.push(m));
    await mine.subscribe('marker', (m) => seen.push(m));
    await theirs.publish('doc:1', new Uint8Array([1]));
    await mine.publish('marker', new Uint8Array([2]));
    await waitFor('marker', () => (seen.length ? true : undefined));
    expect(seen).toEqual([new Uint8Array([2])]);
  });

  it('makes concurrent subscribers of one topic wait until the subscription is live', async () => {
    const [a, b] = [await redisBus(), await redisBus()];
    const seen: number[] = [];
    await Promise.all([
      b.subscribe('doc:5', () => seen.push(1)),
      b.subscribe('doc:5', () => seen.push(2)),
    ]);
    await a.publish('doc:5', new Uint8Array([0]));
    await waitFor('two deliveries', () => (seen.length === 2 ? true : undefined));
    expect(seen.sort()).toEqual([1, 2]);
  });

  it('says when it subscribed again after losing its connection, and delivers again', async () => {
    const connectionName = `bus-test-${Math.random().toString(36).slice(2)}`;
    const [a, b] = [await redisBus(), await redisBus(undefined, [], connectionName)];
    const seen: number[] = [];
    await b.subscribe('doc:6', (m) => seen.push(m[0] ?? -1));
    let resubscribed = 0;
    b.onResubscribed(() => resubscribed++);
    const admin = new Redis(testRedis.url);
    connections.push(admin);
    const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const id = clients
      .split('\n')
      .find((line) => line.includes(` name=${connectionName} `))
      ?.match(/\bid=(\d+)/)?.[1];
    expect(id).toBeDefined();
    await admin.call('CLIENT', 'KILL', 'ID', id ?? '');
    await waitFor('resubscribed', () => (resubscribed === 1 ? true : undefined));
    // Live again by the time it says so: a publish right after is delivered.
    await a.publish('doc:6', new Uint8Array([7]));
    await waitFor('delivery after the reconnect', () => (seen.includes(7) ? true : undefined));
  });
});
