import { createLogger, type EventBus, type EventHandler } from '@confab/db';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { type BusFrame, decodeBusFrame, encodeBusFrame } from './bus-frames';
import {
  DocFanOut,
  docTopic,
  type FanOutRoom,
  REANNOUNCE_FIRST_MS,
  REANNOUNCE_MAX_MS,
} from './doc-fan-out';

/**
 * A bus whose publications wait in a queue until the test delivers them, as Redis would: in
 * publish order, to every subscriber of the topic (the publisher included). So a test chooses
 * the interleaving of commits and bus messages.
 */
function manualBus() {
  const handlers = new Map<string, Set<EventHandler>>();
  const queue: Array<{ topic: string; message: Uint8Array }> = [];
  const published: BusFrame[] = [];
  let failures = 0;
  let attempts = 0;
  const bus: EventBus = {
    kind: 'redis',
    async publish(topic, message) {
      attempts++;
      if (failures > 0) {
        failures--;
        throw new Error('publish failed (test)');
      }
      published.push(decodeBusFrame(message));
      queue.push({ topic, message });
    },
    async subscribe(topic, handler) {
      const set = handlers.get(topic) ?? new Set();
      handlers.set(topic, set);
      set.add(handler);
      return async () => {
        set.delete(handler);
      };
    },
    onResubscribed() {},
    async close() {},
  };
  return {
    bus,
    published,
    /** Hands bytes to the topic's handlers at once, as if some node had published them. */
    deliverRaw(topic: string, message: Uint8Array) {
      for (const handler of handlers.get(topic) ?? []) handler(message);
    },
    /** The next `count` publishes fail (the command connection is down, the subscriber not). */
    failNext(count = 1) {
      failures = count;
    },
    /** Publishes tried, failed ones included. */
    attempts: () => attempts,
    /** Loses whatever is queued. */
    dropQueued() {
      queue.length = 0;
    },
    /** Delivers everything queued, including what delivering publishes. */
    deliverAll() {
      for (let next = queue.shift(); next; next = queue.shift())
        for (const handler of handlers.get(next.topic) ?? []) handler(next.message);
    },
  };
}

const awarenesses: Awareness[] = [];
afterAll(() => {
  for (const awareness of awarenesses) awareness.destroy();
});

/** A room that records what the fan-out makes it do. */
function recordingRoom() {
  const awareness = new Awareness(new Y.Doc());
  awarenesses.push(awareness);
  awareness.setLocalState(null); // as DocRoom's: the server holds no state of its own
  const room = {
    awareness,
    applied: [] as number[],
    awarenessUpdates: 0,
    catchUps: 0,
    applyRemoteUpdate(_update: Uint8Array, seq: number) {
      room.applied.push(seq);
    },
    applyRemoteAwareness() {
      room.awarenessUpdates++;
    },
    async catchUpFromLog() {
      room.catchUps++;
      return true;
    },
  } satisfies FanOutRoom & Record<string, unknown>;
  return room;
}

const logger = createLogger('silent');
const docName = 'seg:00000000-0000-4000-8000-000000000001:0';
const update = new Uint8Array([1, 2, 3]);
const kinds = (frames: BusFrame[]) => frames.map((frame) => frame.kind);
/** Lets setImmediate callbacks (the per-tick flush) run. */
const nextTick = () => new Promise((resolve) => setImmediate(resolve));
/** Lets a failed publish be handled, then the re-announce it scheduled run. */
const afterReannounce = async () => {
  await nextTick();
  await vi.advanceTimersByTimeAsync(REANNOUNCE_FIRST_MS);
};

async function node(bus: EventBus, nodeId: string) {
  const room = recordingRoom();
  const fanOut = new DocFanOut(docName, { nodeId, bus, logger });
  await fanOut.start(room);
  return { room, fanOut };
}

describe('fan-out of one doc between nodes', () => {
  it('publishes nothing but its hello while no other node holds the doc', async () => {
    const { bus, published, deliverAll } = manualBus();
    const a = await node(bus, 'a');
    deliverAll();
    for (let seq = 1; seq <= 5; seq++) a.fanOut.hooks.committed?.(update, seq);
    a.fanOut.hooks.awareness?.(update);
    await nextTick();
    deliverAll();
    expect(kinds(published)).toEqual(['hello']);
    expect(a.room.applied).toEqual([]);
  });

  it('sends the updates committed in one tick as one frame, applied in order elsewhere', async () => {
    const { bus, published, deliverAll } = manualBus();
    const a = await node(bus, 'a');
    const b = await node(bus, 'b');
    deliverAll();
    expect(a.fanOut.peerCount).toBe(1);
    expect(b.fanOut.peerCount).toBe(1);
    published.length = 0;
    for (const seq of [3, 1, 2]) a.fanOut.hooks.committed?.(update, seq);
    await nextTick();
    a.fanOut.hooks.committed?.(update, 4);
    await nextTick();
    deliverAll();
    expect(
      published.map((f) => (f.kind === 'updates' ? f.updates.map((u) => u.seq) : f.kind)),
    ).toEqual([[3, 1, 2], [4]]);
    expect(b.room.applied).toEqual([3, 1, 2, 4]);
    expect(a.room.applied).toEqual([]); // its own frames coming back are dropped
    expect(b.room.catchUps).toBe(0);
  });

  it('gives a newcomer the marker of what it committed alone, and the newcomer reads the log', async () => {
    const { bus, published, deliverAll } = manualBus();
    const a = await node(bus, 'a');
    deliverAll();
    a.fanOut.hooks.committed?.(update, 10);
    const b = await node(bus, 'b');
    // Committed after b subscribed, before a hears b's hello: not published, so behind the marker.
    a.fanOut.hooks.committed?.(update, 11);
    deliverAll();
    const heres = published.filter((f) => f.kind === 'here');
    expect(heres).toEqual([{ kind: 'here', node: 'a', marker: 11, frame: 0 }, expect.anything()]);
    expect(b.room.catchUps).toBe(1);
    expect(a.room.catchUps).toBe(0); // b committed nothing alone
    a.fanOut.hooks.committed?.(update, 12);
    await nextTick();
    deliverAll();
    expect(b.room.applied).toEqual([12]);
  });

  it('tells a holder what the newcomer committed before learning of it', async () => {
    const { bus, deliverAll } = manualBus();
    const a = await node(bus, 'a');
    deliverAll();
    const b = await node(bus, 'b');
    // b's client writes before b hears anything back: b knows no peer, so it publishes nothing.
    b.fanOut.hooks.committed?.(update, 20);
    await nextTick();
    deliverAll();
    expect(a.room.applied).toEqual([]);
    expect(a.room.catchUps).toBe(1);
    expect(b.room.catchUps).toBe(0);
  });

  it('reads the log when a numbered frame from a peer is missing', async () => {
    const { bus, deliverAll, dropQueued } = manualBus();
    const a = await node(bus, 'a');
    const b = await node(bus, 'b');
    deliverAll();
    const commit = async (seq: number) => {
      a.fanOut.hooks.committed?.(update, seq);
      await nextTick();
    };
    await commit(1);
    deliverAll();
    await commit(2);
    dropQueued(); // a publish that failed, or a message Redis dropped
    await commit(3);
    deliverAll();
    expect(b.room.applied).toEqual([1, 3]);
    expect(b.room.catchUps).toBe(1);
  });

  it('stops publishing when the other node says goodbye', async () => {
    const { bus, published, deliverAll } = manualBus();
    const a = await node(bus, 'a');
    const b = await node(bus, 'b');
    deliverAll();
    await b.fanOut.stop();
    deliverAll();
    expect(a.fanOut.peerCount).toBe(0);
    published.length = 0;
    a.fanOut.hooks.committed?.(update, 30);
    await nextTick();
    deliverAll();
    expect(published).toEqual([]);
  });

  it('after a bus cut, forgets its peers and learns them again from their answers', async () => {
    const { bus, published, deliverAll } = manualBus();
    const a = await node(bus, 'a');
    const b = await node(bus, 'b');
    deliverAll();
    published.length = 0;
    a.fanOut.reannounce();
    expect(a.fanOut.peerCount).toBe(0);
    // Committed before b's answer arrives: a marker again, which b is told in a's answer.
    a.fanOut.hooks.committed?.(update, 40);
    deliverAll();
    expect(kinds(published)).toEqual(['hello', 'here', 'here']);
    expect(a.fanOut.peerCount).toBe(1);
    expect(b.room.catchUps).toBe(1);
  });

  it('drops a malformed frame and goes on', async () => {
    const { bus, deliverRaw, deliverAll } = manualBus();
    const b = await node(bus, 'b');
    deliverAll();
    const hello = encodeBusFrame({ kind: 'hello', node: 'a' });
    expect(() => deliverRaw(docTopic(docName), new Uint8Array([99, 1, 97]))).not.toThrow();
    expect(() => deliverRaw(docTopic(docName), hello.slice(0, -1))).not.toThrow();
    deliverRaw(docTopic(docName), hello);
    expect(b.fanOut.peerCount).toBe(1);
  });

  describe('after a publish that failed while the subscription stayed up', () => {
    // Only timeouts are faked: the per-tick flush (setImmediate) runs as usual.
    afterEach(() => {
      vi.useRealTimers();
    });
    const fakeTimeouts = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

    it('says hello again when its hello was lost, so each side learns what the other committed alone', async () => {
      fakeTimeouts();
      const { bus, deliverAll, failNext } = manualBus();
      const a = await node(bus, 'a');
      deliverAll();
      failNext();
      const b = await node(bus, 'b');
      b.fanOut.hooks.committed?.(update, 5);
      a.fanOut.hooks.committed?.(update, 6);
      deliverAll();
      expect(a.fanOut.peerCount).toBe(0);
      await afterReannounce();
      deliverAll();
      expect(a.fanOut.peerCount).toBe(1);
      expect(b.fanOut.peerCount).toBe(1);
      expect(a.room.catchUps).toBe(1); // b's marker 5
      expect(b.room.catchUps).toBe(1); // a's marker 6
      b.fanOut.hooks.committed?.(update, 7);
      await nextTick();
      deliverAll();
      expect(a.room.applied).toEqual([7]);
    });

    it('says hello again when its here was lost, so the newcomer publishes to it', async () => {
      fakeTimeouts();
      const { bus, deliverAll, failNext } = manualBus();
      const a = await node(bus, 'a');
      deliverAll();
      const b = await node(bus, 'b');
      failNext(); // a's answer to b's hello
      deliverAll();
      expect(b.fanOut.peerCount).toBe(0);
      b.fanOut.hooks.committed?.(update, 8); // b knows no peer: behind its marker
      await afterReannounce();
      deliverAll();
      expect(b.fanOut.peerCount).toBe(1);
      expect(a.room.catchUps).toBe(1);
      b.fanOut.hooks.committed?.(update, 9);
      await nextTick();
      deliverAll();
      expect(a.room.applied).toEqual([9]);
    });

    it('puts a lost updates frame behind its marker, which the re-announce tells the peers', async () => {
      fakeTimeouts();
      const { bus, published, deliverAll, failNext } = manualBus();
      const a = await node(bus, 'a');
      const b = await node(bus, 'b');
      deliverAll();
      failNext();
      a.fanOut.hooks.committed?.(update, 3);
      a.fanOut.hooks.committed?.(update, 4);
      await nextTick();
      deliverAll();
      expect(b.room.catchUps).toBe(0);
      await afterReannounce();
      deliverAll();
      expect(published.filter((f) => f.kind === 'here' && f.node === 'a')).toEqual([
        expect.anything(),
        { kind: 'here', node: 'a', marker: 4, frame: 1 },
      ]);
      expect(b.room.catchUps).toBe(1);
    });

    it('backs off while publishes keep failing, the wait bounded, and stops when the doc closes', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const { bus, published, deliverAll, failNext, attempts } = manualBus();
      failNext(Number.POSITIVE_INFINITY);
      const a = await node(bus, 'a');
      await nextTick();
      const waits: number[] = [];
      for (let i = 0; i < 7; i++) {
        const before = Date.now();
        await vi.advanceTimersToNextTimerAsync();
        await nextTick();
        waits.push(Date.now() - before);
      }
      const first = REANNOUNCE_FIRST_MS;
      expect(waits).toEqual(
        [first, 2 * first, 4 * first, 8 * first, 16 * first, 32 * first, 32 * first].map((ms) =>
          Math.min(ms, REANNOUNCE_MAX_MS),
        ),
      );
      expect(attempts()).toBe(8); // the hello and seven more
      failNext(0);
      await vi.advanceTimersToNextTimerAsync();
      await nextTick();
      deliverAll();
      expect(kinds(published)).toEqual(['hello']);
      expect(vi.getTimerCount()).toBe(0); // it went out: nothing more to repair
      failNext(1);
      await a.fanOut.stop(); // its bye is lost: a closed doc is not announced again
      await nextTick();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('reads the log when a known peer’s here names a frame it never received', async () => {
    const { bus, deliverAll, dropQueued } = manualBus();
    const a = await node(bus, 'a');
    const b = await node(bus, 'b');
    deliverAll();
    a.fanOut.hooks.committed?.(update, 1);
    await nextTick();
    deliverAll();
    a.fanOut.hooks.committed?.(update, 2);
    await nextTick();
    dropQueued(); // lost on the way, the publisher none the wiser
    await node(bus, 'c'); // a answers c's hello with here(frame 2)
    deliverAll();
    expect(b.room.catchUps).toBe(1);
    a.fanOut.hooks.committed?.(update, 3);
    await nextTick();
    deliverAll();
    expect(b.room.applied).toEqual([1, 3]);
    expect(b.room.catchUps).toBe(1); // frame 3 follows the here's frame 2: nothing lost since
  });

  it('sends a new peer the awareness of the clients it holds', async () => {
    const { bus, published, deliverAll } = manualBus();
    const a = await node(bus, 'a');
    a.room.awareness.setLocalState({ user: 'ada' });
    deliverAll();
    const b = await node(bus, 'b');
    deliverAll();
    expect(published.filter((f) => f.kind === 'awareness').map((f) => f.node)).toEqual(['a']);
    expect(b.room.awarenessUpdates).toBe(1);
  });
});
