/**
 * Topics that cross package boundaries. Payloads are JSON in UTF-8.
 * `auth.sessions.revoked`: `{ userId, sessionIds, reason }`, published by the API when sessions end
 * (logout, logout everywhere, reset, refresh-token reuse); the sync server closes their sockets.
 */
export const SESSIONS_REVOKED_TOPIC = 'auth.sessions.revoked';

export interface SessionsRevokedEvent {
  userId: string;
  sessionIds: string[];
  reason: 'logout' | 'logout_all' | 'revoked' | 'password_reset' | 'refresh_token_reused';
}

// `activity.channel.<channelId>` and `activity.user.<userId>`: the activity stream (sync-server
// ActivityHub, PROTOCOL.md "Activity"). Besides the sync server's own events, the API publishes
// `{ kind: 'file', channelId, fileId, change: 'deleted' | 'processed' }` (ClientActivity) on a
// channel's topic after a file's deletion commits or its processing settles (api
// files/file-activity.ts); the hub passes it on to the channel's members only.
export const activityChannelTopic = (channelId: string) => `activity.channel.${channelId}`;
export const activityUserTopic = (userId: string) => `activity.user.${userId}`;

/**
 * `membership.changed`: `{ workspaceId, channelId?, userIds, change }`, published after a
 * membership or role change commits. The sync server re-checks the affected users' open docs.
 */
export const MEMBERSHIP_CHANGED_TOPIC = 'membership.changed';

export interface MembershipChangedEvent {
  workspaceId: string;
  /** Absent for workspace-level changes (which affect every channel of the workspace). */
  channelId?: string;
  userIds: string[];
  change:
    | 'joined'
    | 'left'
    | 'removed'
    | 'role_changed'
    | 'archived'
    | 'unarchived'
    | 'policy_changed';
}
