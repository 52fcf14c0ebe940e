import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { guardedReplica } from './guarded-replica';
import { readMessages } from './readers';
import { editMessage, postMessage } from './writers';

const ADA = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const may = { post: true, react: true, moderate: false };

describe('guarded replica: the validator before a change leaves the client [S5]', () => {
  it('passes allowed changes to the wire doc and keeps refused ones local', () => {
    // Ada's message, as Bob's client received it from the server.
    const server = new Y.Doc();
    const adaId = postMessage(server, { author: ADA, text: 'from Ada' });
    const wire = new Y.Doc();
    Y.applyUpdate(wire, Y.encodeStateAsUpdate(server));
    const guard = guardedReplica(wire, () => ({ docKind: 'segment', userId: BOB, may }));
    const { local } = guard;
    expect(readMessages(local).map((m) => m.text)).toEqual(['from Ada']);
    const refused: string[] = [];
    guard.onRefused((verdict) => refused.push(verdict.reason));

    postMessage(local, { author: BOB, text: 'from Bob' });
    expect(readMessages(guard.wire).map((m) => m.text)).toEqual(['from Ada', 'from Bob']);

    editMessage(local, adaId, 'rewritten by Bob');
    expect(refused).toEqual(['not_author']);
    expect(readMessages(guard.wire).map((m) => m.text)).toEqual(['from Ada', 'from Bob']);

    // What arrives from the server reaches the local doc.
    const later = new Y.Doc();
    Y.applyUpdate(later, Y.encodeStateAsUpdate(guard.wire));
    postMessage(later, { author: ADA, text: 'again' });
    Y.applyUpdate(guard.wire, Y.encodeStateAsUpdate(later, Y.encodeStateVector(guard.wire)));
    expect(readMessages(local).map((m) => m.text)).toContain('again');

    // A new replica from the wire doc has everything but the refused edit.
    guard.destroy();
    const rebuilt = guardedReplica(guard.wire, () => ({ docKind: 'segment', userId: BOB, may }));
    expect(readMessages(rebuilt.local).map((m) => m.text)).toEqual([
      'from Ada',
      'from Bob',
      'again',
    ]);
    rebuilt.destroy();
  });

  it('refuses a post the channel policy forbids before it is sent', () => {
    const guard = guardedReplica(new Y.Doc(), () => ({
      docKind: 'segment',
      userId: BOB,
      may: { ...may, post: false },
    }));
    const refused: string[] = [];
    guard.onRefused((verdict) => refused.push(verdict.reason));
    postMessage(guard.local, { author: BOB, text: 'announcement?' });
    expect(refused).toEqual(['posting_not_allowed']);
    expect(guard.wire.getMap('messages').size).toBe(0);
  });
});
