import { useInfiniteQuery } from '@tanstack/react-query';
import type { Api } from '../api/api';
import { useActivity } from '../sync/activity';
import { badgeOf } from './Attachments';
import { formatBytes } from './format';

/** The channel's Files: what was shared in it, newest first, a page at a time. */
export function FilesPanel({
  api,
  channelId,
  names,
  onClose,
}: {
  api: Api;
  channelId: string;
  /** Member names by id, for who shared each file. */
  names: Map<string, string>;
  onClose: () => void;
}) {
  const pages = useInfiniteQuery({
    queryKey: ['channel-files', channelId],
    queryFn: ({ pageParam }) =>
      api.request('GET /api/channels/{channelId}/files', {
        params: { channelId },
        query: pageParam ? { before: pageParam } : {},
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
  // A new message here may carry files, and a file may be deleted or get its thumbnail: the open
  // list follows.
  const refetch = pages.refetch;
  useActivity((activity) => {
    if (
      (activity.kind === 'message' || activity.kind === 'file') &&
      activity.channelId === channelId
    )
      void refetch();
  });
  const files = pages.data?.pages.flatMap((page) => page.files) ?? [];
  return (
    <aside className="files-panel" aria-label="Channel files">
      <header>
        <h3>Files</h3>
        <button
          type="button"
          className="close-button"
          onClick={onClose}
          aria-label="Close the files list"
        >
          ×
        </button>
      </header>
      {pages.isPending && <p className="loading">Loading files…</p>}
      {pages.isError && <p role="alert">The files could not be loaded.</p>}
      {pages.isSuccess && !files.length && <p className="muted">No files shared here yet.</p>}
      <ul>
        {files.map((file) => (
          <li key={file.id} className="file-row">
            {file.urls.thumbSmall ? (
              <img
                className="file-thumb"
                src={file.urls.thumbSmall}
                alt=""
                width={40}
                height={40}
              />
            ) : (
              <span className={`file-icon kind-${file.kind}`} aria-hidden="true">
                {badgeOf(file.name, file.kind)}
              </span>
            )}
            <div>
              <a
                href={file.urls.original}
                download={file.name}
                className="file-name"
                title={file.name}
              >
                {file.name}
              </a>
              <span className="muted">
                {formatBytes(file.size)} · {names.get(file.uploaderId ?? '') ?? 'Someone'} ·{' '}
                {new Date(file.createdAt).toLocaleDateString()}
              </span>
            </div>
          </li>
        ))}
      </ul>
      {pages.hasNextPage && (
        <button
          type="button"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          More files
        </button>
      )}
    </aside>
  );
}
