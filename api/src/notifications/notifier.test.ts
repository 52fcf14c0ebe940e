import {
  activityUserTopic,
  createInProcessBus,
  createLogger,
  type Database,
  openPglite,
  openPostgres,
  schema,
} from '@confab/db';
import type { Presence } from '@confab/db/model';
import { useTestDatabase, waitFor } from '@confab/db/testing';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unreadCount } from './inbox';
import { Notifier } from './notifier';

const logger = createLogger('silent');
const testDatabase = useTestDatabase();

describe.each([
  ['postgres', () => openPostgres(testDatabase.url)],
  [
    'pglite',
    async () => {
      const database = await openPglite('memory');
      await database.migrate();
      return database;
    },
  ],
] as const)('the notifier on %s', (_kind, openDatabase) => {
  let database: Database;
  const bus = createInProcessBus();
  const presence = new Map<string, Presence>();
  let notifier: Notifier;
  let count = 0;

  beforeAll(async () => {
    database = await openDatabase();
    notifier = new Notifier({
      db: database.db,
      bus,
      logger,
      presence: async (ids) =>
        new Map(
          ids.flatMap((id) => (presence.has(id) ? [[id, presence.get(id) as Presence]] : [])),
        ),
      // Long: these tests drain by hand or by nudge, never by the poll.
      pollMs: 600_000,
    });
  }, 60_000);
  afterAll(async () => {
    await notifier?.stop();
    await database?.close();
  });

  /** A workspace with a public channel and a DM, and four members. */
  async function world() {
    const db = database.db;
    count++;
    const users = await db
      .insert(schema.users)
      .values(
        ['ada', 'bob', 'cy', 'dan'].map((name) => ({
          email: `${name}-${count}@example.com`,
          name,
        })),
      )
      .returning({ id: schema.users.id });
    const [ada, bob, cy, dan] = users.map((user) => user.id) as [string, string, string, string];
    const [workspace] = await db
      .insert(schema.workspaces)
      .values({ name: 'W', slug: `w-${count}`, createdBy: ada })
      .returning({ id: schema.workspaces.id });
    const workspaceId = workspace?.id ?? '';
    const [channel, dm] = await db
      .insert(schema.channels)
      .values([
        { workspaceId, kind: 'public', name: 'general' },
        { workspaceId, kind: 'dm', dmKey: [ada, bob].sort().join(',') },
      ])
      .returning({ id: schema.channels.id });
    const channelId = channel?.id ?? '';
    const dmId = dm?.id ?? '';
    await db
      .insert(schema.channelMembers)
      .values([
        ...[ada, bob, cy, dan].map((userId) => ({ channelId, userId })),
        { channelId: dmId, userId: ada },
        { channelId: dmId, userId: bob },
      ]);
    return { ada, bob, cy, dan, workspaceId, channelId, dmId };
  }

  /** A message row and its queue row, as the projector writes them in one commit. */
  async function post(
    channelId: string,
    authorId: string,
    text: string,
    { parentId = null as string | null, deleted = false } = {},
  ) {
    const id = ulid();
    await database.db.insert(schema.messages).values({
      id,
      channelId,
      docName: `seg:${channelId}:0`,
      authorId,
      parentId,
      text: deleted ? '' : text,
      createdAt: new Date(),
      receivedAt: new Date(),
      deletedAt: deleted ? new Date() : null,
      docSeq: 1,
    });
    await database.db.insert(schema.notificationQueue).values({ messageId: id });
    return id;
  }

  async function recorded(messageId: string) {
    const rows = await database.db
      .select({ userId: schema.notifications.userId, reason: schema.notifications.reason })
      .from(schema.notifications)
      .where(eq(schema.notifications.messageId, messageId));
    return Object.fromEntries(rows.map((row) => [row.userId, row.reason]));
  }

  async function heard(userId: string) {
    const events: unknown[] = [];
    await bus.subscribe(activityUserTopic(userId), (payload) =>
      events.push(JSON.parse(new TextDecoder().decode(payload))),
    );
    return events;
  }

  it('records a mention once, tells only the recipient, and empties the queue', async () => {
    const { ada, bob, cy, channelId } = await world();
    const adaHears = await heard(ada);
    const cyHears = await heard(cy);
    const id = await post(channelId, bob, `<@${ada}> can you look?`);
    await notifier.drainBatch();
    expect(await recorded(id)).toEqual({ [ada]: 'mention' });
    const [row] = await database.db
      .select({ id: schema.notifications.id })
      .from(schema.notifications)
      .where(eq(schema.notifications.messageId, id));
    expect(adaHears).toEqual([
      {
        kind: 'notification',
        userId: ada,
        id: String(row?.id),
        channelId,
        messageId: id,
        parentId: null,
        authorId: bob,
        reason: 'mention',
      },
    ]);
    expect(cyHears).toEqual([]);
    expect(
      await database.db
        .select()
        .from(schema.notificationQueue)
        .where(eq(schema.notificationQueue.messageId, id)),
    ).toEqual([]);
    // Queued again (a second projector node, a replay): still one row, no second event.
    await database.db.insert(schema.notificationQueue).values({ messageId: id });
    await notifier.drainBatch();
    expect(await recorded(id)).toEqual({ [ada]: 'mention' });
    expect(adaHears).toHaveLength(1);
  });

  it('makes someone mentioned in a thread follow it, so reading the thread reads the notification', async () => {
    const { ada, bob, cy, dan, workspaceId, channelId } = await world();
    const db = database.db;
    const { threadFollowers: tf } = schema;
    const root = await post(channelId, bob, 'a plan');
    await db.insert(tf).values({ rootId: root, userId: bob });
    // Dan muted the thread: being mentioned changes nothing for him.
    await db.insert(tf).values({ rootId: root, userId: dan, following: false });
    const reply = await post(channelId, bob, `<@${cy}> <@${dan}> thoughts?`, { parentId: root });
    await notifier.drainBatch();
    expect(await recorded(reply)).toEqual({ [cy]: 'mention' });
    const follows = await db
      .select({ userId: tf.userId, following: tf.following })
      .from(tf)
      .where(eq(tf.rootId, root));
    expect(Object.fromEntries(follows.map((row) => [row.userId, row.following]))).toEqual({
      [bob]: true,
      [cy]: true,
      [dan]: false,
    });
    expect(await unreadCount(db, cy, workspaceId)).toBe(1);
    // The projector moves the thread marker of a follower when Cy reads the thread.
    await db
      .update(tf)
      .set({ lastReadReplyId: reply })
      .where(and(eq(tf.rootId, root), eq(tf.userId, cy)));
    expect(await unreadCount(db, cy, workspaceId)).toBe(0);
    // Later replies reach Cy as a follower; a mention at the top level follows nothing.
    const later = await post(channelId, bob, 'done', { parentId: root });
    const top = await post(channelId, bob, `<@${ada}> fyi`);
    await notifier.drainBatch();
    expect(await recorded(later)).toEqual({ [cy]: 'thread_reply' });
    expect(await recorded(top)).toEqual({ [ada]: 'mention' });
    expect(await db.select().from(tf).where(eq(tf.rootId, top))).toEqual([]);
  });

  it('applies preferences, mutes, DND, @channel, @here by presence, keywords, DMs and threads', async () => {
    const { ada, bob, cy, dan, channelId, dmId } = await world();
    const db = database.db;
    // Cy muted the channel; Dan wants everything from it; Ada has a keyword.
    await db
      .update(schema.channelMembers)
      .set({ mutedAt: new Date() })
      .where(eq(schema.channelMembers.userId, cy));
    await db
      .update(schema.channelMembers)
      .set({ notify: 'all' })
      .where(eq(schema.channelMembers.userId, dan));
    await db.insert(schema.notificationSettings).values({ userId: ada, keywords: ['deploy'] });
    presence.set(ada, 'active');
    presence.set(dan, 'away');

    const plain = await post(channelId, bob, 'morning all');
    const keyword = await post(channelId, bob, 'the Deploy is done');
    const everyone = await post(channelId, bob, '<!channel> release at 5');
    const here = await post(channelId, bob, '<!here> standup');
    const direct = await post(dmId, bob, 'psst');
    const gone = await post(channelId, bob, `<@${ada}>`, { deleted: true });
    const root = await post(channelId, ada, 'a thread');
    await db.insert(schema.threadFollowers).values([
      { rootId: root, userId: ada },
      { rootId: root, userId: dan, following: false },
    ]);
    const reply = await post(channelId, bob, 'a reply', { parentId: root });
    await notifier.drainBatch();

    expect(await recorded(plain)).toEqual({ [dan]: 'all_messages' });
    expect(await recorded(keyword)).toEqual({ [ada]: 'keyword', [dan]: 'all_messages' });
    expect(await recorded(everyone)).toEqual({
      [ada]: 'channel_mention',
      [dan]: 'channel_mention',
    });
    // Active Ada hears @here; away Dan does not for @here, but his "all" preference still says so.
    expect(await recorded(here)).toEqual({ [ada]: 'here_mention', [dan]: 'all_messages' });
    expect(await recorded(direct)).toEqual({ [ada]: 'direct_message' });
    expect(await recorded(gone)).toEqual({});
    expect(await recorded(root)).toEqual({ [dan]: 'all_messages' });
    // Ada follows the thread; Dan muted it (his "all" is for top-level messages anyway).
    expect(await recorded(reply)).toEqual({ [ada]: 'thread_reply' });

    // Do-not-disturb now (the status module's reading) silences even a mention.
    await db
      .insert(schema.userStatuses)
      .values({ userId: ada, dndUntil: new Date(Date.now() + 60_000) });
    const quiet = await post(channelId, bob, `<@${ada}> urgent?`);
    await notifier.drainBatch();
    expect(await recorded(quiet)).toEqual({ [dan]: 'all_messages' });
    expect(await db.select().from(schema.notificationQueue)).toEqual([]);
  });

  it('wakes on the projector’s nudge, and drains rows queued before it started', async () => {
    const { ada, bob, channelId } = await world();
    // Queued while no notifier ran (a crash between the commit and the drain).
    const early = await post(channelId, bob, `<@${ada}> before`);
    const second = new Notifier({
      db: database.db,
      bus,
      logger,
      presence: async () => new Map(),
      pollMs: 600_000,
    });
    await second.start();
    await waitFor('the early one', async () =>
      Object.keys(await recorded(early)).length ? true : undefined,
    );
    const late = await post(channelId, bob, `<@${ada}> after`);
    await bus.publish(schema.NOTIFICATIONS_PENDING_TOPIC, new TextEncoder().encode('{}'));
    await waitFor('the nudged one', async () =>
      Object.keys(await recorded(late)).length ? true : undefined,
    );
    await second.stop();
    // Stopped: a nudge does nothing.
    const after = await post(channelId, bob, `<@${ada}> stopped`);
    await bus.publish(schema.NOTIFICATIONS_PENDING_TOPIC, new TextEncoder().encode('{}'));
    await second.idle();
    expect(await recorded(after)).toEqual({});
    await notifier.drainBatch();
    expect(await recorded(after)).toEqual({ [ada]: 'mention' });
  });

  /**
   * A database that refuses the notifications of the messages `refused` (an SQL condition on the
   * new row) until the returned function is called: a real failure inside the notifier's
   * transaction. One statement per call: PGlite's extended protocol takes one at a time.
   */
  async function refuseNotifications(refused: string) {
    await database.db.execute(
      sql.raw(`CREATE FUNCTION refuse_notification() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF ${refused} THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`),
    );
    await database.db.execute(
      sql.raw(`CREATE TRIGGER refuse_notification BEFORE INSERT ON notifications
        FOR EACH ROW EXECUTE FUNCTION refuse_notification()`),
    );
    return async () => {
      await database.db.execute(sql.raw('DROP TRIGGER refuse_notification ON notifications'));
      await database.db.execute(sql.raw('DROP FUNCTION refuse_notification()'));
    };
  }

  async function queued() {
    const rows = await database.db.select().from(schema.notificationQueue);
    return rows.map((row) => row.messageId).sort();
  }

  it('records the others when one message cannot be recorded, and gives that one up after 3 drains that recorded others', async () => {
    const { ada, bob, channelId } = await world();
    const poison = await post(channelId, bob, `<@${ada}> poison`);
    const allow = await refuseNotifications(`NEW.message_id = '${poison}'`);
    try {
      const first = await post(channelId, bob, `<@${ada}> first`);
      await notifier.drainBatch();
      expect(await recorded(first)).toEqual({ [ada]: 'mention' });
      expect(await queued()).toEqual([poison]);
      // Alone, its failure cannot be told from the database's: it does not count.
      await notifier.drainBatch();
      expect(await queued()).toEqual([poison]);
      const second = await post(channelId, bob, `<@${ada}> second`);
      await notifier.drainBatch();
      expect(await recorded(second)).toEqual({ [ada]: 'mention' });
      expect(await queued()).toEqual([poison]);
      const third = await post(channelId, bob, `<@${ada}> third`);
      await notifier.drainBatch();
      expect(await recorded(third)).toEqual({ [ada]: 'mention' });
      expect(await queued()).toEqual([]);
      expect(await recorded(poison)).toEqual({});
    } finally {
      await allow();
    }
  });

  it('gives nothing up while every message fails (an outage), and records each once after it', async () => {
    const { ada, bob, channelId, dmId } = await world();
    const ids = [
      await post(channelId, bob, `<@${ada}> one`),
      await post(channelId, bob, `<@${ada}> two`),
      await post(dmId, bob, 'three'),
    ];
    const allow = await refuseNotifications('true');
    try {
      // Nudges during an outage: many drains, each failing every message.
      for (let drain = 0; drain < 10; drain++) {
        expect(await notifier.drainBatch()).toBe(0);
      }
      expect(await queued()).toEqual([...ids].sort());
    } finally {
      await allow();
    }
    expect(await notifier.drainBatch()).toBe(3);
    expect(await queued()).toEqual([]);
    expect(await recorded(ids[0] ?? '')).toEqual({ [ada]: 'mention' });
    expect(await recorded(ids[1] ?? '')).toEqual({ [ada]: 'mention' });
    expect(await recorded(ids[2] ?? '')).toEqual({ [ada]: 'direct_message' });
    const rows = await database.db
      .select({ messageId: schema.notifications.messageId })
      .from(schema.notifications)
      .where(inArray(schema.notifications.messageId, ids));
    expect(rows).toHaveLength(3);
  });

  it('lets @here reach no one when presence cannot be read, and records the rest', async () => {
    const { ada, bob, channelId } = await world();
    const lost = new Notifier({
      db: database.db,
      bus,
      logger,
      presence: async () => {
        throw new Error('presence store down');
      },
    });
    const here = await post(channelId, bob, `<!here> and <@${ada}>`);
    const plain = await post(channelId, bob, '<!here> standup');
    await lost.drainBatch();
    expect(await recorded(here)).toEqual({ [ada]: 'mention' });
    expect(await recorded(plain)).toEqual({});
    expect(await database.db.select().from(schema.notificationQueue)).toEqual([]);
  });

  it('takes a large queue in batches and never notifies twice', async () => {
    const { ada, bob, channelId } = await world();
    const ids: string[] = [];
    for (let i = 0; i < 450; i++) ids.push(ulid());
    await database.db.insert(schema.messages).values(
      ids.map((id) => ({
        id,
        channelId,
        docName: `seg:${channelId}:0`,
        authorId: bob,
        text: `<@${ada}> ${id}`,
        createdAt: new Date(),
        receivedAt: new Date(),
        docSeq: 1,
      })),
    );
    await database.db
      .insert(schema.notificationQueue)
      .values(ids.map((messageId) => ({ messageId })));
    // Two drains at once share the queue (SKIP LOCKED on Postgres).
    const batch = () => notifier.drainBatch();
    let taken = 0;
    for (;;) {
      const [a, b] = await Promise.all([batch(), batch()]);
      taken += a + b;
      if (a + b === 0) break;
    }
    expect(taken).toBe(450);
    const rows = await database.db
      .select({ messageId: schema.notifications.messageId })
      .from(schema.notifications)
      .where(inArray(schema.notifications.messageId, ids));
    expect(rows).toHaveLength(450);
  });
});
