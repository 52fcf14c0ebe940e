import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { channelMarkerKey, MESSAGES } from './layout';
import {
  messageCount,
  reactionsOn,
  readMarker,
  readMessageRecord,
  readMessages,
  stateClock,
} from './readers';
import {
  deleteMessage,
  editMessage,
  editMessageFiles,
  markRead,
  postMessage,
  toggleReaction,
} from './writers';

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

/** Two replicas with fixed client ids, the second caught up with the first. */
function twoWriters() {
  const first = new Y.Doc();
  first.clientID = 11;
  const second = new Y.Doc();
  second.clientID = 22;
  const sync = () =>
    Y.applyUpdate(second, Y.encodeStateAsUpdate(first, Y.encodeStateVector(second)));
  return { first, second, sync };
}

describe('readMessageRecord', () => {
  it('names the client that created a message and the one that deleted it', () => {
    const { first, second, sync } = twoWriters();
    const id = postMessage(first, { author: ADA, text: 'hi', now: 1_000 });
    sync();
    expect(readMessageRecord(second, id)).toEqual({
      text: 'hi',
      createdAt: 1_000,
      editedAt: null,
      deleted: false,
      files: undefined,
      creatorClient: 11,
      deleterClient: null,
    });
    deleteMessage(second, id, 2_000);
    expect(readMessageRecord(second, id)).toMatchObject({
      text: '',
      editedAt: 2_000,
      deleted: true,
      creatorClient: 11,
      deleterClient: 22,
    });
  });

  it('tells a message that never held files from one whose files were removed', () => {
    const doc = new Y.Doc();
    const plain = postMessage(doc, { author: ADA, text: 'a' });
    const withFile = postMessage(doc, { author: ADA, text: 'b', files: ['f1'] });
    expect(readMessageRecord(doc, plain)?.files).toBeUndefined();
    expect(readMessageRecord(doc, withFile)?.files).toEqual(['f1']);
    editMessageFiles(doc, withFile, []);
    expect(readMessageRecord(doc, withFile)?.files).toEqual([]);
  });

  it('answers null for an unknown id or a value that is not a message', () => {
    const doc = new Y.Doc();
    expect(readMessageRecord(doc, 'nope')).toBeNull();
    doc.getMap(MESSAGES).set('odd', 'not a map');
    expect(readMessageRecord(doc, 'odd')).toBeNull();
  });
});

describe('reactionsOn, stateClock, readMarker', () => {
  it('lists the reactions of the asked messages only', () => {
    const doc = new Y.Doc();
    const [a, b] = ['a', 'b'].map((text) => postMessage(doc, { author: ADA, text }));
    toggleReaction(doc, { messageId: a ?? '', userId: ADA, emoji: '👍' });
    toggleReaction(doc, { messageId: b ?? '', userId: ADA, emoji: '🎉' });
    expect(reactionsOn(doc, new Set([a ?? '']))).toEqual(
      new Map([[a, [{ messageId: a, userId: ADA, emoji: '👍' }]]]),
    );
  });

  it('grows the state clock with every change, equal on replicas holding the same state', () => {
    const { first, second, sync } = twoWriters();
    const before = stateClock(first);
    const id = postMessage(first, { author: ADA, text: 'a' });
    expect(stateClock(first)).toBeGreaterThan(before);
    sync();
    expect(stateClock(second)).toBe(stateClock(first));
    editMessage(second, id, 'b');
    expect(stateClock(second)).toBeGreaterThan(stateClock(first));
  });

  it('reads a read marker, null when unset', () => {
    const doc = new Y.Doc();
    expect(readMarker(doc, channelMarkerKey('c'))).toBeNull();
    markRead(doc, channelMarkerKey('c'), 'm1');
    expect(readMarker(doc, channelMarkerKey('c'))).toBe('m1');
  });
});
