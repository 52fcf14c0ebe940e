import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { tsEntry, useServerProcesses, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJobQueue } from '../jobs/job-queue';
import { derivedKey, enqueueFileProcessing } from './file-jobs';
import { noiseJpeg } from './processing/testing/sample-files';
import { seedFileOwner, seedReadyFile } from './processing/testing/seed-files';

const WORKER = fileURLToPath(new URL('../jobs/testing/file-worker.ts', import.meta.url));
const logger = createLogger('silent');
const processes = useServerProcesses();

describe('a file job interrupted by SIGKILL', () => {
  let database: Database;
  let blobs: BlobStore;
  let dataDir: string;
  let pauseDir: string;

  beforeAll(async () => {
    database = await openPostgres(processes.database.url);
    dataDir = join(processes.scratch, 'data');
    pauseDir = join(processes.scratch, 'pause');
    await mkdir(pauseDir, { recursive: true });
    // The same folder the workers use for blobs (DATA_DIR/blobs), read from here to check them.
    blobs = await createLocalBlobStore(join(dataDir, 'blobs'));
  });
  afterAll(async () => {
    await blobs?.close();
    await database?.close();
  });

  const blobBytes = async (key: string) => {
    const blob = await blobs.get(key);
    return blob ? Buffer.concat(await blob.body.toArray()) : null;
  };

  it('finishes after a restart, and the user sees it finish once', async () => {
    const owner = await seedFileOwner(database.db);
    const fileId = await seedReadyFile({ db: database.db, blobs }, owner, {
      kind: 'image',
      contentType: 'image/jpeg',
      bytes: await noiseJpeg(1200, 900),
    });
    // Made with the workers' heartbeat (10 s): the queue's policy is fixed by whoever makes it first.
    const sender = await openJobQueue(database, { logger, heartbeatSeconds: 10 });
    await enqueueFileProcessing(sender, fileId);
    await sender.stop();

    const env = processes.env({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const first = await processes.start(tsEntry(WORKER), { ...env, PAUSE_DIR: pauseDir });
    // The worst moment: derived blobs written, the row not yet 'done'.
    await waitFor(
      'the first worker to store the thumbnails',
      () => first.output().includes('"derived stored"') || undefined,
      { timeoutMs: 30_000 },
    );
    const firstThumb = await blobBytes(derivedKey(fileId, 'thumb-small'));
    expect(firstThumb).not.toBeNull();
    await first.stop('SIGKILL');

    const row = async () => {
      const [file] = await database.db
        .select()
        .from(schema.files)
        .where(eq(schema.files.id, fileId));
      if (!file) throw new Error('file row gone');
      return file;
    };
    expect((await row()).processing).toBe('pending');

    // Its heartbeat stopped with it: the new worker's supervisor hands the job out again.
    const second = await processes.start(tsEntry(WORKER), env);
    const done = await waitFor(
      'the job to finish on the second worker',
      async () => {
        const file = await row();
        return file.processing === 'pending' ? undefined : file;
      },
      { timeoutMs: 45_000 },
    ).catch(async (error: Error) => {
      const jobs = await rawQuery(database.db, 'SELECT * FROM pgboss.job', new SqlParams());
      throw new Error(`${error.message}\n${JSON.stringify(jobs)}\n${second.output()}`);
    });
    expect(done).toMatchObject({
      processing: 'done',
      derived: {
        thumbSmall: derivedKey(fileId, 'thumb-small'),
        thumbLarge: derivedKey(fileId, 'thumb-large'),
      },
    });
    // The re-run overwrote the same key with the same bytes.
    expect(await blobBytes(derivedKey(fileId, 'thumb-small'))).toEqual(firstThumb);
    // One job for the file, completed on its second attempt.
    const params = new SqlParams();
    const jobs = await rawQuery<{ state: string; retry_count: number }>(
      database.db,
      `SELECT state, retry_count FROM pgboss.job WHERE data->>'fileId' = ${params.add(fileId)}`,
      params,
    );
    expect(jobs).toEqual([{ state: 'completed', retry_count: 1 }]);
    await second.stop('SIGTERM');
  }, 120_000);
});
