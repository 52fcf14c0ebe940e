import { randomUUID } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
  /** Fills a temporary file, then renames it (and its meta) into place. */
  async function write(key: string, contentType: string, fill: (tmp: string) => Promise<void>) {
    const { data, meta } = paths(key);
    const tmp = join(tmpRoot, randomUUID());
    try {
      await fill(tmp);
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
  }
  return {
    kind: 'local',
    async put(key, body, { contentType, size }) {
      await write(key, contentType, async (tmp) => {
        await pipeline(
          body instanceof Readable ? body : Readable.from([body]),
          createWriteStream(tmp),
        );
        const written = (await stat(tmp)).size;
        if (size !== undefined && written !== size) {
          throw new Error(`blob ${key}: ${written} bytes arrived where ${size} were announced`);
        }
      });
    },
    async copy(from, to) {
      const source = paths(from);
      paths(to);
      const { contentType } = JSON.parse(await readFile(source.meta, 'utf8')) as {
        contentType: string;
      };
      // A copy-on-write clone where the file system has them, else a plain copy.
      await write(to, contentType, (tmp) => copyFile(source.data, tmp, constants.COPYFILE_FICLONE));
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
