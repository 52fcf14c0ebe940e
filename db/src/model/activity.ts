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
  | { kind: 'user_status'; userId: string };
