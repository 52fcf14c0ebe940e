import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MESSAGES, REACTIONS, reactionKey } from './layout';
import { type ValidationContext, validateUpdate } from './validator';
import {
  deleteMessage,
  editMessage,
  editMessageFiles,
  markRead,
  postMessage,
  saveDraft,
  toggleReaction,
} from './writers';

const ADA = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const ROOT = '01JDZZZZZZZZZZZZZZZZZZZZZZ';

/** A server copy and one replica per user, each with its own client id. */
function world(context: Partial<ValidationContext> = {}) {
  const server = new Y.Doc();
  const owners = new Map<number, string>();
  const replica = (userId: string) => {
    const doc = new Y.Doc();
    owners.set(doc.clientID, userId);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    return doc;
  };
  const contextFor = (
    userId: string,
    may: Partial<ValidationContext['may']> = {},
  ): ValidationContext => ({
    docKind: 'segment',
    userId,
    ownerOf: (client) => owners.get(client),
    ...context,
    may: { post: true, react: true, moderate: false, ...context.may, ...may },
  });
  /** Sends what `doc` has that the server lacks; applies it when the validator accepts. */
  const send = (doc: Y.Doc, userId: string, may: Partial<ValidationContext['may']> = {}) => {
    const update = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(server));
    const verdict = validateUpdate(server, update, contextFor(userId, may));
    if (verdict.ok) Y.applyUpdate(server, update);
    // Keep the replica in step with the server, as a provider would.
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    return verdict.ok ? 'ok' : verdict.reason;
  };
  return { server, owners, replica, send };
}

describe('validator: channel docs [S3] [S4]', () => {
  it('accepts a post as oneself and rejects one naming another author', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    postMessage(ada, { author: ADA, text: 'hi' });
    expect(send(ada, ADA)).toBe('ok');
    const forger = replica(ADA);
    postMessage(forger, { author: BOB, text: 'I am Bob' });
    expect(send(forger, ADA)).toBe('forged_author');
  });

  it('lets the author edit and delete, and refuses other members', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'v1' });
    send(ada, ADA);
    editMessage(ada, id, 'v2');
    expect(send(ada, ADA)).toBe('ok');
    const bob = replica(BOB);
    editMessage(bob, id, 'hijacked');
    expect(send(bob, BOB)).toBe('not_author');
    const bob2 = replica(BOB);
    deleteMessage(bob2, id);
    expect(send(bob2, BOB)).toBe('not_author');
    deleteMessage(ada, id);
    expect(send(ada, ADA)).toBe('ok');
    expect(() => editMessage(replica(ADA), id, 'back')).toThrow(/deleted/);
    const raw = replica(ADA);
    (raw.getMap(MESSAGES).get(id) as Y.Map<unknown>).set('text', 'back');
    expect(send(raw, ADA)).toBe('message_deleted');
  });

  it("lets a moderator tombstone another user's message but not rewrite it", () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'spam' });
    send(ada, ADA);
    const rewrite = replica(BOB);
    editMessage(rewrite, id, "words in Ada's mouth");
    expect(send(rewrite, BOB, { moderate: true })).toBe('not_author');
    const bob = replica(BOB);
    deleteMessage(bob, id);
    expect(send(bob, BOB, { moderate: true })).toBe('ok');
  });

  it('keeps reactions to their writer', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'lunch?' });
    send(ada, ADA);
    toggleReaction(ada, { messageId: id, userId: ADA, emoji: '👍' });
    expect(send(ada, ADA)).toBe('ok');
    const bob = replica(BOB);
    toggleReaction(bob, { messageId: id, userId: ADA, emoji: '👍' }); // removes Ada's
    expect(send(bob, BOB)).toBe('not_own_reaction');
    const forger = replica(BOB);
    toggleReaction(forger, { messageId: id, userId: ADA, emoji: '🎉' });
    expect(send(forger, BOB)).toBe('not_own_reaction');
    const honest = replica(BOB);
    toggleReaction(honest, { messageId: id, userId: BOB, emoji: '🎉' });
    expect(send(honest, BOB)).toBe('ok');
    expect(send(honest, BOB, { react: false })).toBe('ok'); // nothing new: nothing to refuse
    toggleReaction(honest, { messageId: id, userId: BOB, emoji: '🎉' });
    expect(send(honest, BOB, { react: false })).toBe('ok'); // clearing one's own stays possible
    const late = replica(BOB);
    toggleReaction(late, { messageId: id, userId: BOB, emoji: '🚀' });
    expect(send(late, BOB, { react: false })).toBe('reactions_not_allowed');
  });

  it("refuses another user's client id, unknown types and fields, wrong and oversized values", () => {
    const { replica, send, owners } = world();
    const ada = replica(ADA);
    owners.set(ada.clientID, BOB);
    postMessage(ada, { author: ADA, text: 'x' });
    expect(send(ada, ADA)).toBe('client_id_owned');

    const evil = replica(ADA);
    evil.getMap('evil').set('k', 1);
    expect(send(evil, ADA)).toBe('unknown_type');

    const field = replica(ADA);
    const id = postMessage(field, { author: ADA, text: 'ok' });
    (field.getMap(MESSAGES).get(id) as Y.Map<unknown>).set('pinned', true);
    expect(send(field, ADA)).toBe('unknown_field');

    const typed = replica(ADA);
    typed.transact(() => {
      const message = new Y.Map<unknown>();
      message.set('author', ADA);
      message.set('text', 42);
      message.set('createdAt', 1);
      typed.getMap(MESSAGES).set('01JE0000000000000000000000', message);
    });
    expect(send(typed, ADA)).toBe('wrong_type');

    const long = replica(ADA);
    postMessage(long, { author: ADA, text: 'x'.repeat(40_001) });
    expect(send(long, ADA)).toBe('text_too_long');

    const rich = replica(ADA);
    rich.transact(() => {
      const message = new Y.Map<unknown>();
      message.set('author', ADA);
      message.set('text', new Y.Text('nested'));
      message.set('createdAt', 1);
      rich.getMap(MESSAGES).set('01JE0000000000000000000001', message);
    });
    expect(send(rich, ADA)).not.toBe('ok');
  });

  it('refuses posts where posting is not allowed, removals, and deletes of the future', () => {
    const { replica, send, server } = world();
    const ada = replica(ADA);
    postMessage(ada, { author: ADA, text: 'announcement' });
    expect(send(ada, ADA, { post: false })).toBe('posting_not_allowed');

    const own = replica(ADA);
    const id = postMessage(own, { author: ADA, text: 'mine' });
    send(own, ADA);
    own.getMap(MESSAGES).delete(id);
    expect(send(own, ADA)).toBe('message_removal');

    const bob = replica(BOB);
    const future = futureDelete(bob.clientID);
    const verdict = validateUpdate(server, future, {
      docKind: 'segment',
      userId: ADA,
      ownerOf: () => ADA,
      may: { post: true, react: true, moderate: false },
    });
    expect(verdict).toMatchObject({ ok: false, reason: 'unknown_delete' });
  });

  it('keeps replies in their thread doc', () => {
    const { replica, send } = world({ docKind: 'thread', threadRootId: ROOT });
    const ada = replica(ADA);
    postMessage(ada, { author: ADA, text: 'reply', parentId: ROOT });
    expect(send(ada, ADA)).toBe('ok');
    const stray = replica(ADA);
    postMessage(stray, { author: ADA, text: 'no parent' });
    expect(send(stray, ADA)).toBe('wrong_thread');
  });

  it('accepts what was posted, edited, reacted and deleted offline, sent as one update', () => {
    // Both kinds of client: one that collects overwritten values (Yjs's default; they arrive
    // without content, often merged) and one that keeps them (the web client's wire doc).
    for (const gc of [true, false]) {
      const { server, owners, send } = world();
      const ada = new Y.Doc({ gc });
      owners.set(ada.clientID, ADA);
      Y.applyUpdate(ada, Y.encodeStateAsUpdate(server));
      const kept = postMessage(ada, { author: ADA, text: 'first draft' });
      editMessage(ada, kept, 'second draft');
      editMessage(ada, kept, 'final');
      toggleReaction(ada, { messageId: kept, userId: ADA, emoji: '👀' });
      // Added and taken back before it left: removes nothing anyone saw.
      toggleReaction(ada, { messageId: kept, userId: ADA, emoji: '🎉' });
      toggleReaction(ada, { messageId: kept, userId: ADA, emoji: '🎉' });
      const gone = postMessage(ada, { author: ADA, text: 'oops' });
      deleteMessage(ada, gone);
      expect(send(ada, ADA), `gc ${gc}`).toBe('ok');
      expect(server.getMap<Y.Map<unknown>>(MESSAGES).get(kept)?.get('text')).toBe('final');
      expect(server.getMap<Y.Map<unknown>>(MESSAGES).get(gone)?.get('deleted')).toBe(true);
    }
  });

  it('accepts a read marker moved several times offline in the user doc', () => {
    for (const gc of [true, false]) {
      const { server, owners, send } = world({ docKind: 'user' });
      const ada = new Y.Doc({ gc });
      owners.set(ada.clientID, ADA);
      for (const id of [
        '01JE0000000000000000000001',
        '01JE0000000000000000000002',
        '01JE0000000000000000000003',
      ])
        markRead(ada, 'channel:0b6c1f9e-2a57-4c39-9d0a-6c1d2e3f4a5b', id);
      expect(send(ada, ADA), `gc ${gc}`).toBe('ok');
      expect(server.getMap('readMarkers').get('channel:0b6c1f9e-2a57-4c39-9d0a-6c1d2e3f4a5b')).toBe(
        '01JE0000000000000000000003',
      );
    }
  });

  it('still refuses a new message created deleted but keeping its text, or edited by a forger', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    ada.transact(() => {
      const fields = new Y.Map<unknown>();
      for (const [key, value] of Object.entries({
        author: ADA,
        text: 'still here',
        createdAt: 1,
        deleted: true,
      }))
        fields.set(key, value);
      ada.getMap(MESSAGES).set('01JE0000000000000000000042', fields);
    });
    expect(send(ada, ADA)).toBe('wrong_type');
    // An overwritten (superseded) value hides nothing: the newest one is checked.
    const forger = replica(ADA);
    const id = postMessage(forger, { author: ADA, text: 'x' });
    forger.transact(() => {
      const message = forger.getMap<Y.Map<unknown>>(MESSAGES).get(id);
      message?.set('author', BOB);
    });
    expect(send(forger, ADA)).toBe('forged_author');
  });

  it('accepts a reaction key only in its exact form', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'x' });
    send(ada, ADA);
    ada.getMap(REACTIONS).set(`${reactionKey({ messageId: id, userId: ADA, emoji: 'a b' })}`, true);
    expect(send(ada, ADA)).toBe('invalid_key');
  });
});

describe('validator: attachments', () => {
  const MINE = '00000000-0000-4000-8000-0000000000f1';
  const SECOND = '00000000-0000-4000-8000-0000000000f2';
  const FOREIGN = '00000000-0000-4000-8000-0000000000f3';
  /** A server that knows MINE and SECOND as attachable and records what it was asked. */
  const serverWorld = () => {
    const asked: string[] = [];
    const attachable = (fileId: string) => {
      asked.push(fileId);
      return fileId === MINE || fileId === SECOND ? true : fileId === FOREIGN ? false : undefined;
    };
    return { ...world({ attachable }), asked };
  };

  it('accepts a message with attachable files and refuses one naming any other file', () => {
    const { replica, send, asked } = serverWorld();
    const ada = replica(ADA);
    postMessage(ada, { author: ADA, text: 'two files', files: [MINE, SECOND] });
    expect(send(ada, ADA)).toBe('ok');
    expect(asked.sort()).toEqual([MINE, SECOND]);
    for (const files of [[FOREIGN], [MINE, '00000000-0000-4000-8000-0000000000f4']]) {
      const other = replica(ADA);
      postMessage(other, { author: ADA, text: 'not mine', files });
      expect(send(other, ADA), files.join()).toBe('file_not_attachable');
    }
  });

  it('asks about every new file of an update before refusing, so unknown ones are looked up at once', () => {
    const { replica, send, asked } = serverWorld();
    const ada = replica(ADA);
    const unknown = [
      '00000000-0000-4000-8000-0000000000a1',
      '00000000-0000-4000-8000-0000000000a2',
    ];
    postMessage(ada, { author: ADA, text: 'first', files: [unknown[0] ?? ''] });
    postMessage(ada, { author: ADA, text: 'second', files: [unknown[1] ?? ''] });
    expect(send(ada, ADA)).toBe('file_not_attachable');
    expect(asked.sort()).toEqual(unknown);
  });

  it('checks only files an edit adds: removing one is always allowed', () => {
    const { replica, send, asked } = serverWorld();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'x', files: [MINE, SECOND] });
    expect(send(ada, ADA)).toBe('ok');
    asked.length = 0;
    editMessageFiles(ada, id, [MINE]);
    expect(send(ada, ADA)).toBe('ok');
    editMessage(ada, id, 'text only');
    expect(send(ada, ADA)).toBe('ok');
    expect(asked).toEqual([]);
    editMessageFiles(ada, id, [MINE, FOREIGN]);
    expect(send(ada, ADA)).toBe('file_not_attachable');
    expect(asked).toEqual([FOREIGN]);
    const back = replica(ADA);
    editMessageFiles(back, id, [SECOND, MINE]);
    expect(send(back, ADA)).toBe('ok');
    const tombstone = replica(ADA);
    deleteMessage(tombstone, id);
    expect(send(tombstone, ADA)).toBe('ok');
  });

  it('refuses a file listed twice, on the client too', () => {
    const { replica, send } = world();
    const raw = replica(ADA);
    raw.transact(() => {
      const fields = new Y.Map<unknown>();
      for (const [key, value] of Object.entries({
        author: ADA,
        text: 'twice',
        createdAt: 1,
        files: [MINE, MINE],
      }))
        fields.set(key, value);
      raw.getMap(MESSAGES).set('01JE0000000000000000000077', fields);
    });
    expect(send(raw, ADA)).toBe('wrong_type');
    // The writers never write a duplicate.
    const honest = replica(ADA);
    const id = postMessage(honest, { author: ADA, text: 'once', files: [MINE, MINE] });
    expect(send(honest, ADA)).toBe('ok');
    expect(honest.getMap<Y.Map<unknown>>(MESSAGES).get(id)?.get('files')).toEqual([MINE]);
  });

  it('leaves attachments to the server where the context cannot know them (clients)', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    postMessage(ada, { author: ADA, text: 'offline', files: [FOREIGN] });
    expect(send(ada, ADA)).toBe('ok');
  });
});

describe('validator: text rules [S2] [S8]', () => {
  // Lone surrogates never reach a validator: Yjs encodes strings as UTF-8 (TextEncoder), which
  // turns them into U+FFFD; the writers replace them locally too so replicas agree [S7].
  const HOSTILE = ['a\u0000b', 'bell\u0007', 'esc\u001b[31m', 'c1\u0085', 'del\u007f'];
  const CHANNEL = 'channel:0b6c1f9e-2a57-4c39-9d0a-6c1d2e3f4a5b';

  /** A message written raw, as a hostile client would: no writer normalizes it. */
  function rawPost(doc: Y.Doc, id: string, text: string, createdAt = 1) {
    doc.transact(() => {
      const message = new Y.Map<unknown>();
      message.set('author', ADA);
      message.set('text', text);
      message.set('createdAt', createdAt);
      doc.getMap(MESSAGES).set(id, message);
    });
  }

  it('refuses NUL and other control characters in message text', () => {
    for (const text of HOSTILE) {
      const { replica, send } = world();
      const ada = replica(ADA);
      rawPost(ada, '01JE0000000000000000000010', text);
      expect(send(ada, ADA), JSON.stringify(text)).toBe('invalid_text');
    }
  });

  it('refuses the same text in an edit, a draft and a preference', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'fine' });
    expect(send(ada, ADA)).toBe('ok');
    (ada.getMap(MESSAGES).get(id) as Y.Map<unknown>).set('text', 'now\u0000bad');
    expect(send(ada, ADA)).toBe('invalid_text');

    const user = world({ docKind: 'user' });
    const draft = user.replica(ADA);
    draft.getMap('drafts').set(CHANNEL, 'draft\u0000');
    expect(user.send(draft, ADA)).toBe('invalid_text');
    const pref = user.replica(ADA);
    pref.getMap('prefs').set('theme', 'dark\u001b');
    expect(user.send(pref, ADA)).toBe('invalid_text');
    const prefName = user.replica(ADA);
    prefName.getMap('prefs').set('the\u0000me', 'dark');
    expect(user.send(prefName, ADA)).toBe('invalid_key');
  });

  it('refuses a reaction whose emoji holds a control character', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'x' });
    send(ada, ADA);
    ada.getMap(REACTIONS).set(reactionKey({ messageId: id, userId: ADA, emoji: '👍\u0000' }), true);
    expect(send(ada, ADA)).toBe('invalid_key');
  });

  it('receives a lone surrogate as U+FFFD, never as text Postgres cannot hold', () => {
    const { replica, send, server } = world();
    const ada = replica(ADA);
    rawPost(ada, '01JE0000000000000000000013', 'half \ud83d');
    expect(send(ada, ADA)).toBe('ok');
    expect(
      server.getMap<Y.Map<unknown>>(MESSAGES).get('01JE0000000000000000000013')?.get('text'),
    ).toBe('half \ufffd');
  });

  it('accepts tabs, line breaks, CRLF, emoji and astral characters', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    rawPost(ada, '01JE0000000000000000000011', 'a\tb\r\nc\n👍🏽 𝔘𝔫𝔦 ½ «» \u200b');
    expect(send(ada, ADA)).toBe('ok');
  });

  it('refuses a time no date can hold', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    rawPost(ada, '01JE0000000000000000000012', 'from the far future', 1e300);
    expect(send(ada, ADA)).toBe('wrong_type');
  });

  it('lets the writers normalize hostile text so an honest client is never refused [S5]', () => {
    const { replica, send, server } = world();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'a\u0000b\ud83d' });
    expect(send(ada, ADA)).toBe('ok');
    expect(server.getMap<Y.Map<unknown>>(MESSAGES).get(id)?.get('text')).toBe('ab\ufffd');
    editMessage(ada, id, 'c\u001bd');
    expect(send(ada, ADA)).toBe('ok');
    toggleReaction(ada, { messageId: id, userId: ADA, emoji: '🎉\u0000' });
    expect(send(ada, ADA)).toBe('ok');
    expect(
      server.getMap(REACTIONS).has(reactionKey({ messageId: id, userId: ADA, emoji: '🎉' })),
    ).toBe(true);

    const user = world({ docKind: 'user' });
    const drafts = user.replica(ADA);
    saveDraft(drafts, CHANNEL, 'half\u0000 written');
    expect(user.send(drafts, ADA)).toBe('ok');
    expect(user.server.getMap('drafts').get(CHANNEL)).toBe('half written');
  });

  it('refuses an unknown field added to an existing message as unknown_field', () => {
    const { replica, send } = world();
    const ada = replica(ADA);
    const id = postMessage(ada, { author: ADA, text: 'ok' });
    expect(send(ada, ADA)).toBe('ok');
    (ada.getMap(MESSAGES).get(id) as Y.Map<unknown>).set('pinned', true);
    expect(send(ada, ADA)).toBe('unknown_field');
    const bob = replica(BOB);
    (bob.getMap(MESSAGES).get(id) as Y.Map<unknown>).set('pinned', true);
    expect(send(bob, BOB, { moderate: true })).toBe('unknown_field');
  });
});

/** An update with no structs and a delete set covering clocks 0-9 of `client`. */
function futureDelete(client: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = client;
  const text = doc.getText('t');
  text.insert(0, '0123456789');
  text.delete(0, 10);
  // Keep only the delete set: the structs it deletes stay unknown to the server.
  return Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc));
}
