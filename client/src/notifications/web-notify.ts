import type { InboxEntry } from './inbox-data';

/** What the browser allows: `unsupported` where there is no Notification API at all. */
export type NotifyPermission = NotificationPermission | 'unsupported';

export function notifyPermission(): NotifyPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Whether a `notification` event becomes a Web Notification: only while the tab is hidden (a
 * visible tab shows the badge and inbox instead), and only with the permission granted. The
 * server already decided that the user is to be notified at all (preferences, mute, DND).
 */
export function shouldShowWebNotification(state: {
  hidden: boolean;
  permission: NotifyPermission;
}): boolean {
  return state.hidden && state.permission === 'granted';
}

/** Whether to offer turning Web Notifications on: never asked, and not dismissed here. */
export function shouldOfferPermission(state: {
  permission: NotifyPermission;
  dismissed: boolean;
  /** The user has sent a message in this session (or opened the settings). */
  engaged: boolean;
}): boolean {
  return state.permission === 'default' && !state.dismissed && state.engaged;
}

const REASON_TITLE: Record<InboxEntry['reason'], string> = {
  urgent_direct_message: 'Urgent message',
  direct_message: 'Direct message',
  mention: 'Mentioned you',
  channel_mention: '@channel',
  here_mention: '@here',
  keyword: 'Keyword',
  thread_reply: 'Thread reply',
  all_messages: 'New message',
};

/** "Ada in # launch · Mentioned you"; a DM: "Ada · Direct message". */
export function webNotificationTitle(entry: InboxEntry): string {
  const author = entry.authorName ?? 'Someone';
  const where =
    entry.channelKind === 'dm' || entry.channelKind === 'group_dm' || !entry.channelName
      ? ''
      : ` in # ${entry.channelName}`;
  return `${author}${where} · ${REASON_TITLE[entry.reason]}`;
}

/** The body: the excerpt, or a word on a deleted message. */
export const webNotificationBody = (entry: InboxEntry) =>
  entry.excerpt || 'This message was deleted.';

/** Remembered per device (wiped at sign-out with every `confab.` key): "Not now" sticks. */
export const PROMPT_DISMISSED_KEY = 'confab.notifications-prompt-dismissed';
