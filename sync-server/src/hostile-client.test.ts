import { docName, schema } from '@confab/db';
import {
  deleteMessage,
  editMessage,
  MESSAGES,
  postMessage,
  readMessages,
  toggleReaction,
} from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import * as decoding from 'lib0/decoding';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { MessageType, syncUpdate } from './engine/protocol';
import { addChannel, say, texts, ticketFor, useSyncWorld } from './sync-test-kit';

/**
 * [S2]-[S4] over the wire: each hostile change is made by a real Y.Doc and sent on a real socket;
 * it must be refused with its reason, leave Postgres and the other clients unchanged, and its
 * allowed counterpart must go through.
 */
const sync = useSyncWorld();
let announcements: string;

beforeAll(async () => {
  const { ada, bob } = sync.world.users;
  announcements = (
    await addChannel(
      sync.node.backends.database.db,
      sync.world,
      { kind: 'public', name: 'announcements', postingPolicy: 'admins' },
      [ada, bob],
    )
  ).channelId;
});

let segment = 100;
/** A fresh doc with an honest observer (Bob's stock provider) already in it. */
async function freshDoc(name = sync.world.publicSegment(segment++)) {
  const observer = await sync.open(sync.world.users.bob, name);
  return { name, observer: observer.doc };
}

/** An honest write through a stock provider, waited for until the observer has it. */
async function honest(name: string, userId: string, write: (doc: Y.Doc) => void, observer: Y.Doc) {
  const client = await sync.open(userId, name);
  const before = Y.encodeStateVector(observer);
  write(client.doc);
  const written = Y.decodeStateVector(Y.encodeStateVector(client.doc));
  expect(Y.encodeStateVector(client.doc)).not.toEqual(before);
  await waitFor('observer to see the honest write', () => {
    const seen = Y.decodeStateVector(Y.encodeStateVector(observer));
    return [...written].every(([id, clock]) => (seen.get(id) ?? 0) >= clock) ? true : undefined;
  });
  return client.doc;
}

const logCount = async (name: string) =>
  (
    await sync.node.backends.database.db
      .select({ seq: schema.docUpdates.seq })
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, name))
  ).length;

interface Outcome {
  /** 'ok' when acked, else the rejection reason (or the close code for other refusals). */
  result: string;
  closeCode: number | null;
}

/**
 * Sends the change `write` makes on a replica of the observer's state, as `userId`, on a raw
 * socket asking for Confab's messages, and reports the server's answer.
 */
async function attempt(
  name: string,
  userId: string,
  observer: Y.Doc,
  write: (doc: Y.Doc) => void,
  { clientId }: { clientId?: number } = {},
): Promise<Outcome> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(observer));
  // Set after loading: Yjs gives a doc a new id when an update brings structs of its own id.
  if (clientId !== undefined) doc.clientID = clientId;
  const base = Y.encodeStateVector(doc);
  write(doc);
  const update = Y.encodeStateAsUpdate(doc, base);
  const socket = new WebSocket(
    `ws://127.0.0.1:${sync.node.port}/sync/${name}?acks=1&ticket=${await ticketFor(sync.node.backends, userId)}`,
  );
  const frames: Uint8Array[] = [];
  socket.on('message', (data) => frames.push(new Uint8Array(data as Buffer)));
  let closeCode: number | null = null;
  socket.on('close', (code) => {
    closeCode = code;
  });
  await new Promise((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  socket.send(syncUpdate(update));
  const result = await waitFor('an ack or a refusal', () => {
    for (const frame of frames) {
      const decoder = decoding.createDecoder(frame);
      const type = decoding.readVarUint(decoder);
      if (type === MessageType.rejected) return decoding.readVarString(decoder);
      if (type === MessageType.persisted) {
        const acked = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
        if ((acked.get(doc.clientID) ?? 0) >= Y.getState(doc.store, doc.clientID)) return 'ok';
      }
    }
    return closeCode === null ? undefined : `closed ${closeCode}`;
  });
  if (result === 'ok') socket.close();
  else await waitFor('close', () => (closeCode === null ? undefined : true));
  return { result, closeCode };
}

/** Runs a hostile attempt and checks it changed nothing anywhere. */
async function refused(
  name: string,
  userId: string,
  observer: Y.Doc,
  write: (doc: Y.Doc) => void,
  options: { clientId?: number } = {},
) {
  const rows = await logCount(name);
  const seen = JSON.stringify(observer.toJSON());
  const outcome = await attempt(name, userId, observer, write, options);
  expect({ outcome, rows: await logCount(name) }).toEqual({ outcome, rows });
  expect(JSON.stringify(observer.toJSON())).toBe(seen);
  return outcome;
}

const messageIn = (doc: Y.Doc) => {
  const [first] = readMessages(doc);
  if (!first) throw new Error('no message');
  return first.id;
};

describe('hostile clients [S2] [S3] [S4]', () => {
  it("refuses a message forging another author; accepts one in one's own name", async () => {
    const { name, observer } = await freshDoc();
    const forged = await refused(name, sync.world.users.ada, observer, (doc) =>
      postMessage(doc, { author: sync.world.users.bob, text: 'I am Bob' }),
    );
    expect(forged).toEqual({ result: 'forged_author', closeCode: 4422 });
    const own = await attempt(name, sync.world.users.ada, observer, (doc) =>
      postMessage(doc, { author: sync.world.users.ada, text: 'I am Ada' }),
    );
    expect(own.result).toBe('ok');
    await waitFor('observer', () => (texts(observer).includes('I am Ada') ? true : undefined));
  });

  it("refuses edits and deletions of another member's message; the author may, a moderator may delete", async () => {
    const { name, observer } = await freshDoc();
    await honest(
      name,
      sync.world.users.ada,
      (doc) => say(doc, sync.world.users.ada, 'original'),
      observer,
    );
    const id = messageIn(observer);
    expect(
      (await refused(name, sync.world.users.bob, observer, (doc) => editMessage(doc, id, 'forged')))
        .result,
    ).toBe('not_author');
    expect(
      (await refused(name, sync.world.users.bob, observer, (doc) => deleteMessage(doc, id))).result,
    ).toBe('not_author');
    expect(
      (await attempt(name, sync.world.users.ada, observer, (doc) => editMessage(doc, id, 'v2')))
        .result,
    ).toBe('ok');
    await waitFor('edit', () => (texts(observer).join() === 'v2' ? true : undefined));

    await honest(
      name,
      sync.world.users.bob,
      (doc) => say(doc, sync.world.users.bob, 'spam'),
      observer,
    );
    const spam = readMessages(observer).find((message) => message.text === 'spam')?.id ?? '';
    // Ada owns the workspace: she may tombstone Bob's message, not rewrite it.
    expect(
      (
        await refused(name, sync.world.users.ada, observer, (doc) =>
          editMessage(doc, spam, 'nicer'),
        )
      ).result,
    ).toBe('not_author');
    expect(
      (await attempt(name, sync.world.users.ada, observer, (doc) => deleteMessage(doc, spam)))
        .result,
    ).toBe('ok');
    await waitFor('tombstone', () =>
      readMessages(observer).find((message) => message.id === spam)?.deleted ? true : undefined,
    );
  });

  it("refuses removing or adding a reaction in another user's name; one's own toggles", async () => {
    const { name, observer } = await freshDoc();
    await honest(
      name,
      sync.world.users.ada,
      (doc) => say(doc, sync.world.users.ada, 'lunch?'),
      observer,
    );
    const id = messageIn(observer);
    await honest(
      name,
      sync.world.users.ada,
      (doc) => toggleReaction(doc, { messageId: id, userId: sync.world.users.ada, emoji: '👍' }),
      observer,
    );
    const remove = (doc: Y.Doc) =>
      toggleReaction(doc, { messageId: id, userId: sync.world.users.ada, emoji: '👍' });
    expect((await refused(name, sync.world.users.bob, observer, remove)).result).toBe(
      'not_own_reaction',
    );
    const forge = (doc: Y.Doc) =>
      toggleReaction(doc, { messageId: id, userId: sync.world.users.ada, emoji: '🎉' });
    expect((await refused(name, sync.world.users.bob, observer, forge)).result).toBe(
      'not_own_reaction',
    );
    const own = (doc: Y.Doc) =>
      toggleReaction(doc, { messageId: id, userId: sync.world.users.bob, emoji: '👍' });
    expect((await attempt(name, sync.world.users.bob, observer, own)).result).toBe('ok');
    await waitFor('reaction', () =>
      readMessages(observer)[0]?.reactions.get('👍')?.length === 2 ? true : undefined,
    );
  });

  it("refuses another user's client id, and bars a refused client id for good", async () => {
    const { name, observer } = await freshDoc();
    const ada = await honest(
      name,
      sync.world.users.ada,
      (doc) => say(doc, sync.world.users.ada, 'mine'),
      observer,
    );
    const stolen = await refused(
      name,
      sync.world.users.bob,
      observer,
      (doc) => say(doc, sync.world.users.bob, "as Ada's client"),
      { clientId: ada.clientID },
    );
    expect(stolen.result).toBe('client_id_owned');
    const clientId = 4_242_424;
    expect(
      (
        await refused(
          name,
          sync.world.users.bob,
          observer,
          (doc) => doc.getMap('evil').set('k', 1),
          {
            clientId,
          },
        )
      ).result,
    ).toBe('unknown_type');
    const barred = await refused(
      name,
      sync.world.users.bob,
      observer,
      (doc) => say(doc, sync.world.users.bob, 'honest now'),
      {
        clientId,
      },
    );
    expect(barred.result).toBe('client_id_barred');
    expect(
      (
        await attempt(name, sync.world.users.bob, observer, (doc) =>
          say(doc, sync.world.users.bob, 'fresh id'),
        )
      ).result,
    ).toBe('ok');
  });

  it('refuses unknown types and fields, wrong value types and oversized text', async () => {
    const { name, observer } = await freshDoc();
    const ada = sync.world.users.ada;
    const cases: Array<[string, (doc: Y.Doc) => void]> = [
      ['unknown_type', (doc) => doc.getArray('evil').push([1])],
      [
        'unknown_field',
        (doc) => {
          const id = postMessage(doc, { author: ada, text: 'x' });
          (doc.getMap(MESSAGES).get(id) as Y.Map<unknown>).set('pinned', true);
        },
      ],
      [
        'wrong_type',
        (doc) =>
          doc.transact(() => {
            const message = new Y.Map<unknown>();
            for (const [key, value] of Object.entries({ author: ada, text: 7, createdAt: 1 }))
              message.set(key, value);
            doc.getMap(MESSAGES).set('01JE0000000000000000000000', message);
          }),
      ],
      ['text_too_long', (doc) => postMessage(doc, { author: ada, text: 'x'.repeat(40_001) })],
    ];
    for (const [reason, write] of cases) {
      expect((await refused(name, ada, observer, write)).result).toBe(reason);
    }
    expect(
      (
        await attempt(name, ada, observer, (doc) =>
          postMessage(doc, { author: ada, text: 'x'.repeat(40_000) }),
        )
      ).result,
    ).toBe('ok');
  });

  it('refuses NUL and control characters in text and emoji, changing nothing [S2] [S8]', async () => {
    const { name, observer } = await freshDoc();
    const ada = sync.world.users.ada;
    const raw = (text: string) => (doc: Y.Doc) =>
      doc.transact(() => {
        const message = new Y.Map<unknown>();
        for (const [key, value] of Object.entries({ author: ada, text, createdAt: 1 }))
          message.set(key, value);
        doc.getMap(MESSAGES).set('01JE00000000000000000000NX', message);
      });
    for (const text of ['a\u0000b', '\u001b[2J', 'c1 \u009b'])
      expect((await refused(name, ada, observer, raw(text))).result).toBe('invalid_text');
    const id = messageIn(await honest(name, ada, (doc) => say(doc, ada, 'react to me'), observer));
    const emoji = (doc: Y.Doc) => doc.getMap('reactions').set(`${id}|${ada}|\u0000`, true);
    expect((await refused(name, ada, observer, emoji)).result).toBe('invalid_key');
    // The writers normalize, so the same words from an honest client go through.
    expect((await attempt(name, ada, observer, (doc) => say(doc, ada, 'a\u0000b'))).result).toBe(
      'ok',
    );
  });

  it('refuses writes into a channel one is not a member of', async () => {
    const { name, observer } = await freshDoc();
    const eve = await refused(name, sync.world.users.eve, observer, (doc) =>
      say(doc, sync.world.users.eve, 'not a member'),
    );
    expect(eve.result).toBe('closed 4403');
    const socket = new WebSocket(
      `ws://127.0.0.1:${sync.node.port}/sync/${sync.world.privateDoc}?ticket=${await ticketFor(sync.node.backends, sync.world.users.bob)}`,
    );
    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(status).toBe(404);
  });

  it('refuses a member posting into an announcement channel; admins post, members reply in threads', async () => {
    const name = docName({ kind: 'segment', channelId: announcements, index: 0 });
    const { observer } = await freshDoc(name);
    expect(
      (
        await refused(name, sync.world.users.bob, observer, (doc) =>
          say(doc, sync.world.users.bob, 'me too'),
        )
      ).result,
    ).toBe('posting_not_allowed');
    expect(
      (
        await attempt(name, sync.world.users.ada, observer, (doc) =>
          say(doc, sync.world.users.ada, 'All hands at 3'),
        )
      ).result,
    ).toBe('ok');
    await waitFor('announcement', () => (texts(observer).length === 1 ? true : undefined));
    const rootId = messageIn(observer);
    const thread = docName({ kind: 'thread', channelId: announcements, rootId });
    const { observer: threadObserver } = await freshDoc(thread);
    expect(
      (
        await attempt(thread, sync.world.users.bob, threadObserver, (doc) =>
          postMessage(doc, {
            author: sync.world.users.bob,
            text: 'see you there',
            parentId: rootId,
          }),
        )
      ).result,
    ).toBe('ok');
  });
});
