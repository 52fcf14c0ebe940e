import { randomUUID } from 'node:crypto';
import { schema } from '@confab/db';
import { MessageType, PRESENCE_WATCH_MAX } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { and, eq } from 'drizzle-orm';
import * as encoding from 'lib0/encoding';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../engine/protocol';
import { addChannel, ticketFor, useSyncWorld } from '../sync-test-kit';
import { MALFORMED, presenceFrame, presenceSocket, report, watch } from './presence-test-kit';

const sync = useSyncWorld();

/** Someone in another workspace, and a guest of the world's who shares one channel with Bob. */
let stranger: string;
let guest: string;
let guestsChannel: string;

beforeAll(async () => {
  const db = sync.node.backends.database.db;
  const [outsider, visitor] = await db
    .insert(schema.users)
    .values(
      ['stranger', 'guest'].map((name) => ({ email: `${name}-${randomUUID()}@example.com`, name })),
    )
    .returning({ id: schema.users.id });
  if (!outsider || !visitor) throw new Error('no users');
  stranger = outsider.id;
  guest = visitor.id;
  const [elsewhere] = await db
    .insert(schema.workspaces)
    .values({ name: 'Elsewhere', slug: `e-${randomUUID()}` })
    .returning({ id: schema.workspaces.id });
  if (!elsewhere) throw new Error('no workspace');
  await db.insert(schema.workspaceMembers).values([
    { workspaceId: elsewhere.id, userId: stranger, role: 'owner' },
    { workspaceId: sync.world.workspaceId, userId: guest, role: 'guest' },
  ]);
  ({ channelId: guestsChannel } = await addChannel(
    db,
    sync.world,
    { kind: 'private', name: 'with-guest' },
    [guest, sync.world.users.bob],
  ));
});

/** The user's always-open socket: their own doc, with acks. */
const ownSocket = async (userId: string, options: { acks?: boolean } = {}) =>
  presenceSocket(
    sync.node.url,
    `user:${userId}`,
    await ticketFor(sync.node.backends, userId),
    options,
  );

describe('presence frames on the wire', () => {
  it('answers a watch with the watched users’ presence, and tells of changes', async () => {
    const { ada, bob } = sync.world.users;
    const bobs = await ownSocket(bob);
    bobs.send(watch([ada]));
    await bobs.until(ada, 'offline');
    const adas = await ownSocket(ada);
    adas.send(report('active'));
    await bobs.until(ada, 'active');
    adas.send(report('away'));
    await bobs.until(ada, 'away');
    bobs.close();
    adas.close();
  });

  it('drops ids of strangers and of nobody silently', async () => {
    const { ada, bob, eve } = sync.world.users;
    const adas = await ownSocket(ada);
    adas.send(watch([bob, eve, stranger, randomUUID()]));
    await waitFor('the answer', () => adas.frames[0]);
    expect(Object.keys(adas.frames[0]?.users ?? {}).sort()).toEqual([bob, eve].sort());
    adas.close();
  });

  it('lets a guest watch only people who share a channel with them, and themself', async () => {
    const { ada, bob, eve } = sync.world.users;
    const guests = await ownSocket(guest);
    guests.send(watch([ada, bob, eve, guest, stranger]));
    await waitFor('the answer', () => guests.frames[0]);
    expect(Object.keys(guests.frames[0]?.users ?? {}).sort()).toEqual([bob, guest].sort());
    guests.close();
  });

  it('stops telling a guest about someone once they share no channel any more', async () => {
    const { bob } = sync.world.users;
    const guests = await ownSocket(guest);
    guests.send(watch([bob, guest]));
    await waitFor('the answer', () => guests.frames[0]);
    const db = sync.node.backends.database.db;
    await db
      .delete(schema.channelMembers)
      .where(
        and(
          eq(schema.channelMembers.channelId, guestsChannel),
          eq(schema.channelMembers.userId, guest),
        ),
      );
    // What the node does on `membership.changed` for the guest.
    await sync.node.sync.presence.recheck([guest]);
    const bobs = await ownSocket(bob);
    bobs.send(report('away'));
    // A fence: the guest's own change comes through the same path after Bob's.
    guests.send(report('away'));
    await guests.until(guest, 'away');
    expect(guests.frames.slice(1).some((frame) => frame.users?.[bob])).toBe(false);
    guests.close();
    bobs.close();
  });

  const tooMany = Array.from({ length: PRESENCE_WATCH_MAX + 1 }, () => randomUUID());
  it.each([
    ['a report that is not JSON', presenceFrame(MessageType.presenceReport, '{"state":')],
    ['a report that is a list', presenceFrame(MessageType.presenceReport, '["active"]')],
    ['a report of offline', report('offline')],
    [
      'a report with more keys',
      presenceFrame(MessageType.presenceReport, '{"state":"active","user":"x"}'),
    ],
    ['a watch that is not JSON', presenceFrame(MessageType.presenceWatch, 'users')],
    ['a watch of a string', presenceFrame(MessageType.presenceWatch, '{"users":"all"}')],
    [`a watch of ${PRESENCE_WATCH_MAX + 1} users`, watch(tooMany)],
    ['a watch of a non-id', watch(['../../etc'])],
    ['a watch of an upper-case id', watch([randomUUID().toUpperCase()])],
    ['a watch of a number', presenceFrame(MessageType.presenceWatch, '{"users":[1]}')],
    [
      'a report with trailing bytes',
      encode((e) => {
        encoding.writeVarUint(e, MessageType.presenceReport);
        encoding.writeVarString(e, '{"state":"active"}');
        encoding.writeVarUint(e, 7);
      }),
    ],
  ])('closes the socket with 4400 on %s, and the node serves on', async (_what, frame) => {
    const { ada, bob } = sync.world.users;
    const adas = await ownSocket(ada);
    adas.send(frame);
    expect(await adas.closed()).toBe(MALFORMED);
    const bobs = await ownSocket(bob);
    bobs.send(watch([bob]));
    await bobs.until(bob, 'active');
    bobs.close();
  });

  it('closes with 4400 on presence frames on a channel doc, or on a socket without acks', async () => {
    const { ada } = sync.world.users;
    const onChannel = await presenceSocket(
      sync.node.url,
      sync.world.publicDoc,
      await ticketFor(sync.node.backends, ada),
    );
    onChannel.send(report('active'));
    expect(await onChannel.closed()).toBe(MALFORMED);
    const withoutAcks = await ownSocket(ada, { acks: false });
    withoutAcks.send(watch([ada]));
    expect(await withoutAcks.closed()).toBe(MALFORMED);
    expect(withoutAcks.frames).toEqual([]);
  });

  it('does not count a socket without acks as presence', async () => {
    const { ada, eve } = sync.world.users;
    const stock = await ownSocket(eve, { acks: false });
    const adas = await ownSocket(ada);
    adas.send(watch([eve]));
    await adas.until(eve, 'offline');
    expect((await sync.node.backends.presence.read([eve])).get(eve)).toBe('offline');
    stock.close();
    adas.close();
  });
});
