import { useQuery } from '@tanstack/react-query';
import type { Api } from '../api/api';
import { waitingCount } from './badge';
import { useUnreadNotifications } from './inbox-data';
import { useDocumentBadge } from './use-document-badge';

/**
 * The tab's title and favicon badge for the open workspace: its unread mentions (the sidebar's
 * counts, the same cached answer, kept current by the activity stream) plus its unread
 * notifications that are not mentions.
 */
export function TabBadge({ api, workspaceId }: { api: Api; workspaceId: string }) {
  const unread = useQuery({
    queryKey: ['unread', workspaceId],
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/unread', { params: { workspaceId } }),
  });
  const notifications = useUnreadNotifications(api, workspaceId);
  useDocumentBadge(
    waitingCount(unread.data?.channels ?? [], notifications.data?.notifications ?? []),
  );
  return null;
}
