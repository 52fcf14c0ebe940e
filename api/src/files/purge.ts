import { type BlobStore, type Db, type Logger, schema } from '@confab/db';
import { and, eq, inArray, isNotNull, isNull, lt, lte, type SQL } from 'drizzle-orm';
import { fileKey, quarantineKey } from './store-upload';

const { files } = schema;

/** An upload never attached to a message is removed, bytes and row, after this long. */
export const UNATTACHED_TTL_MS = 24 * 3600_000;
/**
 * A row still 'quarantined' this long after it was made belongs to an upload that crashed (a
 * 100 MiB upload at 5 KB/s would still be under way after 5 hours; nobody waits that long).
 */
export const STALE_QUARANTINE_MS = 6 * 3600_000;
/** How many files one sweep handles of each sort; the next sweep takes the rest. */
const BATCH = 100;

export interface PurgeDeps {
  db: Db;
  blobs: BlobStore;
}

export interface PurgeCounts {
  deleted: number;
  unattached: number;
  stale: number;
}

const derivedKeys = (derived: schema.DerivedBlobs) =>
  [derived.thumbSmall, derived.thumbLarge, derived.preview].filter(
    (key): key is string => typeof key === 'string',
  );

const blobKeys = (file: { storageKey: string; derived: schema.DerivedBlobs }) => [
  file.storageKey,
  ...derivedKeys(file.derived),
];

const deleteBlobs = (blobs: BlobStore, keys: string[]) =>
  Promise.all(keys.map((key) => blobs.delete(key)));

/** Deletes up to BATCH rows matching `where` (each claimed by one process) and returns them. */
const deleteRows = (db: Db, where: SQL | undefined) =>
  db
    .delete(files)
    .where(inArray(files.id, db.select({ id: files.id }).from(files).where(where).limit(BATCH)))
    .returning({ id: files.id, storageKey: files.storageKey, derived: files.derived });

/**
 * Removes the bytes that must go: of deleted files past their grace period (the row stays, so
 * messages still say "removed"), of uploads never attached within a day (row and all), and of
 * uploads that crashed in quarantine. Safe to run from several processes at once: each row is
 * claimed by a conditional write, and deleting a blob twice is harmless.
 */
export async function purgeFiles({ db, blobs }: PurgeDeps, now = new Date()): Promise<PurgeCounts> {
  const counts: PurgeCounts = { deleted: 0, unattached: 0, stale: 0 };

  const due = await db
    .select({ id: files.id, storageKey: files.storageKey, derived: files.derived })
    .from(files)
    .where(and(isNotNull(files.deletedAt), lte(files.purgeAfter, now)))
    .limit(BATCH);
  for (const file of due) {
    // Bytes first, then the mark: a crash in between only repeats the deletes next time.
    await deleteBlobs(blobs, blobKeys(file));
    await db.update(files).set({ purgeAfter: null, derived: {} }).where(eq(files.id, file.id));
    counts.deleted++;
  }

  // Row first, and only while still unattached: a message that attached it meanwhile keeps it.
  const unattached = await deleteRows(
    db,
    and(
      isNull(files.messageId),
      isNull(files.deletedAt),
      eq(files.status, 'ready'),
      lt(files.createdAt, new Date(now.getTime() - UNATTACHED_TTL_MS)),
    ),
  );
  for (const file of unattached) {
    await deleteBlobs(blobs, blobKeys(file));
    counts.unattached++;
  }

  const stale = await deleteRows(
    db,
    and(
      eq(files.status, 'quarantined'),
      lt(files.createdAt, new Date(now.getTime() - STALE_QUARANTINE_MS)),
    ),
  );
  for (const file of stale) {
    await deleteBlobs(blobs, [quarantineKey(file.id), fileKey(file.id)]);
    counts.stale++;
  }
  return counts;
}

/** Runs `purgeFiles` every `intervalMs` in the background; returns a function that stops it. */
export function startFilePurge(
  deps: PurgeDeps,
  { intervalMs, logger }: { intervalMs: number; logger: Logger },
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    purgeFiles(deps)
      .then((counts) => {
        if (counts.deleted + counts.unattached + counts.stale > 0)
          logger.info(counts, 'files purged');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'file purge failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
