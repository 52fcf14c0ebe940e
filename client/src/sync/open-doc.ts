import { type PersistenceTracker, trackPersistence } from '@confab/db/model';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Api } from '../api/api';

export interface OpenDoc {
  doc: Y.Doc;
  provider: WebsocketProvider;
  tracker: PersistenceTracker;
  /** Resolves once the local copy from IndexedDB is loaded (the doc shows at once, offline too). */
  local: Promise<void>;
  close(): void;
}

const ticket = (api: Api) =>
  api.call<{ ticket: string }>('POST', '/api/sync/tickets').then((answer) => answer.ticket);

const syncUrl = () => {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/sync`;
};

/**
 * One sync doc as the app uses it: kept in IndexedDB, synced by the stock y-websocket provider
 * with a fresh single-use ticket before every (re)connect, and tracked until the server has
 * committed every local change [S1].
 */
export async function openDoc(api: Api, name: string): Promise<OpenDoc> {
  const doc = new Y.Doc();
  const stored = new IndexeddbPersistence(name, doc);
  const provider = new WebsocketProvider(syncUrl(), name, doc, { connect: false });
  // What the server acked last time, so a reload offline knows which messages are still sending.
  const durableKey = `confab.durable:${name}`;
  const saved = localStorage.getItem(durableKey);
  const tracker = trackPersistence(provider, doc, {
    durable: saved ? new Map(JSON.parse(saved) as Array<[number, number]>) : undefined,
  });
  tracker.onChange((pending) => {
    if (!pending) localStorage.setItem(durableKey, JSON.stringify([...tracker.durable]));
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
  provider.on('connection-close', () => {
    if (closed) return;
    // Tickets are single use: stop the provider's own retry and reconnect with a new one.
    provider.disconnect();
    setTimeout(() => void connect(), 500);
  });
  void connect();
  return {
    doc,
    provider,
    tracker,
    local: stored.whenSynced.then(() => {}),
    close() {
      closed = true;
      provider.destroy();
      tracker.destroy();
      void stored.destroy();
      doc.destroy();
    },
  };
}
