/**
 * IndexedDB plumbing shared by the browser's durable stores (the outbox here, the client's
 * pending posts), typed structurally so that the model needs no DOM typings (it is shared with
 * Node): the browser's own IDB types fit these shapes.
 */
export interface IdbRequest<T> {
  result: T;
  error: unknown;
  onsuccess: ((...args: never[]) => unknown) | null;
  onerror: ((...args: never[]) => unknown) | null;
}
export interface IdbOpenRequest<D> extends IdbRequest<D> {
  onupgradeneeded: ((...args: never[]) => unknown) | null;
}
export interface IdbTransaction {
  oncomplete: ((...args: never[]) => unknown) | null;
  onerror: ((...args: never[]) => unknown) | null;
  onabort: ((...args: never[]) => unknown) | null;
  error: unknown;
}
export interface IdbDatabase {
  close(): void;
  onversionchange: ((...args: never[]) => unknown) | null;
}

/** The result of a request, or its error. */
export const settle = <T>(request: IdbRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/** Resolves once the transaction has completed: what it wrote survives a closed tab. */
export const completion = (transaction: IdbTransaction) =>
  new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });

/**
 * Opens the database on first use and keeps it open. When someone deletes it (the session ended),
 * it lets go so that the deletion is not blocked, and opens a fresh one on the next use.
 */
export function lazyDatabase<D extends IdbDatabase>(
  open: () => IdbOpenRequest<D>,
  upgrade: (database: D) => void,
): () => Promise<D> {
  let opened: Promise<D> | null = null;
  return () => {
    opened ??= new Promise<D>((resolve, reject) => {
      const request = open();
      request.onupgradeneeded = () => upgrade(request.result);
      request.onsuccess = () => {
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
}
