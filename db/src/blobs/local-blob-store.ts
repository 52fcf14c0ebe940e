import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, type BlobStore, BlobStoreError } from './blob-store';

/**
 * Blobs as files under `root/data`, with their content type under `root/meta`. Writes go to a
 * temporary file first and are renamed into place, so a crash mid-write leaves no half file.
 */
export async function createLocalBlobStore(root: string): Promise<BlobStore> {
  const dataRoot = join(root, 'data');
  const metaRoot = join(root, 'meta');
  const tmpRoot = join(root, 'tmp');
  await Promise.all([dataRoot, metaRoot, tmpRoot].map((dir) => mkdir(dir, { recursive: true })));
  const paths = (key: string) => {
    assertBlobKey(key);
    return { data: join(dataRoot, key), meta: join(metaRoot, `${key}.json`) };
  };
  return {
    kind: 'local',
    async put(key, body, { contentType }) {
      const { data, meta } = paths(key);
      const tmp = join(tmpRoot, randomUUID());
      try {
        await pipeline(
          body instanceof Readable ? body : Readable.from([body]),
          createWriteStream(tmp),
        );
        await writeFile(`${tmp}.json`, JSON.stringify({ contentType }));
        await Promise.all([
          mkdir(dirname(data), { recursive: true }),
          mkdir(dirname(meta), { recursive: true }),
        ]);
        // Meta first: a reader that finds the data file always finds its meta.
        await rename(`${tmp}.json`, meta);
        await rename(tmp, data);
      } finally {
        await Promise.all([rm(tmp, { force: true }), rm(`${tmp}.json`, { force: true })]);
      }
    },
    async get(key) {
      const { data, meta } = paths(key);
      try {
        const [info, metaText] = await Promise.all([stat(data), readFile(meta, 'utf8')]);
        const { contentType } = JSON.parse(metaText) as { contentType: string };
        return { body: createReadStream(data), size: info.size, contentType };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      const { data, meta } = paths(key);
      await rm(data, { force: true });
      await rm(meta, { force: true });
    },
    async ping() {
      try {
        await stat(dataRoot);
      } catch (error) {
        throw new BlobStoreError('store_missing', `blob folder ${dataRoot} is not there`, {
          cause: error,
        });
      }
    },
    async close() {},
  };
}
