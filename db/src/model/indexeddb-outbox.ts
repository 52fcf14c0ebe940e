import {
  completion,
  type IdbDatabase,
  type IdbOpenRequest,
  type IdbRequest,
  type IdbTransaction,
  lazyDatabase,
  settle,
} from './indexeddb';
import type { Intent, OutboxStorage } from './outbox';

/** The parts of the browser's IndexedDB this storage uses (see indexeddb.ts). */
interface Store {
  get(key: string): IdbRequest<Intent[] | undefined>;
  put(value: Intent[], key: string): IdbRequest<unknown>;
}
interface Transaction extends IdbTransaction {
  objectStore(name: string): Store;
}
interface Database extends IdbDatabase {
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite'): Transaction;
}
export interface IndexedDbFactory {
  open(name: string, version: number): IdbOpenRequest<Database>;
}

const STORE = 'intents';

/**
 * The outbox in IndexedDB [S5]: one record of intents per doc. A write resolves only when its
 * transaction has completed, so an intent the app was told is stored survives a closed tab.
 */
export function indexedDbOutboxStorage(
  factory: IndexedDbFactory = (globalThis as unknown as { indexedDB: IndexedDbFactory }).indexedDB,
  databaseName = 'confab-outbox',
): OutboxStorage {
  const database = lazyDatabase(
    () => factory.open(databaseName, 1),
    (opened) => opened.createObjectStore(STORE),
  );
  return {
    async read(docName) {
      const transaction = (await database()).transaction(STORE, 'readonly');
      return (await settle(transaction.objectStore(STORE).get(docName))) ?? [];
    },
    async write(docName, intents) {
      const transaction = (await database()).transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).put(intents, docName);
      await completion(transaction);
    },
  };
}
