/**
 * Messages with files that are not posted yet, kept in IndexedDB with the files' bytes (Blobs
 * are storable there), so that files chosen offline survive a reload and go out once online.
 * The outbox holds intents for a doc; a message with files cannot be an intent until its files
 * are uploaded (the doc refers to them by id), so it waits here first.
 */
import { completion, lazyDatabase, settle } from '@confab/db/model';

/** One file of a pending post: uploaded already (`fileId`), or its bytes waiting (`blob`). */
export interface PendingFile {
  /** Stable within the post, for React keys and progress. */
  key: string;
  name: string;
  type: string;
  size: number;
  /** Set once uploaded: the upload is never repeated, even after a reload. */
  fileId: string | null;
  /** The bytes until uploaded (a File loses its name in some stores: `name` is kept apart). */
  blob: Blob | null;
}

export interface PendingPost {
  /** The message's own id (a ULID): posting it twice is a no-op, so a retry never posts twice. */
  id: string;
  /** `channel:<id>` or `thread:<rootId>`: where it shows and which composer sent it. */
  target: string;
  channelId: string;
  parentId?: string;
  author: string;
  text: string;
  createdAt: number;
  files: PendingFile[];
  /** Why it cannot go out (a file the server refused); null while it is still being sent. */
  failed: string | null;
}

/** Durable storage of pending posts. */
export interface PendingPostStore {
  list(): Promise<PendingPost[]>;
  put(post: PendingPost): Promise<void>;
  remove(id: string): Promise<void>;
}

const STORE = 'posts';
/** Deleted with every other database when the session ends (`wipeDeviceData`). */
export const PENDING_POSTS_DB = 'confab-pending-posts';

/**
 * Pending posts in IndexedDB, keyed by message id. A write resolves once its transaction has
 * completed, so a post the user was shown as sending survives a closed tab.
 */
export function indexedDbPendingPosts(
  factory: IDBFactory = indexedDB,
  databaseName = PENDING_POSTS_DB,
): PendingPostStore {
  const database = lazyDatabase(
    () => factory.open(databaseName, 1),
    (opened) => opened.createObjectStore(STORE, { keyPath: 'id' }),
  );
  return {
    async list() {
      const store = (await database()).transaction(STORE, 'readonly').objectStore(STORE);
      const posts = (await settle(store.getAll())) as PendingPost[];
      return posts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async put(post) {
      const transaction = (await database()).transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).put(post);
      await completion(transaction);
    },
    async remove(id) {
      const transaction = (await database()).transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).delete(id);
      await completion(transaction);
    },
  };
}
