import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api';
import type { FileInfo } from './file-info';
import { indexedDbPendingPosts, type PendingPost } from './pending-posts';
import { sendPendingPost } from './pending-sender';

const post = (id: string, files: PendingPost['files']): PendingPost => ({
  id,
  target: 'channel:c',
  channelId: '0b0b6a3e-7c55-4a8e-9d5e-2f1e1b9f3a11',
  author: 'ada',
  text: 'the report',
  createdAt: 1,
  files,
  failed: null,
});

const waitingFile = (key: string, content: string) => ({
  key,
  name: `${key}.txt`,
  type: 'text/plain',
  size: content.length,
  fileId: null,
  blob: new Blob([content], { type: 'text/plain' }),
});

const uploaded = (id: string) => ({ id }) as FileInfo;

describe('pending posts in IndexedDB', () => {
  it('keeps posts with the bytes of their files across a reopening, in id order', async () => {
    const factory = new IDBFactory();
    const first = indexedDbPendingPosts(factory, 'pending');
    await first.put(post('02B', [waitingFile('b', 'second')]));
    await first.put(post('01A', [waitingFile('a', 'first file')]));
    // A new store on the same database: what a reload finds.
    const reopened = indexedDbPendingPosts(factory, 'pending');
    const posts = await reopened.list();
    expect(posts.map((each) => each.id)).toEqual(['01A', '02B']);
    expect(posts[0]?.files[0]?.name).toBe('a.txt');
    expect(await posts[0]?.files[0]?.blob?.text()).toBe('first file');
    await reopened.remove('01A');
    expect((await first.list()).map((each) => each.id)).toEqual(['02B']);
  });
});

describe('sending a pending post', () => {
  it('uploads each waiting file once, then posts under its own id, then forgets it', async () => {
    const store = indexedDbPendingPosts(new IDBFactory(), 'pending');
    const pending = post('01A', [
      { ...waitingFile('a', 'x'), fileId: 'f-a', blob: null },
      waitingFile('b', 'yy'),
    ]);
    await store.put(pending);
    const uploads: string[] = [];
    const posts: [string, string[]][] = [];
    const outcome = await sendPendingPost(pending, {
      store,
      upload: async (_post, file) => {
        uploads.push(file.key);
        return uploaded(`f-${file.key}`);
      },
      post: async (sent, files) => {
        posts.push([sent.id, files]);
      },
    });
    expect(outcome).toBe('sent');
    expect(uploads).toEqual(['b']);
    expect(posts).toEqual([['01A', ['f-a', 'f-b']]]);
    expect(await store.list()).toEqual([]);
  });

  it('without network keeps what was uploaded, and the next attempt uploads only the rest', async () => {
    const store = indexedDbPendingPosts(new IDBFactory(), 'pending');
    const pending = post('01A', [waitingFile('a', 'x'), waitingFile('b', 'yy')]);
    await store.put(pending);
    const uploads: string[] = [];
    let network = true;
    const steps = {
      store,
      upload: async (_post: PendingPost, file: PendingPost['files'][number]) => {
        uploads.push(file.key);
        if (!network) throw new ApiError(0, 'offline', 'You are offline.');
        network = false;
        return uploaded(`f-${file.key}`);
      },
      post: async () => {},
    };
    expect(await sendPendingPost(pending, steps)).toBe('offline');
    const [kept] = await store.list();
    expect(kept?.files.map((file) => file.fileId)).toEqual(['f-a', null]);
    expect(kept?.files[0]?.blob).toBeNull();
    expect(await kept?.files[1]?.blob?.text()).toBe('yy');
    network = true;
    if (!kept) throw new Error('lost');
    expect(await sendPendingPost(kept, steps)).toBe('sent');
    expect(uploads).toEqual(['a', 'b', 'b']);
  });

  it('keeps a post whose file the server refuses as failed, with the reason, and posts nothing', async () => {
    const store = indexedDbPendingPosts(new IDBFactory(), 'pending');
    const pending = post('01A', [waitingFile('page', '<html>')]);
    await store.put(pending);
    let posted = false;
    const outcome = await sendPendingPost(pending, {
      store,
      upload: async () => {
        throw new ApiError(415, 'file_type_refused', 'HTML is not allowed.');
      },
      post: async () => {
        posted = true;
      },
    });
    expect(outcome).toBe('failed');
    expect(posted).toBe(false);
    const [kept] = await store.list();
    expect(kept?.failed).toBe('page.txt was refused: HTML is not allowed.');
  });

  it('posting twice after a crash between posting and forgetting uses the same message id', async () => {
    const store = indexedDbPendingPosts(new IDBFactory(), 'pending');
    const pending = post('01A', [{ ...waitingFile('a', 'x'), fileId: 'f-a', blob: null }]);
    await store.put(pending);
    const ids: string[] = [];
    const crash = {
      store: { ...store, remove: async () => Promise.reject(new Error('tab closed')) },
      upload: async () => uploaded('never'),
      post: async (sent: PendingPost) => {
        ids.push(sent.id);
      },
    };
    await expect(sendPendingPost(pending, crash)).rejects.toThrow('tab closed');
    const [again] = await store.list();
    if (!again) throw new Error('lost');
    await sendPendingPost(again, { ...crash, store });
    expect(ids).toEqual(['01A', '01A']);
  });
});
