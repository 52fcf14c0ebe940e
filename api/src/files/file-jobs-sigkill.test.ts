import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BlobStore,
  createLocalBlobStore,
  createLogger,
  type Database,
  openPglite,
  openPostgres,
  rawQuery,
  SqlParams,
  schema,
} from '@confab/db';
import { tsEntry, useServerProcesses, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openJobQueue } from '../jobs/job-queue';
import { derivedKey, enqueueFileProcessing } from './file-jobs';
import { noiseJpeg } from './processing/testing/sample-files';
import { seedFileOwner, seedReadyFile } from './processing/testing/seed-files';

const WORKER = fileURLToPath(new URL('../jobs/testing/file-worker.ts', import.meta.url));
const logger = createLogger('silent');
const processes = useServerProcesses();

/**
 * Postgres, and PGlite in the workers' DATA_DIR: one process owns a PGlite folder at a time, so
 * there the test reads the database only while no worker runs.
 */
describe.each(['postgres', 'pglite'] as const)(
  'a file job interrupted by SIGKILL on %s',
  (mode) => {
    it('finishes after a restart, and the user sees it finish once', async () => {
      const dataDir = join(processes.scratch, mode);
      const pauseDir = join(dataDir, 'pause');
      await mkdir(pauseDir, { recursive: true });
      // The folder the workers keep blobs in (DATA_DIR/blobs), read from here to check them.
      const blobs: BlobStore = await createLocalBlobStore(join(dataDir, 'blobs'));
      const openDatabase = async (): Promise<Database> => {
        if (mode === 'postgres') return openPostgres(processes.database.url);
        const database = await openPglite(join(dataDir, 'pglite'));
        await database.migrate();
        return database;
      };
      const env =
        mode === 'postgres'
          ? processes.env({ DATA_DIR: dataDir, LOG_LEVEL: 'info' })
          : { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
      const blobBytes = async (key: string) => {
        const blob = await blobs.get(key);
        return blob ? Buffer.concat(await blob.body.toArray()) : null;
      };

      let database = await openDatabase();
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
      if (mode === 'pglite') await database.close();

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

      // Its heartbeat stopped with it: the new worker's supervisor hands the job out again.
      const second = await processes.start(tsEntry(WORKER), env);
      await waitFor(
        'the job to finish on the second worker',
        () => second.output().includes('"file processed"') || undefined,
        { timeoutMs: 60_000 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${second.output()}`);
      });
      if (mode === 'pglite') {
        await second.stop('SIGTERM');
        database = await openDatabase();
      }
      try {
        const [file] = await database.db
          .select()
          .from(schema.files)
          .where(eq(schema.files.id, fileId));
        expect(file).toMatchObject({
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
      } finally {
        if (mode === 'postgres') await second.stop('SIGTERM');
        await database.close();
        await blobs.close();
      }
    }, 120_000);
  },
);
