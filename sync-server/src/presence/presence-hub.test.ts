import {
  createInProcessBus,
  createInProcessPresenceStore,
  createLogger,
  type EventBus,
  encodePresenceEvent,
  type PresenceStore,
  presenceUserTopic,
} from '@confab/db';
import { MessageType, PRESENCE_HEARTBEAT_MS, type PresenceFrame } from '@confab/db/model';
import * as decoding from 'lib0/decoding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type PresenceConnection, PresenceHub } from './presence-hub';

const GRACE_MS = 1_000;
const TTL_MS = 3_000;
const ada = '00000000-0000-4000-8000-00000000000a';
const bob = '00000000-0000-4000-8000-00000000000b';
const cy = '00000000-0000-4000-8000-00000000000c';
const stranger = '00000000-0000-4000-8000-0000000000ff';

/** A connection that keeps the 105 frames it is sent. */
function client(userId: string) {
  const frames: PresenceFrame[] = [];
  const connection: PresenceConnection = {
    userId,
    send(frame) {
      const decoder = decoding.createDecoder(frame);
      expect(decoding.readVarUint(decoder)).toBe(MessageType.presence);
      frames.push(JSON.parse(decoding.readVarString(decoder)) as PresenceFrame);
    },
  };
  return { connection, frames };
}

let store: PresenceStore;
let bus: EventBus;
let hubs: PresenceHub[];

/** People nobody may see: the stranger, and whoever a test adds (a membership ended). */
let hidden: Set<string>;

/** A hub whose users may see everyone but the hidden. */
function startHub() {
  const hub = new PresenceHub({
    store,
    bus,
    visible: async (_viewer, ids) => ids.filter((id) => !hidden.has(id)),
    logger: createLogger('silent'),
  });
  hubs.push(hub);
  return hub;
}

/** Lets timers up to `ms` from now run, with the promises they start. */
const pass = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
  store = createInProcessPresenceStore({ graceMs: GRACE_MS, ttlMs: TTL_MS }, () => Date.now());
  bus = createInProcessBus();
  hubs = [];
  hidden = new Set([stranger]);
});
afterEach(async () => {
  for (const hub of hubs) await hub.stop();
  vi.useRealTimers();
});

describe('presence of one user on one node', () => {
  it('counts a connection active until its first report, then as it reports', async () => {
    const hub = startHub();
    const session = hub.attach(client(ada).connection);
    await pass(0);
    expect((await store.read([ada])).get(ada)).toBe('active');
    session.report('away');
    await pass(0);
    expect((await store.read([ada])).get(ada)).toBe('away');
    session.report('active');
    await pass(0);
    expect((await store.read([ada])).get(ada)).toBe('active');
  });

  it('turns a connection away once it missed three heartbeats, and back with its next report', async () => {
    const hub = startHub();
    const session = hub.attach(client(ada).connection);
    await pass(3 * PRESENCE_HEARTBEAT_MS - 1_000);
    session.report('active'); // a heartbeat: the count starts again
    await pass(3 * PRESENCE_HEARTBEAT_MS - 1_000);
    expect((await store.read([ada])).get(ada)).toBe('active');
    // Noticed on the next refresh (every third of the TTL).
    await pass(1_000 + hub.refreshMs);
    expect((await store.read([ada])).get(ada)).toBe('away');
    session.report('active');
    await pass(0);
    expect((await store.read([ada])).get(ada)).toBe('active');
  });

  it('is the strongest of the user’s connections: a second device keeps her active', async () => {
    const hub = startHub();
    const phone = hub.attach(client(ada).connection);
    const laptop = hub.attach(client(ada).connection);
    phone.report('away');
    await pass(0);
    expect((await store.read([ada])).get(ada)).toBe('active');
    laptop.close();
    await pass(0);
    expect((await store.read([ada])).get(ada)).toBe('away');
  });

  it('keeps a user for the grace period after the last connection closed, then goes offline', async () => {
    const hub = startHub();
    hub.attach(client(ada).connection).close();
    await pass(GRACE_MS - 100);
    expect((await store.read([ada])).get(ada)).toBe('active');
    await pass(200);
    expect((await store.read([ada])).get(ada)).toBe('offline');
  });

  it('does not flap a user who reconnects within the grace period', async () => {
    const hub = startHub();
    const first = hub.attach(client(ada).connection);
    const watcher = client(bob);
    await hub.attach(watcher.connection).watch([ada]);
    first.close();
    await pass(GRACE_MS / 2);
    hub.attach(client(ada).connection);
    await pass(2 * GRACE_MS + TTL_MS);
    expect(watcher.frames.flatMap((frame) => Object.values(frame.users ?? {}))).toEqual(['active']);
  });

  it('stays alive while the node refreshes, past many TTLs', async () => {
    startHub().attach(client(ada).connection);
    await pass(5 * TTL_MS);
    expect((await store.read([ada])).get(ada)).toBe('active');
  });
});

describe('watches', () => {
  it('answers a watch with the presence of every newly watched user, strangers left out', async () => {
    const hub = startHub();
    hub.attach(client(ada).connection);
    const watcher = client(bob);
    const session = hub.attach(watcher.connection);
    await session.watch([ada, cy, stranger, ada]);
    expect(watcher.frames).toEqual([{ users: { [ada]: 'active', [cy]: 'offline' } }]);
    // A watch replaces the set; only the newly watched are in its answer.
    await session.watch([cy]);
    await session.watch([cy, ada]);
    expect(watcher.frames.slice(1)).toEqual([{ users: {} }, { users: { [ada]: 'active' } }]);
  });

  it('runs only the newest of watches sent while one is being checked', async () => {
    let checks = 0;
    const hub = new PresenceHub({
      store,
      bus,
      visible: async (_viewer, ids) => {
        checks++;
        return [...ids];
      },
      logger: createLogger('silent'),
    });
    hubs.push(hub);
    const watcher = client(bob);
    const session = hub.attach(watcher.connection);
    const floods = [[ada], [cy], [ada, cy], [cy]].map((ids) => session.watch(ids));
    await Promise.all(floods);
    expect(checks).toBe(2);
    expect(watcher.frames).toEqual([
      { users: { [ada]: 'offline' } },
      { users: { [cy]: 'offline' } },
    ]);
  });

  it('tells watchers what changed, several changes of one tick in one frame', async () => {
    const hub = startHub();
    const watcher = client(bob);
    await hub.attach(watcher.connection).watch([ada, cy]);
    hub.attach(client(ada).connection);
    hub.attach(client(cy).connection);
    await pass(100);
    expect(watcher.frames.slice(1)).toEqual([{ users: { [ada]: 'active', [cy]: 'active' } }]);
  });

  it('ends a watcher on the newest state when its snapshot read loses a race with a change', async () => {
    // The watch's read sees Ada active but answers late, after her change to away was read
    // and sent: the stale snapshot must not be the last word the watcher hears.
    let holdNext = false;
    let release = () => {};
    const inner = store;
    store = {
      ...inner,
      async read(userIds) {
        const value = await inner.read(userIds);
        if (holdNext) {
          holdNext = false;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        return value;
      },
    };
    const hub = startHub();
    const ada1 = hub.attach(client(ada).connection);
    const cyWatches = hub.attach(client(cy).connection);
    await cyWatches.watch([ada]);
    const watcher = client(bob);
    holdNext = true;
    const watching = hub.attach(watcher.connection).watch([ada]);
    await pass(0);
    ada1.report('away');
    await pass(100);
    release();
    await watching;
    await pass(100);
    const seen = Object.assign({}, ...watcher.frames.map((frame) => frame.users ?? {}));
    expect(seen[ada]).toBe('away');
  });

  it('survives a bus that fails a subscription: the watch answers, later ones run, the tick subscribes again', async () => {
    const inner = bus;
    let failures = 1;
    bus = {
      kind: inner.kind,
      publish: (topic, message) => inner.publish(topic, message),
      async subscribe(topic, handler) {
        if (failures-- > 0) throw new Error('bus down');
        return inner.subscribe(topic, handler);
      },
      onResubscribed: (listener) => inner.onResubscribed(listener),
      close: () => inner.close(),
    };
    const hub = startHub();
    const watcher = client(bob);
    const session = hub.attach(watcher.connection);
    await session.watch([ada]);
    await session.watch([ada, cy]);
    expect(watcher.frames).toEqual([
      { users: { [ada]: 'offline' } },
      { users: { [cy]: 'offline' } },
    ]);
    await pass(TTL_MS);
    // Another node's change reaches the watcher through the subscription the tick made again.
    await startHub().attach(client(ada).connection);
    await pass(100);
    const seen = Object.assign({}, ...watcher.frames.map((frame) => frame.users ?? {}));
    expect(seen[ada]).toBe('active');
  });

  it('never tells a watcher about users outside its watch list', async () => {
    const hub = startHub();
    const watcher = client(bob);
    const session = hub.attach(watcher.connection);
    await session.watch([ada]);
    await session.watch([]);
    hub.attach(client(ada).connection);
    hub.attach(client(cy).connection);
    await pass(2 * TTL_MS);
    expect(watcher.frames).toEqual([{ users: { [ada]: 'offline' } }, { users: {} }]);
  });

  it('drops a watched user the watcher may no longer see once memberships changed', async () => {
    const hub = startHub();
    const watcher = client(bob);
    await hub.attach(watcher.connection).watch([ada, cy]);
    hidden.add(ada);
    await hub.recheck([ada]);
    hub.attach(client(ada).connection);
    hub.attach(client(cy).connection);
    await pass(2 * TTL_MS);
    expect(watcher.frames.slice(1)).toEqual([{ users: { [cy]: 'active' } }]);
  });

  it('passes on status changes of watched users as `statuses`', async () => {
    const hub = startHub();
    const watcher = client(bob);
    await hub.attach(watcher.connection).watch([ada]);
    for (const userId of [ada, cy])
      await bus.publish(presenceUserTopic(userId), encodePresenceEvent({ kind: 'status', userId }));
    await pass(100);
    expect(watcher.frames.slice(1)).toEqual([{ statuses: [ada] }]);
  });

  it('hears another node’s changes through the bus', async () => {
    const here = startHub();
    const there = startHub();
    const watcher = client(bob);
    await here.attach(watcher.connection).watch([ada]);
    const session = there.attach(client(ada).connection);
    await pass(100);
    session.report('away');
    await pass(100);
    expect(watcher.frames.slice(1)).toEqual([
      { users: { [ada]: 'active' } },
      { users: { [ada]: 'away' } },
    ]);
  });

  it('notices a node that died once its TTL ran out, with nobody cleaning up', async () => {
    const hub = startHub();
    const watcher = client(bob);
    // A node that wrote Ada once and never again (killed): nothing is published when it dies.
    await store.write('dead-node', new Map([[ada, 'active']]));
    await hub.attach(watcher.connection).watch([ada]);
    await pass(TTL_MS - 100);
    expect(watcher.frames).toEqual([{ users: { [ada]: 'active' } }]);
    await pass(hub.refreshMs + 200);
    expect(watcher.frames.slice(1)).toEqual([{ users: { [ada]: 'offline' } }]);
  });

  it('takes a stopping node’s users offline at once, grace or not', async () => {
    const stopping = startHub();
    const watching = startHub();
    const watcher = client(bob);
    await watching.attach(watcher.connection).watch([ada, cy]);
    stopping.attach(client(ada).connection);
    stopping.attach(client(cy).connection).close(); // in its grace period
    await pass(100);
    await stopping.stop();
    await pass(100);
    expect(watcher.frames.at(-1)).toEqual({ users: { [ada]: 'offline', [cy]: 'offline' } });
  });
});
