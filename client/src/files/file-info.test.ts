import { describe, expect, it } from 'vitest';
import type { Api } from '../api/api';
import { badgeOf } from './Attachments';
import { type FileInfo, FileInfoLoader, nextRefreshMs } from './file-info';

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

  it('polls a file being processed with a backoff, then refreshes before its URLs expire', () => {
    const pending = info('a', { processing: 'pending' });
    expect([1, 2, 3, 4, 9].map((answers) => nextRefreshMs(pending, answers))).toEqual([
      1_000, 1_500, 2_250, 3_375, 10_000,
    ]);
    expect(nextRefreshMs(info('a'), 1, 0)).toBe(540_000);
    expect(nextRefreshMs(info('a'), 1, 590_000)).toBe(5_000);
    expect(nextRefreshMs(info('a', { deleted: true }), 1)).toBe(false);
    expect(nextRefreshMs(null, 1)).toBe(false);
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
