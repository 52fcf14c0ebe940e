import {
  CloseCode,
  type GuardedReplica,
  guardedReplica,
  type Intent,
  indexedDbOutboxStorage,
  Outbox,
  type PersistenceTracker,
  parseDocRef,
  reconnects,
  trackPersistence,
  type ValidationContext,
} from '@confab/db/model';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type Api, ApiError } from '../api/api';
import { lookUpChannel } from './channel-lookup';
import { watchConnection } from './connection-state';
import { syncTickets } from './sync-tickets';

export interface OpenDoc {
  /** The doc the app reads and writes; replaced when one of its changes was refused locally. */
  readonly doc: Y.Doc;
  provider: WebsocketProvider;
  tracker: PersistenceTracker;
  /** The user's intents on this doc not yet acked by the server [S5]. */
  outbox: Outbox;
  /** Does what the user meant: stored in the outbox first, then written into the doc. */
  perform(intent: Intent): Promise<void>;
  /** Counts the doc's changes and pending-state flips since it was created: a render's snapshot. */
  version(): number;
  /** Calls back on every change `version` counts; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Loads the channel's rules again (they changed, or the user retries a refused change). */
  refreshRules(): Promise<void>;
  close(): void;
  discard(): Promise<void>;
}

export interface OpenDocOptions {
  /** The signed-in user, whose changes the client's validator checks. */
  userId: string;
  /** The server refused a change (close 4422): the app rebuilds the doc from the server. */
  onRejected(reason: string): void;
  /** The client's own validator refused an intent; it never left the client [S5]. */
  onRefused(intent: Intent, reason: string): void;
}

type May = ValidationContext['may'];
/** Until the channel's rules are known (never loaded, offline), the server alone decides. */
const UNKNOWN_RULES: May = { post: true, react: true, moderate: true };
/**
 * A doc opening takes rules looked up this recently (by its channel view, which looks the
 * channel up as it opens, or by a sibling doc): changes since then reach it through the
 * activity stream (`refreshRules`).
 */
const RULES_FRESH_MS = 60_000;

const outboxStorage = indexedDbOutboxStorage(undefined, 'confab-outbox');

/** Waits between reconnects: from 0.5 s, doubling, at most 4 s (a restart is back in seconds). */
const reconnectDelay = (failures: number) => Math.min(500 * 2 ** (failures - 1), 4_000);

const syncUrl = () => {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/sync`;
};

/**
 * One sync doc as the app uses it [S5]. The provider and IndexedDB hold the wire doc; the app
 * writes into a local replica whose every change first passes the server's validator (the
 * guarded replica), so a change the server would refuse never leaves. The stock y-websocket
 * provider connects with a use of a burst ticket shared by all of the app's docs (one ticket
 * request per burst of reconnects, not per socket), and the persistence tracker
 * follows which changes the server has committed [S1].
 */
export async function openDoc(api: Api, name: string, options: OpenDocOptions): Promise<OpenDoc> {
  const ref = parseDocRef(name);
  if (!ref) throw new Error(`not a doc name: ${name}`);
  const wire = new Y.Doc();
  // Counted from the start: IndexedDB may fill the doc before the UI subscribes, and a change
  // nobody counted would leave the UI showing an empty channel.
  let version = 0;
  const listeners = new Set<() => void>();
  const changed = () => {
    version++;
    for (const listener of listeners) listener();
  };

  let may = UNKNOWN_RULES;
  /**
   * Rules looked up before this moment may be out of date: moved on when the socket drops, as
   * the activity that would have said they changed may be missed until it is back.
   */
  let rulesFreshSince = Date.now() - RULES_FRESH_MS;
  let rulesAsked = 0;
  let rulesApplied = 0;
  /** Without `freshSince`, a lookup of its own (the rules may have changed just now). */
  const loadRules = async (freshSince?: number) => {
    if (ref.kind === 'user') return;
    const asked = ++rulesAsked;
    try {
      const channel = await lookUpChannel(api, options.userId, ref.channelId, freshSince);
      // An answer to an older question must not overwrite a newer one.
      if (asked < rulesApplied) return;
      rulesApplied = asked;
      if (channel.may) may = channel.may;
    } catch {
      // Offline and never loaded: keep what is known.
    }
  };
  const context = (): Omit<ValidationContext, 'ownerOf'> => ({
    docKind: ref.kind,
    threadRootId: ref.kind === 'thread' ? ref.rootId : undefined,
    userId: options.userId,
    may,
  });
  let refusal: string | null = null;
  const replicate = (): GuardedReplica => {
    const replica = guardedReplica(wire, context);
    replica.onRefused((verdict) => {
      refusal = verdict.reason;
    });
    replica.local.on('update', changed);
    return replica;
  };
  let guard = replicate();
  /** Drops the local replica (it holds a refused change) for a new one from the wire doc. */
  const rebuild = () => {
    guard.local.off('update', changed);
    guard.destroy();
    guard = replicate();
    changed();
  };

  const stored = new IndexeddbPersistence(name, wire);
  // Both IndexedDB reads at once; the doc is handed out filled, so the first render shows it.
  // The rules are needed before the first change, not to show the doc: not waited for here.
  const rulesLoaded = loadRules(rulesFreshSince);
  const [outbox] = await Promise.all([Outbox.open(outboxStorage, name), stored.whenSynced]);
  // Intents kept from an earlier session: redone (a no-op for what the doc holds) so that they
  // settle once the server has acked them. Those the rules now refuse (they changed while the
  // app was closed) become failed drafts instead of waiting forever in the local replica.
  const stale = outbox.replay(guard.local, () => {
    const reason = refusal;
    refusal = null;
    return reason !== null;
  });
  for (const intent of stale) await outbox.withdraw(intent);
  if (stale.length) rebuild();
  const provider = new WebsocketProvider(syncUrl(), name, wire, { connect: false });
  // What the server acked last time, so a reload offline knows which messages are still sending.
  const durableKey = `confab.durable:${name}`;
  const saved = localStorage.getItem(durableKey);
  const tracker = trackPersistence(provider, wire, {
    durable: saved ? new Map(JSON.parse(saved) as Array<[number, number]>) : undefined,
  });
  tracker.onChange((pending) => {
    changed();
    if (pending) return;
    localStorage.setItem(durableKey, JSON.stringify([...tracker.durable]));
    void outbox.settle();
  });
  let closed = false;
  let refusedForGood = false;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const tickets = syncTickets(api, options.userId);
  /** The ticket of the latest connect, until its socket opened. */
  let unproven: string | null = null;
  const retry = (delayMs = reconnectDelay(++failures)) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void connect(), delayMs);
  };
  const connect = async () => {
    if (closed || refusedForGood || provider.wsconnected || provider.wsconnecting) return;
    try {
      const ticket = await tickets.take();
      unproven = ticket;
      provider.params = { ...provider.params, ticket };
      void loadRules(rulesFreshSince);
      if (!closed) provider.connect();
    } catch (error) {
      // Refused even after a refresh: the session ended, and the app closes this doc.
      if (error instanceof ApiError && error.status === 401) return;
      // Offline or the server is restarting: the doc keeps working from IndexedDB; try again.
      retry();
    }
  };
  provider.on('status', ({ status }) => {
    if (status === 'connected') unproven = null;
  });
  provider.on('sync', (synced) => {
    if (synced) failures = 0;
  });
  // The network is back: no need to wait out the backoff.
  const onOnline = () => {
    if (!closed && !provider.wsconnected) retry(0);
  };
  window.addEventListener('online', onOnline);
  const stopWatching = watchConnection(provider);
  provider.on('connection-close', (event) => {
    if (closed) return;
    rulesFreshSince = Date.now();
    // Refused before it opened: the next socket must not bet on the same ticket.
    if (unproven) tickets.spoil(unproven);
    unproven = null;
    const code = (event as { code?: number } | null)?.code ?? 0;
    if (code === CloseCode.rejected) {
      // This replica holds a change the server refused and its client id is barred here: it
      // must not reconnect. The app rebuilds the doc from the server [S5], and the rebuilt doc
      // takes rules looked up after the refusal (the ones known were out of date).
      closed = true;
      void loadRules();
      options.onRejected((event as { reason?: string }).reason ?? 'rejected');
      return;
    }
    provider.shouldConnect = false;
    // Reconnecting would only be refused again (a frame too large, a malformed one, access
    // withdrawn, an update past the limits): the doc stays readable from IndexedDB, and it no
    // longer counts as reconnecting.
    if (!reconnects(code)) {
      refusedForGood = true;
      stopWatching();
      return;
    }
    // The provider must not retry with the ticket in its params (its own retry runs only while
    // `shouldConnect`): that use is spent, so reconnect with a use of our own. Not `disconnect()`: the
    // provider emits this event before letting go of the socket, so disconnecting here closes
    // the same socket again and emits this event again, without end.
    retry();
  });
  void connect();
  for (const intent of stale) options.onRefused(intent, 'no_longer_allowed');

  const destroy = () => {
    closed = true;
    clearTimeout(retryTimer);
    window.removeEventListener('online', onOnline);
    stopWatching();
    provider.destroy();
    tracker.destroy();
    guard.destroy();
  };
  return {
    get doc() {
      return guard.local;
    },
    provider,
    tracker,
    outbox,
    async perform(intent) {
      await rulesLoaded;
      refusal = null;
      await outbox.perform(guard.local, intent);
      if (refusal === null) return;
      const reason: string = refusal;
      await outbox.withdraw(intent);
      rebuild();
      options.onRefused(intent, reason);
    },
    refreshRules: () => loadRules(),
    version: () => version,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      destroy();
      void stored.destroy();
      wire.destroy();
    },
    /** Forgets the local copy: the next open starts from the server's state. */
    async discard() {
      destroy();
      await stored.clearData();
      localStorage.removeItem(durableKey);
      wire.destroy();
    },
  };
}
