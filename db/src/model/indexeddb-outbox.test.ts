import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type IndexedDbFactory, indexedDbOutboxStorage } from './indexeddb-outbox';
import { Outbox } from './outbox';
import { readMessages } from './readers';

const ADA = '00000000-0000-4000-8000-00000000000a';

describe('outbox in IndexedDB [S5]', () => {
  it('keeps intents per doc across a reopened database', async () => {
    const factory = new IDBFactory() as unknown as IndexedDbFactory;
    const outbox = await Outbox.open(indexedDbOutboxStorage(factory), 'doc-a');
    await outbox.perform(new Y.Doc(), {
      kind: 'post',
      id: '01JE0000000000000000000001',
      author: ADA,
      text: 'typed offline',
      createdAt: 1,
    });
    // A new page load: a fresh storage object on the same IndexedDB.
    const reloaded = await Outbox.open(indexedDbOutboxStorage(factory), 'doc-a');
    expect(reloaded.pending).toHaveLength(1);
    expect((await Outbox.open(indexedDbOutboxStorage(factory), 'doc-b')).pending).toEqual([]);
    const doc = new Y.Doc();
    expect(reloaded.replay(doc)).toEqual([]);
    expect(readMessages(doc).map((m) => m.text)).toEqual(['typed offline']);
    await reloaded.settle();
    expect((await Outbox.open(indexedDbOutboxStorage(factory), 'doc-a')).pending).toEqual([]);
  });
});
