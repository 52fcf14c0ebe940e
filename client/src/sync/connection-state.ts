import { useSyncExternalStore } from 'react';
import type { WebsocketProvider } from 'y-websocket';

/**
 * What the offline banner says: `offline` when the browser knows it has no network,
 * `reconnecting` while a sync socket is down (the server restarted, the network dropped the
 * socket), `online` otherwise.
 */
export type ConnectionState = 'online' | 'offline' | 'reconnecting';

/** A socket that never connected counts as down only after this long (the first connect). */
const FIRST_CONNECT_GRACE_MS = 3_000;

interface Link {
  connected: boolean;
  everConnected: boolean;
  openedAt: number;
}

const links = new Set<Link>();
const listeners = new Set<() => void>();
let state: ConnectionState = 'online';

function compute(): ConnectionState {
  if (!navigator.onLine) return 'offline';
  const now = Date.now();
  for (const link of links) {
    if (link.connected) continue;
    if (link.everConnected || now - link.openedAt >= FIRST_CONNECT_GRACE_MS) return 'reconnecting';
  }
  return 'online';
}

function update() {
  const next = compute();
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener();
}

/** Counts a doc's socket in the app's connection state until the returned stop is called. */
export function watchConnection(provider: WebsocketProvider): () => void {
  const link: Link = {
    connected: provider.wsconnected,
    everConnected: provider.wsconnected,
    openedAt: Date.now(),
  };
  links.add(link);
  const onStatus = ({ status }: { status: string }) => {
    link.connected = status === 'connected';
    if (link.connected) link.everConnected = true;
    update();
  };
  provider.on('status', onStatus);
  const graceOver = setTimeout(update, FIRST_CONNECT_GRACE_MS);
  return () => {
    provider.off('status', onStatus);
    clearTimeout(graceOver);
    links.delete(link);
    update();
  };
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (listeners.size === 1) {
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
  }
  update();
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    window.removeEventListener('online', update);
    window.removeEventListener('offline', update);
  };
}

/** The app's connection state, re-rendering when it changes. */
export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(subscribe, () => state);
}
