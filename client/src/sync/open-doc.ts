import {
  type Intent,
  indexedDbOutboxStorage,
  Outbox,
  type PersistenceTracker,
  trackPersistence,
} from '@confab/db/model';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Api } from '../api/api';

export interface OpenDoc {
  doc: Y.Doc;
  provider: WebsocketProvider;
  tracker: PersistenceTracker;
  /** The user's intents on this doc not yet acked by the server [S5]. */
  outbox: Outbox;
  /** Does what the user meant: stored in the outbox first, then written into the doc. */
  perform(intent: Intent): Promise<void>;
  /** Resolves once the local copy from IndexedDB is loaded (the doc shows at once, offline too). */
  local: Promise<void>;
  /** Counts the doc's changes and pending-state flips since it was created: a render's snapshot. */
  version(): number;
  /** Calls back on every change `version` counts; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  close(): void;
  discard(): Promise<void>;
}

const outboxStorage = indexedDbOutboxStorage(undefined, 'confab-outbox');

const ticket = (api: Api) =>
  api.call<{ ticket: string }>('POST', '/api/sync/tickets').then((answer) => answer.ticket);

/** The sync server's close code for a refused update (sync-server/PROTOCOL.md). */
const REJECTED = 4422;

const syncUrl = () => {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/sync`;
};

/**
 * One sync doc as the app uses it: kept in IndexedDB, synced by the stock y-websocket provider
 * with a fresh single-use ticket before every (re)connect, and tracked until the server has
 * committed every local change [S1].
 */
export async function openDoc(
  api: Api,
  name: string,
  onRejected: (reason: string) => void,
): Promise<OpenDoc> {
  const doc = new Y.Doc();
  // Counted from the start: IndexedDB may fill the doc before the UI subscribes, and a change
  // nobody counted would leave the UI showing an empty channel.
  let version = 0;
  const listeners = new Set<() => void>();
  const changed = () => {
    version++;
    for (const listener of listeners) listener();
  };
  doc.on('update', changed);
  const stored = new IndexeddbPersistence(name, doc);
  // Both IndexedDB reads at once; the doc is handed out filled, so the first render shows it.
  const [outbox] = await Promise.all([Outbox.open(outboxStorage, name), stored.whenSynced]);
  const provider = new WebsocketProvider(syncUrl(), name, doc, { connect: false });
  // What the server acked last time, so a reload offline knows which messages are still sending.
  const durableKey = `confab.durable:${name}`;
  const saved = localStorage.getItem(durableKey);
  const tracker = trackPersistence(provider, doc, {
    durable: saved ? new Map(JSON.parse(saved) as Array<[number, number]>) : undefined,
  });
  tracker.onChange((pending) => {
    changed();
    if (pending) return;
    localStorage.setItem(durableKey, JSON.stringify([...tracker.durable]));
    void outbox.settle();
  });
  let closed = false;
  const connect = async () => {
    if (closed) return;
    try {
      provider.params = { ...provider.params, ticket: await ticket(api) };
      if (!closed) provider.connect();
    } catch {
      // Offline or the API is unreachable: the doc keeps working from IndexedDB; try again.
      setTimeout(() => void connect(), 3_000);
    }
  };
  provider.on('connection-close', (event) => {
    if (closed) return;
    if ((event as { code?: number } | null)?.code === REJECTED) {
      // This replica holds a change the server refused and its client id is barred here: it
      // must not reconnect. The app rebuilds the doc from the server [S5].
      closed = true;
      onRejected((event as { reason?: string }).reason ?? 'rejected');
      return;
    }
    // Tickets are single use: stop the provider's own retry and reconnect with a new one.
    provider.disconnect();
    setTimeout(() => void connect(), 500);
  });
  void connect();
  return {
    doc,
    provider,
    tracker,
    outbox,
    perform: (intent) => outbox.perform(doc, intent),
    local: stored.whenSynced.then(() => {}),
    version: () => version,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      provider.destroy();
      tracker.destroy();
      void stored.destroy();
      doc.destroy();
    },
    /** Forgets the local copy: the next open starts from the server's state. */
    async discard() {
      closed = true;
      provider.destroy();
      tracker.destroy();
      await stored.clearData();
      localStorage.removeItem(durableKey);
      doc.destroy();
    },
  };
}
