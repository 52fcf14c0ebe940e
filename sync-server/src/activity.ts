import {
  activityChannelTopic,
  activityUserTopic,
  type EventBus,
  type Logger,
  type Unsubscribe,
} from '@confab/db';
import type { ClientActivity } from '@confab/db/model';
import type { SyncConnection } from './engine/ports';
import { activityMessage } from './engine/protocol';

/** A new message, published once (by the node whose projection inserted its row). */
export interface MessageActivity {
  kind: 'message';
  channelId: string;
  messageId: string;
  authorId: string | null;
  /** Set for a reply in a thread. */
  parentId: string | null;
  /**
   * People mentioned by `<@id>`; `everyone` for `<!channel>`. `<!here>` is no mention of every
   * member: the active ones hear it as a `notification` (the API's notifier decides).
   */
  mentioned: string[];
  everyone: boolean;
}

/** A read marker moved: the user's other devices clear their badges. */
export interface ReadActivity {
  kind: 'read';
  userId: string;
  markerKey: string;
  messageId: string;
}

/** In a DM or group DM, the status (delivered, read) of some of this user's messages moved. */
export interface StatusActivity {
  kind: 'status';
  userId: string;
  channelId: string;
}

/**
 * A file of the channel was deleted or its processing settled. Published by the API (which owns
 * files) straight on the channel's topic; it carries ids only, as members may read the rest.
 */
export type FileActivity = Extract<ClientActivity, { kind: 'file' }>;

/**
 * Published by the API on a user's own topic (`activity.user.<id>`), each with the `userId` it is
 * for: a notification recorded for them (the notifier), or their custom status or do-not-disturb
 * changed (status routes and expiry). Passed on to that user's own devices only.
 */
export type UserActivity =
  | (Extract<ClientActivity, { kind: 'notification' }> & { userId: string })
  | Extract<ClientActivity, { kind: 'user_status' }>;

export type ActivityEvent =
  | MessageActivity
  | ReadActivity
  | StatusActivity
  | FileActivity
  | UserActivity;

/** Whether an event goes to a channel's members (else to one user's devices). */
const isChannelEvent = (event: ActivityEvent): event is MessageActivity | FileActivity =>
  event.kind === 'message' || event.kind === 'file';

const KNOWN_KINDS: ReadonlySet<unknown> = new Set<ActivityEvent['kind']>([
  'message',
  'read',
  'status',
  'file',
  'notification',
  'user_status',
]);

const isObject = (value: unknown): value is { kind: unknown } =>
  typeof value === 'object' && value !== null;

/** A lone item as itself (what older readers expect), several as an array. */
const oneOrMany = <T>(items: readonly T[]): T | readonly T[] =>
  items.length === 1 ? (items[0] as T) : items;

interface Subscription {
  users: Set<string>;
  unsubscribe: Promise<Unsubscribe>;
}

/**
 * The activity stream of DESIGN.md: each client keeps one socket open (to its user doc) and
 * hears there about new messages and mentions in all its channels, and about its own read
 * markers moving. A node subscribes to a channel's activity topic only while a user connected to
 * it is a member, so the live cost follows what users can see, not the number of channels.
 */
export class ActivityHub {
  private readonly connections = new Map<string, Set<SyncConnection>>();
  private readonly channelsOfUser = new Map<string, Set<string>>();
  private readonly subscriptions = new Map<string, Subscription>();
  /** Activity queued per user until the end of the tick. */
  private readonly outbox = new Map<string, ClientActivity[]>();

  constructor(
    private readonly bus: EventBus,
    /** The channels a user is a member of, read when they connect and when memberships change. */
    private readonly channelsOf: (userId: string) => Promise<string[]>,
    private readonly logger: Logger,
  ) {}

  /** Events of one topic go in one bus message (a JSON array when there are several). */
  publish(events: readonly ActivityEvent[]): void {
    const byTopic = new Map<string, ActivityEvent[]>();
    for (const event of events) {
      const topic = isChannelEvent(event)
        ? activityChannelTopic(event.channelId)
        : activityUserTopic(event.userId);
      const batch = byTopic.get(topic);
      if (batch) batch.push(event);
      else byTopic.set(topic, [event]);
    }
    for (const [topic, batch] of byTopic) {
      this.bus
        .publish(topic, new TextEncoder().encode(JSON.stringify(oneOrMany(batch))))
        .catch((error: unknown) =>
          this.logger.warn({ err: error, topic }, 'activity not published'),
        );
    }
  }

  /** Streams activity to a connection on its user's own doc until the returned detach is called. */
  async attach(connection: SyncConnection): Promise<() => void> {
    const { userId } = connection;
    let mine = this.connections.get(userId);
    if (!mine) {
      mine = new Set();
      this.connections.set(userId, mine);
      await this.follow(userId, [activityUserTopic(userId), ...(await this.channelTopics(userId))]);
    }
    mine.add(connection);
    return () => {
      mine.delete(connection);
      if (mine.size || this.connections.get(userId) !== mine) return;
      this.connections.delete(userId);
      const topics = [activityUserTopic(userId), ...this.topicsOf(userId)];
      this.channelsOfUser.delete(userId);
      void this.unfollow(userId, topics);
    };
  }

  /** After membership changes: follows the users' new channel set and tells their clients. */
  async refresh(userIds: readonly string[]): Promise<void> {
    for (const userId of userIds) {
      if (!this.connections.has(userId)) continue;
      const before = this.topicsOf(userId);
      const after = await this.channelTopics(userId);
      await this.follow(
        userId,
        after.filter((topic) => !before.includes(topic)),
      );
      await this.unfollow(
        userId,
        before.filter((topic) => !after.includes(topic)),
      );
      this.send(userId, { kind: 'channels' });
    }
  }

  /**
   * After the bus was cut: activity and membership changes published meanwhile were lost, so
   * every connected user's channels are read again and their clients told to reload.
   */
  refreshEveryone(): Promise<void> {
    return this.refresh([...this.connections.keys()]);
  }

  private topicsOf(userId: string): string[] {
    return [...(this.channelsOfUser.get(userId) ?? [])].map(activityChannelTopic);
  }

  private async channelTopics(userId: string): Promise<string[]> {
    const channels = await this.channelsOf(userId);
    this.channelsOfUser.set(userId, new Set(channels));
    return channels.map(activityChannelTopic);
  }

  private async follow(userId: string, topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      const existing = this.subscriptions.get(topic);
      if (existing) {
        existing.users.add(userId);
        continue;
      }
      const subscription: Subscription = {
        users: new Set([userId]),
        unsubscribe: this.bus.subscribe(topic, (message) => this.deliver(topic, message)),
      };
      this.subscriptions.set(topic, subscription);
      await subscription.unsubscribe;
    }
  }

  private async unfollow(userId: string, topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      const subscription = this.subscriptions.get(topic);
      if (!subscription) continue;
      subscription.users.delete(userId);
      if (subscription.users.size) continue;
      this.subscriptions.delete(topic);
      await (await subscription.unsubscribe)();
    }
  }

  /** A bus message: one event, or several as a JSON array (see `publish`). */
  private deliver(topic: string, message: Uint8Array): void {
    let events: unknown;
    try {
      events = JSON.parse(new TextDecoder().decode(message));
    } catch {
      return;
    }
    for (const event of Array.isArray(events) ? events : [events]) {
      // Another version of a publisher may send kinds this node does not know: dropped, never
      // passed on as something else.
      if (isObject(event) && KNOWN_KINDS.has(event.kind))
        this.deliverEvent(topic, event as ActivityEvent);
    }
  }

  private deliverEvent(topic: string, event: ActivityEvent): void {
    for (const userId of this.subscriptions.get(topic)?.users ?? []) {
      if (event.kind === 'notification') {
        if (event.userId === userId) {
          const { userId: _recipient, ...notification } = event;
          this.send(userId, notification);
        }
        continue;
      }
      if (event.kind === 'user_status') {
        // On the user's own topic, about themself: other users learn of it through presence.
        if (event.userId === userId)
          this.send(userId, { kind: 'user_status', userId: event.userId });
        continue;
      }
      if (event.kind === 'read') {
        if (event.userId === userId)
          this.send(userId, {
            kind: 'read',
            markerKey: event.markerKey,
            messageId: event.messageId,
          });
        continue;
      }
      if (event.kind === 'status') {
        if (event.userId === userId)
          this.send(userId, { kind: 'status', channelId: event.channelId });
        continue;
      }
      if (event.kind === 'file') {
        this.send(userId, {
          kind: 'file',
          channelId: event.channelId,
          fileId: event.fileId,
          change: event.change,
        });
        continue;
      }
      this.send(userId, {
        kind: 'message',
        channelId: event.channelId,
        messageId: event.messageId,
        authorId: event.authorId,
        parentId: event.parentId,
        mention: event.authorId !== userId && (event.everyone || event.mentioned.includes(userId)),
      });
    }
  }

  /**
   * Queues activity for a user's devices: everything queued for one user within a tick goes as
   * one frame (PROTOCOL.md "Activity": an object, or an array of several).
   */
  private send(userId: string, activity: ClientActivity): void {
    const queued = this.outbox.get(userId);
    if (queued) {
      queued.push(activity);
      return;
    }
    this.outbox.set(userId, [activity]);
    if (this.outbox.size === 1) setImmediate(() => this.flushOutbox());
  }

  private flushOutbox(): void {
    for (const [userId, activities] of this.outbox) {
      const frame = activityMessage(JSON.stringify(oneOrMany(activities)));
      for (const connection of this.connections.get(userId) ?? []) connection.send(frame);
    }
    this.outbox.clear();
  }
}
