import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/**
 * One replica of one doc whose connection the connect benchmark opens and drops on command: the
 * providers' own reconnect loops stay out of it, so every server sees the same connect pattern.
 */
export interface ConnectClient {
  /** Opens the socket (with this ticket for Confab) and resolves once the doc synced. */
  connect(ticket?: string): Promise<void>;
  /** Closes the socket from the client side; no reconnect follows. */
  disconnect(): void;
  destroy(): void;
}

const WebSocketPolyfill = WebSocket as unknown as typeof globalThis.WebSocket;

/**
 * The stock y-websocket provider; with `confab`, a ticket in the URL and persisted acks asked.
 * `url` is read at each connect (a restarted server listens on another port); the doc is kept.
 */
export function yWebsocketClient(
  url: () => string,
  docName: string,
  confab: boolean,
): ConnectClient {
  const provider = new WebsocketProvider(url(), docName, new Y.Doc(), {
    WebSocketPolyfill,
    disableBc: true,
    connect: false,
  });
  let failed: ((error: Error) => void) | null = null;
  // A closed socket must not retry on its own (with a spent ticket, or out of step with the rest).
  provider.on('connection-close', (event) => {
    provider.shouldConnect = false;
    failed?.(new Error(`${docName}: socket closed before it synced (${event?.code ?? 'refused'})`));
  });
  return {
    connect(ticket) {
      provider.serverUrl = url();
      if (confab) provider.params = { ticket: ticket ?? '', acks: '1' };
      return new Promise<void>((resolve, reject) => {
        failed = reject;
        const onSync = (synced: boolean) => {
          if (!synced) return;
          provider.off('sync', onSync);
          failed = null;
          resolve();
        };
        provider.on('sync', onSync);
        provider.connect();
      });
    },
    disconnect: () => provider.disconnect(),
    destroy: () => provider.destroy(),
  };
}

/** Hocuspocus's own provider, one socket per doc as with the other servers. */
export function hocuspocusClient(url: () => string, docName: string): ConnectClient {
  const socket = new HocuspocusProviderWebsocket({
    url: url(),
    WebSocketPolyfill,
    autoConnect: false,
    // Reconnects are the benchmark's: one attempt per connect.
    maxAttempts: 1,
  });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: docName,
    document: new Y.Doc(),
  });
  provider.attach();
  return {
    connect() {
      return new Promise<void>((resolve, reject) => {
        const onSynced = ({ state }: { state: boolean }) => {
          if (!state) return;
          provider.off('synced', onSynced);
          resolve();
        };
        provider.on('synced', onSynced);
        socket.setConfiguration({ url: url() });
        socket.connect().catch(reject);
      });
    },
    disconnect: () => socket.disconnect(),
    destroy() {
      provider.destroy();
      socket.destroy();
    },
  };
}
