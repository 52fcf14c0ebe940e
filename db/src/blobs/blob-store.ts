import type { Readable } from 'node:stream';

/** Where file bytes live: a local folder in embedded mode, S3 in production. */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  /**
   * Stores the bytes under `key`, replacing what was there; readers never see a partial write.
   * `size`, when the length of a streamed body is known (a request's Content-Length), lets S3 take
   * it in one streamed request instead of buffered parts; a body of another length fails the put.
   */
  put(key: string, body: Uint8Array | Readable, meta: BlobMeta & { size?: number }): Promise<void>;
  /**
   * Copies the bytes under `from` to `to` with the source's content type (on S3 without them
   * leaving the bucket). Rejects when `from` holds nothing.
   */
  copy(from: string, to: string): Promise<void>;
  /** The bytes and what was stored with them, or null when the key holds nothing. */
  get(key: string): Promise<StoredBlob | null>;
  delete(key: string): Promise<void>;
  /** Throws a BlobStoreError when the store cannot be used (missing bucket or folder, no access). */
  ping(): Promise<void>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}

export interface BlobMeta {
  contentType: string;
}

export type BlobStoreErrorCode = 'store_missing' | 'access_denied' | 'unavailable';

export class BlobStoreError extends Error {
  override name = 'BlobStoreError';
  constructor(
    readonly code: BlobStoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface StoredBlob {
  body: Readable;
  size: number;
  contentType: string;
}

/**
 * Keys are made by the server (never from a user's file name), but they still pass one check so
 * that no key can leave the store's root or collide with its bookkeeping.
 */
const KEY_PATTERN =
  /^[A-Za-z0-9][A-Za-z0-9_=-]*(?:\.[A-Za-z0-9_=-]+)*(?:\/[A-Za-z0-9][A-Za-z0-9_=-]*(?:\.[A-Za-z0-9_=-]+)*)*$/;

export function assertBlobKey(key: string): void {
  if (key.length > 512 || !KEY_PATTERN.test(key)) {
    throw new TypeError(`invalid blob key ${JSON.stringify(key.slice(0, 80))}`);
  }
}
