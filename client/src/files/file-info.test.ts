import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import type { Api } from '../api/api';
import { badgeOf } from './Attachments';
import { applyFileActivity, type FileInfo, FileInfoLoader, nextRefreshMs } from './file-info';

const info = (id: string, change: Partial<FileInfo> = {}) =>
  ({
    id,
    deleted: false,
    processing: 'done',
    urlsExpireAt: new Date(600_000).toISOString(),
    ...change,
  }) as FileInfo;

describe('file metadata', () => {
  it('loads the files rows ask for in one tick with one request per hundred ids', async () => {
    const asked: string[][] = [];
    const api = {
      request: async (_route: string, args: { query: { ids: string[] } }) => {
        asked.push(args.query.ids);
        // The server leaves out what the user may not read.
        return { files: args.query.ids.filter((id) => id !== 'hidden').map((id) => info(id)) };
      },
    } as unknown as Pick<Api, 'request'>;
    const loader = new FileInfoLoader(api);
    const ids = [...Array.from({ length: 150 }, (_, n) => `f${n}`), 'hidden'];
    const found = await Promise.all([...ids, 'f0'].map((id) => loader.load(id)));
    expect(asked.map((batch) => batch.length)).toEqual([100, 51]);
    expect(found.at(-2)).toBeNull();
    expect(found.at(-1)?.id).toBe('f0');
    expect(found[0]?.id).toBe('f0');
  });

  it('polls a file being processed only while the socket is down, then refreshes before its URLs expire', () => {
    const pending = info('a', { processing: 'pending' });
    const down = { live: false, now: 0 };
    expect([1, 2, 3, 4, 9].map((answers) => nextRefreshMs(pending, answers, down))).toEqual([
      3_000, 4_500, 6_750, 10_125, 30_000,
    ]);
    // Live, the 'file' activity says when it is processed: only the URLs' expiry is awaited.
    expect(nextRefreshMs(pending, 1, { live: true, now: 0 })).toBe(540_000);
    expect(nextRefreshMs(info('a'), 1, { live: true, now: 0 })).toBe(540_000);
    expect(nextRefreshMs(info('a'), 1, { live: true, now: 590_000 })).toBe(5_000);
    expect(nextRefreshMs(info('a', { deleted: true }), 1, down)).toBe(false);
    expect(nextRefreshMs(null, 1, down)).toBe(false);
  });

  it('asks again for a file on its activity if on screen, drops it if not, and asks for all after a resync', async () => {
    const client = new QueryClient();
    const fetched: string[] = [];
    const watch = (id: string) =>
      new QueryObserver(client, {
        queryKey: ['file', id],
        queryFn: async () => {
          fetched.push(id);
          return info(id);
        },
      });
    const shown = watch('shown');
    const stop = shown.subscribe(() => {});
    await client.fetchQuery({ queryKey: ['file', 'hidden'], queryFn: async () => info('hidden') });
    await vi.waitFor(() => expect(fetched).toEqual(['shown']));

    const file = (fileId: string) =>
      ({ kind: 'file', channelId: 'c', fileId, change: 'deleted' }) as const;
    applyFileActivity(client, file('shown'));
    applyFileActivity(client, file('hidden'));
    await vi.waitFor(() => expect(fetched).toEqual(['shown', 'shown']));
    expect(client.getQueryData(['file', 'hidden'])).toBeUndefined();

    applyFileActivity(client, {
      kind: 'message',
      channelId: 'c',
      messageId: 'm',
      authorId: null,
      parentId: null,
      mention: false,
    });
    applyFileActivity(client, { kind: 'resynced' });
    await vi.waitFor(() => expect(fetched).toEqual(['shown', 'shown', 'shown']));
    stop();
    client.clear();
  });

  it('badges a file by a short extension, or by its kind for hostile or missing ones', () => {
    expect(badgeOf('report.pdf', 'pdf')).toBe('PDF');
    expect(badgeOf('photo.jpeg', 'image')).toBe('JPEG');
    expect(badgeOf('.bashrc', 'text')).toBe('TEXT');
    expect(badgeOf('../../etc/passwd', 'other')).toBe('OTHER');
    expect(badgeOf(`x.${'a'.repeat(300)}`, 'other')).toBe('OTHER');
    expect(badgeOf('invoice\u202Efdp.exe', 'other')).toBe('EXE');
    expect(badgeOf('notes.t<x>t', 'text')).toBe('TEXT');
  });
});
