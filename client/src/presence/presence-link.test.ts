// @vitest-environment happy-dom
import { MessageType, PRESENCE_HEARTBEAT_MS } from '@confab/db/model';
import * as decoding from 'lib0/decoding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PresenceLink } from './presence-link';
import { parsePresenceFrame } from './presence-store';

/** A frame as the server reads it: its type and its JSON. */
function read(frame: Uint8Array) {
  const decoder = decoding.createDecoder(frame);
  return { type: decoding.readVarUint(decoder), json: JSON.parse(decoding.readVarString(decoder)) };
}

describe('the presence link', () => {
  let hidden = false;
  beforeEach(() => {
    vi.useFakeTimers();
    hidden = false;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const connectedLink = () => {
    const statuses: string[][] = [];
    const link = new PresenceLink({ onStatuses: (ids) => statuses.push(ids), idleMs: 60_000 });
    link.start();
    const sent: Array<{ type: number; json: unknown }> = [];
    link.connected((frame) => sent.push(read(frame)));
    return { link, sent, statuses };
  };

  it('reports on connecting, on every change and as a heartbeat', () => {
    const { link, sent } = connectedLink();
    expect(sent).toEqual([
      { type: MessageType.presenceReport, json: { state: 'active' } },
      // An empty watch list was never sent on this socket: nothing to replace yet.
    ]);
    hidden = true;
    document.dispatchEvent(new Event('visibilitychange'));
    expect(sent.at(-1)).toEqual({ type: MessageType.presenceReport, json: { state: 'away' } });
    vi.advanceTimersByTime(PRESENCE_HEARTBEAT_MS);
    expect(sent.filter((frame) => frame.type === MessageType.presenceReport)).toHaveLength(3);
    hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
    expect(sent.at(-1)?.json).toEqual({ state: 'active' });
    link.disconnected();
    vi.advanceTimersByTime(PRESENCE_HEARTBEAT_MS * 3);
    expect(sent.filter((frame) => frame.type === MessageType.presenceReport)).toHaveLength(4);
    link.stop();
  });

  it('goes away after the idle time and back on a key press', () => {
    const { link, sent } = connectedLink();
    vi.advanceTimersByTime(60_000);
    expect(sent.at(-1)?.json).toEqual({ state: 'away' });
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    expect(sent.at(-1)?.json).toEqual({ state: 'active' });
    link.stop();
  });

  it('sends the watch list after a pause, and all of it again on a new socket', () => {
    const { link, sent } = connectedLink();
    link.watch.add(['u1', 'u2']);
    vi.advanceTimersByTime(300);
    expect(sent.at(-1)).toEqual({ type: MessageType.presenceWatch, json: { users: ['u1', 'u2'] } });
    link.disconnected();
    const again: unknown[] = [];
    link.connected((frame) => again.push(read(frame).json));
    expect(again).toEqual([{ state: 'active' }, { users: ['u1', 'u2'] }]);
    link.stop();
  });

  it('keeps the presence a 105 frame reports and asks again for changed statuses', () => {
    const { link, statuses } = connectedLink();
    link.receive(JSON.stringify({ users: { u1: 'active', u2: 'offline' }, statuses: ['u3'] }));
    expect(link.store.get('u1')).toBe('active');
    expect(link.store.get('u2')).toBe('offline');
    expect(statuses).toEqual([['u3']]);
    link.stop();
  });
});

describe('reading 105 frames', () => {
  it('drops what is malformed and keeps the rest', () => {
    expect(parsePresenceFrame('not json').users.size).toBe(0);
    expect(parsePresenceFrame('null').users.size).toBe(0);
    expect(parsePresenceFrame('[1,2]').users.size).toBe(0);
    const frame = parsePresenceFrame(
      JSON.stringify({
        users: { a: 'active', b: 'busy', c: 7, __proto__: 'away', d: 'away' },
        statuses: ['x', 5, null, 'y'],
      }),
    );
    expect([...frame.users]).toEqual([
      ['a', 'active'],
      ['d', 'away'],
    ]);
    expect(frame.statuses).toEqual(['x', 'y']);
    expect(parsePresenceFrame(JSON.stringify({ users: ['active'] })).users.size).toBe(0);
  });
});
