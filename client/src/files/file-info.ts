import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useContext, useEffect } from 'react';
import type { Api, ApiResponse } from '../api/api';
import { BatchLoader } from '../api/batch-loader';
import { type Activity, ActivityContext, type ActivityListener } from '../sync/activity';
import { useConnectionState } from '../sync/connection-state';

/** A file's metadata and signed addresses, as `GET /api/files/{fileId}` answers it. */
export type FileInfo = ApiResponse<'GET /api/files/{fileId}'>['file'];

/** Ids per `GET /api/files?ids=` (the route's limit). */
const BATCH = 100;
/** Asked again this long before the signed URLs expire, so a shown image never breaks. */
const EXPIRY_MARGIN_MS = 60_000;
/**
 * Polling a file whose thumbnails are being made, only while the socket is down (live, the 'file'
 * activity says when they are ready): 3 s, growing by half, at most this.
 */
const FALLBACK_MAX_POLL_MS = 30_000;

/**
 * The files that rows ask for within one tick: one request per hundred, so a screen of messages
 * with attachments costs one round trip, not one per file.
 */
export class FileInfoLoader extends BatchLoader<FileInfo> {
  constructor(api: Pick<Api, 'request'>) {
    super(async (ids) => {
      const { files } = await api.request('GET /api/files', { query: { ids } });
      return new Map(files.map((file) => [file.id, file]));
    }, BATCH);
  }
}

/**
 * When to ask again for a file's metadata: while its thumbnails are being made and the socket is
 * down, with a backoff (3 s growing by half up to 30 s, by how many answers came already);
 * otherwise shortly before its signed URLs expire. Never for a file that is gone or unreadable.
 */
export function nextRefreshMs(
  info: FileInfo | null | undefined,
  answers: number,
  { live, now = Date.now() }: { live: boolean; now?: number },
): number | false {
  if (!info || info.deleted) return false;
  if (info.processing === 'pending' && !live)
    return Math.min(Math.round(3000 * 1.5 ** Math.max(0, answers - 1)), FALLBACK_MAX_POLL_MS);
  const expires = Date.parse(info.urlsExpireAt);
  if (Number.isNaN(expires)) return false;
  return Math.max(5_000, expires - EXPIRY_MARGIN_MS - now);
}

/**
 * What activity means for the cached file details. A file deleted or processed: its entry is asked
 * again if on screen (so "File removed" and thumbnails show within a second) and dropped if not.
 * The socket back after a cut: what was said meanwhile is lost, so every file on screen is asked
 * again (one batched request).
 */
export function applyFileActivity(client: QueryClient, activity: Activity): void {
  if (activity.kind === 'file') {
    const queryKey = ['file', activity.fileId];
    void client.invalidateQueries({ queryKey, exact: true });
    client.removeQueries({ queryKey, exact: true, type: 'inactive' });
  } else if (activity.kind === 'resynced') {
    void client.invalidateQueries({ queryKey: ['file'] });
  }
}

/**
 * The activity listener sets that already feed the file cache: one listener per signed-in user
 * (per UserDocProvider), not one per attachment, and kept while the set lives, so entries of files
 * scrolled away are dropped too.
 */
const following = new WeakSet<Set<ActivityListener>>();

function useFileActivity() {
  const listeners = useContext(ActivityContext);
  const client = useQueryClient();
  useEffect(() => {
    if (following.has(listeners)) return;
    following.add(listeners);
    listeners.add((activity) => applyFileActivity(client, activity));
  }, [listeners, client]);
}

const loaders = new WeakMap<Api, FileInfoLoader>();

/**
 * One file's metadata, batched with the other rows', asked again on its 'file' activity and
 * refreshed as `nextRefreshMs` says.
 */
export function useFileInfo(api: Api, id: string) {
  useFileActivity();
  const live = useConnectionState() === 'online';
  let loader = loaders.get(api);
  if (!loader) {
    loader = new FileInfoLoader(api);
    loaders.set(api, loader);
  }
  const batched = loader;
  return useQuery({
    queryKey: ['file', id],
    queryFn: () => batched.load(id),
    refetchInterval: (query) =>
      nextRefreshMs(query.state.data, query.state.dataUpdateCount, { live }),
  });
}
