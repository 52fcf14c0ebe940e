import { useQuery } from '@tanstack/react-query';
import type { Api, ApiResponse } from '../api/api';

/** A file's metadata and signed addresses, as `GET /api/files/{fileId}` answers it. */
export type FileInfo = ApiResponse<'GET /api/files/{fileId}'>['file'];

/** Ids per `GET /api/files?ids=` (the route's limit). */
const BATCH = 100;
/** Asked again this long before the signed URLs expire, so a shown image never breaks. */
const EXPIRY_MARGIN_MS = 60_000;
/**
 * Polling a file whose thumbnails are being made: 1 s, growing by half, at most this (a job
 * waits its turn behind others on a busy server; a batched request costs little).
 */
const MAX_POLL_MS = 10_000;

type Waiter = { resolve: (info: FileInfo | null) => void; reject: (error: unknown) => void };

/**
 * Collects the file ids that rows ask for within one tick and loads them with one request per
 * hundred: a screen of messages with attachments costs one round trip, not one per file.
 */
export class FileInfoLoader {
  private queued = new Map<string, Waiter[]>();

  constructor(private readonly api: Pick<Api, 'request'>) {}

  /** The file, or null when the user may not read it (or it does not exist). */
  load(id: string): Promise<FileInfo | null> {
    return new Promise((resolve, reject) => {
      if (!this.queued.size) setTimeout(() => void this.flush(), 0);
      const waiters = this.queued.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.queued.set(id, waiters);
    });
  }

  private async flush() {
    const queued = this.queued;
    this.queued = new Map();
    const ids = [...queued.keys()];
    for (let at = 0; at < ids.length; at += BATCH) {
      const batch = ids.slice(at, at + BATCH);
      try {
        const { files } = await this.api.request('GET /api/files', {
          query: { ids: batch },
        });
        const found = new Map(files.map((file) => [file.id, file]));
        for (const id of batch)
          for (const waiter of queued.get(id) ?? []) waiter.resolve(found.get(id) ?? null);
      } catch (error) {
        for (const id of batch) for (const waiter of queued.get(id) ?? []) waiter.reject(error);
      }
    }
  }
}

/**
 * When to ask again for a file's metadata: while its thumbnails are being made, with a backoff
 * (1 s growing by half up to 10 s, by how many answers came already); otherwise shortly before its
 * signed URLs expire. Never for a file that is gone or unreadable.
 */
export function nextRefreshMs(
  info: FileInfo | null | undefined,
  answers: number,
  now = Date.now(),
): number | false {
  if (!info || info.deleted) return false;
  if (info.processing === 'pending')
    return Math.min(Math.round(1000 * 1.5 ** Math.max(0, answers - 1)), MAX_POLL_MS);
  const expires = Date.parse(info.urlsExpireAt);
  if (Number.isNaN(expires)) return false;
  return Math.max(5_000, expires - EXPIRY_MARGIN_MS - now);
}

const loaders = new WeakMap<Api, FileInfoLoader>();

/** One file's metadata, batched with the other rows' and refreshed as `nextRefreshMs` says. */
export function useFileInfo(api: Api, id: string) {
  let loader = loaders.get(api);
  if (!loader) {
    loader = new FileInfoLoader(api);
    loaders.set(api, loader);
  }
  const batched = loader;
  return useQuery({
    queryKey: ['file', id],
    queryFn: () => batched.load(id),
    refetchInterval: (query) => nextRefreshMs(query.state.data, query.state.dataUpdateCount),
  });
}
