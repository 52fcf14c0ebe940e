import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BlobStore,
  createLocalBlobStore,
  createLogger,
  type Database,
  openPostgres,
  rawQuery,
  SqlParams,
  schema,
} from '@confab/db';
import { useTestDatabase, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobQueue, openJobQueue } from '../jobs/job-queue';
import {
  derivedKey,
  enqueueFileProcessing,
  FILE_PROCESSING_JOB,
  registerFileJobs,
} from './file-jobs';
import { phoneJpeg, textPdf, zeroPng } from './processing/testing/sample-files';
import { type FileOwner, seedFileOwner, seedReadyFile } from './processing/testing/seed-files';

const logger = createLogger('silent');
const testDatabase = useTestDatabase();

const params = (...values: unknown[]) => {
  const list = new SqlParams();
  for (const value of values) list.add(value);
  return list;
};

describe('file processing jobs', () => {
  let database: Database;
  let blobs: BlobStore;
  let blobDir: string;
  let queue: JobQueue;
  let owner: FileOwner;
  /** Per-file pauses between storing the derived blobs and settling the row. */
  const afterStore = new Map<string, () => Promise<void>>();

  beforeAll(async () => {
    database = await openPostgres(testDatabase.url);
    blobDir = await mkdtemp(join(tmpdir(), 'confab-file-jobs-'));
    blobs = await createLocalBlobStore(blobDir);
    queue = await openJobQueue(database, {
      logger,
      pollingIntervalSeconds: 0.5,
      superviseIntervalSeconds: 1,
      heartbeatSeconds: 10,
    });
    await registerFileJobs(
      queue,
      { db: database.db, blobs, logger },
      { concurrency: 2, onDerivedStored: async (fileId) => afterStore.get(fileId)?.() },
    );
    owner = await seedFileOwner(database.db);
  }, 60_000);
  afterAll(async () => {
    await queue?.stop();
    await database?.close();
    await blobs?.close();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  const upload = (file: Parameters<typeof seedReadyFile>[2]) =>
    seedReadyFile({ db: database.db, blobs }, owner, file);
  const row = async (id: string) => {
    const [file] = await database.db.select().from(schema.files).where(eq(schema.files.id, id));
    if (!file) throw new Error(`file ${id} gone`);
    return file;
  };
  const processed = async (id: string) => {
    await enqueueFileProcessing(queue, id);
    return waitFor(`file ${id} processed`, async () => {
      const file = await row(id);
      return file.processing === 'pending' ? undefined : file;
    });
  };
  /** Whether a blob is there; its body is closed at once (an unread stream of a file deleted later errors). */
  const exists = async (key: string) => {
    const blob = await blobs.get(key);
    blob?.body.destroy();
    return blob !== null;
  };
  const blobBytes = async (key: string) => {
    const blob = await blobs.get(key);
    if (!blob) return null;
    return Buffer.concat(await blob.body.toArray());
  };

  it('makes WebP thumbnails and a placeholder of an image, without its EXIF', async () => {
    const id = await upload({ kind: 'image', contentType: 'image/jpeg', bytes: await phoneJpeg() });
    const file = await processed(id);
    expect(file).toMatchObject({
      processing: 'done',
      width: 200,
      height: 400,
      derived: {
        thumbSmall: derivedKey(id, 'thumb-small'),
        thumbLarge: derivedKey(id, 'thumb-large'),
      },
    });
    expect(file.placeholder).toMatch(/^data:image\/webp;base64,/);
    const small = await blobBytes(derivedKey(id, 'thumb-small'));
    const metadata = await sharp(small ?? Buffer.alloc(0)).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 100, height: 200 });
    expect(metadata.exif).toBeUndefined();
    const stored = await blobs.get(derivedKey(id, 'thumb-small'));
    stored?.body.destroy();
    expect(stored?.contentType).toBe('image/webp');
  });

  it('makes a PDF preview and keeps its page count and text', async () => {
    const id = await upload({
      kind: 'pdf',
      contentType: 'application/pdf',
      bytes: textPdf(['Budget 2027', 'Appendix']),
    });
    const file = await processed(id);
    expect(file).toMatchObject({
      processing: 'done',
      pages: 2,
      derived: { preview: derivedKey(id, 'preview') },
    });
    expect(file.extractedText).toContain('Budget 2027');
    expect(await blobBytes(derivedKey(id, 'preview'))).not.toBeNull();
  });

  it('keeps the first lines of a text file', async () => {
    const text = Array.from({ length: 30 }, (_, index) => `console.log(${index});`).join('\n');
    const id = await upload({ kind: 'text', contentType: 'text/plain', bytes: Buffer.from(text) });
    const file = await processed(id);
    expect(file.processing).toBe('done');
    expect(file.textPreview?.split('\n')).toHaveLength(20);
    expect(file.extractedText).toBe(text);
    expect(file.derived).toEqual({});
  });

  it('fails a 20000x20000 PNG cleanly and stores nothing for it', async () => {
    const id = await upload({
      kind: 'image',
      contentType: 'image/png',
      bytes: zeroPng(20_000, 20_000, { rows: 1 }),
    });
    const file = await processed(id);
    expect(file).toMatchObject({ processing: 'failed', derived: {}, width: null });
    expect(await exists(derivedKey(id, 'thumb-small'))).toBe(false);
  });

  it('skips audio, and never hands an SVG to the image decoder', async () => {
    const audio = await upload({
      kind: 'audio',
      contentType: 'audio/mpeg',
      bytes: Buffer.from('ID3'),
    });
    const svg = await upload({
      kind: 'image',
      contentType: 'image/svg+xml',
      bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    });
    expect((await processed(audio)).processing).toBe('skipped');
    expect((await processed(svg)).processing).toBe('skipped');
  });

  it('fails a file whose original is missing from the store', async () => {
    const id = await upload({ kind: 'text', contentType: 'text/plain', bytes: Buffer.from('x') });
    await blobs.delete(`files/${id}`);
    expect((await processed(id)).processing).toBe('failed');
  });

  it('removes what it made for a file deleted while it was processed', async () => {
    const id = await upload({ kind: 'image', contentType: 'image/jpeg', bytes: await phoneJpeg() });
    let stored = false;
    afterStore.set(id, async () => {
      stored = await exists(derivedKey(id, 'thumb-small'));
      await database.db
        .update(schema.files)
        .set({ deletedAt: new Date() })
        .where(eq(schema.files.id, id));
    });
    await enqueueFileProcessing(queue, id);
    await waitFor('the derived blobs to go', async () =>
      stored && !(await exists(derivedKey(id, 'thumb-small'))) ? true : undefined,
    );
    expect((await row(id)).processing).toBe('pending');
    expect(await exists(derivedKey(id, 'thumb-large'))).toBe(false);
  });

  it('leaves a processed file alone when its job is queued again', async () => {
    const id = await upload({
      kind: 'text',
      contentType: 'text/plain',
      bytes: Buffer.from('first'),
    });
    await processed(id);
    await blobs.put(`files/${id}`, Buffer.from('changed'), { contentType: 'text/plain' });
    const jobId = await queue.send(FILE_PROCESSING_JOB, { fileId: id });
    await waitFor('the second job to complete', async () => {
      const [job] = await rawQuery<{ state: string }>(
        database.db,
        'SELECT state FROM pgboss.job WHERE id = $1',
        params(jobId),
      );
      return job?.state === 'completed' || undefined;
    });
    expect((await row(id)).extractedText).toBe('first');
  });
});
