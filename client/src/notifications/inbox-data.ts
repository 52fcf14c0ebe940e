import { type QueryClient, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { Api, ApiResponse } from '../api/api';
import type { Activity } from '../sync/activity';

export type InboxPage = ApiResponse<'GET /api/workspaces/{workspaceId}/notifications'>;
export type InboxEntry = InboxPage['notifications'][number];

/** Entries per inbox page. */
export const INBOX_PAGE = 30;
/** Unread entries the tab badge reads (the route's most): past it, the badge undercounts. */
const UNREAD_WINDOW = 100;

const inboxKey = (workspaceId: string) => ['notifications', workspaceId, 'all'];
const unreadKey = (workspaceId: string) => ['notifications', workspaceId, 'unread'];

/** The inbox, newest first, a page at a time. */
export function useInbox(api: Api, workspaceId: string) {
  return useInfiniteQuery({
    queryKey: inboxKey(workspaceId),
    queryFn: ({ pageParam }) =>
      api.request('GET /api/workspaces/{workspaceId}/notifications', {
        params: { workspaceId },
        query: { limit: INBOX_PAGE, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

/** Unread notifications (the newest hundred) and how many there are in all. */
export function useUnreadNotifications(api: Api, workspaceId: string) {
  return useQuery({
    queryKey: unreadKey(workspaceId),
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/notifications', {
        params: { workspaceId },
        query: { unread: 'true', limit: UNREAD_WINDOW },
      }),
  });
}

/** Looks an entry up among the newest unread of a workspace (for a Web Notification's text). */
export async function findUnread(
  api: Pick<Api, 'request'>,
  workspaceId: string,
  id: string,
): Promise<InboxEntry | undefined> {
  const page = await api.request('GET /api/workspaces/{workspaceId}/notifications', {
    params: { workspaceId },
    query: { unread: 'true', limit: 20 },
  });
  return page.notifications.find((entry) => entry.id === id);
}

/**
 * What activity means for the inbox: a new notification, or a read marker moved (which reads
 * the notifications it covers), or a reconnect (what was missed is unknown): ask again.
 */
export function applyInboxActivity(client: QueryClient, activity: Activity): void {
  if (activity.kind === 'notification' || activity.kind === 'read' || activity.kind === 'resynced')
    void client.invalidateQueries({ queryKey: ['notifications'] });
}

/** Marks some entries, or all of a workspace's, read; the inbox and badge follow. */
export async function markNotificationsRead(
  api: Api,
  client: QueryClient,
  workspaceId: string,
  which: { ids: string[] } | { all: true },
): Promise<void> {
  await api.request('POST /api/workspaces/{workspaceId}/notifications/read', {
    params: { workspaceId },
    body: which,
  });
  await client.invalidateQueries({ queryKey: ['notifications', workspaceId] });
}
