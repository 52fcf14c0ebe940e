import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Api, ApiResponse, User } from '../api/api';
import { Avatar } from '../channel/Avatar';
import { LockIcon } from '../channel/LockIcon';
import { useWatch } from '../presence/presence';
import { PersonMarks, PresenceDot, usePersonDescription } from '../status/PersonMarks';
import { useActivity } from '../sync/activity';
import { ThemeChoices } from '../theme/ThemeMenu';
import { useMenuDetails } from '../ui/use-menu-details';
import { type Channel, channelTitle, isConversation } from './channels';

type Unread = ApiResponse<'GET /api/workspaces/{workspaceId}/unread'>;

/**
 * Each of my channels' unread and mention counts: loaded from the server's projection, then
 * kept current by the activity stream (a new message in a channel that is not open counts at
 * once; read markers, membership changes and reconnects load the counts again).
 */
function useUnread(api: Api, user: User, workspaceId: string, openId: string | null) {
  const key = ['unread', workspaceId];
  const unread = useQuery({
    queryKey: key,
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/unread', { params: { workspaceId } }),
  });
  const client = useQueryClient();
  useActivity((activity) => {
    if (activity.kind !== 'message') {
      void client.invalidateQueries({ queryKey: key });
      if (activity.kind === 'channels')
        void client.invalidateQueries({ queryKey: ['channels', workspaceId] });
      return;
    }
    if (activity.authorId === user.id || activity.channelId === openId) return;
    client.setQueryData<Unread>(key, (before) => {
      if (!before?.channels.some((entry) => entry.channelId === activity.channelId)) return before;
      return {
        channels: before.channels.map((entry) =>
          entry.channelId === activity.channelId
            ? {
                ...entry,
                // Replies count as mentions only, as in the server's counts.
                unreadCount: entry.unreadCount + (activity.parentId ? 0 : 1),
                mentionCount: entry.mentionCount + (activity.mention ? 1 : 0),
              }
            : entry,
        ),
      };
    });
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
  const unread = useUnread(api, user, workspace.id, openId);
  const conversations = channels.filter(isConversation);
  /** The person a one-to-one DM is with (group DMs show no one's marks). */
  const partnerOf = (channel: Channel) =>
    channel.kind === 'dm'
      ? channel.members?.find((member) => member.id !== user.id)?.id
      : undefined;
  useWatch(conversations.flatMap((channel) => partnerOf(channel) ?? []));
  const item = (channel: Channel) => {
    const partner = partnerOf(channel);
    return (
      <SidebarItem
        key={channel.id}
        api={api}
        user={user}
        workspaceId={workspace.id}
        title={channelTitle(channel, user)}
        kind={channel.kind}
        partner={partner}
        partnerName={
          channel.members?.find((member) => member.id === partner)?.name ??
          channelTitle(channel, user)
        }
        counts={channel.id === openId ? undefined : unread.get(channel.id)}
        current={channel.id === openId}
        onOpen={() => onOpen(channel.id)}
      />
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
      <ul aria-label="Direct messages">{conversations.map(item)}</ul>
      {canInvite && (
        <button type="button" className="invite" onClick={() => onAction('invite')}>
          Invite people
        </button>
      )}
      <UserMenu user={user} />
    </nav>
  );
}

/** One channel or conversation; a DM shows the other person's presence and status. */
function SidebarItem({
  api,
  user,
  workspaceId,
  title,
  kind,
  partner,
  partnerName,
  counts,
  current,
  onOpen,
}: {
  api: Api;
  user: User;
  workspaceId: string;
  title: string;
  kind: Channel['kind'];
  partner: string | undefined;
  partnerName: string;
  counts: Unread['channels'][number] | undefined;
  current: boolean;
  onOpen: () => void;
}) {
  const mentions = counts?.mentionCount ?? 0;
  const unreadCount = counts && !counts.muted ? counts.unreadCount : 0;
  const conversation = kind === 'dm' || kind === 'group_dm';
  // Every message of a conversation is for me, as a mention is: a DM counts them all.
  const badge = conversation ? Math.max(unreadCount, mentions) : mentions;
  const person = usePersonDescription(api, user.id, workspaceId, partner);
  const label = [
    title,
    kind === 'private' && 'private',
    unreadCount && (conversation ? `${badge} unread` : 'unread'),
    !conversation && mentions && `${mentions} mentions`,
    ...person,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <li>
      <button
        type="button"
        className={unreadCount ? 'unread' : undefined}
        aria-current={current ? 'page' : undefined}
        aria-label={label}
        onClick={onOpen}
      >
        <span className="channel-name">
          {partner && (
            <Avatar
              userId={partner}
              name={partnerName}
              size="small"
              mark={<PresenceDot userId={partner} />}
            />
          )}
          {kind === 'private' && <LockIcon />}
          <bdi className="name">{title}</bdi>
          {partner && (
            <PersonMarks
              api={api}
              me={user.id}
              workspaceId={workspaceId}
              userId={partner}
              dot={false}
            />
          )}
        </span>
        {badge > 0 && (
          <span className="badge" aria-hidden="true">
            {badge}
          </span>
        )}
      </button>
    </li>
  );
}

/** Me, at the foot of the sidebar: my settings for this device (the theme). */
function UserMenu({ user }: { user: User }) {
  const menu = useMenuDetails();
  return (
    <details className="user-menu" ref={menu}>
      <summary>
        <Avatar userId={user.id} name={user.name} size="small" />
        <bdi className="name">{user.name}</bdi>
        <span className="visually-hidden">: settings</span>
      </summary>
      <div className="menu-popup">
        <ThemeChoices />
      </div>
    </details>
  );
}
