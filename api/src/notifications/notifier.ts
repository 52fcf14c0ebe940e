import type { PresenceLookup } from '@confab/db';
import {
  activityUserTopic,
  type Db,
  type EventBus,
  type Logger,
  schema,
  type Unsubscribe,
} from '@confab/db';
import type { ClientActivity } from '@confab/db/model';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { viewStatus } from '../status/status-store';
import {
  type ChannelKind,
  type ChannelPreference,
  isDirect,
  type MessageFacts,
  type NotifyReason,
  notificationsFor,
  type RecipientFacts,
} from './rules';

const {
  channelMembers: cm,
  channels: c,
  messages: m,
  notificationQueue: q,
  notificationSettings: ns,
  notifications: n,
  threadFollowers: tf,
  userStatuses: us,
} = schema;

type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];

/** One-at-a-time passes a message may fail, while another is recorded, before it is given up. */
const MAX_ATTEMPTS = 3;

export interface NotifierOptions {
  db: Db;
  bus: EventBus;
  logger: Logger;
  presence: PresenceLookup;
  /** Safety net for a lost nudge (a bus cut, a nudge before this process subscribed). */
  pollMs?: number;
  /** Queue rows one transaction takes. */
  batchSize?: number;
  now?: () => number;
}

/** The preference a member gets without choosing one: DMs notify of everything, channels of mentions. */
export const defaultPreference = (kind: ChannelKind): ChannelPreference =>
  isDirect(kind) ? 'all' : 'mentions';

/** A notification as recorded, and the activity its recipient's devices hear. */
export type RecordedNotification = Extract<ClientActivity, { kind: 'notification' }> & {
  userId: string;
};

interface QueuedMessage {
  id: string;
  channelId: string;
  workspaceId: string;
  parentId: string | null;
  authorId: string | null;
  text: string;
  deleted: boolean;
  kind: ChannelKind;
}

/**
 * Decides and records who is notified of new messages. The projector queues each new message
 * (`notification_queue`) in the commit of its row; this drains the queue: one transaction takes a
 * batch (`FOR UPDATE SKIP LOCKED`, so notifiers on several nodes share it), reads the facts in two
 * statements, decides with `notificationsFor`, inserts the notifications (once per message and
 * user by their unique key), deletes the queue rows and commits; only then does it tell the
 * recipients' devices. A crash before the commit leaves the queue rows for the next drain.
 */
export class Notifier {
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly now: () => number;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: Unsubscribe | null = null;
  /** Messages that failed alone, and how often (see `failed`). */
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: NotifierOptions) {
    this.pollMs = options.pollMs ?? 5_000;
    this.batchSize = options.batchSize ?? 200;
    this.now = options.now ?? Date.now;
  }

  /** Follows the projector's nudges and polls; drains once at once (rows left by a crash). */
  async start(): Promise<void> {
    const { bus } = this.options;
    this.unsubscribe = await bus.subscribe(schema.NOTIFICATIONS_PENDING_TOPIC, () => this.wake());
    bus.onResubscribed(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops waking and waits for a drain under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unsubscribe?.();
    this.unsubscribe = null;
    await this.idle();
  }

  /** Resolves once no drain is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drains now, or once more after the drain under way. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.drainBatch()) === this.batchSize) {}
      } catch (error) {
        // The rows stay queued; the next nudge or poll tries again.
        this.options.logger.error({ err: error }, 'notification drain failed');
      }
    } while (this.again && !this.stopped);
  }

  /**
   * One transaction over up to `batchSize` queued messages; answers how many it took. When the
   * batch fails, its messages are taken one at a time, so one that cannot be recorded does not
   * hold up the others (the queue is read in order, and it would come first every time). A
   * failure counts against a message only when another was recorded in the same pass: when all
   * fail, the database is at fault (an outage, where nudges repeat the pass many times a second),
   * and their rows stay queued for the next nudge or poll.
   */
  async drainBatch(): Promise<number> {
    try {
      return await this.drainQueued(this.batchSize);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'notification batch failed: one at a time');
    }
    const rows = await this.options.db
      .select({ messageId: q.messageId })
      .from(q)
      .orderBy(q.messageId)
      .limit(this.batchSize);
    let taken = 0;
    const failures: Array<{ messageId: string; error: unknown }> = [];
    for (const { messageId } of rows) {
      try {
        taken += await this.drainQueued(1, messageId);
        this.failures.delete(messageId);
      } catch (error) {
        failures.push({ messageId, error });
      }
    }
    if (taken > 0) {
      for (const { messageId, error } of failures) await this.failed(messageId, error);
    }
    return taken;
  }

  /**
   * A message that failed while others were recorded: tried again on later drains, and given up
   * after `MAX_ATTEMPTS` (its queue row deleted, an error logged) so the queue moves on. Counted
   * in this process only: a restart gives it a few more tries.
   */
  private async failed(messageId: string, error: unknown): Promise<void> {
    const attempts = (this.failures.get(messageId) ?? 0) + 1;
    this.failures.set(messageId, attempts);
    if (attempts < MAX_ATTEMPTS) return;
    this.failures.delete(messageId);
    this.options.logger.error({ err: error, messageId, attempts }, 'notification given up');
    await this.options.db.delete(q).where(eq(q.messageId, messageId));
  }

  private async drainQueued(limit: number, messageId?: string): Promise<number> {
    const { db } = this.options;
    const { taken, recorded } = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ messageId: q.messageId })
        .from(q)
        .where(messageId === undefined ? undefined : eq(q.messageId, messageId))
        .orderBy(q.messageId)
        .limit(limit)
        .for('update', { skipLocked: true });
      const ids = rows.map((row) => row.messageId);
      if (!ids.length) return { taken: 0, recorded: [] };
      const recorded = await this.record(tx, ids);
      await tx.delete(q).where(inArray(q.messageId, ids));
      return { taken: ids.length, recorded };
    });
    this.publish(recorded);
    return taken;
  }

  private async record(tx: Transaction, ids: string[]): Promise<RecordedNotification[]> {
    const messages = (await readMessages(tx, ids)).filter((message) => !message.deleted);
    if (!messages.length) return [];
    const listings = await readRecipients(tx, messages, this.now());
    const here = messages.filter((message) => message.text.includes('<!here>'));
    const askPresence = [
      ...new Set(
        listings.filter((l) => here.some((h) => h.id === l.messageId)).map((l) => l.userId),
      ),
    ];
    const presence = askPresence.length ? await this.presenceOf(askPresence) : new Map();
    const rows: Array<typeof n.$inferInsert> = [];
    for (const message of messages) {
      const facts: MessageFacts = {
        authorId: message.authorId ?? '',
        text: message.text,
        channelKind: message.kind,
        isReply: message.parentId !== null,
        // No message field carries "urgent" yet (api/README "Notifications").
        urgent: false,
      };
      const recipients: RecipientFacts[] = listings
        .filter((listing) => listing.messageId === message.id)
        .map((listing) => ({
          ...listing.facts,
          active: presence.get(listing.userId) === 'active',
        }));
      for (const { userId, reason } of notificationsFor(facts, recipients)) {
        rows.push({
          userId,
          workspaceId: message.workspaceId,
          channelId: message.channelId,
          messageId: message.id,
          reason,
        });
      }
    }
    if (!rows.length) return [];
    const inserted = await tx
      .insert(n)
      .values(rows)
      .onConflictDoNothing({ target: [n.userId, n.messageId] })
      .returning({ id: n.id, userId: n.userId, messageId: n.messageId, reason: n.reason });
    const byId = new Map(messages.map((message) => [message.id, message]));
    await followMentionedThreads(tx, inserted, byId);
    return inserted.flatMap(({ id, userId, messageId, reason }) => {
      const message = byId.get(messageId);
      if (!message) return [];
      return [
        {
          kind: 'notification' as const,
          userId,
          id: String(id),
          channelId: message.channelId,
          messageId,
          parentId: message.parentId,
          authorId: message.authorId,
          reason: reason as NotifyReason,
        },
      ];
    });
  }

  /**
   * Presence may be lost [S9] (Redis down): then nobody counts as active, and `@here` reaches no
   * one, rather than the queue stalling until presence is back.
   */
  private async presenceOf(userIds: string[]): Promise<Map<string, string>> {
    try {
      return await this.options.presence(userIds);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'presence unknown: @here reaches no one');
      return new Map();
    }
  }

  /** After the commit: each recipient's own devices hear of it (best effort; the row is the truth). */
  private publish(recorded: readonly RecordedNotification[]): void {
    const { bus, logger } = this.options;
    for (const event of recorded) {
      const topic = activityUserTopic(event.userId);
      bus
        .publish(topic, new TextEncoder().encode(JSON.stringify(event)))
        .catch((error: unknown) =>
          logger.warn({ err: error, topic }, 'notification activity not published'),
        );
    }
  }
}

/**
 * Someone mentioned in a thread follows it, as in Slack: the projector keeps a thread read marker
 * for followers only, so without the row reading the thread would never read the notification
 * (and the mail would list it); later replies then reach them too. A row that exists stays as it
 * is: an explicit unfollow (`following` false) is kept.
 */
async function followMentionedThreads(
  tx: Transaction,
  inserted: ReadonlyArray<{ userId: string; messageId: string; reason: string }>,
  messages: ReadonlyMap<string, QueuedMessage>,
): Promise<void> {
  const follows = inserted.flatMap(({ userId, messageId, reason }) => {
    const rootId = messages.get(messageId)?.parentId;
    return reason === 'mention' && rootId ? [{ rootId, userId }] : [];
  });
  if (follows.length) await tx.insert(tf).values(follows).onConflictDoNothing();
}

async function readMessages(tx: Transaction, ids: string[]): Promise<QueuedMessage[]> {
  const rows = await tx
    .select({
      id: m.id,
      channelId: m.channelId,
      workspaceId: c.workspaceId,
      parentId: m.parentId,
      authorId: m.authorId,
      text: m.text,
      deletedAt: m.deletedAt,
      kind: c.kind,
    })
    .from(m)
    .innerJoin(c, eq(c.id, m.channelId))
    .where(inArray(m.id, ids));
  return rows.map(({ deletedAt, ...row }) => ({ ...row, deleted: deletedAt !== null }));
}

/**
 * The members of the messages' channels who could be addressed at all, with their facts, in one
 * statement: in a channel, a member whose preference is `mentions` (the default) and who has no
 * keyword, no mention, no `@channel`/`@here` and no thread to follow cannot be notified, so a
 * message to a large channel reads only the few who might be. Thread followers who left the
 * channel are not listed: they may no longer read it.
 */
async function readRecipients(tx: Transaction, messages: readonly QueuedMessage[], nowMs: number) {
  const ids = messages.map((message) => message.id);
  const preference = sql<ChannelPreference>`coalesce(${cm.notify}::text, CASE WHEN ${c.kind} IN ('dm', 'group_dm') THEN 'all' ELSE 'mentions' END)`;
  const rows = await tx
    .select({
      messageId: m.id,
      userId: cm.userId,
      preference,
      muted: sql<boolean>`${cm.mutedAt} IS NOT NULL`,
      following: tf.following,
      keywords: ns.keywords,
      status: us,
    })
    .from(m)
    .innerJoin(c, eq(c.id, m.channelId))
    .innerJoin(cm, eq(cm.channelId, m.channelId))
    .leftJoin(tf, and(eq(tf.rootId, m.parentId), eq(tf.userId, cm.userId)))
    .leftJoin(ns, eq(ns.userId, cm.userId))
    .leftJoin(us, eq(us.userId, cm.userId))
    .where(
      and(
        inArray(m.id, ids),
        sql`(${c.kind} IN ('dm', 'group_dm')
          OR ${preference} = 'all'
          OR ${tf.userId} IS NOT NULL
          OR cardinality(${ns.keywords}) > 0
          OR ${m.text} LIKE '%<!channel>%' OR ${m.text} LIKE '%<!here>%'
          OR strpos(${m.text}, '<@' || ${cm.userId}::text || '>') > 0)`,
      ),
    );
  return rows.map((row) => ({
    messageId: row.messageId,
    userId: row.userId,
    facts: {
      userId: row.userId,
      preference: row.preference,
      channelMuted: row.muted,
      doNotDisturb: viewStatus(row.status ?? undefined, nowMs).dnd.now,
      thread:
        row.following === null
          ? ('none' as const)
          : row.following
            ? ('following' as const)
            : ('muted' as const),
      keywords: row.keywords ?? [],
    },
  }));
}
