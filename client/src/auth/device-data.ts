import type { Intent } from '@confab/db/model';

/** Everything the app keeps in localStorage starts with this (API answers, drafts, acks). */
const PREFIX = 'confab.';
/** The IndexedDB database of the outbox (open-doc.ts); the Yjs docs have one database each. */
const OUTBOX_DB = 'confab-outbox';
const OUTBOX_STORE = 'intents';
/** The service worker's app shell (public/sw.js): index.html and assets, nothing of a user. */
const SHELL_CACHE = 'confab-shell-';

const wrote = (intent: Intent) =>
  intent.kind === 'post' || intent.kind === 'edit' ? [intent.text] : [];

function request<T>(started: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    started.onsuccess = () => resolve(started.result);
    started.onerror = () => reject(started.error);
  });
}

async function outboxIntents(): Promise<Intent[]> {
  const databases = await indexedDB.databases();
  if (!databases.some((database) => database.name === OUTBOX_DB)) return [];
  const database = await request(indexedDB.open(OUTBOX_DB));
  try {
    if (!database.objectStoreNames.contains(OUTBOX_STORE)) return [];
    const store = database.transaction(OUTBOX_STORE, 'readonly').objectStore(OUTBOX_STORE);
    return ((await request(store.getAll())) as Intent[][]).flat();
  } finally {
    database.close();
  }
}

/**
 * Messages waiting for their files; the database is not created when there is none. Loaded
 * when asked: the pending posts' module brings the document model (Yjs) with it, which the
 * sign-in screen, where this module is, must not download.
 */
async function pendingPosts() {
  const { indexedDbPendingPosts, PENDING_POSTS_DB } = await import('../files/pending-posts');
  const databases = await indexedDB.databases();
  if (!databases.some((database) => database.name === PENDING_POSTS_DB)) return [];
  return indexedDbPendingPosts().list();
}

/**
 * What the user wrote that the server does not have: messages and edits waiting in the outbox or
 * for their files, failed drafts ("Not sent") and what is typed in a composer. Ending the session
 * deletes them, so the user is shown these first and may copy them.
 */
export async function unsentTexts(): Promise<string[]> {
  const texts = (await outboxIntents()).flatMap(wrote);
  for (const post of await pendingPosts())
    texts.push([post.text, ...post.files.map((file) => `[${file.name}]`)].join(' ').trim());
  for (const key of Object.keys(localStorage).sort()) {
    const value = localStorage.getItem(key);
    if (value === null) continue;
    if (key.startsWith(`${PREFIX}failed:`))
      texts.push(...(JSON.parse(value) as Intent[]).flatMap(wrote));
    else if (key.startsWith(`${PREFIX}draft:`)) texts.push(value);
  }
  return [...new Set(texts.filter((text) => text.trim() !== ''))];
}

/**
 * Deletes everything of the user this device holds: the API answers, drafts and sync bookkeeping
 * in localStorage, every IndexedDB database (the Yjs docs and the outbox) and any cache but the
 * app shell. Every end of a session comes here (log-out, a refresh refused because the session
 * was revoked, expired or ended by a password reset). Call it once no doc is open any more: an
 * open doc would write its database again.
 */
export async function wipeDeviceData(): Promise<void> {
  for (const key of Object.keys(localStorage))
    if (key.startsWith(PREFIX)) localStorage.removeItem(key);
  const databases = await indexedDB.databases();
  // A deletion waits for open connections to close (they close on `versionchange`).
  await Promise.all(
    databases.flatMap((database) =>
      database.name ? [request(indexedDB.deleteDatabase(database.name))] : [],
    ),
  );
  if (typeof caches === 'undefined') return;
  const names = await caches.keys();
  await Promise.all(
    names.filter((name) => !name.startsWith(SHELL_CACHE)).map((name) => caches.delete(name)),
  );
}
