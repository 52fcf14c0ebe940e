import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type BlobStore, type Db, type Logger, schema } from '@confab/db';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { fileEmpty, fileTypeRefused, quotaExceeded } from './file-errors';
import type { FileRow } from './file-info';
import { classifyUpload, DOWNLOAD_TYPE } from './file-types';
import { decodeImage } from './image-check';
import { InspectStream } from './inspect-stream';

const { files } = schema;

export interface FileLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** What a workspace's live (not deleted) files may weigh together, in bytes. */
  workspaceQuotaBytes: number;
}

export interface UploadDeps {
  db: Db;
  blobs: BlobStore;
  logger: Logger;
  /** Queues thumbnails and previews for a promoted file (processing jobs). */
  enqueueProcessing?: (fileId: string) => Promise<void>;
}

export interface Upload {
  /** Bytes the body may have: the file limit, or less when the quota leaves less room. */
  maxBytes: number;
  /** The body's Content-Length, when the client sent one (the HTTP server holds it to it). */
  declaredSize?: number;
  workspaceId: string;
  channelId: string;
  uploaderId: string;
  /** Already a safe display name (names.ts). */
  name: string;
  declaredType: string;
  body: Readable;
}

export const quarantineKey = (fileId: string) => `quarantine/${fileId}`;
export const fileKey = (fileId: string) => `files/${fileId}`;

/** Bytes of the workspace's files that count against its quota: ready and not deleted. */
export async function liveBytes(db: Pick<Db, 'select'>, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${files.byteSize}), 0)` })
    .from(files)
    .where(
      and(eq(files.workspaceId, workspaceId), eq(files.status, 'ready'), isNull(files.deletedAt)),
    );
  return Number(row?.total ?? 0);
}

/**
 * Stores an upload, checks it and promotes it. The row exists from the start as 'quarantined'
 * with its bytes under `quarantine/<id>`, so a crash at any step leaves something the sweep
 * (purge.ts) finds and removes. A refused upload leaves neither bytes nor row. The body's own
 * limit (body-limit.ts) stops reading at the route's maximum; errors from it reach the caller.
 */
export async function storeUpload(deps: UploadDeps, limits: FileLimits, upload: Upload) {
  const { db } = deps;
  const id = randomUUID();
  await db.insert(files).values({
    id,
    workspaceId: upload.workspaceId,
    channelId: upload.channelId,
    uploaderId: upload.uploaderId,
    storageKey: quarantineKey(id),
    name: upload.name,
    declaredType: upload.declaredType,
    contentType: DOWNLOAD_TYPE,
    kind: 'other',
    byteSize: 0,
    sha256: '',
    // Milliseconds, as JavaScript has them, so the Files list's cursor matches rows exactly.
    createdAt: new Date(),
  });
  try {
    return await checkAndPromote(deps, limits, upload, id);
  } catch (error) {
    await discard(deps, id);
    throw error;
  }
}

async function checkAndPromote(
  { db, blobs, logger, enqueueProcessing }: UploadDeps,
  limits: FileLimits,
  upload: Upload,
  id: string,
): Promise<FileRow> {
  const inspect = new InspectStream(upload.maxBytes);
  const [read, stored] = await Promise.allSettled([
    feed(upload.body, inspect),
    blobs.put(quarantineKey(id), inspect, {
      contentType: DOWNLOAD_TYPE,
      ...(upload.declaredSize !== undefined ? { size: upload.declaredSize } : {}),
    }),
  ]);
  // The body's failure (over the limit, client gone) is the cause; the store's is its echo.
  if (read.status === 'rejected' && !(read.reason instanceof StoreStoppedReading))
    throw read.reason;
  if (stored.status === 'rejected') throw stored.reason;
  if (read.status === 'rejected') throw read.reason;
  const seen = inspect.result();
  if (seen.size === 0) throw fileEmpty();

  const verdict = await classifyUpload({
    ...seen,
    name: upload.name,
    declaredType: upload.declaredType,
  });
  if (!verdict.ok) throw fileTypeRefused(verdict.reason);
  const { contentType, kind, inlineCandidate } = verdict.file;
  const image = inlineCandidate
    ? await decodeImage(await readBlob(blobs, quarantineKey(id)))
    : null;

  // A plain copy: the stored object keeps the neutral type it was put with, as every reader takes
  // the type from the row (the content route, the file jobs). Replacing the type would rewrite the
  // object's metadata, which some S3 servers (s3rver) do by reading the whole object again.
  await blobs.copy(quarantineKey(id), fileKey(id));
  await blobs.delete(quarantineKey(id));
  const promoted = await db.transaction(async (tx) => {
    // Uploads to one workspace promote one at a time, so two cannot both fit the last of a quota.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`files:${upload.workspaceId}`}))`);
    if ((await liveBytes(tx, upload.workspaceId)) + seen.size > limits.workspaceQuotaBytes) {
      throw quotaExceeded(limits.workspaceQuotaBytes);
    }
    const [row] = await tx
      .update(files)
      .set({
        storageKey: fileKey(id),
        contentType,
        kind,
        inline: image !== null,
        width: image?.width ?? null,
        height: image?.height ?? null,
        byteSize: seen.size,
        sha256: seen.sha256,
        status: 'ready',
        processing: 'pending',
      })
      .where(eq(files.id, id))
      .returning();
    if (!row) throw new Error(`file ${id} vanished while it was promoted`);
    return row;
  });
  // After the commit: a job that ran before it would not find the file ready. The upload stands
  // if queueing fails; the file then shows no thumbnail ('pending') and downloads as it is.
  await enqueueProcessing?.(id).catch((error: unknown) =>
    logger.error({ err: error, fileId: id }, 'could not queue file processing'),
  );
  return promoted;
}

/** The store's request ended before the body did; the store's own error says why. */
class StoreStoppedReading extends Error {
  constructor() {
    super('the blob store stopped reading the upload');
    this.name = 'StoreStoppedReading';
  }
}

/**
 * Pipes the body into the inspection until it ends; rejects with the first failure of either.
 * Unlike `pipeline`, a failure does not destroy the body: when it is the Node request itself,
 * that would reset the connection before the 413 (or other answer) is written. The body is only
 * paused, and the answer's `Connection: close` ends it.
 */
function feed(body: Readable, inspect: InspectStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      body.unpipe(inspect);
      body.pause();
      inspect.destroy(error);
      reject(error);
    };
    body.once('error', fail);
    inspect.once('error', fail);
    inspect.once('finish', () => {
      body.off('error', fail);
      resolve();
    });
    // The store stopped reading (its request failed): its own error says why.
    inspect.once('close', () => {
      if (!inspect.writableFinished) fail(new StoreStoppedReading());
    });
    body.pipe(inspect);
  });
}

async function readBlob(blobs: BlobStore, key: string): Promise<Readable> {
  const blob = await blobs.get(key);
  if (!blob) throw new Error(`blob ${key} vanished right after it was stored`);
  return blob.body;
}

/** Removes what a failed upload left: its bytes under either key, then its row. */
async function discard({ db, blobs, logger }: UploadDeps, id: string): Promise<void> {
  try {
    await Promise.all([blobs.delete(quarantineKey(id)), blobs.delete(fileKey(id))]);
    await db.delete(files).where(eq(files.id, id));
  } catch (error) {
    // The row stays 'quarantined', and the sweep removes it and its bytes later.
    logger.warn({ err: error, fileId: id }, 'could not discard a refused upload');
  }
}
