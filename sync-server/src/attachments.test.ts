import { randomUUID } from 'node:crypto';
import { docName, parseDocRef, schema } from '@confab/db';
import { deleteMessage, MESSAGES, postMessage, readMessages } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { eq, inArray } from 'drizzle-orm';
import * as decoding from 'lib0/decoding';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { MessageType, syncUpdate } from './engine/protocol';
import { ticketFor, useSyncWorld } from './sync-test-kit';

/**
 * Attachments over the wire: a message may name only files its author uploaded for its channel,
 * ready and not deleted (`file_not_attachable`); the projection records which message holds
 * each file (`files.message_id`).
 */
const sync = useSyncWorld();
const db = () => sync.node.backends.database.db;
let publicChannel: string;
let privateChannel: string;

beforeAll(() => {
  const channelOf = (name: string) => {
    const ref = parseDocRef(name);
    if (!ref || ref.kind === 'user') throw new Error(`not a channel doc: ${name}`);
    return ref.channelId;
  };
  publicChannel = channelOf(sync.world.publicDoc);
  privateChannel = channelOf(sync.world.privateDoc);
});

/** A file row as the upload route leaves it (ready unless told otherwise). */
async function file(
  uploaderId: string,
  channelId = publicChannel,
  extra: Partial<typeof schema.files.$inferInsert> = {},
): Promise<string> {
  const id = randomUUID();
  await db()
    .insert(schema.files)
    .values({
      id,
      workspaceId: sync.world.workspaceId,
      channelId,
      uploaderId,
      storageKey: `files/${id}`,
      name: 'photo.png',
      declaredType: 'image/png',
      contentType: 'image/png',
      kind: 'image',
      inline: true,
      byteSize: 68,
      sha256: '0'.repeat(64),
      status: 'ready',
      ...extra,
    });
  return id;
}

const attachedTo = async (fileId: string) =>
  (
    await db()
      .select({ messageId: schema.files.messageId })
      .from(schema.files)
      .where(eq(schema.files.id, fileId))
  )[0]?.messageId ?? null;

const logCount = async (name: string) =>
  (
    await db()
      .select({ seq: schema.docUpdates.seq })
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, name))
  ).length;

let segment = 200;
/** A fresh segment of the public channel with Bob's stock provider in it. */
async function freshDoc() {
  const name = sync.world.publicSegment(segment++);
  return { name, observer: (await sync.open(sync.world.users.bob, name)).doc };
}

/**
 * Sends the change `write` makes on a replica of the observer's state, as `userId`, on a raw
 * socket that asks for acks; resolves with 'ok' once acked, else the rejection reason.
 */
async function send(
  name: string,
  userId: string,
  observer: Y.Doc,
  write: (doc: Y.Doc) => void,
): Promise<string> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(observer));
  const base = Y.encodeStateVector(doc);
  write(doc);
  const socket = new WebSocket(
    `ws://127.0.0.1:${sync.node.port}/sync/${name}?acks=1&ticket=${await ticketFor(sync.node.backends, userId)}`,
  );
  const frames: Uint8Array[] = [];
  socket.on('message', (data) => frames.push(new Uint8Array(data as Buffer)));
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  await new Promise((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  socket.send(syncUpdate(Y.encodeStateAsUpdate(doc, base)));
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
    return closed ? 'closed' : undefined;
  });
  socket.close();
  return result;
}

/** Sets a message's files as a raw client would (the writers never write some of these). */
const setFiles = (id: string, files: unknown[]) => (doc: Y.Doc) =>
  doc.getMap<Y.Map<unknown>>(MESSAGES).get(id)?.set('files', files);

const projectedFiles = async (messageId: string) =>
  (
    await db()
      .select({ fileIds: schema.messages.fileIds })
      .from(schema.messages)
      .where(eq(schema.messages.id, messageId))
  )[0]?.fileIds;

describe('attachments [S2]', () => {
  it('accepts own ready files of the channel and records the message on each file', async () => {
    const { ada } = sync.world.users;
    const { name, observer } = await freshDoc();
    const files = [await file(ada), await file(ada, publicChannel, { kind: 'pdf' })];
    let id = '';
    const result = await send(name, ada, observer, (doc) => {
      id = postMessage(doc, { author: ada, text: 'two files', files });
    });
    expect(result).toBe('ok');
    await waitFor('projection', async () =>
      (await projectedFiles(id))?.length ? true : undefined,
    );
    expect(await projectedFiles(id)).toEqual(files);
    for (const fileId of files) expect(await attachedTo(fileId)).toBe(id);
    await waitFor('observer', () => (readMessages(observer)[0]?.files.length ? true : undefined));
    expect(readMessages(observer)[0]?.files).toEqual(files);
  });

  it("refuses someone else's file, another channel's, a quarantined, a deleted or an unknown one", async () => {
    const { ada, bob } = sync.world.users;
    const { name, observer } = await freshDoc();
    const cases = {
      "Bob's": await file(bob),
      "the private channel's": await file(ada, privateChannel),
      quarantined: await file(ada, publicChannel, { status: 'quarantined' }),
      deleted: await file(ada, publicChannel, { deletedAt: new Date(), deletedBy: ada }),
      unknown: randomUUID(),
    };
    const fine = await file(ada);
    const rows = await logCount(name);
    for (const [what, fileId] of Object.entries(cases)) {
      const result = await send(name, ada, observer, (doc) =>
        postMessage(doc, { author: ada, text: what, files: [fine, fileId] }),
      );
      expect(result, what).toBe('file_not_attachable');
    }
    expect(await logCount(name)).toBe(rows);
    expect(readMessages(observer)).toEqual([]);
    const all = [fine, ...Object.values(cases)];
    const attached = await db()
      .select({ messageId: schema.files.messageId })
      .from(schema.files)
      .where(inArray(schema.files.id, all));
    expect(attached.every((row) => row.messageId === null)).toBe(true);
  });

  it('refuses a file named twice in one message as wrong_type', async () => {
    const { ada } = sync.world.users;
    const { name, observer } = await freshDoc();
    const fileId = await file(ada);
    const result = await send(name, ada, observer, (doc) => {
      const id = postMessage(doc, { author: ada, text: 'twice' });
      setFiles(id, [fileId, fileId])(doc);
    });
    expect(result).toBe('wrong_type');
    expect(await logCount(name)).toBe(0);
  });

  it('lets an edit remove files (detached) but add only attachable ones; a tombstone detaches all', async () => {
    const { ada, bob } = sync.world.users;
    const { name, observer } = await freshDoc();
    const [kept, dropped] = [await file(ada), await file(ada)];
    let id = '';
    expect(
      await send(name, ada, observer, (doc) => {
        id = postMessage(doc, { author: ada, text: 'x', files: [kept, dropped] });
      }),
    ).toBe('ok');
    await waitFor('attached', async () => ((await attachedTo(dropped)) === id ? true : undefined));
    await waitFor('observer', () => (readMessages(observer).length ? true : undefined));

    expect(await send(name, ada, observer, setFiles(id, [kept]))).toBe('ok');
    await waitFor('detached', async () =>
      (await attachedTo(dropped)) === null ? true : undefined,
    );
    expect(await attachedTo(kept)).toBe(id);
    expect(await projectedFiles(id)).toEqual([kept]);

    await waitFor('edit seen', () =>
      readMessages(observer)[0]?.files.length === 1 ? true : undefined,
    );
    const foreign = await file(bob);
    expect(await send(name, ada, observer, setFiles(id, [kept, foreign]))).toBe(
      'file_not_attachable',
    );
    // Put back: it is still Ada's, ready and not deleted.
    expect(await send(name, ada, observer, setFiles(id, [dropped, kept]))).toBe('ok');
    await waitFor('re-attached', async () =>
      (await attachedTo(dropped)) === id ? true : undefined,
    );

    await waitFor('edit seen', () =>
      readMessages(observer)[0]?.files.length === 2 ? true : undefined,
    );
    expect(await send(name, ada, observer, (doc) => deleteMessage(doc, id))).toBe('ok');
    await waitFor('all detached', async () =>
      (await attachedTo(kept)) === null && (await attachedTo(dropped)) === null ? true : undefined,
    );
    expect(await projectedFiles(id)).toEqual([]);
  });

  it("checks a reply's files against the thread's channel", async () => {
    const { ada } = sync.world.users;
    const root = '01JF0000000000000000000000';
    const name = docName({ kind: 'thread', channelId: publicChannel, rootId: root });
    const observer = (await sync.open(sync.world.users.bob, name)).doc;
    const other = await file(ada, privateChannel);
    expect(
      await send(name, ada, observer, (doc) =>
        postMessage(doc, { author: ada, text: 'r', parentId: root, files: [other] }),
      ),
    ).toBe('file_not_attachable');
    const own = await file(ada);
    expect(
      await send(name, ada, observer, (doc) =>
        postMessage(doc, { author: ada, text: 'r', parentId: root, files: [own] }),
      ),
    ).toBe('ok');
  });
});
