import { schema } from '@confab/db';
import {
  editMessage,
  type Intent,
  MESSAGES,
  memoryOutboxStorage,
  newMessageId,
  Outbox,
  type PersistenceTracker,
  REACTIONS,
  reactionKey,
  readMessages,
} from '@confab/db/model';
import { seededRandom, waitFor } from '@confab/db/testing';
import { and, eq, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import { connectProvider, storedDoc, useSyncWorld } from './sync-test-kit';

/**
 * Seeded convergence fuzz [S5] [S7]: peers of two users post, edit, delete, react, drop offline
 * and come back, and one sometimes makes a forbidden edit; the server refuses it, that peer
 * rebuilds its doc and redoes its pending intents from its outbox. At the end every replica,
 * the log and the projection agree, and no intent is lost. CONVERGENCE_SEED=n replays a seed;
 * seeds that ever failed are kept below as named tests.
 */
// Seed 3 once looped: a peer redid a reaction on a message deleted meanwhile, was refused, rebuilt,
// and redid it again (now a failed draft).
const KEPT_SEEDS = [3];
const SEED = Number(process.env.CONVERGENCE_SEED ?? 20261126);
const STEPS = 160;

const sync = useSyncWorld();

interface Peer {
  userId: string;
  doc: Y.Doc;
  provider: WebsocketProvider;
  tracker: PersistenceTracker;
  outbox: Outbox;
  rejected: boolean;
  resets: number;
  failedDrafts: number;
}

async function connect(peer: Omit<Peer, 'doc' | 'provider' | 'tracker'>, name: string) {
  const { doc, provider, tracker } = await connectProvider(sync.node, peer.userId, name, {
    track: true,
  });
  if (!tracker) throw new Error('no tracker');
  const connected = peer as Peer;
  Object.assign(connected, { doc, provider, tracker, rejected: false });
  provider.on('connection-close', (event) => {
    if ((event as { code?: number } | null)?.code === 4422) connected.rejected = true;
  });
  tracker.onChange((pending) => {
    if (!pending) void connected.outbox.settle();
  });
  await waitFor('sync', () => (provider.synced ? true : undefined));
  return connected;
}

/** After a rejection: a doc rebuilt from the server, a new client id, the intents redone [S5]. */
async function reset(peer: Peer, name: string) {
  peer.provider.destroy();
  peer.tracker.destroy();
  peer.resets++;
  await connect(peer, name);
  // An edit, delete or reaction can fail when another device deleted the message meanwhile:
  // the user sees it as a failed draft. A post never fails.
  const failed = peer.outbox.replay(peer.doc);
  expect(failed.filter((intent) => intent.kind === 'post')).toEqual([]);
  return failed.length;
}

async function runSeed(seed: number, name: string) {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const storage = memoryOutboxStorage();
  const peers: Peer[] = [];
  for (const userId of [
    sync.world.users.ada,
    sync.world.users.ada,
    sync.world.users.bob,
    sync.world.users.bob,
  ]) {
    const outbox = await Outbox.open(storage, `${name}:${peers.length}`);
    peers.push(
      await connect({ userId, outbox, rejected: false, resets: 0, failedDrafts: 0 }, name),
    );
  }
  const posted = new Set<string>();
  let hostile = 0;
  for (let step = 0; step < STEPS; step++) {
    const peer = pick(peers) as Peer;
    if (peer.rejected) peer.failedDrafts += await reset(peer, name);
    const mine = readMessages(peer.doc).filter((m) => m.author === peer.userId && !m.deleted);
    const roll = next();
    let intent: Intent | null = null;
    if (roll < 0.45) {
      const id = newMessageId();
      posted.add(id);
      intent = { kind: 'post', id, author: peer.userId, text: `s${step}`, createdAt: Date.now() };
    } else if (roll < 0.6 && mine.length) {
      intent = { kind: 'edit', id: pick(mine)?.id ?? '', text: `edit ${step}`, at: Date.now() };
    } else if (roll < 0.67 && mine.length) {
      intent = { kind: 'delete', id: pick(mine)?.id ?? '', at: Date.now() };
    } else if (roll < 0.8) {
      const target = pick(readMessages(peer.doc).filter((m) => !m.deleted));
      if (target) {
        const key = {
          messageId: target.id,
          userId: peer.userId,
          emoji: pick(['👍', '🎉']) ?? '👍',
        };
        const on = !peer.doc.getMap(REACTIONS).has(reactionKey(key));
        intent = { kind: 'reaction', ...key, on };
      }
    } else if (roll < 0.86 && peer.userId === sync.world.users.bob) {
      // A forbidden change made straight on the doc: editing someone else's message.
      const theirs = readMessages(peer.doc).find((m) => m.author !== peer.userId && !m.deleted);
      if (theirs) {
        hostile++;
        editMessage(peer.doc, theirs.id, 'hijacked');
      }
    } else if (roll < 0.94) {
      if (peer.provider.wsconnected || peer.provider.wsconnecting) peer.provider.disconnect();
      else peer.provider.connect();
    }
    if (intent) await peer.outbox.perform(peer.doc, intent);
    await new Promise((resolve) => setTimeout(resolve, next() * 8));
  }

  // Everyone back online; rejected peers rebuild until nobody is refused any more.
  await waitFor(
    'every replica durable and equal',
    async () => {
      for (const peer of peers) {
        if (peer.rejected) peer.failedDrafts += await reset(peer, name);
        else if (!peer.provider.wsconnected && !peer.provider.wsconnecting) peer.provider.connect();
      }
      const states = peers.map((peer) => JSON.stringify(readMessages(peer.doc).map(view)));
      const settled = peers.every((peer) => !peer.tracker.pending && !peer.rejected);
      return settled && new Set(states).size === 1 ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );

  const stored = await storedDoc(sync.node.backends.database.db, name);
  const final = readMessages(stored);
  const lost = [...posted].filter((id) => !stored.getMap(MESSAGES).has(id)).length;
  const resets = peers.reduce((sum, peer) => sum + peer.resets, 0);
  const failed = peers.reduce((sum, peer) => sum + peer.failedDrafts, 0);
  console.info(
    `convergence (seed ${seed}): ${final.length} messages, ${hostile} forbidden edits, ${resets} rebuilds, ${failed} failed drafts, lost = ${lost}`,
  );
  expect(lost).toBe(0);
  expect(final.some((m) => m.text === 'hijacked')).toBe(false);
  for (const peer of peers) expect(readMessages(peer.doc).map(view)).toEqual(final.map(view));

  // The projection agrees with the log.
  await waitFor('projection', async () => {
    const rows = await sync.node.backends.database.db
      .select()
      .from(schema.messages)
      .where(and(eq(schema.messages.docName, name), isNull(schema.messages.parentId)));
    const projected = rows
      .map((row) => ({
        id: row.id,
        text: row.text,
        deleted: row.deletedAt !== null,
        author: row.authorId,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const expected = final.map((m) => ({
      id: m.id,
      text: m.text,
      deleted: m.deleted,
      author: m.author,
    }));
    return JSON.stringify(projected) === JSON.stringify(expected) ? true : undefined;
  });
  for (const peer of peers) peer.provider.destroy();
}

const view = (m: ReturnType<typeof readMessages>[number]) => ({
  id: m.id,
  text: m.text,
  deleted: m.deleted,
  // Key order in a Y.Map follows arrival, which differs between replicas: compare sorted.
  reactions: [...m.reactions].map(([emoji, users]) => `${emoji}:${[...users].sort()}`).sort(),
});

describe('seeded convergence fuzz [S5] [S7]', () => {
  let doc = 200;
  it.each([...KEPT_SEEDS, SEED])(
    'converges replicas, log and projection, losing no intent (seed %i)',
    async (seed) => runSeed(seed, sync.world.publicSegment(doc++)),
    120_000,
  );
});
