import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { trackPersistence } from './persistence-tracker';
import { MessageType } from './wire';

/** Feeds the tracker a persisted ack as the provider would, from the server's state vector. */
function ack(provider: { messageHandlers: Array<(...args: never[]) => void> }, serverState: Y.Doc) {
  const handler = provider.messageHandlers[MessageType.persisted] as unknown as (
    e: unknown,
    d: decoding.Decoder,
  ) => void;
  const sv = Y.encodeStateVector(serverState);
  const frame = new Uint8Array([sv.length, ...sv]); // varuint length prefix (short vectors)
  handler(null, decoding.createDecoder(frame));
}

describe('trackPersistence', () => {
  it('asks for acks and keeps the other parameters', () => {
    const provider = { params: { ticket: 't' }, messageHandlers: [] };
    trackPersistence(provider, new Y.Doc());
    expect(provider.params).toEqual({ ticket: 't', acks: '1' });
  });

  it('is pending while any local clock is ahead of the acked state vector', () => {
    const provider = { params: {}, messageHandlers: [] as Array<(...args: never[]) => void> };
    const doc = new Y.Doc();
    const tracker = trackPersistence(provider, doc);
    expect(tracker.pending).toBe(false);
    doc.getMap('m').set('a', 1);
    expect(tracker.pending).toBe(true);
    const server = new Y.Doc();
    ack(provider, server); // an ack from before the change arrived
    expect(tracker.pending).toBe(true);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(doc));
    ack(provider, server);
    expect(tracker.pending).toBe(false);
  });

  it('counts changes of an earlier session of this device (another client id) too', () => {
    const earlier = new Y.Doc();
    earlier.getMap('m').set('draft', 'typed before the reload');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(earlier)); // as y-indexeddb restores it
    const tracker = trackPersistence({ params: {}, messageHandlers: [] }, doc);
    expect(tracker.pending).toBe(true);
  });

  it('counts what arrives through the provider as durable: the server sends only committed state', () => {
    const provider = { params: {}, messageHandlers: [] as Array<(...args: never[]) => void> };
    const doc = new Y.Doc();
    const tracker = trackPersistence(provider, doc);
    const other = new Y.Doc();
    other.getMap('m').set('from someone else', 1);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), provider);
    expect(tracker.pending).toBe(false);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), 'another origin');
    doc.getMap('m').set('mine', 2);
    expect(tracker.pending).toBe(true);
  });

  it('never lets an older ack arriving late undo a newer one', () => {
    const provider = { params: {}, messageHandlers: [] as Array<(...args: never[]) => void> };
    const doc = new Y.Doc();
    const tracker = trackPersistence(provider, doc);
    doc.getMap('m').set('a', 1);
    const older = new Y.Doc();
    const newer = new Y.Doc();
    Y.applyUpdate(newer, Y.encodeStateAsUpdate(doc));
    ack(provider, newer);
    expect(tracker.pending).toBe(false);
    ack(provider, older);
    expect(tracker.pending).toBe(false);
  });

  it('learns from incremental updates the server sends, not only from ones starting at clock 0', () => {
    const provider = { params: {}, messageHandlers: [] as Array<(...args: never[]) => void> };
    const doc = new Y.Doc();
    const tracker = trackPersistence(provider, doc);
    const other = new Y.Doc();
    other.getMap('m').set('first', 1);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), provider);
    const before = Y.encodeStateVector(other);
    other.getMap('m').set('second', 2);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other, before), provider); // starts at clock 1
    expect(tracker.pending).toBe(false);
  });
});
