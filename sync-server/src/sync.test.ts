import { SESSIONS_REVOKED_TOPIC, schema } from '@confab/db';
import { readMessages } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { MessageType, syncUpdate } from './engine/protocol';
import { nextCloseCode, say, texts, ticketFor, useSyncWorld } from './sync-test-kit';

const sync = useSyncWorld();
const open = (userId: string, name = sync.world.publicDoc) => sync.open(userId, name);

const logRows = (name: string) =>
  sync.node.backends.database.db
    .select()
    .from(schema.docUpdates)
    .where(eq(schema.docUpdates.docName, name));

/** A raw socket, for what the stock provider never sends. */
async function rawSocket(path: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(`ws://127.0.0.1:${sync.node.port}${path}`, { headers });
  const frames: Uint8Array[] = [];
  socket.on('message', (data) => frames.push(new Uint8Array(data as Buffer)));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const status = await new Promise<number>((resolve) => {
    socket.on('open', () => resolve(101));
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
  return { socket, frames, closed, status };
}

describe('sync with stock y-websocket providers', () => {
  it('converges two providers through the server, both ways', async () => {
    const a = await open(sync.world.users.ada);
    const b = await open(sync.world.users.bob);
    say(a.doc, sync.world.users.ada, 'from-ada');
    say(b.doc, sync.world.users.bob, 'from-bob');
    await waitFor('convergence', () =>
      texts(a.doc).length === 2 && texts(b.doc).length === 2 ? true : undefined,
    );
    expect(readMessages(a.doc)).toEqual(readMessages(b.doc));
  });

  it('serves a doc from Postgres to a client that opens it later, after the doc was unloaded', async () => {
    const name = sync.world.publicSegment(7);
    const writer = await open(sync.world.users.ada, name);
    say(writer.doc, sync.world.users.ada, 'durable');
    await waitFor('logged', async () => ((await logRows(name)).length > 0 ? true : undefined));
    writer.provider.destroy();
    const later = await open(sync.world.users.bob, name);
    await waitFor('history', () => (texts(later.doc).join() === 'durable' ? true : undefined));
  });

  it('acknowledges an update only after it is in Postgres [S1]', async () => {
    const name = sync.world.publicSegment(8);
    const client = await rawSocket(
      `/sync/${name}?acks=1&ticket=${await ticketFor(sync.node.backends, sync.world.users.ada)}`,
    );
    expect(client.status).toBe(101);
    const doc = new Y.Doc();
    say(doc, sync.world.users.ada, 'k');
    const ackAt = client.frames.length;
    client.socket.send(syncUpdate(Y.encodeStateAsUpdate(doc)));
    const ack = await waitFor('ack', () =>
      client.frames
        .slice(ackAt)
        .find(
          (frame) => decoding.readVarUint(decoding.createDecoder(frame)) === MessageType.persisted,
        ),
    );
    // At the moment of the ack, the row is committed.
    expect(await logRows(name)).toHaveLength(1);
    const decoder = decoding.createDecoder(ack);
    decoding.readVarUint(decoder);
    const durable = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    expect(durable.get(doc.clientID)).toBe(Y.getState(doc.store, doc.clientID));
    client.socket.close();
  });

  it('logs a re-sent update once', async () => {
    const name = sync.world.publicSegment(9);
    const client = await rawSocket(
      `/sync/${name}?acks=1&ticket=${await ticketFor(sync.node.backends, sync.world.users.ada)}`,
    );
    const doc = new Y.Doc();
    say(doc, sync.world.users.ada, 'k');
    const frame = syncUpdate(Y.encodeStateAsUpdate(doc));
    const isAck = (received: Uint8Array) =>
      decoding.readVarUint(decoding.createDecoder(received)) === MessageType.persisted;
    client.socket.send(frame);
    client.socket.send(frame);
    await waitFor('two acks', () => (client.frames.filter(isAck).length === 2 ? true : undefined));
    expect(await logRows(name)).toHaveLength(1);
    client.socket.close();
  });
});

describe('who may open a doc', () => {
  it('refuses before the 101: no ticket 401, reused ticket 401, foreign origin 403', async () => {
    expect((await rawSocket(`/sync/${sync.world.publicDoc}`)).status).toBe(401);
    const ticket = await ticketFor(sync.node.backends, sync.world.users.ada);
    const first = await rawSocket(`/sync/${sync.world.publicDoc}?ticket=${ticket}`);
    expect(first.status).toBe(101);
    first.socket.close();
    expect((await rawSocket(`/sync/${sync.world.publicDoc}?ticket=${ticket}`)).status).toBe(401);
    const foreign = await rawSocket(
      `/sync/${sync.world.publicDoc}?ticket=${await ticketFor(sync.node.backends, sync.world.users.ada)}`,
      {
        Origin: 'https://evil.example.net',
      },
    );
    expect(foreign.status).toBe(403);
  });

  it('answers a private doc of a channel one is not in like a missing doc: 404', async () => {
    const hidden = await rawSocket(
      `/sync/${sync.world.privateDoc}?ticket=${await ticketFor(sync.node.backends, sync.world.users.bob)}`,
    );
    const missing = await rawSocket(
      `/sync/channel:00000000-0000-4000-8000-000000000000:segment:0?ticket=${await ticketFor(sync.node.backends, sync.world.users.bob)}`,
    );
    expect([hidden.status, missing.status]).toEqual([404, 404]);
  });

  it.each([
    '/sync/',
    '/sync/..%2F..%2Fetc%2Fpasswd',
    '/sync/channel',
    '/sync/channel:not-a-uuid:segment:0',
    '/sync/channel:%ZZ',
    `/sync/user:${'0'.repeat(200)}`,
    '/sync/channel:00000000-0000-4000-8000-000000000000:segment:-1',
  ])('answers the malformed doc path %j with 400', async (path) => {
    expect((await rawSocket(path)).status).toBe(400);
  });

  it('answers upgrades outside /sync/ with 404', async () => {
    expect((await rawSocket('/api/health')).status).toBe(404);
  });

  it('lets a workspace member outside a public channel read it, and closes them (4403) on a write', async () => {
    const ada = await open(sync.world.users.ada);
    say(ada.doc, sync.world.users.ada, 'seen-by-eve');
    const eve = await open(sync.world.users.eve);
    await waitFor('read', () => (texts(eve.doc).includes('seen-by-eve') ? true : undefined));
    const closed = nextCloseCode(eve.provider);
    const before = (await logRows(sync.world.publicDoc)).length;
    say(eve.doc, sync.world.users.eve, 'eve-was-here');
    expect(await closed).toBe(4403);
    expect(await logRows(sync.world.publicDoc)).toHaveLength(before);
    expect(texts(ada.doc)).not.toContain('eve-was-here');
  });

  it('closes the sockets of a revoked session within seconds (4401)', async () => {
    const bob = await open(sync.world.users.bob);
    const closed = nextCloseCode(bob.provider);
    await sync.node.backends.bus.publish(
      SESSIONS_REVOKED_TOPIC,
      new TextEncoder().encode(
        JSON.stringify({
          userId: sync.world.users.bob,
          sessionIds: [`session-${sync.world.users.bob}`],
          reason: 'logout',
        }),
      ),
    );
    expect(await closed).toBe(4401);
  });
});

describe('hostile frames', () => {
  it.each([
    ['random bytes', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ['an unknown message type', new Uint8Array([42, 0])],
    ['a truncated sync message', new Uint8Array([0, 2, 10, 1, 2])],
    ['a huge length prefix', new Uint8Array([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['trailing bytes', new Uint8Array([3, 3])],
    ['an update that is not a Yjs update', new Uint8Array([0, 2, 3, 0xff, 0xfe, 0xfd])],
  ])(
    'closes the sender on %s (4400), changes nothing, and keeps serving others',
    async (_name, frame) => {
      const observer = await open(sync.world.users.bob);
      const before = (await logRows(sync.world.publicDoc)).length;
      const attacker = await rawSocket(
        `/sync/${sync.world.publicDoc}?ticket=${await ticketFor(sync.node.backends, sync.world.users.ada)}`,
      );
      attacker.socket.send(frame);
      expect(await attacker.closed).toBe(4400);
      expect(await logRows(sync.world.publicDoc)).toHaveLength(before);
      const writer = await open(sync.world.users.ada);
      say(writer.doc, sync.world.users.ada, `after-${frame.length}-${frame[0]}`);
      await waitFor('still serving', () =>
        texts(observer.doc).includes(`after-${frame.length}-${frame[0]}`) ? true : undefined,
      );
    },
  );

  it('closes a connection that sends a frame over 1 MiB (1009)', async () => {
    const attacker = await rawSocket(
      `/sync/${sync.world.publicDoc}?ticket=${await ticketFor(sync.node.backends, sync.world.users.ada)}`,
    );
    attacker.socket.send(new Uint8Array(1024 * 1024 + 1));
    expect(await attacker.closed).toBe(1009);
  });
});

describe('updates that skip clocks', () => {
  it('stores nothing that cannot integrate: asks for the gap, then stores each struct once', async () => {
    const name = sync.world.publicSegment(50);
    const client = await rawSocket(
      `/sync/${name}?acks=1&ticket=${await ticketFor(sync.node.backends, sync.world.users.ada)}`,
    );
    const doc = new Y.Doc();
    say(doc, sync.world.users.ada, 'first');
    const before = Y.encodeStateVector(doc);
    say(doc, sync.world.users.ada, 'second');
    const tail = Y.encodeStateAsUpdate(doc, before); // depends on 'first', which the server lacks
    const sent = client.frames.length;
    client.socket.send(syncUpdate(tail));
    // The server answers with a sync step 1 (asking for what it lacks) and no ack.
    const asked = await waitFor('a sync step 1', () =>
      client.frames.slice(sent).find((frame) => frame[0] === MessageType.sync && frame[1] === 0),
    );
    expect(asked).toBeDefined();
    expect(await logRows(name)).toHaveLength(0);
    const isAck = (frame: Uint8Array) => frame[0] === MessageType.persisted;
    expect(client.frames.slice(sent).some(isAck)).toBe(false);

    client.socket.send(syncUpdate(Y.encodeStateAsUpdate(doc)));
    await waitFor('ack', () => (client.frames.slice(sent).some(isAck) ? true : undefined));
    const rows = await logRows(name);
    const structs = rows.flatMap((row) =>
      Y.decodeUpdate(row.update).structs.map((s) => `${s.id.client}:${s.id.clock}`),
    );
    expect(new Set(structs).size).toBe(structs.length);
    client.socket.close();
  });
});
