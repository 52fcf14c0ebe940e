import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { memoryOutboxStorage, Outbox } from './outbox';
import { readMessages } from './readers';
import { deleteMessage, postMessage } from './writers';

const ADA = '00000000-0000-4000-8000-00000000000a';

describe('outbox [S5]', () => {
  it('keeps intents across a reload until settled, and redoes them on a rebuilt doc', async () => {
    const storage = memoryOutboxStorage();
    const doc = new Y.Doc();
    const outbox = await Outbox.open(storage, 'd');
    await outbox.perform(doc, {
      kind: 'post',
      id: '01JE0000000000000000000001',
      author: ADA,
      text: 'one',
      createdAt: 1,
    });
    await outbox.perform(doc, {
      kind: 'edit',
      id: '01JE0000000000000000000001',
      text: 'one!',
      at: 2,
    });
    // The tab closes: a new outbox on the same storage still holds both.
    const reopened = await Outbox.open(storage, 'd');
    expect(reopened.pending.map((intent) => intent.kind)).toEqual(['post', 'edit']);
    // The server refused the doc: rebuild from (empty) server state and redo.
    const rebuilt = new Y.Doc();
    expect(reopened.replay(rebuilt)).toEqual([]);
    expect(readMessages(rebuilt).map((m) => m.text)).toEqual(['one!']);
    // Redoing twice changes nothing: posts re-use their id.
    const before = Y.encodeStateVector(rebuilt);
    reopened.replay(rebuilt);
    expect(Y.encodeStateVector(rebuilt)).toEqual(before);
    await reopened.settle();
    expect((await Outbox.open(storage, 'd')).pending).toEqual([]);
  });

  it('takes back a refused intent and still settles the others', async () => {
    const storage = memoryOutboxStorage();
    const outbox = await Outbox.open(storage, 'd');
    const doc = new Y.Doc();
    const post = (id: string, text: string) =>
      ({ kind: 'post', id, author: ADA, text, createdAt: 1 }) as const;
    const kept = post('01JE0000000000000000000001', 'kept');
    const refused = post('01JE0000000000000000000002', 'refused');
    await outbox.perform(doc, kept);
    await outbox.perform(doc, refused);
    await outbox.withdraw(refused);
    expect((await Outbox.open(storage, 'd')).pending).toEqual([kept]);
    await outbox.withdraw(refused); // twice: nothing left to take back
    // An intent the doc no longer allows is not kept either.
    await expect(
      outbox.perform(doc, { kind: 'edit', id: '01JE0000000000000000000009', text: 'x', at: 3 }),
    ).rejects.toThrow();
    expect((await Outbox.open(storage, 'd')).pending).toEqual([kept]);
    await outbox.settle();
    expect((await Outbox.open(storage, 'd')).pending).toEqual([]);
  });

  it('returns intents that no longer apply as failed drafts', async () => {
    const outbox = await Outbox.open(memoryOutboxStorage(), 'd');
    const doc = new Y.Doc();
    const id = postMessage(doc, { author: ADA, text: 'x' });
    await outbox.perform(doc, {
      kind: 'reaction',
      messageId: id,
      userId: ADA,
      emoji: '👍',
      on: true,
    });
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(doc));
    deleteMessage(server, id); // deleted on another device meanwhile
    const rebuilt = new Y.Doc();
    Y.applyUpdate(rebuilt, Y.encodeStateAsUpdate(server));
    expect(rebuilt.getMap('reactions').size).toBe(1);
    await outbox.perform(rebuilt, {
      kind: 'reaction',
      messageId: id,
      userId: ADA,
      emoji: '👍',
      on: false,
    });
    expect(rebuilt.getMap('reactions').size).toBe(0);
    const failed = outbox.replay(rebuilt);
    expect(failed).toEqual([
      { kind: 'reaction', messageId: id, userId: ADA, emoji: '👍', on: true },
    ]);
  });
});
