import { schema } from '@confab/db';
import { trackPersistence } from '@confab/db/model';
import { useTestDatabase, useTestRedis, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type SyncNode, say, seedWorld, startNode, texts, ticketFor } from './sync-test-kit';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let node: SyncNode;
let world: Awaited<ReturnType<typeof seedWorld>>;
beforeAll(async () => {
  node = await startNode(testDb.url, testRedis.url, testRedis.prefix);
  world = await seedWorld(node.backends);
});
afterAll(() => node.stop());

const rows = async (name: string) =>
  (
    await node.backends.database.db
      .select()
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, name))
  ).length;

/** A stock provider with the tracker attached before it connects. */
async function trackedProvider(name: string) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(node.url, name, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: false,
    params: { ticket: await ticketFor(node.backends, world.users.ada) },
  });
  const tracker = trackPersistence(provider, doc);
  provider.on('connection-close', () => {
    void ticketFor(node.backends, world.users.ada).then((ticket) => {
      provider.params = { ...provider.params, ticket };
    });
  });
  provider.connect();
  await waitFor('sync', () => (provider.synced ? true : undefined));
  return { doc, provider, tracker };
}

describe('persistence tracker', () => {
  it('reports a change pending until the server has committed it [S1]', async () => {
    const name = world.publicSegment(30);
    const { doc, provider, tracker } = await trackedProvider(name);
    const seen: boolean[] = [];
    tracker.onChange((pending) => seen.push(pending));
    say(doc, world.users.ada, 'hello');
    expect(tracker.pending).toBe(true);
    await waitFor('durable', () => (tracker.pending ? undefined : true));
    expect(await rows(name)).toBe(1);
    expect(seen).toEqual([true, false]);
    provider.destroy();
  });

  it('keeps offline changes pending, and sends and confirms them after reconnecting', async () => {
    const name = world.publicSegment(31);
    const { doc, provider, tracker } = await trackedProvider(name);
    provider.disconnect();
    for (let i = 0; i < 3; i++) say(doc, world.users.ada, `offline-${i}`);
    expect(tracker.pending).toBe(true);
    expect(await rows(name)).toBe(0);
    provider.connect();
    await waitFor('durable after reconnect', () => (tracker.pending ? undefined : true));
    expect(await rows(name)).toBeGreaterThan(0);
    const reader = new Y.Doc();
    for (const row of await node.backends.database.db
      .select({ update: schema.docUpdates.update })
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, name))) {
      Y.applyUpdate(reader, row.update);
    }
    expect(texts(reader)).toEqual(['offline-0', 'offline-1', 'offline-2']);
    provider.destroy();
  });
});
