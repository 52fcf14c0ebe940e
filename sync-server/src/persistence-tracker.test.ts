import { schema } from '@confab/db';
import { trackPersistence } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { say, storedDoc, texts, ticketFor, useSyncWorld } from './sync-test-kit';

const sync = useSyncWorld();

const rows = async (name: string) =>
  (
    await sync.node.backends.database.db
      .select()
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, name))
  ).length;

/** A stock provider with the tracker attached before it connects. */
async function trackedProvider(name: string) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(sync.node.url, name, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: false,
    params: { ticket: await ticketFor(sync.node.backends, sync.world.users.ada) },
  });
  const tracker = trackPersistence(provider, doc);
  provider.on('connection-close', () => {
    void ticketFor(sync.node.backends, sync.world.users.ada).then((ticket) => {
      provider.params = { ...provider.params, ticket };
    });
  });
  provider.connect();
  await waitFor('sync', () => (provider.synced ? true : undefined));
  return { doc, provider, tracker };
}

describe('persistence tracker', () => {
  it('reports a change pending until the server has committed it [S1]', async () => {
    const name = sync.world.publicSegment(30);
    const { doc, provider, tracker } = await trackedProvider(name);
    const seen: boolean[] = [];
    tracker.onChange((pending) => seen.push(pending));
    say(doc, sync.world.users.ada, 'hello');
    expect(tracker.pending).toBe(true);
    await waitFor('durable', () => (tracker.pending ? undefined : true));
    expect(await rows(name)).toBe(1);
    expect(seen).toEqual([true, false]);
    provider.destroy();
  });

  it('keeps offline changes pending, and sends and confirms them after reconnecting', async () => {
    const name = sync.world.publicSegment(31);
    const { doc, provider, tracker } = await trackedProvider(name);
    provider.disconnect();
    for (let i = 0; i < 3; i++) say(doc, sync.world.users.ada, `offline-${i}`);
    expect(tracker.pending).toBe(true);
    expect(await rows(name)).toBe(0);
    provider.connect();
    await waitFor('durable after reconnect', () => (tracker.pending ? undefined : true));
    expect(await rows(name)).toBeGreaterThan(0);
    const reader = await storedDoc(sync.node.backends.database.db, name);
    expect(texts(reader)).toEqual(['offline-0', 'offline-1', 'offline-2']);
    provider.destroy();
  });
});
