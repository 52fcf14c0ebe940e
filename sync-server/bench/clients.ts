import { MessageType } from '@confab/db/model';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/** One replica of one doc, connected to the server under test. */
export interface BenchClient {
  readonly doc: Y.Doc;
  /** The user id its messages name as author (Confab checks it; relays do not). */
  readonly author: string;
  /** Resolves after the first sync with the server. */
  readonly synced: Promise<void>;
  /** Only Confab acks persistence: called with this replica's own clock the server committed. */
  onDurable?(listener: (clock: number) => void): void;
  close(): void;
}

export interface Connector {
  connect(docName: string, clientIndex: number): Promise<BenchClient>;
}

/** Relays check nothing: one made-up author for all their clients. */
const RELAY_AUTHOR = '00000000-0000-4000-8000-000000000000';
const WebSocketPolyfill = WebSocket as unknown as typeof globalThis.WebSocket;

function syncedOf(provider: WebsocketProvider): Promise<void> {
  return new Promise((resolve) => {
    const onSync = (isSynced: boolean) => {
      if (!isSynced) return;
      provider.off('sync', onSync);
      resolve();
    };
    provider.on('sync', onSync);
  });
}

/** The stock y-websocket provider, as against the reference server. */
export function yWebsocketConnector(url: string): Connector {
  return {
    async connect(docName) {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(url, docName, doc, {
        WebSocketPolyfill,
        disableBc: true,
      });
      return {
        doc,
        author: RELAY_AUTHOR,
        synced: syncedOf(provider),
        close: () => provider.destroy(),
      };
    },
  };
}

/** The stock y-websocket provider with a Confab ticket, asking for persisted acks. */
export function confabConnector(
  url: string,
  identity: (clientIndex: number) => Promise<{ userId: string; ticket: string }>,
) {
  return {
    async connect(docName: string, clientIndex: number): Promise<BenchClient> {
      const doc = new Y.Doc();
      const { userId, ticket } = await identity(clientIndex);
      const provider = new WebsocketProvider(url, docName, doc, {
        WebSocketPolyfill,
        disableBc: true,
        params: { ticket, acks: '1' },
      });
      // A closed socket would reconnect with a spent ticket: the benchmark reports it instead.
      provider.on('connection-close', (event) => {
        if (provider.shouldConnect) throw new Error(`confab closed a bench socket: ${event?.code}`);
      });
      const listeners: Array<(clock: number) => void> = [];
      provider.messageHandlers[MessageType.persisted] = ((
        _e: unknown,
        decoder: decoding.Decoder,
      ) => {
        const vector = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
        const clock = vector.get(doc.clientID) ?? 0;
        for (const listener of listeners) listener(clock);
      }) as never;
      return {
        doc,
        author: userId,
        synced: syncedOf(provider),
        onDurable: (listener) => listeners.push(listener),
        close: () => provider.destroy(),
      };
    },
  } satisfies Connector;
}

export function hocuspocusConnector(url: string): Connector {
  return {
    async connect(docName) {
      const doc = new Y.Doc();
      let markSynced = () => {};
      const synced = new Promise<void>((resolve) => {
        markSynced = resolve;
      });
      // One socket per client, as with the other servers.
      const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill });
      const provider = new HocuspocusProvider({
        websocketProvider: socket,
        name: docName,
        document: doc,
        onSynced: () => markSynced(),
      });
      provider.attach();
      return {
        doc,
        author: RELAY_AUTHOR,
        synced,
        close: () => {
          provider.destroy();
          socket.destroy();
        },
      };
    },
  };
}
