import type { Intent, OutboxStorage } from './outbox';

/**
 * The parts of the browser's IndexedDB this storage uses, typed here so that the model needs
 * no DOM typings (it is shared with Node).
 */
interface Request<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface OpenRequest extends Request<Database> {
  onupgradeneeded: (() => void) | null;
}
interface Store {
  get(key: string): Request<Intent[] | undefined>;
  put(value: Intent[], key: string): Request<unknown>;
}
interface Transaction {
  objectStore(name: string): Store;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  error: unknown;
}
interface Database {
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite'): Transaction;
  close(): void;
  onversionchange: (() => void) | null;
}
export interface IndexedDbFactory {
  open(name: string, version: number): OpenRequest;
}

const STORE = 'intents';

const settle = <T>(request: Request<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/**
 * The outbox in IndexedDB [S5]: one record of intents per doc. A write resolves only when its
 * transaction has completed, so an intent the app was told is stored survives a closed tab.
 */
export function indexedDbOutboxStorage(
  factory: IndexedDbFactory = (globalThis as unknown as { indexedDB: IndexedDbFactory }).indexedDB,
  databaseName = 'confab-outbox',
): OutboxStorage {
  let opened: Promise<Database> | null = null;
  const database = () => {
    opened ??= new Promise<Database>((resolve, reject) => {
      const request = factory.open(databaseName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => {
        // Someone deletes the database (the session ended): let go of it so that the deletion
        // is not blocked, and open a fresh one on the next use.
        request.result.onversionchange = () => {
          request.result.close();
          opened = null;
        };
        resolve(request.result);
      };
      request.onerror = () => reject(request.error);
    });
    return opened;
  };
  return {
    async read(docName) {
      const transaction = (await database()).transaction(STORE, 'readonly');
      return (await settle(transaction.objectStore(STORE).get(docName))) ?? [];
    },
    async write(docName, intents) {
      const transaction = (await database()).transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).put(intents, docName);
      await new Promise<void>((resolve, reject) => {
        transaction.oncomplete = () => resolve();
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    },
  };
}
