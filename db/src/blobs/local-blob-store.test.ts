import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store';
import { createLocalBlobStore } from './local-blob-store';

let parent: string;
let root: string;
let store: BlobStore;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'confab-blobs-'));
  root = join(parent, 'store');
  store = await createLocalBlobStore(root);
});
afterAll(() => rm(parent, { recursive: true, force: true }));

describe('local blob store', () => {
  it('returns what was stored, with its content type and size', async () => {
    const bytes = new Uint8Array([137, 80, 78, 71, 0, 255]);
    await store.put('ws1/files/a.png', bytes, { contentType: 'image/png' });
    const blob = await store.get('ws1/files/a.png');
    expect(blob?.contentType).toBe('image/png');
    expect(blob?.size).toBe(6);
    expect(new Uint8Array(await buffer(blob?.body ?? Readable.from([])))).toEqual(bytes);
  });

  it('stores streamed bodies and replaces on a second put', async () => {
    await store.put('k/stream', Readable.from([Buffer.from('hello '), Buffer.from('world')]), {
      contentType: 'text/plain',
    });
    await store.put('k/stream', new Uint8Array([1]), { contentType: 'application/octet-stream' });
    const blob = await store.get('k/stream');
    expect(blob?.size).toBe(1);
    expect(blob?.contentType).toBe('application/octet-stream');
    blob?.body.destroy();
  });

  it('answers null for a missing key and after delete; deleting twice is fine', async () => {
    expect(await store.get('missing/key')).toBeNull();
    await store.put('gone', new Uint8Array([1]), { contentType: 'text/plain' });
    await store.delete('gone');
    await store.delete('gone');
    expect(await store.get('gone')).toBeNull();
  });

  it('refuses keys that could escape its folder or hide files, and writes nothing', async () => {
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
    ];
    for (const key of hostile) {
      await expect(
        store.put(key, new Uint8Array([1]), { contentType: 'text/plain' }),
      ).rejects.toThrow(/invalid blob key/);
      await expect(store.get(key)).rejects.toThrow(/invalid blob key/);
      await expect(store.delete(key)).rejects.toThrow(/invalid blob key/);
    }
    expect((await readdir(parent)).sort()).toEqual(['store']);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });
});
