import { randomUUID } from 'node:crypto';
import { CloseCode, docName, postMessage, readMessages, toggleReaction } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { DocRoom } from './doc-room';
import {
  describeOnPorts,
  type EnginePorts,
  framesOf,
  type TestConnection,
  testConnection,
} from './engine-test-kit';
import { composeHooks } from './hooks';
import type { DocLog, Receipt, RoomHooks } from './ports';
import { awarenessMessage, encode, syncStep1, syncUpdate } from './protocol';
import { UPDATE_LIMITS } from './update-limits';

/** A fresh segment doc of a new channel: tests on one store stay apart. */
const freshName = () => docName({ kind: 'segment', channelId: randomUUID(), index: 0 });

async function openRoom(ports: EnginePorts, hooks?: RoomHooks, log: DocLog = ports.log) {
  const name = freshName();
  const room = new DocRoom(name, {
    log,
    clientIds: ports.clientIds,
    owners: await ports.clientIds.owners(name),
    hooks,
  });
  room.restore(await log.load(name));
  return room;
}

/** A replica of the room's doc with `write` applied; returns the update it made. */
function writeOn(room: DocRoom, write: (doc: Y.Doc) => void, clientId?: number) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(room.doc));
  // Set after loading: Yjs gives a doc a new id when an update brings structs of its own id.
  if (clientId !== undefined) doc.clientID = clientId;
  const base = Y.encodeStateVector(doc);
  write(doc);
  return { doc, update: Y.encodeStateAsUpdate(doc, base) };
}

const acked = (connection: TestConnection, doc: Y.Doc) =>
  framesOf(connection).some((frame) => {
    if (frame.type !== 'persisted') return false;
    const vector = Y.decodeStateVector(frame.stateVector);
    return (vector.get(doc.clientID) ?? 0) >= Y.getState(doc.store, doc.clientID);
  });

const waitClosed = (connection: TestConnection) =>
  waitFor('the connection to close', () => connection.closed ?? undefined);

const updatesTo = (connection: TestConnection) =>
  framesOf(connection).filter((frame) => frame.type === 'update');

describeOnPorts('DocRoom', (ports) => {
  it('starts the handshake on join and answers a step 1 with what the client lacks', async () => {
    const room = await openRoom(ports());
    const ada = testConnection(ports().ada);
    room.join(ada);
    expect(framesOf(ada).map((frame) => frame.type)).toEqual(['step1']);
    const { doc, update } = writeOn(room, (d) =>
      postMessage(d, { author: ports().ada, text: 'hi' }),
    );
    room.receive(ada, syncUpdate(update));
    await waitFor('the ack', () => acked(ada, doc) || undefined);
    const late = testConnection(ports().bob);
    room.join(late);
    room.receive(late, syncStep1(new Uint8Array([0])));
    const step2 = await waitFor('step 2', () => framesOf(late).find((f) => f.type === 'step2'));
    const replica = new Y.Doc();
    if (step2.type === 'step2') Y.applyUpdate(replica, step2.payload);
    expect(readMessages(replica).map((m) => m.text)).toEqual(['hi']);
  });

  it('logs an update before it applies, passes on or acks it [S1]', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let appending = false;
    const gated: DocLog = {
      ...ports().log,
      append: async (entry) => {
        appending = true;
        await gate;
        return ports().log.append(entry);
      },
    };
    const committed: number[] = [];
    const room = await openRoom(
      ports(),
      { committed: (_update, seq) => committed.push(seq) },
      gated,
    );
    const [ada, bob] = [testConnection(ports().ada), testConnection(ports().bob)];
    room.join(ada);
    room.join(bob);
    const { doc, update } = writeOn(room, (d) =>
      postMessage(d, { author: ports().ada, text: 'one' }),
    );
    room.receive(ada, syncUpdate(update));
    // The room is waiting for its append to commit: nothing may be visible yet.
    await waitFor('the append', () => appending || undefined);
    expect({
      acked: acked(ada, doc),
      passedOn: updatesTo(bob).length,
      messages: readMessages(room.doc).length,
    }).toEqual({ acked: false, passedOn: 0, messages: 0 });
    open();
    await waitFor('the ack', () => acked(ada, doc) || undefined);
    expect(updatesTo(bob)).toHaveLength(1);
    expect(updatesTo(ada)).toHaveLength(0);
    expect(await ports().log.load(room.name)).toHaveLength(1);
    expect(committed).toHaveLength(1);
  });

  it('logs a re-sent update once and acks it again', async () => {
    const room = await openRoom(ports());
    const ada = testConnection(ports().ada);
    room.join(ada);
    const { doc, update } = writeOn(room, (d) =>
      postMessage(d, { author: ports().ada, text: 'x' }),
    );
    room.receive(ada, syncUpdate(update));
    room.receive(ada, syncUpdate(update));
    await waitFor(
      'two acks',
      () => framesOf(ada).filter((f) => f.type === 'persisted').length === 2 || undefined,
    );
    expect(acked(ada, doc)).toBe(true);
    expect(await ports().log.load(room.name)).toHaveLength(1);
  });

  it('refuses a forged author: logs nothing, passes nothing on, bars the client id [S2] [S3] [S5]', async () => {
    const committed: number[] = [];
    const room = await openRoom(ports(), { committed: (_u, seq) => committed.push(seq) });
    const [ada, bob] = [testConnection(ports().ada), testConnection(ports().bob)];
    room.join(ada);
    room.join(bob);
    const { doc, update } = writeOn(room, (d) =>
      postMessage(d, { author: ports().bob, text: 'not me' }),
    );
    room.receive(ada, syncUpdate(update));
    expect(await waitClosed(ada)).toEqual({
      code: CloseCode.rejected,
      reason: 'rejected: forged_author',
    });
    expect(framesOf(ada).find((f) => f.type === 'rejected')).toEqual({
      type: 'rejected',
      reason: 'forged_author',
    });
    expect(await ports().log.load(room.name)).toHaveLength(0);
    expect({
      passedOn: updatesTo(bob).length,
      committed,
      messages: readMessages(room.doc).length,
    }).toEqual({ passedOn: 0, committed: [], messages: 0 });
    await waitFor(
      'the client id barred',
      async () =>
        (await ports().clientIds.owners(room.name)).get(doc.clientID)?.barred || undefined,
    );
    // The barred id stays barred, even for an honest change over a new socket.
    const again = testConnection(ports().ada);
    room.join(again);
    const honest = writeOn(
      room,
      (d) => postMessage(d, { author: ports().ada, text: 'me' }),
      doc.clientID,
    );
    room.receive(again, syncUpdate(honest.update));
    expect((await waitClosed(again)).reason).toBe('rejected: client_id_barred');
  });

  it("refuses writing with another user's client id [S3]", async () => {
    const room = await openRoom(ports());
    const ada = testConnection(ports().ada);
    room.join(ada);
    const first = writeOn(room, (d) => postMessage(d, { author: ports().ada, text: 'mine' }));
    room.receive(ada, syncUpdate(first.update));
    await waitFor('the ack', () => acked(ada, first.doc) || undefined);
    const bob = testConnection(ports().bob);
    room.join(bob);
    const stolen = writeOn(
      room,
      (d) => postMessage(d, { author: ports().bob, text: 'theirs' }),
      first.doc.clientID,
    );
    room.receive(bob, syncUpdate(stolen.update));
    expect((await waitClosed(bob)).reason).toBe('rejected: client_id_owned');
    expect(await ports().log.load(room.name)).toHaveLength(1);
  });

  it('closes a read-only connection that writes (4403) and stores nothing', async () => {
    const room = await openRoom(ports());
    const reader = testConnection(ports().bob, { readOnly: true });
    room.join(reader);
    const { update } = writeOn(room, (d) => postMessage(d, { author: ports().bob, text: 'no' }));
    room.receive(reader, syncUpdate(update));
    expect((await waitClosed(reader)).code).toBe(CloseCode.forbidden);
    expect(await ports().log.load(room.name)).toHaveLength(0);
  });

  it('closes on an update naming more clients than the limits allow (4413), storing nothing', async () => {
    const room = await openRoom(ports());
    const ada = testConnection(ports().ada);
    room.join(ada);
    const many = Array.from({ length: UPDATE_LIMITS.maxClients + 1 }, (_, i) => {
      const doc = new Y.Doc();
      doc.clientID = 1000 + i;
      doc.getMap('x').set('k', i);
      return Y.encodeStateAsUpdate(doc);
    });
    room.receive(ada, syncUpdate(Y.mergeUpdates(many)));
    expect((await waitClosed(ada)).code).toBe(CloseCode.updateTooLarge);
    expect(await ports().log.load(room.name)).toHaveLength(0);
  });

  it.each([
    ['random bytes', new Uint8Array([0xff, 0xfe, 0x07, 0x42])],
    ['an empty frame', new Uint8Array()],
    ['an unknown message type', encode((e) => encoding.writeVarUint(e, 77))],
    ['trailing bytes', new Uint8Array([...syncStep1(new Uint8Array([0])), 1])],
    ['a truncated update', syncUpdate(new Uint8Array([1, 1, 200]))],
    [
      'an update claiming more clients than it has bytes for',
      syncUpdate(new Uint8Array([3, 250, 250, 250, 250, 1, 0])),
      CloseCode.updateTooLarge,
    ],
    [
      'a presence report off the own user doc',
      encode((e) => {
        encoding.writeVarUint(e, 103);
        encoding.writeVarString(e, '{"state":"active"}');
      }),
    ],
  ] as Array<[string, Uint8Array, number?]>)(
    'closes a connection sending %s and keeps serving the others',
    async (_what, frame, code = CloseCode.malformed) => {
      const errors: unknown[] = [];
      const room = await openRoom(ports(), { error: (error) => errors.push(error) });
      const [mallory, ada] = [testConnection(ports().bob), testConnection(ports().ada)];
      room.join(mallory);
      room.join(ada);
      room.receive(mallory, frame);
      expect((await waitClosed(mallory)).code).toBe(code);
      expect(room.size).toBe(1);
      const { doc, update } = writeOn(room, (d) =>
        postMessage(d, { author: ports().ada, text: 'still here' }),
      );
      room.receive(ada, syncUpdate(update));
      await waitFor('the ack', () => acked(ada, doc) || undefined);
      expect(await ports().log.load(room.name)).toHaveLength(1);
    },
  );

  it('keeps an update it could not log: closes (1011), applies and passes on nothing', async () => {
    const failing: DocLog = {
      ...ports().log,
      append: async () => Promise.reject(new Error('disk gone')),
    };
    const errors: unknown[] = [];
    const room = await openRoom(ports(), { error: (error) => errors.push(error) }, failing);
    const [ada, bob] = [testConnection(ports().ada), testConnection(ports().bob)];
    room.join(ada);
    room.join(bob);
    const { update } = writeOn(room, (d) => postMessage(d, { author: ports().ada, text: 'lost?' }));
    room.receive(ada, syncUpdate(update));
    expect((await waitClosed(ada)).code).toBe(CloseCode.persistenceFailed);
    expect({
      messages: readMessages(room.doc).length,
      passedOn: updatesTo(bob).length,
      errors: errors.length,
    }).toEqual({ messages: 0, passedOn: 0, errors: 1 });
  });

  it('asks for the gap when an update skips clocks, storing nothing', async () => {
    const room = await openRoom(ports());
    const ada = testConnection(ports().ada);
    room.join(ada);
    const replica = new Y.Doc();
    postMessage(replica, { author: ports().ada, text: 'first' });
    const between = Y.encodeStateVector(replica);
    postMessage(replica, { author: ports().ada, text: 'second' });
    room.receive(ada, syncUpdate(Y.encodeStateAsUpdate(replica, between)));
    await waitFor(
      'a step 1',
      () => framesOf(ada).filter((f) => f.type === 'step1').length === 2 || undefined,
    );
    expect(await ports().log.load(room.name)).toHaveLength(0);
    room.receive(ada, syncUpdate(Y.encodeStateAsUpdate(replica)));
    await waitFor('the ack', () => acked(ada, replica) || undefined);
    expect(readMessages(room.doc).map((m) => m.text)).toEqual(['first', 'second']);
  });

  it('reads the log again when an update builds on a message committed elsewhere whose fan-out is lost [S9]', async () => {
    const here = await openRoom(ports());
    // A second node's room on the same log and registry, before anything was written.
    const there = new DocRoom(here.name, {
      log: ports().log,
      clientIds: ports().clientIds,
      owners: await ports().clientIds.owners(here.name),
    });
    const ada = testConnection(ports().ada);
    here.join(ada);
    const post = writeOn(here, (d) => postMessage(d, { author: ports().ada, text: 'elsewhere' }));
    here.receive(ada, syncUpdate(post.update));
    await waitFor('the ack', () => acked(ada, post.doc) || undefined);
    const [message] = readMessages(here.doc);
    // Bob reacts from a replica that has the message; the second node never heard of it.
    const bob = testConnection(ports().bob);
    there.join(bob);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(here.doc));
    const base = Y.encodeStateVector(replica);
    toggleReaction(replica, { messageId: message?.id ?? '', userId: ports().bob, emoji: '👍' });
    there.receive(bob, syncUpdate(Y.encodeStateAsUpdate(replica, base)));
    await waitFor('the ack', () => acked(bob, replica) || undefined);
    expect(bob.closed).toBeNull();
    expect(readMessages(there.doc).map((m) => m.text)).toEqual(['elsewhere']);
    expect(await ports().log.load(here.name)).toHaveLength(2);
  });

  it('applies an update from another node: passes it on, logs and commits nothing', async () => {
    const committed: number[] = [];
    const room = await openRoom(ports(), { committed: (_u, seq) => committed.push(seq) });
    const bob = testConnection(ports().bob);
    room.join(bob);
    const { update } = writeOn(room, (d) =>
      postMessage(d, { author: ports().ada, text: 'remote' }),
    );
    room.applyRemoteUpdate(update);
    expect(updatesTo(bob)).toHaveLength(1);
    expect(committed).toEqual([]);
    expect(await ports().log.load(room.name)).toHaveLength(0);
  });

  it('passes an update on as it came, and one that changes nothing not at all', async () => {
    const room = await openRoom(ports());
    const bob = testConnection(ports().bob);
    room.join(bob);
    const { update } = writeOn(room, (d) => postMessage(d, { author: ports().ada, text: 'once' }));
    room.applyRemoteUpdate(update);
    room.applyRemoteUpdate(update); // the same update by a second path (log and bus)
    expect(bob.frames.slice(1)).toEqual([syncUpdate(update)]);
  });

  it('passes on an update that came before the one it builds on, once that one came', async () => {
    const room = await openRoom(ports());
    const bob = testConnection(ports().bob);
    room.join(bob);
    const { doc, update: first } = writeOn(room, (d) =>
      postMessage(d, { author: ports().ada, text: 'first' }),
    );
    const before = Y.encodeStateVector(doc);
    postMessage(doc, { author: ports().ada, text: 'second' });
    const second = Y.encodeStateAsUpdate(doc, before);
    room.applyRemoteUpdate(second); // pending: it continues a clock the room has not reached
    expect(updatesTo(bob)).toHaveLength(0);
    room.applyRemoteUpdate(first);
    const replica = new Y.Doc();
    for (const frame of updatesTo(bob))
      if (frame.type === 'update') Y.applyUpdate(replica, frame.payload);
    expect(readMessages(replica).map((m) => m.text)).toEqual(['first', 'second']);
    expect(readMessages(room.doc).map((m) => m.text)).toEqual(['first', 'second']);
  });

  it('records receipts for recipients other than the author when the doc keeps them', async () => {
    const receipts: Receipt[] = [];
    const room = await openRoom(ports(), { delivered: (batch) => receipts.push(...batch) });
    const [ada, bob] = [testConnection(ports().ada), testConnection(ports().bob)];
    room.join(ada);
    room.join(bob);
    const { doc, update } = writeOn(room, (d) =>
      postMessage(d, { author: ports().ada, text: 'dm' }),
    );
    room.receive(ada, syncUpdate(update));
    await waitFor('the ack', () => acked(ada, doc) || undefined);
    const [message] = readMessages(room.doc);
    expect(receipts).toEqual([
      { messageId: message?.id, userId: ports().bob, authorId: ports().ada },
    ]);
  });

  it('passes awareness to the other connections and to the awareness hook', async () => {
    const published: Uint8Array[] = [];
    const room = await openRoom(ports(), { awareness: (update) => published.push(update) });
    const [ada, bob] = [testConnection(ports().ada), testConnection(ports().bob)];
    room.join(ada);
    room.join(bob);
    const local = new Awareness(new Y.Doc());
    local.setLocalState({ name: 'Ada' });
    room.receive(ada, awarenessMessage(encodeAwarenessUpdate(local, [local.clientID])));
    await waitFor(
      'awareness at Bob',
      () => framesOf(bob).some((f) => f.type === 'awareness') || undefined,
    );
    expect(published).toHaveLength(1);
    room.leave(ada);
    expect(room.awareness.getStates().has(local.clientID)).toBe(false);
  });
});

describe('composeHooks', () => {
  it('calls every part in order and leaves absent hooks absent', () => {
    const calls: string[] = [];
    const hooks = composeHooks(
      { committed: (_u, seq) => calls.push(`a${seq}`) },
      {},
      { committed: (_u, seq) => calls.push(`b${seq}`), error: () => calls.push('error') },
    );
    hooks.committed?.(new Uint8Array(), 7);
    expect(calls).toEqual(['a7', 'b7']);
    expect(hooks.delivered).toBeUndefined();
  });
});
