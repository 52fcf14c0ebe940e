import { randomUUID } from 'node:crypto';
import {
  docName,
  MEMBERSHIP_CHANGED_TOPIC,
  type MembershipChangedEvent,
  Policy,
  schema,
  sessionKey,
} from '@confab/db';
import { waitFor } from '@confab/db/testing';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { BURST_GRANT_MS, BurstGrants } from './burst-grants';
import { addChannel, type SyncNode, useSyncWorld } from './sync-test-kit';
import { issueSyncTicket } from './tickets';

/**
 * One policy query per burst of sockets (`BurstGrants`), on a running node: the answer serves
 * the rest of the burst, and a membership change drops it at once.
 */
const sync = useSyncWorld();

/** A burst ticket of `uses` sockets for a live session of `userId`. */
async function burstTicket(node: SyncNode, userId: string, uses: number) {
  const sessionId = `session-${randomUUID()}`;
  await node.backends.kv.set(sessionKey(sessionId), JSON.stringify({ id: sessionId, userId }));
  return (await issueSyncTicket(node.backends.kv, { userId, sessionId }, new Date(), uses)).ticket;
}

/** Opens a raw socket; resolves with 101 once open (or the refusal's status) and its close code. */
async function openSocket(node: SyncNode, doc: string, ticket: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${node.port}/sync/${doc}?ticket=${ticket}`);
  let closeCode: number | undefined;
  socket.on('close', (code) => {
    closeCode = code;
  });
  const status = await new Promise<number>((resolve) => {
    socket.on('open', () => resolve(101));
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
  return { status, socket, closed: () => waitFor('the socket to close', () => closeCode) };
}

const membershipChanged = (node: SyncNode, event: MembershipChangedEvent) =>
  node.backends.bus.publish(
    MEMBERSHIP_CHANGED_TOPIC,
    new TextEncoder().encode(JSON.stringify(event)),
  );

describe('grants for a burst of sockets', () => {
  it('answers the sockets of a burst from one query, and refuses a removed member’s next socket of the burst [S4]', async () => {
    const { node, world } = sync;
    const db = node.backends.database.db;
    const { ada, bob } = world.users;
    const { channelId } = await addChannel(
      db,
      world,
      { kind: 'private', name: `burst-${randomUUID().slice(0, 8)}` },
      [ada, bob],
    );
    const segment = (index: number) => docName({ kind: 'segment', channelId, index });
    const ticket = await burstTicket(node, bob, 4);
    const first = await openSocket(node, segment(0), ticket);
    expect(first.status).toBe(101);

    // Removed in the database, the change not announced yet: the burst's answer still holds.
    await db
      .delete(schema.channelMembers)
      .where(
        and(eq(schema.channelMembers.channelId, channelId), eq(schema.channelMembers.userId, bob)),
      );
    const second = await openSocket(node, segment(1), ticket);
    expect(second.status).toBe(101);

    // Announced: the open sockets close (the service's recheck) and the burst asks again.
    await membershipChanged(node, {
      workspaceId: world.workspaceId,
      channelId,
      userIds: [bob],
      change: 'removed',
    });
    expect(await first.closed()).toBe(4403);
    expect(await second.closed()).toBe(4403);
    const third = await openSocket(node, segment(2), ticket);
    expect(third.status).toBe(404);
  });

  it('keeps a user’s answer through changes to others, and forgets every answer when the bus reconnects', async () => {
    const { world } = sync;
    const node = await sync.addNode();
    const db = node.backends.database.db;
    const { ada, bob } = world.users;
    const { channelId } = await addChannel(
      db,
      world,
      { kind: 'private', name: `cut-${randomUUID().slice(0, 8)}` },
      [ada, bob],
    );
    const doc = docName({ kind: 'segment', channelId, index: 0 });
    const ticket = await burstTicket(node, ada, 50);
    const first = await openSocket(node, doc, ticket);
    expect(first.status).toBe(101);
    await db
      .delete(schema.channelMembers)
      .where(
        and(eq(schema.channelMembers.channelId, channelId), eq(schema.channelMembers.userId, ada)),
      );
    // A change to someone else is heard: ada's answer stays.
    await membershipChanged(node, {
      workspaceId: world.workspaceId,
      channelId,
      userIds: [bob],
      change: 'role_changed',
    });
    const second = await openSocket(node, doc, ticket);
    expect(second.status).toBe(101);
    second.socket.close();
    // Whatever was published while the bus was cut is lost: the next socket asks the policy.
    await node.cutBus();
    await waitFor(
      'a socket refused after the bus came back',
      async () => {
        const next = await openSocket(node, doc, ticket);
        next.socket.close();
        return next.status === 404 ? true : undefined;
      },
      // Well inside BURST_GRANT_MS, after which the answer would lapse anyway.
      { timeoutMs: 5_000 },
    );
    first.socket.close();
  });

  it('drops a user’s answer when it lapses, but not the answer that replaced it', async () => {
    const { node, world } = sync;
    const db = node.backends.database.db;
    const { ada } = world.users;
    const { channelId } = await addChannel(
      db,
      world,
      { kind: 'private', name: `lapse-${randomUUID().slice(0, 8)}` },
      [ada],
    );
    const doc = docName({ kind: 'segment', channelId, index: 0 });
    let now = 0;
    const grants = await BurstGrants.start(db, new Policy(db), node.backends.bus, () => now);
    // Only timeouts are faked (the drops); `now` is the clock the answers lapse by.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      expect((await grants.grant(ada, doc)).may.post).toBe(true);
      expect(grants.usersKept).toBe(1);
      await vi.advanceTimersByTimeAsync(BURST_GRANT_MS / 2);
      now = BURST_GRANT_MS; // the first answer lapsed: the next grant loads a new one
      expect((await grants.grant(ada, doc)).may.post).toBe(true);
      await vi.advanceTimersByTimeAsync(BURST_GRANT_MS / 2);
      expect(grants.usersKept).toBe(1); // the first answer's drop spared the second
      await vi.advanceTimersByTimeAsync(BURST_GRANT_MS / 2);
      expect(grants.usersKept).toBe(0);
    } finally {
      vi.useRealTimers();
      await grants.stop();
    }
  });
});
