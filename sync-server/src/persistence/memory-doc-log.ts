import type { AttachableFiles, DocLog, LogEntry } from '../engine/ports';
import { MessageIdTaken } from '../engine/ports';

/** What several in-memory logs share, as nodes share one database. */
export interface MemoryLogStore {
  readonly entries: Array<LogEntry & { seq: number }>;
  /** Message id -> token of the entry that created it. */
  readonly claims: Map<string, string>;
}

export const createMemoryLogStore = (): MemoryLogStore => ({ entries: [], claims: new Map() });

export interface MemoryDocLogOptions {
  /** Shared with other logs to stand for several nodes on one database. */
  store?: MemoryLogStore;
  /** Which files may be attached; none unless given. */
  attachableFiles?: AttachableFiles;
}

/**
 * The engine's `DocLog` held in memory: a single process, nothing survives it. For the engine's
 * tests and for running the engine without a database; passes the same contract suite as the
 * Postgres log (`doc-log-contract.ts`). Appends resolve on a later tick, as a commit would.
 */
export function createMemoryDocLog({
  store = createMemoryLogStore(),
  attachableFiles = async () => new Set(),
}: MemoryDocLogOptions = {}): DocLog {
  let pending: Promise<unknown> = Promise.resolve();
  const append = (entry: LogEntry): number => {
    const ids = entry.claim?.messageIds ?? [];
    // A claim holds whole or not at all, like the Postgres statement: a re-sent update (same
    // token) passes, any other creation of a claimed id is refused.
    if (ids.some((id) => (store.claims.get(id) ?? entry.claim?.token) !== entry.claim?.token))
      throw new MessageIdTaken();
    for (const id of ids) store.claims.set(id, entry.claim?.token ?? '');
    const seq = store.entries.length + 1;
    store.entries.push({ ...entry, update: entry.update.slice(), seq });
    return seq;
  };
  return {
    async load(docName) {
      return store.entries
        .filter((entry) => entry.docName === docName)
        .map((entry) => entry.update.slice());
    },
    append(entry) {
      const result = new Promise<number>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(append(entry));
          } catch (error) {
            reject(error);
          }
        }),
      );
      pending = Promise.allSettled([pending, result]);
      return result;
    },
    async flush() {
      await pending;
    },
    attachableFiles,
  };
}
