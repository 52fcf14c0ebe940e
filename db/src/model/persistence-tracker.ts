import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { MessageType } from './wire';

/** The part of y-websocket's WebsocketProvider the tracker uses. */
export interface ProviderLike {
  params: Record<string, string>;
  messageHandlers: Array<(...args: never[]) => void>;
}

/**
 * The clock after the last struct of each client in an update. (Yjs's encodeStateVectorFromUpdate
 * counts a client only when its structs start at clock 0, which incremental updates never do.)
 */
function endClocks(update: Uint8Array): Map<number, number> {
  const ends = new Map<number, number>();
  for (const struct of Y.decodeUpdate(update).structs) {
    if (struct instanceof Y.Skip) continue;
    const end = struct.id.clock + struct.length;
    if (end > (ends.get(struct.id.client) ?? 0)) ends.set(struct.id.client, end);
  }
  return ends;
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
export function trackPersistence(
  provider: ProviderLike,
  doc: Y.Doc,
  /** What the server had acked when this replica was last open (kept by the app across loads). */
  { durable: known }: { durable?: ReadonlyMap<number, number> } = {},
): PersistenceTracker {
  let durable = new Map<number, number>(known);
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
  /**
   * What the server committed only grows [S1], so every report is merged by maximum: an older
   * report arriving late (an ack still buffered on a connection being replaced) cannot undo a
   * newer one.
   */
  const learnDurable = (vector: Map<number, number>) => {
    const next = new Map(durable);
    for (const [client, clock] of vector) {
      if (clock > (next.get(client) ?? 0)) next.set(client, clock);
    }
    durable = next;
  };
  provider.messageHandlers[MessageType.persisted] = ((
    _encoder: unknown,
    decoder: decoding.Decoder,
  ) => {
    learnDurable(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
    recompute();
  }) as never;
  const onUpdate = (update: Uint8Array, origin: unknown) => {
    // What the provider applies came from the server, which sends only committed state without
    // gaps: it is durable up to its end, for every client in it.
    if (origin === provider) learnDurable(endClocks(update));
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
