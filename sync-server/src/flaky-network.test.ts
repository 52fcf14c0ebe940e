import { schema } from '@confab/db';
import { seededRandom, useTestDatabase, useTestRedis, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startFlakyProxy } from './flaky-proxy';
import { connectProvider, type SyncNode, say, seedWorld, startNode } from './sync-test-kit';

const SEED = Number(process.env.FLAKY_TEST_SEED ?? 7);
const CLIENTS = 3;
const MESSAGES = 60;

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let node: SyncNode;
beforeAll(async () => {
  node = await startNode(testDb.url, testRedis.url, testRedis.prefix);
});
afterAll(() => node.stop());

describe('flaky network', () => {
  it(`converges every replica through latency, sliced frames and resets (seed ${SEED})`, async () => {
    const next = seededRandom(SEED);
    const proxy = await startFlakyProxy({
      targetPort: node.port,
      random: next,
      maxLatencyMs: 30,
      resetChance: 0.02,
      maxSliceBytes: 7,
    });
    const world = await seedWorld(node.backends);
    const name = world.publicSegment(60);
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const { doc, provider, tracker } = await connectProvider(node, world.users.ada, name, {
          url: `ws://127.0.0.1:${proxy.port}/sync`,
          track: true,
        });
        if (!tracker) throw new Error('no tracker');
        return { doc, provider, tracker };
      }),
    );
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < MESSAGES; i++) {
          say(client.doc, world.users.ada, `${c}-${i}`);
          await new Promise((resolve) => setTimeout(resolve, next() * 15));
        }
      }),
    );
    await waitFor(
      'convergence through the flaky network',
      () =>
        clients.every(
          (client) =>
            !client.tracker.pending && client.doc.getMap('messages').size === CLIENTS * MESSAGES,
        )
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );
    await waitFor('the log to hold every message', async () => {
      const rows = await node.backends.database.db
        .select({ update: schema.docUpdates.update })
        .from(schema.docUpdates)
        .where(eq(schema.docUpdates.docName, name));
      const probe = new Y.Doc();
      for (const row of rows) Y.applyUpdate(probe, row.update);
      return probe.getMap('messages').size === CLIENTS * MESSAGES ? true : undefined;
    });
    const stored = new Y.Doc();
    for (const row of await node.backends.database.db
      .select({ update: schema.docUpdates.update })
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, name))) {
      Y.applyUpdate(stored, row.update);
    }
    console.info(`flaky network (seed ${SEED}): ${proxy.resets()} connection resets`);
    expect(proxy.resets()).toBeGreaterThan(0);
    for (const client of clients) {
      expect(client.doc.getMap('messages').toJSON()).toEqual(stored.getMap('messages').toJSON());
      client.provider.destroy();
    }
    await proxy.stop();
  }, 120_000);
});
