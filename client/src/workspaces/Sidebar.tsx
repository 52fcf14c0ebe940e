import { useQuery } from '@tanstack/react-query';
import type { Api, User } from '../api/api';
import { type Channel, channelTitle, isConversation } from './channels';

interface Unread {
  channelId: string;
  unreadCount: number;
  mentionCount: number;
  muted: boolean;
}

/** Each of my channels' unread and mention counts, as the server's projection knows them. */
export function useUnread(api: Api, workspaceId: string) {
  const unread = useQuery({
    queryKey: ['unread', workspaceId],
    queryFn: () => api.call<{ channels: Unread[] }>('GET', `/api/workspaces/${workspaceId}/unread`),
  });
  return new Map(unread.data?.channels.map((entry) => [entry.channelId, entry]));
}

export type SidebarAction = 'create' | 'browse' | 'dm' | 'invite';

/** The workspace's channels and conversations, with unread and mention badges. */
export function Sidebar({
  api,
  user,
  workspace,
  channels,
  openId,
  onOpen,
  onAction,
  canBrowse,
  canInvite,
}: {
  api: Api;
  user: User;
  workspace: { id: string; name: string };
  channels: Channel[];
  openId: string | null;
  onOpen: (channelId: string) => void;
  onAction: (action: SidebarAction) => void;
  canBrowse: boolean;
  canInvite: boolean;
}) {
  const unread = useUnread(api, workspace.id);
  const item = (channel: Channel) => {
    const counts = channel.id === openId ? undefined : unread.get(channel.id);
    const mentions = counts?.mentionCount ?? 0;
    const unreadCount = counts && !counts.muted ? counts.unreadCount : 0;
    const title = channelTitle(channel, user);
    const label = [title, unreadCount && 'unread', mentions && `${mentions} mentions`]
      .filter(Boolean)
      .join(', ');
    return (
      <li key={channel.id}>
        <button
          type="button"
          className={unreadCount ? 'unread' : undefined}
          aria-current={channel.id === openId ? 'page' : undefined}
          aria-label={label}
          onClick={() => onOpen(channel.id)}
        >
          <span>{title}</span>
          {mentions > 0 && (
            <span className="badge" aria-hidden="true">
              {mentions}
            </span>
          )}
        </button>
      </li>
    );
  };
  return (
    <nav className="sidebar" aria-label={`${workspace.name} channels`}>
      <h2>{workspace.name}</h2>
      <div className="sidebar-heading">
        <h3>Channels</h3>
        {canBrowse && (
          <>
            <button type="button" onClick={() => onAction('browse')} title="Browse channels">
              Browse
            </button>
            <button type="button" onClick={() => onAction('create')} aria-label="Create a channel">
              +
            </button>
          </>
        )}
      </div>
      <ul aria-label="Channels">
        {channels.filter((channel) => !isConversation(channel)).map(item)}
      </ul>
      <div className="sidebar-heading">
        <h3>Direct messages</h3>
        {canBrowse && (
          <button type="button" onClick={() => onAction('dm')} aria-label="New direct message">
            +
          </button>
        )}
      </div>
      <ul aria-label="Direct messages">{channels.filter(isConversation).map(item)}</ul>
      {canInvite && (
        <button type="button" className="invite" onClick={() => onAction('invite')}>
          Invite people
        </button>
      )}
    </nav>
  );
}
