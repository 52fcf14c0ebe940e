import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Database, docName, openPostgres, schema } from '@confab/db';
import type { Presence } from '@confab/db/model';
import { useTestDatabase, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJobQueue } from '../jobs/job-queue';
import { createOutboxMailer, type Mailer, readOutbox } from '../mail/mailer';
import { unsubscribeRoutes } from '../routes/notifications/notification-routes';
import { registerNotificationMailJob, sendNotificationMails } from './mail-job';
import { UnsubscribeTokens } from './unsubscribe-token';

const logger = createLogger('silent');
const testDatabase = useTestDatabase();
let database: Database;
let outbox: string;
let mailer: Mailer;
const presence = new Map<string, Presence>();
let deps: Parameters<typeof sendNotificationMails>[0];
let count = 0;

beforeAll(async () => {
  database = await openPostgres(testDatabase.url);
  outbox = await mkdtemp(join(tmpdir(), 'confab-mail-'));
  mailer = await createOutboxMailer(outbox, 'Confab <no-reply@chat.example.com>');
  deps = {
    db: database.db,
    mailer,
    presence: async (ids) =>
      new Map(ids.flatMap((id) => (presence.has(id) ? [[id, presence.get(id) as Presence]] : []))),
    logger,
    publicUrl: 'https://chat.example.com/',
    unsubscribeTokens: UnsubscribeTokens.opener(database.db),
  };
});
afterAll(() => database?.close());

const T0 = new Date('2027-03-01T09:00:00Z').getTime();
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** Ada and Bob in #general of a workspace of their own. */
async function world() {
  count++;
  const db = database.db;
  const [ada, bob] = await db
    .insert(schema.users)
    .values([
      { email: `ada-${count}@example.com`, name: 'Ada' },
      { email: `bob-${count}@example.com`, name: 'Bob' },
    ])
    .returning({ id: schema.users.id });
  const [workspace] = await db
    .insert(schema.workspaces)
    .values({ name: 'W', slug: `mail-${count}` })
    .returning({ id: schema.workspaces.id });
  const [channel] = await db
    .insert(schema.channels)
    .values({ workspaceId: workspace?.id ?? '', kind: 'public', name: 'general' })
    .returning({ id: schema.channels.id });
  const channelId = channel?.id ?? '';
  await db.insert(schema.channelMembers).values([
    { channelId, userId: ada?.id ?? '' },
    { channelId, userId: bob?.id ?? '' },
  ]);
  return {
    ada: ada?.id ?? '',
    bob: bob?.id ?? '',
    adaEmail: `ada-${count}@example.com`,
    workspaceId: workspace?.id ?? '',
    channelId,
  };
}

type World = Awaited<ReturnType<typeof world>>;

/** Bob mentions Ada at `createdAt`; her notification is recorded then. */
async function mention(w: World, createdAt: Date, text = `<@${w.ada}> ping`) {
  const messageId = ulid(createdAt.getTime());
  await database.db.insert(schema.messages).values({
    id: messageId,
    channelId: w.channelId,
    docName: docName({ kind: 'segment', channelId: w.channelId, index: 0 }),
    authorId: w.bob,
    text,
    createdAt,
    receivedAt: createdAt,
    docSeq: 1,
  });
  const [row] = await database.db
    .insert(schema.notifications)
    .values({
      userId: w.ada,
      workspaceId: w.workspaceId,
      channelId: w.channelId,
      messageId,
      reason: 'mention',
      createdAt,
    })
    .returning({ id: schema.notifications.id });
  return { messageId, id: row?.id ?? 0 };
}

const mailsTo = async (email: string) =>
  (await readOutbox(outbox)).filter((mail) => mail.to === email);

describe('the notification mail', () => {
  it('mails an offline user once per 15-minute window, each notification once, with an unsubscribe link and headers', async () => {
    const w = await world();
    await mention(w, at(0), `<@${w.ada}> can you review <!here>?`);
    expect(await sendNotificationMails(deps, at(10))).toBe(0);
    expect(await sendNotificationMails(deps, at(16))).toBe(1);
    const [mail] = await mailsTo(w.adaEmail);
    expect(mail?.subject).toBe('1 unread notification in Confab');
    expect(mail?.text).toContain('Bob in #general:\n  @Ada can you review @here?');
    expect(mail?.text).toContain(`https://chat.example.com/?workspace=${w.workspaceId}`);
    expect(mail?.text).toContain(
      'Stop these emails: https://chat.example.com/api/notifications/unsubscribe?token=',
    );
    expect(mail?.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(mail?.headers?.['List-Unsubscribe']).toMatch(
      /^<https:\/\/chat\.example\.com\/api\/notifications\/unsubscribe\?token=[^>]+>$/,
    );
    // Mailed: never again. A new one waits for its own 15 minutes and the next window.
    expect(await sendNotificationMails(deps, at(17))).toBe(0);
    await mention(w, at(17), `<@${w.ada}> second`);
    expect(await sendNotificationMails(deps, at(30))).toBe(0);
    expect(await sendNotificationMails(deps, at(32))).toBe(1);
    const mails = await mailsTo(w.adaEmail);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.text).toContain('@Ada second');
    expect(mails[1]?.text).not.toContain('can you review');
    // Two runs at once (two nodes): the window is claimed once.
    await mention(w, at(33));
    await mention(w, at(34));
    const runs = await Promise.all([
      sendNotificationMails(deps, at(50)),
      sendNotificationMails(deps, at(50)),
    ]);
    expect(runs[0] + runs[1]).toBe(1);
    expect(await mailsTo(w.adaEmail)).toHaveLength(3);
  });

  it('never mails a read notification: marked read, or covered by a read marker', async () => {
    const w = await world();
    const marked = await mention(w, at(0));
    const covered = await mention(w, at(1));
    await database.db
      .update(schema.notifications)
      .set({ readAt: at(2) })
      .where(eq(schema.notifications.id, marked.id));
    await database.db
      .update(schema.channelMembers)
      .set({ lastReadMessageId: covered.messageId })
      .where(eq(schema.channelMembers.userId, w.ada));
    expect(await sendNotificationMails(deps, at(60))).toBe(0);
    expect(await mailsTo(w.adaEmail)).toEqual([]);
  });

  it('never mails someone online (active or away), and mails them once offline', async () => {
    const w = await world();
    await mention(w, at(0));
    presence.set(w.ada, 'active');
    expect(await sendNotificationMails(deps, at(20))).toBe(0);
    presence.set(w.ada, 'away');
    expect(await sendNotificationMails(deps, at(21))).toBe(0);
    presence.set(w.ada, 'offline');
    expect(await sendNotificationMails(deps, at(22))).toBe(1);
    presence.delete(w.ada);
  });

  it('stops after the mail’s own one-click unsubscribe, and for anyone who turned mail off', async () => {
    const w = await world();
    await mention(w, at(0));
    await sendNotificationMails(deps, at(16));
    const [mail] = await mailsTo(w.adaEmail);
    const url = new URL(/^<(.+)>$/.exec(mail?.headers?.['List-Unsubscribe'] ?? '')?.[1] ?? '');
    const app = new Hono().route(
      '/api/notifications',
      unsubscribeRoutes({
        db: database.db,
        unsubscribeTokens: deps.unsubscribeTokens,
      } as Parameters<typeof unsubscribeRoutes>[0]),
    );
    const answer = await app.request(`${url.pathname}${url.search}`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(200);
    await mention(w, at(20));
    expect(await sendNotificationMails(deps, at(60))).toBe(0);
    expect(await mailsTo(w.adaEmail)).toHaveLength(1);
  });

  it('reaches an offline user however many online users with unread notifications come first', async () => {
    // One candidate per read: the online one sorted first must not hide the offline one.
    const [first, second] = [await world(), await world()].sort((a, b) => (a.ada < b.ada ? -1 : 1));
    if (!first || !second) throw new Error('two worlds');
    await mention(first, at(0));
    await mention(second, at(0));
    presence.set(first.ada, 'active');
    try {
      await sendNotificationMails({ ...deps, usersPerRead: 1 }, at(20));
      expect(await mailsTo(second.adaEmail)).toHaveLength(1);
      expect(await mailsTo(first.adaEmail)).toEqual([]);
    } finally {
      presence.delete(first.ada);
    }
  });

  it('runs as a recurring durable job', async () => {
    const w = await world();
    await mention(w, at(0));
    const queue = await openJobQueue(database, { logger, pollingIntervalSeconds: 0.5 });
    try {
      // The mail's clock is past the window; the runs are scheduled on the real one.
      await registerNotificationMailJob(queue, deps, () => at(20));
      await waitFor(
        'the mail',
        async () => ((await mailsTo(w.adaEmail)).length ? true : undefined),
        {
          timeoutMs: 15_000,
        },
      );
    } finally {
      await queue.stop();
    }
  });
});
