import { type BlobStore, type Db, type EventBus, type Logger, schema } from '@confab/db';
import { and, eq, isNull } from 'drizzle-orm';
import type { JobQueue } from '../jobs/job-queue';
import { publishFileActivity } from './file-activity';
import { processFile } from './processing/process-file';
import type { DerivedImages, ProcessingResult } from './processing/processing-result';

const { files } = schema;

export const FILE_PROCESSING_JOB = 'file-processing';

export interface FileJobData {
  fileId: string;
}

export interface FileJobDeps {
  db: Db;
  blobs: BlobStore;
  logger: Logger;
  /**
   * Where a settled file is announced to its channel's members (file-activity.ts), so thumbnails
   * appear without polling; absent in processes nobody listens to.
   */
  bus?: EventBus;
}

export interface FileJobOptions {
  /** Files this process works on at once; thumbnails are CPU-bound. */
  concurrency?: number;
  /**
   * Called after the derived blobs are stored and before the row says 'done': the one moment a
   * crash leaves work half-visible. Tests pause here to kill the process.
   */
  onDerivedStored?: (fileId: string) => Promise<void>;
}

/** Blob key of one derived variant: fixed per file, so a re-run overwrites instead of adding. */
export const derivedKey = (fileId: string, variant: 'thumb-small' | 'thumb-large' | 'preview') =>
  `derived/${fileId}/${variant}.webp`;

const VARIANTS = [
  ['thumbSmall', 'thumb-small'],
  ['thumbLarge', 'thumb-large'],
  ['preview', 'preview'],
] as const;

/** Queues thumbnails, previews and text for a promoted file; a second call while one waits is a no-op. */
export async function enqueueFileProcessing(queue: JobQueue, fileId: string): Promise<void> {
  await queue.send<FileJobData>(FILE_PROCESSING_JOB, { fileId }, { singletonKey: fileId });
}

/** Runs file processing jobs in this process. */
export async function registerFileJobs(
  queue: JobQueue,
  deps: FileJobDeps,
  { concurrency = 1, onDerivedStored }: FileJobOptions = {},
): Promise<void> {
  const logger = deps.logger.child({ component: 'file-jobs' });
  await queue.work<FileJobData>(
    FILE_PROCESSING_JOB,
    async ({ data, lastAttempt }) => {
      try {
        await processFileJob({ ...deps, logger }, data.fileId, onDerivedStored);
      } catch (error) {
        // Out of retries (the store stayed unreachable): the file says so instead of pending forever.
        if (lastAttempt) await settle({ ...deps, logger }, data.fileId, { processing: 'failed' });
        throw error;
      }
    },
    { concurrency },
  );
}

/**
 * Idempotent: derived blobs go under fixed keys and the row changes only while 'pending', so a job
 * run again after a crash (or twice at once) overwrites the same keys with the same bytes and sets
 * 'done' once. A file deleted meanwhile is left alone, and blobs made for it are removed again.
 */
async function processFileJob(
  deps: FileJobDeps,
  fileId: string,
  onDerivedStored: FileJobOptions['onDerivedStored'],
): Promise<void> {
  const { db, blobs, logger } = deps;
  const [file] = await db
    .select({
      kind: files.kind,
      contentType: files.contentType,
      storageKey: files.storageKey,
      status: files.status,
      processing: files.processing,
      deletedAt: files.deletedAt,
    })
    .from(files)
    .where(eq(files.id, fileId));
  if (file?.status !== 'ready' || file.processing !== 'pending' || file.deletedAt) return;

  const original = await blobs.get(file.storageKey);
  const result: ProcessingResult = original
    ? await processFile(file, original.body)
    : { outcome: 'failed', reason: 'original missing from the blob store' };
  if (result.outcome !== 'done') {
    logger.info({ fileId, outcome: result.outcome, reason: result.reason }, 'file not processed');
    await settle(deps, fileId, { processing: result.outcome });
    return;
  }

  const derived = await storeDerived(blobs, fileId, result.derived);
  await onDerivedStored?.(fileId);
  const updated = await settle(deps, fileId, {
    processing: 'done',
    width: result.width ?? null,
    height: result.height ?? null,
    pages: result.pages ?? null,
    durationMs: result.durationMs ?? null,
    placeholder: result.placeholder ?? null,
    textPreview: result.textPreview ?? null,
    extractedText: result.extractedText ?? null,
    derived,
  });
  // Deleted while it was processed: the purge only knows the keys the row lists, so ours go now.
  if (!updated) await Promise.all(Object.values(derived).map((key) => blobs.delete(key)));
  logger.info({ fileId, settled: updated }, 'file processed');
}

async function storeDerived(
  blobs: BlobStore,
  fileId: string,
  images: DerivedImages,
): Promise<schema.DerivedBlobs> {
  const derived: schema.DerivedBlobs = {};
  for (const [field, variant] of VARIANTS) {
    const bytes = images[field];
    if (!bytes) continue;
    const key = derivedKey(fileId, variant);
    await blobs.put(key, bytes, { contentType: 'image/webp' });
    derived[field] = key;
  }
  return derived;
}

/**
 * Writes the outcome if the file is still pending and not deleted, then tells the channel's
 * members; answers whether it did.
 */
async function settle(
  { db, bus, logger }: FileJobDeps,
  fileId: string,
  values: Partial<typeof files.$inferInsert>,
): Promise<boolean> {
  const [row] = await db
    .update(files)
    .set(values)
    .where(and(eq(files.id, fileId), eq(files.processing, 'pending'), isNull(files.deletedAt)))
    .returning({ channelId: files.channelId });
  if (!row) return false;
  if (bus)
    await publishFileActivity(bus, logger, {
      channelId: row.channelId,
      fileId,
      change: 'processed',
    });
  return true;
}
