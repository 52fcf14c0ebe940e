import { activityUserTopic, MEMBERSHIP_CHANGED_TOPIC, parseDocRef, schema } from '@confab/db';
import { type ClientActivity, channelMarkerKey, editMessage, markRead } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import { MessageType } from './engine/protocol';
import { addChannel, type SyncNode, say, useSyncWorld } from './sync-test-kit';

const sync = useSyncWorld(undefined, {}, 2);

const channelOf = (name: string) => {
  const ref = parseDocRef(name);
  if (ref?.kind !== 'segment') throw new Error(`not a segment: ${name}`);
  return ref.channelId;
};

/** A user's always-open socket (their user doc, with acks as the web client asks), collecting 102. */
async function activityOf(node: SyncNode, userId: string, { acks = true } = {}) {
  const heard: ClientActivity[] = [];
  const connected = await sync.open(userId, `user:${userId}`, node, { track: acks });
  connected.provider.messageHandlers[MessageType.activity] = (
    _encoder: unknown,
    decoder: decoding.Decoder,
  ) => {
    // Several events of one tick come as one array (PROTOCOL.md "Activity").
    const events = JSON.parse(decoding.readVarString(decoder)) as ClientActivity | ClientActivity[];
    heard.push(...(Array.isArray(events) ? events : [events]));
  };
  return { heard, ...connected };
}

async function posted(node: SyncNode, userId: string, name: string, text: string) {
  const connected = await sync.open(userId, name, node, { track: true });
  const id = say(connected.doc, userId, text);
  await waitFor('ack', () => (connected.tracker?.pending === false ? true : undefined));
  return id;
}

describe('the activity stream on the user doc socket', () => {
  it('tells members on any node about new messages and their mentions, once each', async () => {
    const [one, two] = sync.nodes as [SyncNode, SyncNode];
    const { ada, bob } = sync.world.users;
    const adaHears = await activityOf(two, ada);
    const bobHears = await activityOf(one, bob);
    const publicId = channelOf(sync.world.publicDoc);
    const plain = await posted(one, bob, sync.world.publicDoc, 'morning all');
    const mention = await posted(one, bob, sync.world.publicDoc, `<@${ada}> can you look?`);
    await waitFor('activity', () => (adaHears.heard.length >= 2 ? true : undefined));
    expect(adaHears.heard).toEqual([
      {
        kind: 'message',
        channelId: publicId,
        messageId: plain,
        authorId: bob,
        parentId: null,
        mention: false,
      },
      {
        kind: 'message',
        channelId: publicId,
        messageId: mention,
        authorId: bob,
        parentId: null,
        mention: true,
      },
    ]);
    // A later message arrives after any duplicate of the first two would have: none came.
    const fence = await posted(two, bob, sync.world.publicDoc, 'fence');
    await waitFor('fence', () =>
      adaHears.heard.some((event) => event.kind === 'message' && event.messageId === fence)
        ? true
        : undefined,
    );
    expect(adaHears.heard.filter((event) => event.kind === 'message')).toHaveLength(3);
    // The author hears about their own messages too (other devices), never as a mention.
    await waitFor('own', () => (bobHears.heard.length >= 2 ? true : undefined));
    expect(bobHears.heard.every((event) => event.kind === 'message' && !event.mention)).toBe(true);
  });

  it('says nothing about channels one is not in', async () => {
    const [one] = sync.nodes as [SyncNode];
    const { ada, bob } = sync.world.users;
    const bobHears = await activityOf(one, bob);
    await posted(one, ada, sync.world.privateDoc, 'private plans');
    await posted(one, ada, sync.world.publicDoc, 'public marker');
    await waitFor('public', () => (bobHears.heard.length >= 1 ? true : undefined));
    const privateId = channelOf(sync.world.privateDoc);
    expect(
      bobHears.heard.some((event) => 'channelId' in event && event.channelId === privateId),
    ).toBe(false);
  });

  it('follows a new membership at once and tells the client its channels changed', async () => {
    const [one, two] = sync.nodes as [SyncNode, SyncNode];
    const { bob, ada } = sync.world.users;
    const bobHears = await activityOf(two, bob);
    const privateId = channelOf(sync.world.privateDoc);
    const db = one.backends.database.db;
    await db.insert(schema.channelMembers).values({ channelId: privateId, userId: bob });
    await one.backends.bus.publish(
      MEMBERSHIP_CHANGED_TOPIC,
      new TextEncoder().encode(
        JSON.stringify({ workspaceId: 'w', channelId: privateId, userIds: [bob], change: 'added' }),
      ),
    );
    await waitFor('channels', () =>
      bobHears.heard.some((event) => event.kind === 'channels') ? true : undefined,
    );
    const id = await posted(one, ada, sync.world.privateDoc, `<!here> welcome <@${bob}>`);
    await waitFor('private activity', () =>
      bobHears.heard.some((event) => event.kind === 'message' && event.messageId === id)
        ? true
        : undefined,
    );
    const event = bobHears.heard.find(
      (candidate) => candidate.kind === 'message' && candidate.messageId === id,
    );
    expect(event).toMatchObject({ channelId: privateId, mention: true });
  });

  it('tells a user’s other devices that a read marker moved', async () => {
    const [one, two] = sync.nodes as [SyncNode, SyncNode];
    const { ada } = sync.world.users;
    const phone = await activityOf(one, ada);
    const laptop = await activityOf(two, ada);
    const publicId = channelOf(sync.world.publicDoc);
    const id = await posted(one, sync.world.users.bob, sync.world.publicDoc, 'read me');
    markRead(laptop.doc, channelMarkerKey(publicId), id);
    await waitFor('read', () =>
      phone.heard.some((event) => event.kind === 'read' && event.messageId === id)
        ? true
        : undefined,
    );
    expect(phone.heard.find((event) => event.kind === 'read')).toEqual({
      kind: 'read',
      markerKey: channelMarkerKey(publicId),
      messageId: id,
    });
  });

  it('tells the author in a DM when the other member read a message, and when it reached them', async () => {
    const [one, two] = sync.nodes as [SyncNode, SyncNode];
    const { ada, bob } = sync.world.users;
    const db = one.backends.database.db;
    const { channelId: dmId, doc: dmDoc } = await addChannel(
      db,
      sync.world,
      { kind: 'dm', dmKey: [ada, bob].sort().join(':') },
      [ada, bob],
    );
    const bobHears = await activityOf(one, bob);
    const statuses = () => bobHears.heard.filter((event) => event.kind === 'status');
    const id = await posted(one, bob, dmDoc, 'did you get this?');
    await waitFor('the post projected', async () => {
      const rows = await db
        .select({ id: schema.messages.id })
        .from(schema.messages)
        .where(eq(schema.messages.id, id));
      return rows.length ? true : undefined;
    });
    expect(statuses()).toEqual([]);
    // Ada reads it on another node without opening the DM (her marker alone): Bob hears it.
    const adaDevice = await activityOf(two, ada);
    markRead(adaDevice.doc, channelMarkerKey(dmId), id);
    await waitFor('read status', () => (statuses().length === 1 ? true : undefined));
    expect(statuses()[0]).toEqual({ kind: 'status', channelId: dmId });
    // Her device opens the DM: the post reaches it, a receipt is recorded, Bob hears again.
    await sync.open(ada, dmDoc, two);
    await waitFor('delivered status', () => (statuses().length === 2 ? true : undefined));
    // Only the author hears about status: Ada's stream got none.
    expect(adaDevice.heard.filter((event) => event.kind === 'status')).toEqual([]);
  });

  it('passes the API’s notification and user_status events to their user’s own devices only, and drops unknown kinds', async () => {
    const [one, two] = sync.nodes as [SyncNode, SyncNode];
    const { ada, bob } = sync.world.users;
    const adaHears = await activityOf(two, ada);
    const bobHears = await activityOf(one, bob);
    const publicId = channelOf(sync.world.publicDoc);
    const notification = {
      kind: 'notification',
      id: '42',
      channelId: publicId,
      messageId: '01JZ0000000000000000000000',
      parentId: null,
      authorId: bob,
      reason: 'mention',
    } as const;
    const publish = (topic: string, event: unknown) =>
      one.backends.bus.publish(topic, new TextEncoder().encode(JSON.stringify(event)));
    await publish(activityUserTopic(ada), { ...notification, userId: ada });
    await publish(activityUserTopic(ada), { kind: 'user_status', userId: ada });
    // Addressed to someone else, or of a kind this node does not know: never sent as anything.
    await publish(activityUserTopic(ada), { ...notification, id: '43', userId: bob });
    // Shaped like a message event but of another kind: it must not come out as one.
    await publish(activityUserTopic(ada), {
      kind: 'presence_v9',
      userId: ada,
      channelId: publicId,
      messageId: '01JZ0000000000000000000001',
      authorId: bob,
      parentId: null,
      mentioned: [ada],
      everyone: false,
    });
    await publish(activityUserTopic(ada), 'just a string');
    await publish(activityUserTopic(ada), null);
    const fence = await posted(one, bob, sync.world.publicDoc, 'after the user events');
    await waitFor('fence', () =>
      adaHears.heard.some((event) => event.kind === 'message' && event.messageId === fence)
        ? true
        : undefined,
    );
    expect(adaHears.heard.filter((event) => event.kind !== 'message')).toEqual([
      notification,
      { kind: 'user_status', userId: ada },
    ]);
    expect(adaHears.heard.filter((event) => event.kind === 'message')).toHaveLength(1);
    await waitFor('bob fence', () =>
      bobHears.heard.some((event) => event.kind === 'message' && event.messageId === fence)
        ? true
        : undefined,
    );
    expect(bobHears.heard.filter((event) => event.kind !== 'message')).toEqual([]);
  });

  it('counts <!channel> as a mention of every member and <!here> as none [#18]', async () => {
    const [one] = sync.nodes as [SyncNode];
    const { ada, bob } = sync.world.users;
    const adaHears = await activityOf(one, ada);
    const here = await posted(one, bob, sync.world.publicDoc, '<!here> standup in 5');
    const channel = await posted(one, bob, sync.world.publicDoc, '<!channel> release is out');
    await waitFor('both', () =>
      adaHears.heard.filter((event) => event.kind === 'message').length >= 2 ? true : undefined,
    );
    const mentionOf = (id: string) =>
      adaHears.heard.find((event) => event.kind === 'message' && event.messageId === id);
    expect(mentionOf(here)).toMatchObject({ mention: false });
    expect(mentionOf(channel)).toMatchObject({ mention: true });
    const db = one.backends.database.db;
    const mentions = await db
      .select({ messageId: schema.messageMentions.messageId })
      .from(schema.messageMentions)
      .where(eq(schema.messageMentions.userId, ada));
    const recorded = mentions.map((row) => row.messageId);
    expect(recorded).toContain(channel);
    expect(recorded).not.toContain(here);
  });

  it('queues every new message, plain or not, for the notifier in the commit of its row', async () => {
    const [one] = sync.nodes as [SyncNode];
    const { bob, ada } = sync.world.users;
    const db = one.backends.database.db;
    const plain = await posted(one, bob, sync.world.publicDoc, 'a plain post');
    const marked = await posted(one, bob, sync.world.publicDoc, `<@${ada}> look`);
    await waitFor('queued', async () => {
      const rows = await db
        .select({ id: schema.notificationQueue.messageId })
        .from(schema.notificationQueue);
      const ids = rows.map((row) => row.id);
      return ids.includes(plain) && ids.includes(marked) ? ids : undefined;
    });
    // An edit writes the row again (the projection waits for it) but queues nothing.
    await db.delete(schema.notificationQueue);
    const connected = await sync.open(bob, sync.world.publicDoc, one, { track: true });
    editMessage(connected.doc, plain, 'a plain post, edited');
    await waitFor('edit projected', async () => {
      const [row] = await db
        .select({ text: schema.messages.text })
        .from(schema.messages)
        .where(eq(schema.messages.id, plain));
      return row?.text.endsWith('edited') ? true : undefined;
    });
    expect(await db.select().from(schema.notificationQueue)).toEqual([]);
  });

  it('sends nothing extra to a stock provider that did not ask for Confab messages', async () => {
    const [one] = sync.nodes as [SyncNode];
    const { ada, bob } = sync.world.users;
    const stock = await activityOf(one, ada, { acks: false });
    const watcher = await activityOf(one, ada);
    const id = await posted(one, bob, sync.world.publicDoc, 'for acks clients only');
    await waitFor('watcher', () =>
      watcher.heard.some((event) => event.kind === 'message' && event.messageId === id)
        ? true
        : undefined,
    );
    expect(stock.heard).toEqual([]);
  });

  it('after its bus connection comes back, follows memberships it missed and tells clients', async () => {
    const node = await sync.addNode();
    const { ada, bob } = sync.world.users;
    const db = node.backends.database.db;
    const { channelId, doc: name } = await addChannel(
      db,
      sync.world,
      { kind: 'private', name: 'quiet' },
      [ada],
    );
    const bobHears = await activityOf(node, bob);
    // Added without the event the API publishes: as if it was sent while the bus was cut.
    await db.insert(schema.channelMembers).values({ channelId, userId: bob });
    await node.cutBus();
    await waitFor('channels', () =>
      bobHears.heard.some((event) => event.kind === 'channels') ? true : undefined,
    );
    const id = await posted(node, ada, name, 'in the quiet channel');
    await waitFor('activity of the missed channel', () =>
      bobHears.heard.some((event) => event.kind === 'message' && event.messageId === id)
        ? true
        : undefined,
    );
  });
});
