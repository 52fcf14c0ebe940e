import { schema } from '@confab/db';
import { useTestDatabase, useTestRedis, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { syncUpdate } from './engine/protocol';
import { SYNC_LIMITS } from './limits';
import {
  type SyncNode,
  seedWorld,
  startNode,
  ticketFor,
  updateNamingClients,
} from './sync-test-kit';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let node: SyncNode;
let world: Awaited<ReturnType<typeof seedWorld>>;

beforeAll(async () => {
  node = await startNode(testDb.url, testRedis.url, testRedis.prefix, {
    ...SYNC_LIMITS,
    messagesPerSecond: 5,
    messageBurst: 5,
    maxConnectionsPerUser: 2,
    pingIntervalMs: 100,
  });
  world = await seedWorld(node.backends);
});
afterAll(() => node.stop());

async function connect(
  userId: string,
  name = world.publicDoc,
  options: WebSocket.ClientOptions = {},
) {
  const socket = new WebSocket(
    `ws://127.0.0.1:${node.port}/sync/${name}?ticket=${await ticketFor(node.backends, userId)}`,
    options,
  );
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const status = await new Promise<number>((resolve) => {
    socket.on('open', () => resolve(101));
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
  });
  return { socket, closed, status };
}

describe('sync limits', () => {
  it('closes a sender whose update names 5,000 client ids (4413) and stores nothing', async () => {
    const update = updateNamingClients(5000);
    const name = world.publicSegment(20);
    const client = await connect(world.users.ada, name);
    client.socket.send(syncUpdate(update));
    expect(await client.closed).toBe(4413);
    const rows = await node.backends.database.db
      .select()
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, name));
    expect(rows).toEqual([]);
  });

  it('closes a connection that sends faster than its rate (4429)', async () => {
    const client = await connect(world.users.ada);
    for (let i = 0; i < 20; i++) client.socket.send(new Uint8Array([3]));
    expect(await client.closed).toBe(4429);
  });

  it('refuses a user’s connection beyond the cap with 429, and admits again after one closes', async () => {
    const first = await connect(world.users.bob);
    const second = await connect(world.users.bob);
    expect([first.status, second.status]).toEqual([101, 101]);
    expect((await connect(world.users.bob)).status).toBe(429);
    first.socket.close();
    await first.closed;
    const again = await waitFor('a free slot', async () => {
      const attempt = await connect(world.users.bob);
      return attempt.status === 101 ? attempt : undefined;
    });
    again.socket.close();
    second.socket.close();
  });

  it('drops a peer that stops answering pings', async () => {
    const silent = await connect(world.users.ada, world.publicDoc, { autoPong: false });
    expect(silent.status).toBe(101);
    expect(await silent.closed).toBe(1006);
  });
});
