import type { PresenceLookup } from '@confab/db';
import { type Db, type Logger, schema } from '@confab/db';
import { and, asc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { JobQueue } from '../jobs/job-queue';
import type { Mailer } from '../mail/mailer';
import { excerptOf } from './excerpt';
import { isRead, namesFor } from './inbox';
import type { UnsubscribeTokens } from './unsubscribe-token';

const {
  channelMembers: cm,
  channels: c,
  messages: m,
  notificationSettings: ns,
  notifications: n,
  threadFollowers: tf,
  users: u,
} = schema;

export const NOTIFICATION_MAIL_JOB = 'notification-mail';
/** A notification is mailed once it stayed unread this long; a user gets one mail per window. */
export const MAIL_WINDOW_MS = 15 * 60_000;
/** Candidates one read takes; a run reads them all, page by page. */
const USERS_PER_READ = 500;
/** Notifications one mail lists (the rest wait for the next one). */
const NOTIFICATIONS_PER_MAIL = 50;

export interface NotificationMailDeps {
  db: Db;
  mailer: Mailer;
  presence: PresenceLookup;
  logger: Logger;
  /** Where users reach Confab: links and the unsubscribe address start with it. */
  publicUrl: string;
  unsubscribeTokens: () => Promise<UnsubscribeTokens>;
  /** Candidates one read takes (tests make it small). */
  usersPerRead?: number;
}

/** Unread, not yet mailed, older than the window: what a mail may list. */
const mailable = (cutoff: Date) =>
  and(isNull(n.emailedAt), isNull(n.readAt), lte(n.createdAt, cutoff), sql`NOT ${isRead}`);

/**
 * One pass of the mail: each user with unread notifications older than 15 minutes, who opted in
 * (`emailMentions`, on by default), is offline now and was not mailed in the last 15 minutes,
 * gets one mail listing them. Per user, one transaction claims the window (`last_emailed_at`,
 * conditionally, so two runs at once mail once) and marks the listed notifications mailed; the
 * mail goes after the commit. A failed send loses that mail rather than ever sending one twice:
 * the notifications stay in the inbox. Answers how many mails went out.
 */
export async function sendNotificationMails(
  deps: NotificationMailDeps,
  now = new Date(),
): Promise<number> {
  const { presence, logger } = deps;
  const cutoff = new Date(now.getTime() - MAIL_WINDOW_MS);
  const perRead = deps.usersPerRead ?? USERS_PER_READ;
  let sent = 0;
  // Every candidate is reached in pages by user id: users still online (who keep their unread
  // notifications) would otherwise fill the one page each run reads and starve the rest.
  let after: string | undefined;
  for (;;) {
    const candidates = await mailCandidates(deps.db, cutoff, after, perRead);
    if (!candidates.length) break;
    const seen = await presence(candidates);
    for (const userId of candidates) {
      if ((seen.get(userId) ?? 'offline') !== 'offline') continue;
      try {
        if (await mailUser(deps, userId, now, cutoff)) sent++;
      } catch (error) {
        logger.error({ err: error, userId }, 'notification mail failed');
      }
    }
    if (candidates.length < perRead) break;
    after = candidates.at(-1);
  }
  return sent;
}

/** Users after `after` (by id) with something to mail who want mail and whose window is free. */
async function mailCandidates(
  db: Db,
  cutoff: Date,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectDistinct({ userId: n.userId })
    .from(n)
    .innerJoin(cm, and(eq(cm.channelId, n.channelId), eq(cm.userId, n.userId)))
    .innerJoin(m, eq(m.id, n.messageId))
    .leftJoin(tf, and(eq(tf.rootId, m.parentId), eq(tf.userId, n.userId)))
    .leftJoin(ns, eq(ns.userId, n.userId))
    .where(
      and(
        mailable(cutoff),
        after === undefined ? undefined : gt(n.userId, after),
        sql`coalesce(${ns.emailMentions}, true)`,
        or(isNull(ns.lastEmailedAt), lte(ns.lastEmailedAt, cutoff)),
      ),
    )
    .orderBy(asc(n.userId))
    .limit(limit);
  return rows.map((row) => row.userId);
}

async function mailUser(
  deps: NotificationMailDeps,
  userId: string,
  now: Date,
  cutoff: Date,
): Promise<boolean> {
  const mail = await deps.db.transaction(async (tx) => {
    const listed = await tx
      .select({
        id: n.id,
        workspaceId: n.workspaceId,
        channelId: n.channelId,
        channelName: c.name,
        channelKind: c.kind,
        messageId: n.messageId,
        text: m.text,
        deletedAt: m.deletedAt,
        authorName: u.name,
      })
      .from(n)
      .innerJoin(cm, and(eq(cm.channelId, n.channelId), eq(cm.userId, n.userId)))
      .innerJoin(m, eq(m.id, n.messageId))
      .innerJoin(c, eq(c.id, n.channelId))
      .leftJoin(u, eq(u.id, m.authorId))
      .leftJoin(tf, and(eq(tf.rootId, m.parentId), eq(tf.userId, n.userId)))
      .where(and(eq(n.userId, userId), mailable(cutoff)))
      .orderBy(asc(n.id))
      .limit(NOTIFICATIONS_PER_MAIL);
    if (!listed.length) return null;
    // The window is claimed only if it is still free and the user still wants mail.
    const claimed = await tx
      .insert(ns)
      .values({ userId, lastEmailedAt: now })
      .onConflictDoUpdate({
        target: ns.userId,
        set: { lastEmailedAt: now },
        setWhere: and(
          eq(ns.emailMentions, true),
          or(isNull(ns.lastEmailedAt), lte(ns.lastEmailedAt, cutoff)),
        ),
      })
      .returning({ userId: ns.userId });
    if (!claimed.length) return null;
    await tx
      .update(n)
      .set({ emailedAt: now })
      .where(
        inArray(
          n.id,
          listed.map((row) => row.id),
        ),
      );
    const [user] = await tx
      .select({ email: u.email, name: u.name })
      .from(u)
      .where(eq(u.id, userId));
    if (!user) return null;
    const names = await namesFor(
      tx,
      listed.map((row) => row.text),
    );
    return { user, listed, names };
  });
  if (!mail) return false;
  const { user, listed, names } = mail;
  const base = deps.publicUrl.replace(/\/+$/, '');
  const token = (await deps.unsubscribeTokens()).token(userId, 'email_mentions');
  const unsubscribe = `${base}/api/notifications/unsubscribe?${new URLSearchParams({ token })}`;
  const lines = listed.map((row) => {
    const where = row.channelName ? `#${row.channelName}` : 'a direct message';
    const excerpt = row.deletedAt ? '(deleted)' : excerptOf(row.text, names);
    const link = `${base}/?${new URLSearchParams({ workspace: row.workspaceId, channel: row.channelId, message: row.messageId })}`;
    return `${row.authorName ?? 'Someone'} in ${where}:\n  ${excerpt}\n  ${link}`;
  });
  const count = listed.length;
  await deps.mailer.send({
    to: user.email,
    subject: `${count} unread notification${count === 1 ? '' : 's'} in Confab`,
    text: [
      `Hi ${user.name},`,
      '',
      `While you were away, ${count === 1 ? 'this needs' : 'these need'} your attention:`,
      '',
      ...lines.flatMap((line) => [line, '']),
      `Stop these emails: ${unsubscribe}`,
    ].join('\n'),
    headers: {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  });
  return true;
}

/** The key of the run due in the minute of `ms`: one queued run per minute, whatever the nodes. */
const minuteKey = (ms: number) => `minute:${Math.floor(ms / 60_000)}`;

/**
 * Runs the mail every minute as a durable pg-boss job that queues its successor before it works
 * (the queue's cron is off, see jobs/job-queue.ts): one queued run per minute by its singleton
 * key however many nodes run it, and a process that dies mid-run leaves the next run queued.
 * Registering queues the current minute's run, which restarts the chain after a full stop.
 */
export async function registerNotificationMailJob(
  queue: JobQueue,
  deps: NotificationMailDeps,
  /** The mail's clock (tests); runs are scheduled on the real one, as pg-boss keeps time. */
  now: () => Date = () => new Date(),
): Promise<void> {
  const schedule = (ms: number) =>
    queue.send(
      NOTIFICATION_MAIL_JOB,
      {},
      {
        startAfter: new Date(Math.floor(ms / 60_000) * 60_000),
        singletonKey: minuteKey(ms),
      },
    );
  await queue.work(NOTIFICATION_MAIL_JOB, async () => {
    await schedule(Date.now() + 60_000);
    await sendNotificationMails(deps, now());
  });
  await schedule(Date.now());
}
