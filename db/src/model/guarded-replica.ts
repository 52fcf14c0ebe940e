import * as Y from 'yjs';
import { MESSAGES } from './layout';
import { type ValidationContext, type Verdict, validateUpdate } from './validator';

/** Origins marking which side of the guard an update came from. */
const FROM_LOCAL = Symbol('from local');
const FROM_WIRE = Symbol('from wire');

export interface GuardedReplica {
  /** The doc the app reads and writes (through the writers). */
  readonly local: Y.Doc;
  /** The doc the provider syncs and IndexedDB keeps: it only ever holds what passed the validator. */
  readonly wire: Y.Doc;
  /** Called when a local change was refused; the local doc then differs from the wire doc. */
  onRefused(listener: (verdict: Extract<Verdict, { ok: false }>) => void): () => void;
  destroy(): void;
}

/**
 * Runs the server's validator on the client before a change leaves it [S5]. The app writes into
 * `local` (through the writers); each local update is checked against `wire`, the doc the
 * provider syncs, and passed on only if the server would accept it. Updates from the server flow
 * straight into `local`. A refused change stays local: the app drops that replica and makes a
 * new one from `wire` (which never saw the change), so nothing refused is ever sent and the
 * client id is never barred.
 *
 * Owners of other client ids are read from the messages they created (their `author` field,
 * which the server checked against the same owner).
 */
export function guardedReplica(
  wire: Y.Doc,
  context: () => Omit<ValidationContext, 'ownerOf'>,
): GuardedReplica {
  const local = new Y.Doc();
  Y.applyUpdate(local, Y.encodeStateAsUpdate(wire), FROM_WIRE);
  const listeners = new Set<(verdict: Extract<Verdict, { ok: false }>) => void>();
  const ownerOf = (userId: string) => (client: number) => {
    if (client === local.clientID) return userId;
    for (const message of wire.getMap<Y.Map<unknown>>(MESSAGES).values()) {
      if (message instanceof Y.Map && message._item?.id.client === client) {
        const author = message.get('author');
        return typeof author === 'string' ? author : undefined;
      }
    }
    return undefined;
  };
  const onLocal = (update: Uint8Array, origin: unknown) => {
    if (origin === FROM_WIRE) return;
    const base = context();
    const verdict = validateUpdate(wire, update, { ...base, ownerOf: ownerOf(base.userId) });
    if (verdict.ok) Y.applyUpdate(wire, update, FROM_LOCAL);
    else for (const listener of listeners) listener(verdict);
  };
  const onWire = (update: Uint8Array, origin: unknown) => {
    if (origin !== FROM_LOCAL) Y.applyUpdate(local, update, FROM_WIRE);
  };
  local.on('update', onLocal);
  wire.on('update', onWire);
  return {
    local,
    wire,
    onRefused(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Unlinks and destroys the local doc; the wire doc is the caller's and stays. */
    destroy() {
      local.off('update', onLocal);
      wire.off('update', onWire);
      local.destroy();
      listeners.clear();
    },
  };
}
