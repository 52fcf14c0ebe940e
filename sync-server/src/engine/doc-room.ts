import {
  CloseCode,
  MESSAGES,
  parseDocRef,
  type RejectReason,
  type Verdict,
} from '@confab/db/model';
import {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness';
import * as Y from 'yjs';
import { collectChanges } from './changes';
import {
  type ClientIdOwner,
  type ClientIdRegistry,
  type DocLog,
  MessageIdTaken,
  type RoomHooks,
  type SyncConnection,
} from './ports';
import {
  awarenessMessage,
  type ClientMessage,
  decodeClientMessage,
  MalformedMessage,
  persistedMessage,
  rejectedMessage,
  syncStep1,
  syncStep2,
  syncUpdate,
} from './protocol';
import { assertUpdateWithinLimits, UpdateOutOfLimits } from './update-limits';
import { changesSomething, newPart, startsBeyond, writersOf } from './update-parts';
import { type RoomGuard, validateInRoom } from './validate-in-room';

/** On joining, a recipient is sent the whole doc; receipts go to its newest this many messages. */
const RECEIPTS_ON_JOIN = 100;

/**
 * Refusals an honest client gets when this node's copy lags the log: its update carries or
 * builds on content committed on another node that has not reached this one.
 */
const MAY_BE_LAG = new Set<RejectReason>([
  'client_id_owned',
  'missing_dependency',
  'unknown_message',
  'unknown_delete',
]);
/** A doc reads its log to catch up at most this often. */
const CATCH_UP_EVERY_MS = 1_000;

export interface DocRoomOptions {
  log: DocLog;
  clientIds: ClientIdRegistry;
  /** Owners of the doc's client ids as loaded with it. */
  owners: Map<number, ClientIdOwner>;
  /** What the rest of the node does with durable, applied updates (none: a lone engine). */
  hooks?: RoomHooks;
}

/** Origin of changes that came from another node: they are durable and fanned out already. */
export const REMOTE = Symbol('remote');

/**
 * One open doc on this node: the server's copy, its awareness, and its connections. Every
 * accepted update is appended to the log and committed before it is applied, acknowledged or
 * sent to anyone [S1]; so everything in this copy is durable, and its state vector is the ack.
 */
export class DocRoom {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new Awareness(this.doc);
  private readonly connections = new Map<SyncConnection, Set<number>>();
  /** Messages of one connection are handled strictly in order. */
  private readonly queues = new Map<SyncConnection, Promise<void>>();
  /** Message ids created by updates being committed: a second creation of one is refused. */
  private readonly reserved = new Set<string>();
  private readonly log: DocLog;
  private readonly hooks: RoomHooks;
  /** What the validator reads besides the doc's contents. */
  private readonly guard: RoomGuard;
  /** Whether an update is being applied (false while restoring: nothing was delivered). */
  private applying = false;
  /** Whether the last transaction changed the doc (else nobody is sent anything). */
  private changed = false;
  /** The last catch-up from the log (see `catchUpFromLog`). */
  private caughtUp: { at: number; done: Promise<boolean> } | null = null;

  constructor(
    readonly name: string,
    { log, clientIds, owners, hooks = {} }: DocRoomOptions,
  ) {
    const ref = parseDocRef(name);
    if (!ref) throw new Error(`not a doc name: ${name}`);
    this.log = log;
    this.hooks = hooks;
    this.guard = {
      name,
      doc: this.doc,
      docKind: ref.kind,
      threadRootId: ref.kind === 'thread' ? ref.rootId : undefined,
      channelId: ref.kind === 'user' ? null : ref.channelId,
      clientIds,
      owners,
      reserved: this.reserved,
      attachableFiles: log.attachableFiles,
    };
    // The server holds no awareness state of its own.
    this.awareness.setLocalState(null);
    this.doc.on('afterTransaction', (transaction: Y.Transaction) => {
      this.changed = changedAnything(transaction);
      // Only receipts need what a transaction changed: reading it costs a walk of every change.
      if (!this.applying || !hooks.delivered) return;
      const { created } = collectChanges(transaction);
      if (created.size) this.deliver([...created], null);
    });
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = [...added, ...updated, ...removed];
      const owned =
        origin && typeof origin === 'object'
          ? this.connections.get(origin as SyncConnection)
          : undefined;
      if (owned) {
        for (const id of added) owned.add(id);
        for (const id of removed) owned.delete(id);
      }
      const update = encodeAwarenessUpdate(this.awareness, changed);
      const frame = awarenessMessage(update);
      for (const connection of this.connections.keys()) connection.send(frame);
      if (origin !== REMOTE) hooks.awareness?.(update);
    });
  }

  get size(): number {
    return this.connections.size;
  }

  /** The connections to this doc. */
  get connected(): SyncConnection[] {
    return [...this.connections.keys()];
  }

  /** Loads durable history into the server's copy (before any connection joins). */
  restore(updates: Uint8Array[]): void {
    if (updates.length) Y.applyUpdate(this.doc, Y.mergeUpdates(updates), REMOTE);
  }

  join(connection: SyncConnection): void {
    this.connections.set(connection, new Set());
    // The server starts both halves of the handshake: its state vector, and who is present.
    connection.send(syncStep1(Y.encodeStateVector(this.doc)));
    const states = [...this.awareness.getStates().keys()];
    if (states.length)
      connection.send(awarenessMessage(encodeAwarenessUpdate(this.awareness, states)));
  }

  leave(connection: SyncConnection): void {
    const owned = this.connections.get(connection);
    this.connections.delete(connection);
    this.queues.delete(connection);
    if (owned?.size) removeAwarenessStates(this.awareness, [...owned], null);
  }

  /** Queues a frame from `connection`; frames of one connection are handled in arrival order. */
  receive(connection: SyncConnection, frame: Uint8Array): void {
    const previous = this.queues.get(connection) ?? Promise.resolve();
    const next = previous.then(() => this.handle(connection, frame));
    this.queues.set(connection, next);
  }

  /** An update from another node: already durable there, so only applied and passed on. */
  applyRemoteUpdate(update: Uint8Array): void {
    this.apply(update, REMOTE);
  }

  /** Owners of the doc's client ids, as this node knows them. */
  get owners(): Map<number, ClientIdOwner> {
    return this.guard.owners;
  }

  private apply(update: Uint8Array, origin: unknown): void {
    // Content is pending (it came before something it builds on): this update may integrate more
    // than itself, so the connections get what Yjs reports as changed instead.
    const { pendingStructs, pendingDs } = this.doc.store;
    const relay = pendingStructs || pendingDs ? this.relay(origin) : null;
    this.applying = true;
    try {
      Y.applyUpdate(this.doc, update, origin);
    } finally {
      this.applying = false;
      if (relay) this.doc.off('update', relay);
    }
    // Otherwise what the others lack is this update as it came, sent as is: with a listener on
    // the doc's 'update' event, Yjs would encode every transaction again to emit it.
    if (!relay && this.changed) this.broadcast(syncUpdate(update), origin);
  }

  /** Applies a merged stretch of the log; the connections get only what was new in it. */
  private applyFromLog(updates: Uint8Array[]): void {
    const relay = this.relay(REMOTE);
    try {
      Y.applyUpdate(this.doc, Y.mergeUpdates(updates), REMOTE);
    } finally {
      this.doc.off('update', relay);
    }
  }

  /** Sends what the doc reports as changed to the connections until it is turned off. */
  private relay(origin: unknown): (update: Uint8Array) => void {
    const relay = (update: Uint8Array) => this.broadcast(syncUpdate(update), origin);
    this.doc.on('update', relay);
    return relay;
  }

  private broadcast(frame: Uint8Array, origin: unknown): void {
    for (const connection of this.connections.keys())
      if (connection !== origin) connection.send(frame);
  }

  applyRemoteAwareness(update: Uint8Array): void {
    applyAwarenessUpdate(this.awareness, update, REMOTE);
  }

  closeAll(code: number, reason: string): void {
    for (const connection of [...this.connections.keys()]) {
      connection.close(code, reason);
      this.leave(connection);
    }
  }

  /**
   * Receipts for messages just sent to connections (all of them, or one that just synced):
   * one per recipient user other than the message's author.
   */
  private deliver(messageIds: string[], only: SyncConnection | null): void {
    const messages = this.doc.getMap<Y.Map<unknown>>(MESSAGES);
    const users = new Set(
      (only ? [only] : [...this.connections.keys()]).map((connection) => connection.userId),
    );
    const receipts = messageIds.flatMap((messageId) => {
      const author = messages.get(messageId)?.get('author');
      if (typeof author !== 'string') return [];
      return [...users]
        .filter((userId) => userId !== author)
        .map((userId) => ({ messageId, userId, authorId: author }));
    });
    this.hooks.delivered?.(receipts);
  }

  /** A user's roles or the channel's policies changed: later updates are checked by the new ones. */
  refreshPermissions(userId: string, may: SyncConnection['may']): void {
    for (const connection of this.connections.keys())
      if (connection.userId === userId) connection.may = may;
  }

  /** Closes the connections of the given sessions, or of a user (all their sessions). */
  closeWhere(match: (connection: SyncConnection) => boolean, code: number, reason: string): void {
    for (const connection of [...this.connections.keys()]) {
      if (match(connection)) {
        connection.close(code, reason);
        this.leave(connection);
      }
    }
  }

  private async handle(connection: SyncConnection, frame: Uint8Array): Promise<void> {
    if (!this.connections.has(connection)) return;
    let message: ClientMessage;
    try {
      message = decodeClientMessage(frame);
    } catch (error) {
      if (!(error instanceof MalformedMessage)) throw error;
      connection.close(CloseCode.malformed, 'malformed message');
      this.leave(connection);
      return;
    }
    try {
      switch (message.type) {
        case 'step1': {
          connection.send(syncStep2(Y.encodeStateAsUpdate(this.doc, message.stateVector)));
          if (this.hooks.delivered) {
            const newest = [...this.doc.getMap(MESSAGES).keys()].sort().slice(-RECEIPTS_ON_JOIN);
            this.deliver(newest, connection);
          }
          return;
        }
        case 'update':
          await this.acceptUpdate(connection, message.update);
          return;
        case 'awareness':
          applyAwarenessUpdate(this.awareness, message.update, connection);
          return;
        case 'queryAwareness':
          connection.send(
            awarenessMessage(
              encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]),
            ),
          );
          return;
        case 'auth':
          return;
        case 'presenceReport':
        case 'presenceWatch': {
          const { presence } = connection;
          if (!presence) {
            connection.close(CloseCode.malformed, 'presence only on the own user doc with acks=1');
            this.leave(connection);
          } else if (message.type === 'presenceReport') presence.report(message.state);
          // Not awaited: a newer watch replaces one still waiting (the hub runs one at a time).
          else void presence.watch(message.users);
          return;
        }
      }
    } catch (error) {
      // A payload that decodes as a frame but not as a Yjs update, and any other failure here,
      // ends this connection only.
      this.hooks.error?.(error, connection);
      connection.close(CloseCode.malformed, 'update could not be applied');
      this.leave(connection);
    }
  }

  private async acceptUpdate(connection: SyncConnection, update: Uint8Array): Promise<void> {
    try {
      assertUpdateWithinLimits(update);
    } catch (error) {
      if (!(error instanceof UpdateOutOfLimits)) throw error;
      connection.close(
        error.malformed ? CloseCode.malformed : CloseCode.updateTooLarge,
        error.message.slice(0, 100),
      );
      this.leave(connection);
      return;
    }
    let { news, decoded } = newPart(this.doc, update);
    if (startsBeyond(this.doc, decoded)) {
      // The update skips clocks this copy lacks (after a crash, a client's live update can overtake
      // its catch-up). Stored now it could not integrate, and its catch-up would carry it again:
      // so store nothing, ack nothing, and ask the client for everything from our state on.
      connection.send(syncStep1(Y.encodeStateVector(this.doc)));
      return;
    }
    if (changesSomething(decoded)) {
      if (connection.readOnly) {
        connection.close(CloseCode.forbidden, 'read-only');
        this.leave(connection);
        return;
      }
      let writers = writersOf(decoded);
      let verdict = await validateInRoom(this.guard, connection, decoded, writers);
      if (!verdict.ok && MAY_BE_LAG.has(verdict.reason) && (await this.catchUpFromLog())) {
        // This copy missed committed updates (fan-out lost or late): judge again on the log's state.
        ({ news, decoded } = newPart(this.doc, update));
        if (!changesSomething(decoded)) return this.ack(connection);
        writers = writersOf(decoded);
        verdict = await validateInRoom(this.guard, connection, decoded, writers);
      }
      if (!verdict.ok) return this.refuse(connection, writers, verdict);
      for (const id of verdict.createdMessages) this.reserved.add(id);
      const writer = writers[0] ?? 0;
      let seq: number;
      try {
        const first = decoded.structs.find((struct) => !(struct instanceof Y.Skip));
        seq = await this.log.append({
          docName: this.name,
          update: news,
          clientId: writer,
          userId: connection.userId,
          claim:
            verdict.createdMessages.length && first
              ? {
                  messageIds: verdict.createdMessages,
                  token: `${first.id.client}:${first.id.clock}`,
                }
              : undefined,
        });
      } catch (error) {
        if (error instanceof MessageIdTaken) {
          // Another node accepted a creation of the same id first: this one would overwrite it.
          return this.refuse(connection, writers, {
            ok: false,
            reason: 'message_exists',
            detail: 'another update created this message id first',
          });
        }
        // Not durable, so not applied, not acked and not sent on: the client keeps it and re-sends.
        this.hooks.error?.(error, connection);
        connection.close(CloseCode.persistenceFailed, 'could not persist');
        this.leave(connection);
        return;
      } finally {
        for (const id of verdict.createdMessages) this.reserved.delete(id);
      }
      this.apply(news, connection);
      this.hooks.committed?.(news, seq);
    }
    this.ack(connection);
  }

  private ack(connection: SyncConnection): void {
    if (connection.wantsAcks) connection.send(persistedMessage(Y.encodeStateVector(this.doc)));
  }

  /**
   * Applies whatever the log holds that this copy lacks (updates committed on another node whose
   * fan-out was lost or has not arrived: Redis may drop messages [S9]); the connections get it as
   * any other update. Unless forced (the bus lost messages for sure), at most once per
   * CATCH_UP_EVERY_MS per doc, so refused updates cannot make a node read the log in a loop.
   * Resolves with whether it read the log.
   */
  catchUpFromLog(force = false): Promise<boolean> {
    const now = Date.now();
    if (!force && this.caughtUp && now - this.caughtUp.at < CATCH_UP_EVERY_MS)
      return this.caughtUp.done;
    const done = this.log.load(this.name).then(
      (updates) => {
        if (updates.length) this.applyFromLog(updates);
        return true;
      },
      (error: unknown) => {
        this.hooks.error?.(error, null);
        return false;
      },
    );
    this.caughtUp = { at: now, done };
    return done;
  }

  /**
   * A refused update is not stored, applied or passed on [S2]. The sender learns why, its
   * socket closes, and its client ids in the update are barred here: its replica holds the
   * refused change, so it must start over from the server's state [S5].
   */
  private async refuse(
    connection: SyncConnection,
    writers: number[],
    verdict: Extract<Verdict, { ok: false }>,
  ): Promise<void> {
    if (connection.wantsAcks) connection.send(rejectedMessage(verdict.reason, verdict.detail));
    connection.close(CloseCode.rejected, `rejected: ${verdict.reason}`);
    this.leave(connection);
    const own = writers.filter(
      (client) => this.guard.owners.get(client)?.userId === connection.userId,
    );
    for (const client of own) {
      const owner = this.guard.owners.get(client);
      if (owner) owner.barred = true;
    }
    await this.guard.clientIds
      .bar(this.name, own)
      .catch((error: unknown) => this.hooks.error?.(error, connection));
  }
}

/** Whether a transaction inserted or deleted anything (as Yjs decides whether to emit 'update'). */
function changedAnything(transaction: Y.Transaction): boolean {
  if (transaction.deleteSet.clients.size) return true;
  for (const [client, clock] of transaction.afterState)
    if (transaction.beforeState.get(client) !== clock) return true;
  return false;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}
