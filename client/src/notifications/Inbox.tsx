import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Api } from '../api/api';
import {
  type InboxEntry,
  markNotificationsRead,
  useInbox,
  useUnreadNotifications,
} from './inbox-data';

const REASON_LABEL: Record<InboxEntry['reason'], string> = {
  urgent_direct_message: 'urgent direct message',
  direct_message: 'direct message',
  mention: 'mentioned you',
  channel_mention: '@channel',
  here_mention: '@here',
  keyword: 'keyword',
  thread_reply: 'reply in a thread you follow',
  all_messages: 'new message',
};

/** Where an entry happened: "# launch", or null in a DM (its reason says so). */
const placeOf = (entry: InboxEntry) =>
  entry.channelKind === 'dm' || entry.channelKind === 'group_dm'
    ? null
    : `# ${entry.channelName ?? ''}`;

/** The top bar's bell: the inbox, with how many notifications are unread. */
export function InboxButton({
  api,
  workspaceId,
  open,
  onToggle,
}: {
  api: Api;
  workspaceId: string;
  open: boolean;
  onToggle: () => void;
}) {
  const unread = useUnreadNotifications(api, workspaceId).data?.unreadCount ?? 0;
  return (
    <button
      type="button"
      className="inbox-button"
      aria-pressed={open}
      aria-label={`Mentions and notifications${unread ? `, ${unread} unread` : ''}`}
      onClick={onToggle}
    >
      <svg viewBox="0 0 16 16" width="1em" height="1em" aria-hidden="true">
        <path
          d="M8 1.5a4.5 4.5 0 0 0-4.5 4.5v3L2 11.5h12L12.5 9V6A4.5 4.5 0 0 0 8 1.5zM6.3 13a1.8 1.8 0 0 0 3.4 0z"
          fill="currentColor"
        />
      </svg>
      {unread > 0 && (
        <span className="badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </button>
  );
}

/**
 * The inbox: my notifications in this workspace, newest first, unread ones marked, "Mark all
 * read", and a click opens the message (in its thread for a reply) and marks it read.
 */
export function Inbox({
  api,
  workspaceId,
  onOpen,
  onClose,
}: {
  api: Api;
  workspaceId: string;
  onOpen: (entry: InboxEntry) => void;
  onClose: () => void;
}) {
  const inbox = useInbox(api, workspaceId);
  const client = useQueryClient();
  const entries = inbox.data?.pages.flatMap((page) => page.notifications) ?? [];
  const unreadCount = inbox.data?.pages[0]?.unreadCount ?? 0;
  const markAll = useMutation({
    mutationFn: () => markNotificationsRead(api, client, workspaceId, { all: true }),
  });
  const open = (entry: InboxEntry) => {
    if (!entry.read)
      void markNotificationsRead(api, client, workspaceId, { ids: [entry.id] }).catch(() => {});
    onOpen(entry);
  };
  return (
    <main className="inbox" aria-label="Mentions and notifications">
      <header>
        <h1>Mentions &amp; notifications</h1>
        <span className="header-buttons">
          <button
            type="button"
            disabled={unreadCount === 0 || markAll.isPending}
            onClick={() => markAll.mutate()}
          >
            Mark all read
          </button>
          <button type="button" className="close" aria-label="Close the inbox" onClick={onClose}>
            ×
          </button>
        </span>
      </header>
      {inbox.isPending && <p className="muted">Loading…</p>}
      {inbox.isError && <p role="alert">Your notifications could not be loaded.</p>}
      {inbox.isSuccess && entries.length === 0 && (
        <p className="muted">Nothing yet: mentions, direct messages and replies show up here.</p>
      )}
      <ul className="inbox-list" aria-label="Notifications">
        {entries.map((entry) => {
          const time = new Date(entry.createdAt);
          const place = placeOf(entry);
          return (
            <li key={entry.id} className={entry.read ? undefined : 'unread'}>
              {/* Named by what it shows (speech input users say what they see), "Unread" first. */}
              <button type="button" onClick={() => open(entry)}>
                <span className="inbox-meta">
                  {!entry.read && <span className="visually-hidden">Unread: </span>}
                  {!entry.read && <span className="unread-dot" aria-hidden="true" />}
                  <strong>{entry.authorName ?? 'Someone'}</strong>
                  {place && <span>{place}</span>}
                  <span className="reason">{REASON_LABEL[entry.reason]}</span>
                  <time
                    className="inbox-time"
                    dateTime={entry.createdAt}
                    title={time.toLocaleString()}
                  >
                    {time.toLocaleString(undefined, {
                      month: 'short',
                      day: 'numeric',
                      hour: '2-digit',
                      minute: '2-digit',
                    })}
                  </time>
                </span>
                <span className="excerpt">{entry.excerpt || 'This message was deleted.'}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {inbox.hasNextPage && (
        <button
          type="button"
          className="load-more"
          disabled={inbox.isFetchingNextPage}
          onClick={() => void inbox.fetchNextPage()}
        >
          Load more
        </button>
      )}
    </main>
  );
}
