import { randomUUID } from 'node:crypto';
import {
  type EventBus,
  type Logger,
  MEMBERSHIP_CHANGED_TOPIC,
  type MembershipChangedEvent,
  type Policy,
  parseDocRef,
  SESSIONS_REVOKED_TOPIC,
  type SessionsRevokedEvent,
  type Unsubscribe,
} from '@confab/db';
import type { ActivityHub } from './activity';
import { CloseCode } from './close-codes';
import { DocRoom } from './engine/doc-room';
import { composeHooks } from './engine/hooks';
import type { ClientIdRegistry, DocLog, SyncConnection } from './engine/ports';
import { DocFanOut } from './fan-out/doc-fan-out';
import type { PresenceHub } from './presence/presence-hub';
import type { Projector } from './projection/projector';
import type { Receipts } from './projection/receipts';

export interface SyncServiceOptions {
  log: DocLog;
  clientIds: ClientIdRegistry;
  /** Delivery receipts of DMs and group DMs. */
  receipts?: Receipts;
  /** Tails the log into rows (`projection/log-tailer.ts`); absent in tests of the engine alone. */
  projector?: Projector;
  /** Streams activity to connections on users' own docs (DESIGN.md "Activity"). */
  activity?: ActivityHub;
  /** Presence reports and watches on users' own docs (PROTOCOL.md "Presence"). */
  presence?: PresenceHub;
  bus: EventBus;
  policy: Policy;
  logger: Logger;
  /** How long a doc nobody is connected to stays loaded (reconnects within it are free). */
  unloadAfterMs?: number;
  /** Whether a session still lives; asked after the bus was cut (a revocation may be lost). */
  sessionAlive?: (sessionId: string) => Promise<boolean>;
  /** Folds a doc's log into a snapshot; run in the background after every `compactEvery` appends. */
  compact?: (docName: string) => Promise<unknown>;
  compactEvery?: number;
}

interface LoadedRoom {
  room: DocRoom;
  fanOut: DocFanOut;
  unloadTimer?: NodeJS.Timeout;
}

/**
 * The docs open on this node. Any node serves any doc: updates a node accepts are durable before
 * they go to the bus, so other nodes only apply and pass them on, and nothing is logged twice.
 */
export class SyncService {
  private readonly nodeId = randomUUID();
  private readonly rooms = new Map<string, Promise<LoadedRoom>>();
  private readonly subscriptions: Unsubscribe[] = [];
  private readonly unloadAfterMs: number;
  /** Compactions run one at a time per process, so a burst of busy docs cannot hog the CPU. */
  private compactions: Promise<unknown> = Promise.resolve();
  private readonly compacting = new Set<string>();

  private constructor(private readonly options: SyncServiceOptions) {
    this.unloadAfterMs = options.unloadAfterMs ?? 30_000;
  }

  static async start(options: SyncServiceOptions): Promise<SyncService> {
    const service = new SyncService(options);
    const json = <T>(message: Uint8Array) => JSON.parse(new TextDecoder().decode(message)) as T;
    service.subscriptions.push(
      await options.bus.subscribe(SESSIONS_REVOKED_TOPIC, (message) => {
        const { sessionIds } = json<SessionsRevokedEvent>(message);
        service.closeWhere(
          (connection) => sessionIds.includes(connection.sessionId),
          CloseCode.unauthenticated,
          'session ended',
        );
      }),
      await options.bus.subscribe(MEMBERSHIP_CHANGED_TOPIC, (message) => {
        const { userIds } = json<MembershipChangedEvent>(message);
        service
          .recheck(userIds)
          .catch((error: unknown) => options.logger.warn({ err: error }, 'access recheck failed'));
        options.presence
          ?.recheck(userIds)
          .catch((error: unknown) =>
            options.logger.warn({ err: error }, 'presence watch recheck failed'),
          );
        options.activity
          ?.refresh(userIds)
          .catch((error: unknown) =>
            options.logger.warn({ err: error }, 'activity membership refresh failed'),
          );
      }),
    );
    options.bus.onResubscribed(() => service.afterBusCut());
    return service;
  }

  /** Adds a connection to its doc, loading the doc first when this node does not have it open. */
  async connect(
    docName: string,
    connection: SyncConnection,
  ): Promise<{ receive(frame: Uint8Array): void; close(): void }> {
    const loaded = await this.open(docName);
    clearTimeout(loaded.unloadTimer);
    loaded.room.join(connection);
    // A client's socket to its own doc is its always-open one: activity and presence ride on it.
    const alwaysOpen = connection.wantsAcks && docName === `user:${connection.userId}`;
    const detach =
      this.options.activity && alwaysOpen ? await this.options.activity.attach(connection) : null;
    if (this.options.presence && alwaysOpen)
      connection.presence = this.options.presence.attach(connection);
    return {
      receive: (frame) => loaded.room.receive(connection, frame),
      close: () => {
        detach?.();
        connection.presence?.close();
        loaded.room.leave(connection);
        if (loaded.room.size === 0) this.scheduleUnload(docName, loaded);
      },
    };
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.subscriptions.splice(0)) await unsubscribe();
    for (const [name, pending] of [...this.rooms]) {
      const loaded = await pending;
      loaded.room.closeAll(CloseCode.goingAway, 'server shutting down');
      await this.unload(name, loaded);
    }
    await this.options.log.flush();
    await this.options.projector?.flush();
    await this.compactions;
  }

  private open(docName: string): Promise<LoadedRoom> {
    let pending = this.rooms.get(docName);
    if (!pending) {
      pending = this.load(docName);
      this.rooms.set(docName, pending);
      pending.catch(() => this.rooms.delete(docName));
    }
    return pending;
  }

  private async load(docName: string): Promise<LoadedRoom> {
    const { log, bus, logger } = this.options;
    const fanOut = new DocFanOut(docName, { nodeId: this.nodeId, bus, logger });
    const { clientIds, projector, compactEvery = 500 } = this.options;
    const ref = parseDocRef(docName);
    if (!ref) throw new Error(`not a doc name: ${docName}`);
    const owners = await clientIds.owners(docName);
    const receipts = await this.options.receipts?.forDoc(ref);
    let appended = 0;
    const room: DocRoom = new DocRoom(docName, {
      log,
      clientIds,
      owners,
      hooks: composeHooks(
        fanOut.hooks,
        {
          committed: () => {
            if (++appended % compactEvery === 0) this.scheduleCompaction(docName);
          },
        },
        // The projector tails the log: a commit here only wakes it.
        projector ? { committed: () => projector.wake() } : {},
        receipts ? { delivered: receipts } : {},
        {
          error: (error, connection) =>
            logger.warn(
              { err: error, docName, userId: connection?.userId },
              'sync connection failed',
            ),
        },
      ),
    });
    // Subscribe before reading the log: an update committed in between arrives by one path or
    // both, and applying it twice is harmless [S7].
    await fanOut.start(room);
    try {
      room.restore(await log.load(docName));
      // A doc with quarantined changes is projected whole again.
      projector?.loaded(docName);
    } catch (error) {
      await fanOut.stop();
      throw error;
    }
    return { room, fanOut };
  }

  private scheduleCompaction(docName: string): void {
    const { compact, logger } = this.options;
    if (!compact || this.compacting.has(docName)) return;
    this.compacting.add(docName);
    this.compactions = this.compactions
      .then(() => compact(docName))
      .catch((error: unknown) => logger.warn({ err: error, docName }, 'compaction failed'))
      .finally(() => this.compacting.delete(docName));
  }

  private scheduleUnload(docName: string, loaded: LoadedRoom): void {
    clearTimeout(loaded.unloadTimer);
    loaded.unloadTimer = setTimeout(() => {
      if (loaded.room.size === 0) void this.unload(docName, loaded);
    }, this.unloadAfterMs);
    loaded.unloadTimer.unref();
  }

  private async unload(docName: string, loaded: LoadedRoom): Promise<void> {
    clearTimeout(loaded.unloadTimer);
    this.rooms.delete(docName);
    await loaded.fanOut.stop();
    loaded.room.awareness.destroy();
    loaded.room.doc.destroy();
  }

  private closeWhere(
    match: (connection: SyncConnection) => boolean,
    code: number,
    reason: string,
  ): void {
    for (const pending of this.rooms.values()) {
      // Room by room as each is loaded; one that failed to load has no connections.
      pending.then(
        ({ room }) => room.closeWhere(match, code, reason),
        () => {},
      );
    }
  }

  /** The docs loaded so far (a doc that failed to load has none). */
  private async loaded(): Promise<LoadedRoom[]> {
    const loaded = await Promise.all([...this.rooms.values()].map((p) => p.catch(() => null)));
    return loaded.flatMap((entry) => (entry ? [entry] : []));
  }

  /** The rooms loaded so far. */
  private async loadedRooms(): Promise<DocRoom[]> {
    return (await this.loaded()).map((entry) => entry.room);
  }

  /**
   * Whatever was published while the bus was away is lost: every open doc reads its log again,
   * everyone's access and session are checked again (a membership change or a logout may have
   * gone unheard), and activity streams re-read their channels and tell clients to reload.
   */
  private afterBusCut(): void {
    const { logger, activity } = this.options;
    const warn = (what: string) => (error: unknown) => logger.warn({ err: error }, what);
    void this.loaded().then((loaded) => {
      for (const { room, fanOut } of loaded) {
        fanOut.reannounce();
        void room.catchUpFromLog(true);
      }
    });
    this.recheck(null).catch(warn('access recheck failed'));
    this.closeEndedSessions().catch(warn('session recheck failed'));
    activity?.refreshEveryone().catch(warn('activity refresh failed'));
  }

  /** Closes the connections of sessions that ended (after the bus was cut). */
  private async closeEndedSessions(): Promise<void> {
    const { sessionAlive } = this.options;
    if (!sessionAlive) return;
    const sessions = new Set(
      (await this.loadedRooms()).flatMap((room) => room.connected.map((c) => c.sessionId)),
    );
    const ended = new Set<string>();
    for (const sessionId of sessions) if (!(await sessionAlive(sessionId))) ended.add(sessionId);
    if (ended.size)
      this.closeWhere(
        (connection) => ended.has(connection.sessionId),
        CloseCode.unauthenticated,
        'session ended',
      );
  }

  /**
   * After a membership change, asks the policy again for each affected user's open docs; with
   * null, for everyone connected (after the bus was cut, a change may have gone unheard).
   */
  private async recheck(userIds: readonly string[] | null): Promise<void> {
    for (const room of await this.loadedRooms()) {
      const connected = new Set(room.connected.map((connection) => connection.userId));
      for (const userId of userIds ?? connected) {
        if (!connected.has(userId)) continue;
        const { access, may } = await this.options.policy.docGrant(userId, room.name);
        room.refreshPermissions(userId, may);
        room.closeWhere(
          (connection) =>
            connection.userId === userId &&
            (access === 'none' || (access === 'read' && !connection.readOnly)),
          CloseCode.forbidden,
          'access changed',
        );
      }
    }
  }
}
