import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendEnvSchema } from '../config';
import { useTestS3 } from '../testing/index';
import { type BlobStore, BlobStoreError } from './blob-store';
import { createLocalBlobStore } from './local-blob-store';
import { openBlobStore } from './open-blob-store';
import { createS3BlobStore } from './s3-blob-store';

const s3 = useTestS3();

interface OpenedStore {
  store: BlobStore;
  /** Everything the store's backing holds, whatever the key: to show that nothing was written. */
  everything(): Promise<string[]>;
  close(): Promise<void>;
}

/** One suite for every implementation: what uploads, previews and exports rely on. */
function blobStoreContract(name: string, open: () => Promise<OpenedStore>) {
  describe(`blob store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: BlobStore;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });
    afterAll(() => opened.close());

    it('returns the exact bytes stored, with their content type and size', async () => {
      const bytes = new Uint8Array([137, 80, 78, 71, 0, 255, 13, 10]);
      await store.put('ws1/files/a.png', bytes, { contentType: 'image/png' });
      const blob = await store.get('ws1/files/a.png');
      expect(blob?.contentType).toBe('image/png');
      expect(blob?.size).toBe(bytes.length);
      expect(new Uint8Array(await buffer(blob?.body ?? Readable.from([])))).toEqual(bytes);
    });

    it('stores a streamed body and replaces it on a second put', async () => {
      await store.put('k/stream', Readable.from([Buffer.from('hello '), Buffer.from('world')]), {
        contentType: 'text/plain',
      });
      const first = await store.get('k/stream');
      expect(first?.size).toBe(11);
      expect((await buffer(first?.body ?? Readable.from([]))).toString()).toBe('hello world');

      await store.put('k/stream', new Uint8Array([1]), { contentType: 'application/octet-stream' });
      const second = await store.get('k/stream');
      expect(second?.size).toBe(1);
      expect(second?.contentType).toBe('application/octet-stream');
      expect([...(await buffer(second?.body ?? Readable.from([])))]).toEqual([1]);
    });

    it('streams a 20 MB body of unknown length in and out unchanged', async () => {
      const { body, digest } = generatedBody(20 * 1024 * 1024);
      await store.put('big/generated.bin', body, { contentType: 'application/zip' });
      const blob = await store.get('big/generated.bin');
      expect(blob?.size).toBe(20 * 1024 * 1024);
      expect(blob?.contentType).toBe('application/zip');
      const hash = createHash('sha256');
      for await (const chunk of blob?.body ?? []) hash.update(chunk as Buffer);
      expect(hash.digest('hex')).toBe(digest());
    });

    it('streams a body of announced size in unchanged, and fails one of another size', async () => {
      const { body, digest } = generatedBody(9 * 1024 * 1024);
      await store.put('sized/ok.bin', body, { contentType: 'video/mp4', size: 9 * 1024 * 1024 });
      const blob = await store.get('sized/ok.bin');
      expect(blob?.size).toBe(9 * 1024 * 1024);
      const hash = createHash('sha256');
      for await (const chunk of blob?.body ?? []) hash.update(chunk as Buffer);
      expect(hash.digest('hex')).toBe(digest());

      const short = Readable.from([Buffer.alloc(10)]);
      await expect(
        store.put('sized/short.bin', short, { contentType: 'video/mp4', size: 11 }),
      ).rejects.toThrow();
      expect(await store.get('sized/short.bin')).toBeNull();
    });

    it('copies a blob with its content type; the source stays', async () => {
      await store.put('copy/from', new Uint8Array([1, 2, 3]), { contentType: 'text/plain' });
      await store.copy('copy/from', 'copy/same');
      const same = await store.get('copy/same');
      expect(same?.contentType).toBe('text/plain');
      expect([...(await buffer(same?.body ?? Readable.from([])))]).toEqual([1, 2, 3]);
      expect((await store.get('copy/from'))?.size).toBe(3);
      await expect(store.copy('copy/missing', 'copy/nothing')).rejects.toThrow();
      expect(await store.get('copy/nothing')).toBeNull();
    });

    it('answers null for a missing key and after delete; deleting twice is fine', async () => {
      expect(await store.get('missing/key')).toBeNull();
      await store.put('gone', new Uint8Array([1]), { contentType: 'text/plain' });
      await store.delete('gone');
      await store.delete('gone');
      expect(await store.get('gone')).toBeNull();
    });

    it('refuses keys that could escape its root or hide objects, before any I/O', async () => {
      const before = await opened.everything();
      const hostile = [
        '',
        '../outside',
        'a/../../outside',
        '/etc/passwd',
        'a//b',
        '.hidden',
        'a/.hidden',
        'a/..',
        'a\\..\\b',
        'a\0b',
        'trailing/',
        'x'.repeat(513),
        'spaces are not keys',
        'query?x=1',
        'fragment#x',
        'percent%2F..',
      ];
      for (const key of hostile) {
        await expect(
          store.put(key, new Uint8Array([1]), { contentType: 'text/plain' }),
        ).rejects.toThrow(/invalid blob key/);
        await expect(store.get(key)).rejects.toThrow(/invalid blob key/);
        await expect(store.delete(key)).rejects.toThrow(/invalid blob key/);
        await expect(store.copy('k/stream', key)).rejects.toThrow(/invalid blob key/);
        await expect(store.copy(key, 'k/copied')).rejects.toThrow(/invalid blob key/);
      }
      expect(await opened.everything()).toEqual(before);
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

/**
 * A deterministic body of `size` bytes as a stream of odd-sized chunks, with no length known up
 * front; `digest()` is its SHA-256 once it has been read.
 */
function generatedBody(size: number) {
  const hash = createHash('sha256');
  async function* chunks() {
    let sent = 0;
    let seed = 1;
    while (sent < size) {
      const chunk = Buffer.alloc(Math.min(65_521, size - sent));
      for (let i = 0; i < chunk.length; i++) {
        seed = (seed * 1_103_515_245 + 12_345) >>> 0;
        chunk[i] = seed >>> 24;
      }
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
  }
  return { body: Readable.from(chunks()), digest: () => hash.digest('hex') };
}

blobStoreContract('local folder', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'confab-blobs-'));
  const store = await createLocalBlobStore(join(parent, 'store'));
  return {
    store,
    everything: async () => (await readdir(parent, { recursive: true })).sort(),
    close: () => rm(parent, { recursive: true, force: true }),
  };
});

blobStoreContract('S3', async () => {
  const store = createS3BlobStore({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
  const lister = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
  return {
    store,
    async everything() {
      const listed = await lister.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
      return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
    },
    async close() {
      lister.destroy();
      await store.close();
    },
  };
});

describe('opening the blob store', () => {
  const env = (vars: Record<string, string>) =>
    backendEnvSchema.parse({ DATA_DIR: join(tmpdir(), 'unused'), ...vars });

  it('uses the S3 bucket when S3_BUCKET is set, with path-style addressing for an endpoint', async () => {
    const store = await openBlobStore(env({ S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint }), {
      credentials: s3.credentials,
    });
    try {
      expect(store.kind).toBe('s3');
      await store.put('opened/by-env', new Uint8Array([7]), { contentType: 'text/plain' });
      expect((await store.get('opened/by-env'))?.size).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('refuses to open a bucket that does not exist, naming it', async () => {
    const attempt = openBlobStore(env({ S3_BUCKET: 'no-such-bucket', S3_ENDPOINT: s3.endpoint }), {
      credentials: s3.credentials,
    });
    await expect(attempt).rejects.toThrow(BlobStoreError);
    await expect(attempt).rejects.toMatchObject({
      code: 'store_missing',
      message: `S3 bucket "no-such-bucket" at ${s3.endpoint} does not exist`,
    });
  });

  it('refuses credentials the server does not accept, without echoing the secret', async () => {
    const attempt = openBlobStore(env({ S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint }), {
      credentials: { accessKeyId: 'WRONG', secretAccessKey: 'not-the-secret-123' },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'access_denied' });
    await expect(attempt).rejects.not.toThrow(/not-the-secret-123/);
  });

  it('reports a local folder that has gone as missing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'confab-blobs-gone-'));
    const store = await openBlobStore(backendEnvSchema.parse({ DATA_DIR: dataDir }));
    await rm(dataDir, { recursive: true, force: true });
    await expect(store.ping()).rejects.toMatchObject({
      code: 'store_missing',
      message: `blob folder ${join(dataDir, 'blobs', 'data')} is not there`,
    });
  });

  it('uses the local folder when S3_BUCKET is unset', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'confab-blobs-env-'));
    try {
      const store = await openBlobStore(backendEnvSchema.parse({ DATA_DIR: dataDir }));
      expect(store.kind).toBe('local');
      expect(await readdir(join(dataDir, 'blobs'))).toContain('data');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
