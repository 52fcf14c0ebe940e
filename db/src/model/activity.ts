/**
 * What the sync server streams on a user's own doc socket (message 102, JSON; sync-server
 * PROTOCOL.md "Activity"): shared by the server that sends it and the clients that read it.
 */
export type ClientActivity =
  | {
      kind: 'message';
      channelId: string;
      messageId: string;
      authorId: string | null;
      parentId: string | null;
      mention: boolean;
    }
  | { kind: 'read'; markerKey: string; messageId: string }
  /** In a DM or group DM, some of my messages reached a device or were read. */
  | { kind: 'status'; channelId: string }
  /**
   * A file shared in the channel was deleted, or its processing settled (thumbnails made, or
   * failed, or skipped): clients drop what they cached about it and ask again.
   */
  | { kind: 'file'; channelId: string; fileId: string; change: 'deleted' | 'processed' }
  | { kind: 'channels' }
  /** A user's custom status or do-not-disturb changed or expired: read it again. */
  | { kind: 'user_status'; userId: string }
  /**
   * The server recorded a notification for me (the API's notifier): the inbox has it, and a
   * client whose tab is hidden may show it. `id` is the inbox entry's id; `reason` is
   * `NotifyReason` of the API's notification rules.
   */
  | {
      kind: 'notification';
      id: string;
      channelId: string;
      messageId: string;
      parentId: string | null;
      authorId: string | null;
      reason: NotifyReason;
    };

/** Why someone is notified, strongest first (the API's notification rules decide). */
export const NOTIFY_REASONS = [
  'urgent_direct_message',
  'direct_message',
  'mention',
  'channel_mention',
  'here_mention',
  'keyword',
  'thread_reply',
  'all_messages',
] as const;

export type NotifyReason = (typeof NOTIFY_REASONS)[number];
