import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

/** Confab's "persisted up to" message (see sync-server/PROTOCOL.md): `[100, stateVector]`. */
export const PERSISTED_MESSAGE = 100;

/** The part of y-websocket's WebsocketProvider the tracker uses. */
export interface ProviderLike {
  params: Record<string, string>;
  messageHandlers: Array<(...args: never[]) => void>;
}

export interface PersistenceTracker {
  /** True while this replica holds changes the server has not yet committed. */
  readonly pending: boolean;
  /** The server's last acked state vector: client id -> clock up to which all is committed. */
  readonly durable: ReadonlyMap<number, number>;
  /** Called whenever `pending` flips. Returns a function that removes the listener. */
  onChange(listener: (pending: boolean) => void): () => void;
  destroy(): void;
}

/**
 * Tracks which local changes are durable on the server [S1]. The server applies only committed
 * updates and acks with its state vector, so a change is durable once the acked vector covers it.
 * Re-sending needs nothing extra: on every (re)connect y-websocket's sync step 1/2 sends exactly
 * what the server lacks, and the tracker reports pending until the ack covers it.
 *
 * Call before the provider connects; keep `acks: '1'` in `provider.params` when replacing them
 * (tickets change at every reconnect).
 */
export function trackPersistence(provider: ProviderLike, doc: Y.Doc): PersistenceTracker {
  let durable = new Map<number, number>();
  let pending = false;
  const listeners = new Set<(pending: boolean) => void>();

  const recompute = () => {
    // Any client's clock ahead of what the server committed: ours, or an older session's
    // restored from IndexedDB. Others' changes reach us only through the server, so they are covered.
    const local = Y.encodeStateVector(doc);
    let ahead = false;
    for (const [client, clock] of Y.decodeStateVector(local)) {
      if (clock > (durable.get(client) ?? 0)) {
        ahead = true;
        break;
      }
    }
    if (ahead !== pending) {
      pending = ahead;
      for (const listener of listeners) listener(pending);
    }
  };

  provider.params = { ...provider.params, acks: '1' };
  provider.messageHandlers[PERSISTED_MESSAGE] = ((_encoder: unknown, decoder: decoding.Decoder) => {
    durable = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    recompute();
  }) as never;
  const onUpdate = (update: Uint8Array, origin: unknown) => {
    // What the provider applies came from the server, which sends only committed state without
    // gaps: it is durable up to its end, for every client in it.
    if (origin === provider) {
      durable = new Map(durable);
      for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))) {
        if (clock > (durable.get(client) ?? 0)) durable.set(client, clock);
      }
    }
    recompute();
  };
  doc.on('update', onUpdate);
  recompute();

  return {
    get pending() {
      return pending;
    },
    get durable() {
      return durable;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      doc.off('update', onUpdate);
      listeners.clear();
    },
  };
}
