import { randomUUID } from 'node:crypto';
import {
  decodePresenceEvent,
  type EventBus,
  encodePresenceEvent,
  type Logger,
  type NodePresence,
  type PresenceStore,
  presenceUserTopic,
  strongestPresence,
  type Unsubscribe,
} from '@confab/db';
import {
  PRESENCE_HEARTBEAT_MS,
  type Presence,
  type PresenceFrame,
  type ReportedPresence,
} from '@confab/db/model';
import type { PresenceSession } from '../engine/ports';
import { presenceMessage } from '../engine/protocol';

/** A connection as the hub sees it: its user, and where 105 frames go. */
export interface PresenceConnection {
  readonly userId: string;
  send(frame: Uint8Array): void;
}

export interface PresenceHubOptions {
  store: PresenceStore;
  bus: EventBus;
  /** Which of `userIds` the viewer may watch (a workspace in common; guests: a channel). */
  visible(viewerId: string, userIds: readonly string[]): Promise<string[]>;
  logger: Logger;
  /** A connection silent for this many heartbeats counts as away. */
  heartbeatMs?: number;
  /** Changes arriving within this window go out in one 105 per connection. */
  coalesceMs?: number;
}

/** Missed heartbeats after which a connection counts as away (PROTOCOL.md "Presence"). */
const MISSED_HEARTBEATS = 3;

interface ConnectionState {
  reported: ReportedPresence;
  heardAt: number;
  watching: Set<string>;
  /**
   * Watches of one connection apply one at a time. Each replaces the last, so of those waiting
   * only the newest runs (a client flooding 104s costs one visibility query at a time).
   */
  nextWatch: readonly string[] | null;
  /** Memberships changed: check the watched set again once the running watch is done. */
  recheckWatch: boolean;
  draining: Promise<void> | null;
  closed: boolean;
}

interface Outbox {
  users: Map<string, Presence>;
  statuses: Set<string>;
}

/**
 * Presence on one sync node. Each connection on a user's own doc reports `active` or `away`; the
 * node writes the strongest of a user's connections to the shared store (keeping a user a grace
 * period after their last connection closed), refreshes everything it holds every third of the
 * store's TTL, and publishes `presence.user.<id>` on each change. Watches follow only the users
 * some connection here watches: on an event, and on a sweep each refresh (which is how a dead
 * node's users are noticed once its TTL ran out), the node reads the store and tells watchers
 * what changed, several changes in one 105 per connection.
 */
export class PresenceHub {
  readonly nodeId = randomUUID();
  private readonly connections = new Map<PresenceConnection, ConnectionState>();
  private readonly byUser = new Map<string, Set<PresenceConnection>>();
  /** What this node last wrote for each user it holds (absent: nothing, offline). */
  private readonly held = new Map<string, ReportedPresence>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Watched user → the connections watching them, and the bus subscription while any does. */
  private readonly watchers = new Map<string, Set<PresenceConnection>>();
  private readonly subscriptions = new Map<string, Promise<Unsubscribe>>();
  /** The presence watchers were last told for each watched user. */
  private readonly known = new Map<string, Presence>();
  private readonly dirty = new Set<string>();
  private readonly statusChanged = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly loop: NodeJS.Timeout;
  private stopped = false;
  private readonly heartbeatMs: number;
  private readonly coalesceMs: number;

  constructor(private readonly options: PresenceHubOptions) {
    this.heartbeatMs = options.heartbeatMs ?? PRESENCE_HEARTBEAT_MS;
    this.coalesceMs = options.coalesceMs ?? 20;
    this.loop = setInterval(() => this.tick(), Math.max(1, Math.floor(this.refreshMs)));
    this.loop.unref();
    // Whatever was published while the bus was away is lost: refresh and re-read at once.
    options.bus.onResubscribed(() => this.tick());
  }

  /** The node writes what it holds this often: a third of the TTL. */
  get refreshMs(): number {
    return this.options.store.settings.ttlMs / 3;
  }

  attach(connection: PresenceConnection): PresenceSession {
    const state: ConnectionState = {
      reported: 'active',
      heardAt: Date.now(),
      watching: new Set(),
      nextWatch: null,
      recheckWatch: false,
      draining: null,
      closed: false,
    };
    this.connections.set(connection, state);
    const { userId } = connection;
    let mine = this.byUser.get(userId);
    if (!mine) {
      mine = new Set();
      this.byUser.set(userId, mine);
    }
    mine.add(connection);
    clearTimeout(this.graceTimers.get(userId));
    this.graceTimers.delete(userId);
    this.recompute(userId);
    return {
      report: (reported) => {
        if (state.closed) return;
        state.reported = reported;
        state.heardAt = Date.now();
        this.recompute(userId);
      },
      watch: (userIds) => {
        state.nextWatch = userIds;
        return this.drainWatches(connection, state);
      },
      close: () => this.detach(connection, state),
    };
  }

  /**
   * After memberships changed: watches by or of these users are checked again, and people the
   * watcher may no longer see are dropped from them (no 105 says so: the client stops hearing).
   */
  async recheck(userIds: readonly string[]): Promise<void> {
    const changed = new Set(userIds);
    const affected = [...this.connections].filter(
      ([connection, state]) =>
        state.watching.size &&
        (changed.has(connection.userId) || [...state.watching].some((id) => changed.has(id))),
    );
    await Promise.all(
      affected.map(([connection, state]) => {
        state.recheckWatch = true;
        return this.drainWatches(connection, state);
      }),
    );
  }

  /** Runs a connection's waiting watch (the newest) and recheck, one at a time. */
  private drainWatches(connection: PresenceConnection, state: ConnectionState): Promise<void> {
    state.draining ??= (async () => {
      try {
        while (state.nextWatch || state.recheckWatch) {
          const requested = state.nextWatch;
          state.nextWatch = null;
          // A new watch is checked as it is made: it covers a pending recheck.
          state.recheckWatch = false;
          if (requested) await this.watch(connection, state, requested);
          else await this.dropInvisible(connection, state);
        }
      } finally {
        // Even after a failure, so the connection's next watch runs instead of this one's fate.
        state.draining = null;
      }
    })();
    return state.draining;
  }

  private async dropInvisible(connection: PresenceConnection, state: ConnectionState) {
    const watched = [...state.watching];
    let allowed: Set<string>;
    try {
      allowed = new Set(await this.options.visible(connection.userId, watched));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'presence watch recheck failed');
      return;
    }
    if (state.closed) return;
    for (const userId of watched)
      if (!allowed.has(userId) && state.watching.delete(userId)) this.unwatch(connection, userId);
  }

  /** Withdraws every user this node holds at once (they go offline now, not after a TTL). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.loop);
    clearTimeout(this.flushTimer ?? undefined);
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
    for (const [topic, unsubscribe] of [...this.subscriptions]) {
      this.subscriptions.delete(topic);
      await (await unsubscribe)();
    }
    const userIds = [...this.held.keys()];
    this.held.clear();
    await this.options.store.removeNode(this.nodeId, userIds);
    await Promise.all(userIds.map((userId) => this.announce(userId)));
  }

  /** What this node holds of a user: the strongest of their connections here. */
  private nodePresence(userId: string): NodePresence {
    let presence: Presence = 'offline';
    const silentSince = Date.now() - MISSED_HEARTBEATS * this.heartbeatMs;
    for (const connection of this.byUser.get(userId) ?? []) {
      const state = this.connections.get(connection);
      if (!state) continue;
      presence = strongestPresence(presence, state.heardAt < silentSince ? 'away' : state.reported);
    }
    return presence;
  }

  /** Writes a user's presence on this node when it changed, then tells everyone watching. */
  private recompute(userId: string): void {
    if (this.stopped) return;
    const now = this.byUser.has(userId)
      ? this.nodePresence(userId)
      : // In the grace period the node keeps what it held.
        this.graceTimers.has(userId)
        ? (this.held.get(userId) ?? 'offline')
        : 'offline';
    if (now === (this.held.get(userId) ?? 'offline')) return;
    if (now === 'offline') this.held.delete(userId);
    else this.held.set(userId, now);
    this.options.store.write(this.nodeId, new Map([[userId, now]])).then(
      () => this.announce(userId),
      (error: unknown) =>
        this.options.logger.warn({ err: error, userId }, 'presence not written; next refresh'),
    );
  }

  /** Tells every node (this one too) that a user's presence may have changed. */
  private async announce(userId: string): Promise<void> {
    this.markDirty(userId);
    const topic = presenceUserTopic(userId);
    try {
      await this.options.bus.publish(topic, encodePresenceEvent({ kind: 'presence', userId }));
    } catch (error) {
      this.options.logger.warn({ err: error, topic }, 'presence change not published');
    }
  }

  private detach(connection: PresenceConnection, state: ConnectionState): void {
    if (state.closed) return;
    state.closed = true;
    this.connections.delete(connection);
    for (const userId of state.watching) this.unwatch(connection, userId);
    state.watching.clear();
    const { userId } = connection;
    const mine = this.byUser.get(userId);
    mine?.delete(connection);
    if (mine?.size) {
      this.recompute(userId);
      return;
    }
    this.byUser.delete(userId);
    if (this.stopped || !this.held.has(userId)) return;
    // A reconnect within the grace period does not flap the user offline and back.
    const timer = setTimeout(() => {
      this.graceTimers.delete(userId);
      this.recompute(userId);
    }, this.options.store.settings.graceMs);
    timer.unref();
    this.graceTimers.set(userId, timer);
  }

  private async watch(
    connection: PresenceConnection,
    state: ConnectionState,
    requested: readonly string[],
  ): Promise<void> {
    let allowed: string[];
    try {
      allowed = await this.options.visible(connection.userId, [...new Set(requested)]);
    } catch (error) {
      // The client sends its watch again after a reconnect; this one is dropped.
      this.options.logger.warn({ err: error }, 'presence watch not checked');
      return;
    }
    if (state.closed || this.stopped) return;
    const next = new Set(allowed);
    for (const userId of state.watching)
      if (!next.has(userId)) {
        state.watching.delete(userId);
        this.unwatch(connection, userId);
      }
    const added = allowed.filter((userId) => !state.watching.has(userId));
    for (const userId of added) {
      state.watching.add(userId);
      let watching = this.watchers.get(userId);
      if (!watching) {
        watching = new Set();
        this.watchers.set(userId, watching);
      }
      watching.add(connection);
      this.ensureFollowing(userId);
    }
    // Subscribed before reading, so a change between the read and now is not missed. A failed
    // subscription is retried at the next tick, whose re-read covers what it would have heard.
    await Promise.allSettled(added.map((userId) => this.subscriptions.get(userId)));
    let snapshot: Map<string, Presence>;
    try {
      snapshot = await this.options.store.read(added);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'presence not read');
      snapshot = new Map();
    }
    if (state.closed) return;
    const users: Record<string, Presence> = {};
    for (const userId of added) {
      if (!state.watching.has(userId)) continue;
      const presence = snapshot.get(userId) ?? 'offline';
      users[userId] = presence;
      if (this.known.has(userId) && this.known.get(userId) !== presence) {
        // This read and the one behind `known` disagree and either may be the newer: forget
        // both, so the next flush reads again and tells every watcher, this one included.
        this.known.delete(userId);
        this.markDirty(userId);
      } else this.known.set(userId, presence);
    }
    connection.send(presenceMessage(JSON.stringify({ users } satisfies PresenceFrame)));
  }

  private unwatch(connection: PresenceConnection, userId: string): void {
    const watching = this.watchers.get(userId);
    watching?.delete(connection);
    if (watching?.size) return;
    this.watchers.delete(userId);
    this.known.delete(userId);
    const subscription = this.subscriptions.get(userId);
    this.subscriptions.delete(userId);
    subscription
      ?.then((unsubscribe) => unsubscribe())
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'unsubscribe failed'));
  }

  /** Subscribes to a watched user's topic unless subscribed; a failure is forgotten, to retry. */
  private ensureFollowing(userId: string): void {
    if (this.subscriptions.has(userId)) return;
    const subscription = this.follow(userId);
    this.subscriptions.set(userId, subscription);
    subscription.catch((error: unknown) => {
      this.options.logger.warn({ err: error, userId }, 'presence not followed; next tick retries');
      if (this.subscriptions.get(userId) === subscription) this.subscriptions.delete(userId);
    });
  }

  private follow(userId: string): Promise<Unsubscribe> {
    return this.options.bus.subscribe(presenceUserTopic(userId), (message) => {
      const event = decodePresenceEvent(message);
      if (!event || event.userId !== userId || !this.watchers.has(userId)) return;
      if (event.kind === 'status') {
        this.statusChanged.add(userId);
        this.scheduleFlush();
      } else this.markDirty(userId);
    });
  }

  private markDirty(userId: string): void {
    if (!this.watchers.has(userId)) return;
    this.dirty.add(userId);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.stopped) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, this.coalesceMs);
    this.flushTimer.unref();
  }

  /** Reads the store for the users that may have changed and sends each watcher one 105. */
  private async flush(): Promise<void> {
    const userIds = [...this.dirty];
    this.dirty.clear();
    const statuses = [...this.statusChanged];
    this.statusChanged.clear();
    let read = new Map<string, Presence>();
    if (userIds.length) {
      try {
        read = await this.options.store.read(userIds);
      } catch (error) {
        // The next sweep reads them again.
        this.options.logger.warn({ err: error }, 'presence not read');
      }
    }
    const outboxes = new Map<PresenceConnection, Outbox>();
    const outbox = (connection: PresenceConnection) => {
      let box = outboxes.get(connection);
      if (!box) {
        box = { users: new Map(), statuses: new Set() };
        outboxes.set(connection, box);
      }
      return box;
    };
    for (const [userId, presence] of read) {
      const watching = this.watchers.get(userId);
      if (!watching || this.known.get(userId) === presence) continue;
      this.known.set(userId, presence);
      for (const connection of watching) outbox(connection).users.set(userId, presence);
    }
    for (const userId of statuses)
      for (const connection of this.watchers.get(userId) ?? [])
        outbox(connection).statuses.add(userId);
    for (const [connection, box] of outboxes) {
      const frame: PresenceFrame = {};
      if (box.users.size) frame.users = Object.fromEntries(box.users);
      if (box.statuses.size) frame.statuses = [...box.statuses];
      connection.send(presenceMessage(JSON.stringify(frame)));
    }
  }

  /**
   * Every third of the TTL: connections silent for three heartbeats turn away, the node rewrites
   * all it holds (keeping it alive, and healing a store that lost it), and every watched user is
   * read again (a node that died is noticed this way, once its TTL ran out).
   */
  private tick(): void {
    if (this.stopped) return;
    for (const userId of this.byUser.keys()) this.recompute(userId);
    this.options.store.write(this.nodeId, new Map(this.held)).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'presence refresh failed');
    });
    for (const userId of this.watchers.keys()) {
      this.ensureFollowing(userId);
      this.dirty.add(userId);
    }
    if (this.dirty.size) this.scheduleFlush();
  }
}
