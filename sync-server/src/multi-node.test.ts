import { createRedisBus, schema, sessionKey } from '@confab/db';
import { editMessage, postMessage, readMessages, toggleReaction } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { and, eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type BusFrame, decodeBusFrame } from './fan-out/bus-frames';
import { docTopic } from './fan-out/doc-fan-out';
import {
  addChannel,
  connectProvider,
  nextCloseCode,
  type SyncNode,
  say,
  storedDoc,
  texts,
  useSyncWorld,
} from './sync-test-kit';

const sync = useSyncWorld(undefined, {}, 2);
const nodes = sync.nodes;
const open = (node: SyncNode, userId: string, name: string) => sync.open(userId, name, node);

const spies: Redis[] = [];
afterAll(() => {
  for (const redis of spies) redis.disconnect();
});
/** Every frame the nodes publish on a doc's topic, heard by a subscriber that is no node. */
async function spyOn(name: string): Promise<BusFrame[]> {
  const redis = new Redis(sync.testRedis.url);
  spies.push(redis);
  // The backends put bus channels under `<key prefix>bus:`.
  const bus = await createRedisBus(redis, { prefix: `${sync.testRedis.prefix}bus:` });
  const frames: BusFrame[] = [];
  await bus.subscribe(docTopic(name), (bytes) => frames.push(decodeBusFrame(bytes)));
  return frames;
}
/** The log sequences of the updates carried by these frames. */
const publishedSeqs = (frames: BusFrame[]) =>
  frames.flatMap((frame) => (frame.kind === 'updates' ? frame.updates.map((u) => u.seq) : []));

describe('two sync nodes joined by Redis', () => {
  it('converges providers on different nodes and logs every update exactly once', async () => {
    const [one, two] = nodes as [SyncNode, SyncNode];
    const ada = await open(one, sync.world.users.ada, sync.world.publicDoc);
    const bob = await open(two, sync.world.users.bob, sync.world.publicDoc);
    for (let i = 0; i < 20; i++) {
      say(ada.doc, sync.world.users.ada, `ada-${i}`);
      say(bob.doc, sync.world.users.bob, `bob-${i}`);
    }
    await waitFor('convergence', () =>
      texts(ada.doc).length === 40 && texts(bob.doc).length === 40 ? true : undefined,
    );
    expect(readMessages(ada.doc)).toEqual(readMessages(bob.doc));
    const rows = await one.backends.database.db
      .select({ update: schema.docUpdates.update })
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, sync.world.publicDoc));
    expect(rows).toHaveLength(40);
  });

  it('serves a node that opens a doc late from Postgres, then live from the other node', async () => {
    const [one, two] = nodes as [SyncNode, SyncNode];
    const name = sync.world.publicSegment(1);
    const ada = await open(one, sync.world.users.ada, name);
    const id = say(ada.doc, sync.world.users.ada, 'early');
    const bob = await open(two, sync.world.users.bob, name);
    await waitFor('history', () => (texts(bob.doc).join() === 'early' ? true : undefined));
    editMessage(ada.doc, id, 'early and live');
    await waitFor('live', () => (texts(bob.doc).join() === 'early and live' ? true : undefined));
  });

  it('passes presence (awareness) between nodes', async () => {
    const [one, two] = nodes as [SyncNode, SyncNode];
    const name = sync.world.publicSegment(2);
    const ada = await open(one, sync.world.users.ada, name);
    const bob = await open(two, sync.world.users.bob, name);
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada', typing: true });
    await waitFor('presence', () =>
      [...bob.provider.awareness.getStates().values()].some(
        (state) => (state as { user?: { name: string } }).user?.name === 'Ada',
      )
        ? true
        : undefined,
    );
  });
});

describe('fan-out only to nodes that hold the doc', () => {
  it('publishes no update of a doc no other node has open, and every one once another has', async () => {
    const [one, two] = nodes as [SyncNode, SyncNode];
    const { ada, bob } = sync.world.users;
    const name = sync.world.publicSegment(10);
    const frames = await spyOn(name);
    const author = await sync.open(ada, name, one, { track: true });
    for (let i = 0; i < 5; i++) say(author.doc, ada, `alone-${i}`);
    await waitFor('acked', () => (author.tracker?.pending === false ? true : undefined));
    const reader = await open(two, bob, name);
    await waitFor('history on node two', () => (texts(reader.doc).length === 5 ? true : undefined));
    for (let i = 0; i < 5; i++) say(author.doc, ada, `shared-${i}`);
    await waitFor('live on node two', () => (texts(reader.doc).length === 10 ? true : undefined));
    await waitFor('five updates on the bus', () =>
      publishedSeqs(frames).length >= 5 ? true : undefined,
    );
    // The five written alone never went to the bus; the five written once node two held the doc
    // did, each once (their frames are numbered 1, 2, ... per tick).
    expect(publishedSeqs(frames)).toHaveLength(5);
    const kinds = new Set(frames.map((frame) => frame.kind));
    expect([...kinds].sort()).toEqual(['hello', 'here', 'updates']);
  });

  it('misses nothing on a node that opens the doc while another node writes to it', async () => {
    const [one, two] = nodes as [SyncNode, SyncNode];
    const { ada, bob } = sync.world.users;
    const name = sync.world.publicSegment(11);
    const author = await sync.open(ada, name, one, { track: true });
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        say(author.doc, ada, `m-${written++}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await waitFor('writing', () => (written > 20 ? true : undefined));
    const reader = await open(two, bob, name);
    await waitFor('more written after node two opened', () => (written > 80 ? true : undefined));
    writing = false;
    await writer;
    await waitFor('acked', () => (author.tracker?.pending === false ? true : undefined));
    await waitFor('node two has every message', () =>
      texts(reader.doc).length === written ? true : undefined,
    );
    expect(readMessages(reader.doc)).toEqual(readMessages(author.doc));
  });
});

describe('a message id created on two nodes at once', () => {
  it('logs the first creation and refuses the second, even when the nodes have not met yet', async () => {
    // A node on another bus prefix never hears the first node's fan-out.
    const deaf = await sync.addNode(`${sync.testRedis.prefix}deaf:`);
    const [one] = nodes as [SyncNode];
    const name = sync.world.publicSegment(3);
    const bob = await open(deaf, sync.world.users.bob, name); // the doc is loaded on the deaf node
    const ada = await open(one, sync.world.users.ada, name);
    const id = say(ada.doc, sync.world.users.ada, 'mine');
    await waitFor('logged', async () => {
      const rows = await one.backends.database.db
        .select({ seq: schema.docUpdates.seq })
        .from(schema.docUpdates)
        .where(eq(schema.docUpdates.docName, name));
      return rows.length ? true : undefined;
    });
    const closed = nextCloseCode(bob.provider);
    postMessage(bob.doc, { id, author: sync.world.users.bob, text: 'overwrite it' });
    expect(await closed).toBe(4422);
    const stored = await storedDoc(one.backends.database.db, name);
    expect(readMessages(stored).map((m) => [m.id, m.text])).toEqual([[id, 'mine']]);
  });
});

describe('a node whose copy missed an update committed on another node', () => {
  it('catches up from the log instead of refusing an honest client that carries it', async () => {
    // A node on another bus prefix hears nothing from the first: as if Redis had dropped the
    // fan-out [S9]. Its copy of the doc stays behind the log until something makes it look.
    const deaf = await sync.addNode(`${sync.testRedis.prefix}deaf-catch-up:`);
    const [one] = nodes as [SyncNode];
    const { ada, bob } = sync.world.users;
    const name = sync.world.publicSegment(4);
    const watcher = await open(deaf, bob, name); // loads the doc on the deaf node
    const author = await open(one, ada, name);
    const id = say(author.doc, ada, 'posted on node one');
    // Bob's laptop sees it on node one, then moves to the deaf node (a restart, a load balancer)
    // and reacts: on connecting it sends what the deaf node lacks, Ada's post included.
    const laptop = await open(one, bob, name);
    await waitFor('the post on the laptop', () => (texts(laptop.doc).length ? true : undefined));
    laptop.provider.destroy();
    const moved = await connectProvider(deaf, bob, name, { doc: laptop.doc, track: true });
    let closedWith: number | null = null;
    moved.provider.on('connection-close', (event) => {
      closedWith ??= (event as { code: number } | null)?.code ?? 0;
    });
    await waitFor('synced on the deaf node', () => (moved.provider.synced ? true : undefined));
    toggleReaction(moved.doc, { messageId: id, userId: bob, emoji: 'tada' });
    await waitFor('the reaction acked', () =>
      moved.tracker?.pending === false ? true : undefined,
    );
    expect(closedWith).toBeNull();
    // The catch-up reached everyone on the deaf node: the watcher sees the post and the reaction.
    await waitFor('the watcher caught up', () =>
      readMessages(watcher.doc).some((m) => m.id === id && m.reactions.get('tada')?.includes(bob))
        ? true
        : undefined,
    );
    const stored = await storedDoc(one.backends.database.db, name);
    expect(
      readMessages(stored)
        .find((m) => m.id === id)
        ?.reactions.get('tada'),
    ).toEqual([bob]);
    moved.provider.destroy();
  });

  it('reads the log of every open doc when its bus connection comes back', async () => {
    const deaf = await sync.addNode(`${sync.testRedis.prefix}deaf-reconnect:`);
    const [one] = nodes as [SyncNode];
    const name = sync.world.publicSegment(5);
    const watcher = await open(deaf, sync.world.users.bob, name);
    const author = await open(one, sync.world.users.ada, name);
    say(author.doc, sync.world.users.ada, 'while the bus was away');
    await waitFor('logged', async () =>
      readMessages(await storedDoc(one.backends.database.db, name)).length ? true : undefined,
    );
    expect(texts(watcher.doc)).toEqual([]);
    // Cut the deaf node's subscriber connection: ioredis connects and subscribes again, and what
    // was published meanwhile (here: everything) is lost.
    await deaf.cutBus();
    await waitFor('the watcher caught up', () =>
      texts(watcher.doc).includes('while the bus was away') ? true : undefined,
    );
  });

  it('checks again who may open each doc, and whose session lives, when its bus comes back', async () => {
    const node = await sync.addNode();
    const db = node.backends.database.db;
    const { ada, bob } = sync.world.users;
    const { channelId, doc } = await addChannel(db, sync.world, { kind: 'private', name: 'cut' }, [
      ada,
      bob,
    ]);
    const reader = await open(node, bob, doc);
    const owner = await open(node, ada, doc);
    const [readerClosed, ownerClosed] = [
      nextCloseCode(reader.provider),
      nextCloseCode(owner.provider),
    ];
    // Without the events the API publishes, as if they were sent while the bus was cut: Bob is
    // removed from the channel, Ada logs out.
    await db
      .delete(schema.channelMembers)
      .where(
        and(eq(schema.channelMembers.channelId, channelId), eq(schema.channelMembers.userId, bob)),
      );
    await node.backends.kv.delete(sessionKey(`session-${ada}`));
    await node.cutBus();
    expect(await readerClosed).toBe(4403);
    expect(await ownerClosed).toBe(4401);
  });
});
