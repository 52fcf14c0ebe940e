import {
  deleteMessage,
  editMessage,
  editMessageFiles,
  MESSAGES,
  postMessage,
  stateClock,
  toggleReaction,
} from '@confab/db/model';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { collectChanges, type DocChanges, emptyChanges } from '../engine/changes';
import {
  type DocRows,
  docRows,
  needsChannelMembers,
  type TextVersion,
  threadSummary,
} from './doc-rows';

/** Doc -> rows without a database: doc states built with the model's writers, rows expected. */

const ADA = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const CAT = '00000000-0000-4000-8000-00000000000c';
const CHANNEL = '00000000-0000-4000-8000-0000000000c1';
const RECEIVED = new Date('2026-11-30T10:00:00Z');
const SEQ = 7;

/** Two writers of one doc: Ada's replica (client 11) and Bob's (client 22), kept in sync. */
function channelDoc() {
  const ada = new Y.Doc();
  ada.clientID = 11;
  const bob = new Y.Doc();
  bob.clientID = 22;
  ada.on('update', (update: Uint8Array) => Y.applyUpdate(bob, update));
  bob.on('update', (update: Uint8Array) => Y.applyUpdate(ada, update));
  return { ada, bob };
}
const OWNERS = new Map([
  [11, ADA],
  [22, BOB],
]);

/** What `act` changed in `doc`, collected as the room collects it. */
function changesOf(doc: Y.Doc, act: () => void): DocChanges {
  const changes = emptyChanges();
  const collect = (transaction: Y.Transaction) => collectChanges(transaction, changes);
  doc.on('afterTransaction', collect);
  act();
  doc.off('afterTransaction', collect);
  return changes;
}

function rowsOf(
  doc: Y.Doc,
  changes: DocChanges,
  options: { threadRootId?: string; members?: string[]; versions?: boolean } = {},
): DocRows {
  const versions: TextVersion[] =
    options.versions === false
      ? []
      : changes.texts.map((text) => ({ ...text, seq: SEQ, receivedAt: RECEIVED }));
  return docRows({
    doc,
    docName: 'segment-doc',
    channelId: CHANNEL,
    threadRootId: options.threadRootId ?? null,
    changes,
    versions,
    seq: SEQ,
    receivedAt: RECEIVED,
    ownerOf: (client) => OWNERS.get(client) ?? null,
    channelMembers: options.members ?? [],
  });
}

describe('doc -> rows', () => {
  it('a new message: one row by the owner of its client id, and its first version', () => {
    const { ada } = channelDoc();
    let id = '';
    const changes = changesOf(ada, () => {
      id = postMessage(ada, { author: ADA, text: 'hello', now: 1_000 });
    });
    const out = rowsOf(ada, changes);
    expect(out.rows).toEqual([
      {
        id,
        channelId: CHANNEL,
        docName: 'segment-doc',
        authorId: ADA,
        parentId: null,
        text: 'hello',
        fileIds: undefined,
        createdAt: new Date(1_000),
        receivedAt: RECEIVED,
        editedAt: null,
        deletedAt: null,
        deletedBy: null,
        docSeq: SEQ,
        stateClock: stateClock(ada),
      },
    ]);
    expect(out.versions).toEqual([
      {
        messageId: id,
        itemId: expect.stringMatching(/^11:\d+$/),
        text: 'hello',
        editorId: ADA,
        editedAt: RECEIVED,
        docSeq: SEQ,
      },
    ]);
    expect(out.reactions.size + out.mentions.size).toBe(0);
    expect(out.thread).toBeNull();
  });

  it('the author names the owner of the creating client, whatever the author field says [S3]', () => {
    const { bob } = channelDoc();
    const changes = changesOf(bob, () => postMessage(bob, { author: ADA, text: 'forged' }));
    expect(rowsOf(bob, changes).rows[0]?.authorId).toBe(BOB);
  });

  it('an unknown client id projects with no author, not with a guess', () => {
    const doc = new Y.Doc();
    doc.clientID = 99;
    const changes = changesOf(doc, () => postMessage(doc, { author: ADA, text: 'x' }));
    expect(rowsOf(doc, changes).rows[0]?.authorId).toBeNull();
  });

  it('an edit: the row holds the new text and edit time, and the edit makes a version row', () => {
    const { ada } = channelDoc();
    const id = postMessage(ada, { author: ADA, text: 'v1', now: 1_000 });
    const changes = changesOf(ada, () => editMessage(ada, id, 'v2', 2_000));
    const out = rowsOf(ada, changes);
    expect(out.rows[0]).toMatchObject({ text: 'v2', editedAt: new Date(2_000), deletedAt: null });
    expect(out.versions.map(({ text, editorId }) => ({ text, editorId }))).toEqual([
      { text: 'v2', editorId: ADA },
    ]);
    // Each version is keyed by the Yjs item that held it: two edits, two keys.
    const again = changesOf(ada, () => editMessage(ada, id, 'v3', 3_000));
    expect(rowsOf(ada, again).versions[0]?.itemId).not.toBe(out.versions[0]?.itemId);
  });

  it('changes applied from another node write no version rows (their committer does)', () => {
    const { ada } = channelDoc();
    const id = postMessage(ada, { author: ADA, text: 'v1' });
    const changes = changesOf(ada, () => editMessage(ada, id, 'v2'));
    expect(rowsOf(ada, changes, { versions: false }).versions).toEqual([]);
  });

  it('a deletion by someone else: a tombstone row naming who deleted it, with no mentions', () => {
    const { ada, bob } = channelDoc();
    const id = postMessage(ada, { author: ADA, text: `hi <@${BOB}>`, now: 1_000 });
    const changes = changesOf(bob, () => deleteMessage(bob, id, 5_000));
    const out = rowsOf(bob, changes);
    expect(out.rows[0]).toMatchObject({
      authorId: ADA,
      text: '',
      editedAt: null,
      deletedAt: new Date(5_000),
      deletedBy: BOB,
    });
    expect(out.mentions.size).toBe(0);
  });

  it('a tombstone that still holds text (written raw, not by the writers) mentions nobody', () => {
    const { ada } = channelDoc();
    const id = postMessage(ada, { author: ADA, text: `hi <@${BOB}>`, now: 1_000 });
    const fields = ada.getMap<Y.Map<unknown>>(MESSAGES).get(id);
    const changes = changesOf(ada, () => {
      fields?.set('deleted', true);
      fields?.set('editedAt', 2_000);
    });
    const out = rowsOf(ada, changes);
    expect(out.rows[0]).toMatchObject({ deletedAt: new Date(2_000), deletedBy: ADA });
    expect(out.mentions.size).toBe(0);
  });

  it('files: undefined for a message that never held any, the list once it did (even empty)', () => {
    const { ada } = channelDoc();
    let id = '';
    const posted = changesOf(ada, () => {
      id = postMessage(ada, { author: ADA, text: 'f', files: ['file-1', 'file-1'] });
    });
    expect(rowsOf(ada, posted).rows[0]?.fileIds).toEqual(['file-1']);
    const emptied = changesOf(ada, () => editMessageFiles(ada, id, []));
    expect(rowsOf(ada, emptied).rows[0]?.fileIds).toEqual([]);
  });

  it('reactions: every user entry the message holds now, one removed is left out', () => {
    const { ada, bob } = channelDoc();
    const id = postMessage(ada, { author: ADA, text: 'react to me' });
    const other = postMessage(ada, { author: ADA, text: 'not me' });
    toggleReaction(ada, { messageId: other, userId: ADA, emoji: '👀' });
    const changes = changesOf(bob, () => {
      toggleReaction(bob, { messageId: id, userId: BOB, emoji: '👍' });
      toggleReaction(bob, { messageId: id, userId: BOB, emoji: '🎉' });
      toggleReaction(bob, { messageId: id, userId: BOB, emoji: '🎉' });
    });
    const out = rowsOf(bob, changes);
    expect(out.rows.map((row) => row.id)).toEqual([id]);
    expect(out.reactions).toEqual(
      new Map([[id, [{ messageId: id, userId: BOB, emoji: '👍', reactedAt: RECEIVED }]]]),
    );
    expect(out.versions).toEqual([]);
  });

  const mentionCases: Array<{ text: string; members?: string[]; expected: string[] }> = [
    { text: `hey <@${BOB}> and <@${CAT}>`, expected: [BOB, CAT] },
    { text: `twice <@${BOB}> <@${BOB}>`, expected: [BOB] },
    { text: `myself <@${ADA}>`, expected: [] },
    { text: 'all of you <!channel>', members: [ADA, BOB, CAT], expected: [BOB, CAT] },
    { text: 'whoever is here <!here>', members: [ADA, BOB, CAT], expected: [] },
    { text: '<@not-a-user-id> <@>', expected: [] },
    { text: 'plain text', expected: [] },
  ];
  it.each(mentionCases)('mentions in "$text": $expected', ({ text, members, expected }) => {
    const { ada } = channelDoc();
    let id = '';
    const changes = changesOf(ada, () => {
      id = postMessage(ada, { author: ADA, text });
    });
    const out = rowsOf(ada, changes, { members });
    expect(out.mentions.get(id) ?? []).toEqual(expected);
  });

  it('asks for the channel members only when a changed text holds <!channel>', () => {
    const { ada } = channelDoc();
    const here = changesOf(ada, () => postMessage(ada, { author: ADA, text: '<!here>' }));
    expect(needsChannelMembers(ada, here)).toBe(false);
    const channel = changesOf(ada, () => postMessage(ada, { author: ADA, text: '<!channel>' }));
    expect(needsChannelMembers(ada, channel)).toBe(true);
  });

  it('a thread doc: replies carry their root, and the summary counts live replies', () => {
    const { ada, bob } = channelDoc();
    const root = 'root-message-id';
    postMessage(ada, { author: ADA, text: 'r1', parentId: root, now: 1_000 });
    const second = postMessage(bob, { author: BOB, text: 'r2', parentId: root, now: 2_000 });
    const changes = changesOf(bob, () => {
      postMessage(bob, { author: BOB, text: 'r3', parentId: root, now: 3_000 });
      deleteMessage(bob, second, 4_000);
    });
    const out = rowsOf(bob, changes, { threadRootId: root });
    expect(out.rows.every((row) => row.parentId === root)).toBe(true);
    const last = [...changes.created][0];
    expect(out.thread).toEqual({
      channelId: CHANNEL,
      rootId: root,
      replyCount: 2,
      lastReplyId: last,
      lastReplyAt: new Date(3_000),
      participantIds: [ADA, BOB],
      stateClock: stateClock(bob),
    });
    expect(threadSummary(ada, CHANNEL, root)).toEqual(out.thread);
  });

  it('same state, same rows: replicas agree on every row and its state clock [S7]', () => {
    const { ada, bob } = channelDoc();
    const id = postMessage(ada, { author: ADA, text: 'a' });
    editMessage(bob, id, 'b');
    const all: DocChanges = { ...emptyChanges(), messageIds: new Set([id]) };
    expect(rowsOf(ada, all).rows).toEqual(rowsOf(bob, all).rows);
  });

  it('hostile or stale input: ids that are not messages and versions of unknown messages give no rows', () => {
    const doc = new Y.Doc();
    doc.getMap(MESSAGES).set('not-a-map', 'text');
    const changes: DocChanges = {
      ...emptyChanges(),
      messageIds: new Set(['not-a-map', 'missing']),
      texts: [{ messageId: 'missing', itemId: '1:0', text: 'ghost', client: 1 }],
    };
    const out = rowsOf(doc, changes);
    expect(out).toEqual({
      rows: [],
      versions: [],
      reactions: new Map(),
      mentions: new Map(),
      thread: null,
    });
  });
});
