import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MESSAGES } from './layout';
import { messageCount, readMessages } from './readers';
import { deleteMessage, editMessage, postMessage } from './writers';

const ADA = '00000000-0000-4000-8000-00000000000a';

describe('messageCount', () => {
  it('counts every message, tombstones included, like the map and the reader do', () => {
    const doc = new Y.Doc();
    const ids = ['a', 'b', 'c'].map((text) => postMessage(doc, { author: ADA, text }));
    editMessage(doc, ids[0] ?? '', 'a!');
    deleteMessage(doc, ids[1] ?? '');
    expect(messageCount(doc)).toBe(3);
    expect(messageCount(doc)).toBe(doc.getMap(MESSAGES).size);
    expect(messageCount(doc)).toBe(readMessages(doc).length);
    // A replica built from the update agrees.
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    expect(messageCount(copy)).toBe(3);
  });
});
