import { NOTIFY_REASONS, type NotifyReason } from '@confab/db/model';
import { keywordMatcher } from './keywords';

/** A member's notification preference for one channel. */
export type ChannelPreference = 'all' | 'mentions' | 'nothing';

/** The channel kinds of `channels.kind`. */
export type ChannelKind = 'public' | 'private' | 'dm' | 'group_dm';

/** How a recipient stands to the thread a reply belongs to (`thread_followers`). */
export type ThreadFollow = 'following' | 'muted' | 'none';

/** One new message or reply, as the server accepted it. */
export interface MessageFacts {
  authorId: string;
  /** Stored text: mentions as `<@id>`, `<!channel>`, `<!here>`. */
  text: string;
  channelKind: ChannelKind;
  /** A thread reply (it has a parent), not a top-level message. */
  isReply: boolean;
  /** Marked urgent by its author; honoured in DMs and group DMs only (see `decideNotification`). */
  urgent: boolean;
}

/** One candidate recipient: a member of the channel, or a follower of the reply's thread. */
export interface RecipientFacts {
  userId: string;
  /** Ignored in DMs and group DMs, which are addressed to every member. */
  preference: ChannelPreference;
  /** `channel_members.muted_at` is set. */
  channelMuted: boolean;
  /** Present and active now: only active members hear `@here`. */
  active: boolean;
  /** Do-not-disturb is on now (an end time or the daily schedule says so). */
  doNotDisturb: boolean;
  /** For a reply: whether the recipient follows its thread. Ignored for top-level messages. */
  thread: ThreadFollow;
  keywords: readonly string[];
}

/** Why a recipient is notified (shared with the activity stream and the database's enum). */
export type { NotifyReason };

/** Why a recipient is not notified. */
export type SilentReason =
  | 'own_message'
  | 'do_not_disturb'
  | 'channel_muted'
  | 'thread_muted'
  | 'preference_nothing'
  | 'not_addressed';

export type NotificationDecision =
  | { notify: true; reason: NotifyReason }
  | { notify: false; reason: SilentReason };

/** Higher is stronger: a user reached several ways is notified once, for the strongest. */
export const REASON_STRENGTH = Object.fromEntries(
  NOTIFY_REASONS.map((reason, index) => [reason, NOTIFY_REASONS.length - index]),
) as Readonly<Record<NotifyReason, number>>;

const notify = (reason: NotifyReason): NotificationDecision => ({ notify: true, reason });
const silent = (reason: SilentReason): NotificationDecision => ({ notify: false, reason });

/** What a message says about its audience, read once and asked for each recipient. */
export interface MessageAudience {
  message: MessageFacts;
  mentioned: ReadonlySet<string>;
  channelMention: boolean;
  hereMention: boolean;
  matchesKeyword: (keyword: string) => boolean;
}

const MENTION = /<@([0-9a-fA-F-]{36})>/g;

export function audienceOf(message: MessageFacts): MessageAudience {
  return {
    message,
    mentioned: new Set([...message.text.matchAll(MENTION)].map((m) => (m[1] ?? '').toLowerCase())),
    channelMention: message.text.includes('<!channel>'),
    hereMention: message.text.includes('<!here>'),
    matchesKeyword: keywordMatcher(message.text),
  };
}

/** DMs and group DMs: addressed to every member, whatever their preference (rule 4). */
export const isDirect = (kind: ChannelKind) => kind === 'dm' || kind === 'group_dm';

/**
 * Whether one recipient is notified of one message, and why. The first rule that applies wins:
 * 1. the author is never notified of their own message;
 * 2. an urgent message in a DM or group DM notifies through DND and mute (a channel's `urgent` is
 *    ignored, so nobody can page a whole channel);
 * 3. DND, then a muted channel, then a muted thread (for a reply) silence everything else;
 * 4. a DM or group DM notifies every member, whatever their preference;
 * 5. preference `nothing` silences the channel;
 * 6. a direct mention, `@channel`, `@here` (active recipients only), a keyword, in that order;
 * 7. a reply notifies the thread's followers, whatever their preference;
 * 8. preference `all` notifies of top-level messages (replies reach followers only, rule 7).
 */
export function decideNotification(
  audience: MessageAudience,
  recipient: RecipientFacts,
): NotificationDecision {
  const { message } = audience;
  if (recipient.userId.toLowerCase() === message.authorId.toLowerCase())
    return silent('own_message');
  const direct = isDirect(message.channelKind);
  if (direct && message.urgent) return notify('urgent_direct_message');
  if (recipient.doNotDisturb) return silent('do_not_disturb');
  if (recipient.channelMuted) return silent('channel_muted');
  if (message.isReply && recipient.thread === 'muted') return silent('thread_muted');
  if (direct) return notify('direct_message');
  if (recipient.preference === 'nothing') return silent('preference_nothing');
  if (audience.mentioned.has(recipient.userId.toLowerCase())) return notify('mention');
  if (audience.channelMention) return notify('channel_mention');
  if (audience.hereMention && recipient.active) return notify('here_mention');
  if (recipient.keywords.some(audience.matchesKeyword)) return notify('keyword');
  if (message.isReply && recipient.thread === 'following') return notify('thread_reply');
  if (!message.isReply && recipient.preference === 'all') return notify('all_messages');
  return silent('not_addressed');
}

export interface Notification {
  userId: string;
  reason: NotifyReason;
}

/**
 * Who is notified of one message: each user at most once (ids compared, and returned, in lower
 * case), for the strongest reason, in the order they first appear. A user may be listed more than once (as a channel member and as a thread
 * follower, with the facts each source knows); every listing is decided and the strongest reason
 * wins, except that a listing silenced by the user's own choice (DND, a mute, preference
 * `nothing`) or by being the author vetoes the others: facts that disagree never notify someone
 * who asked for silence.
 */
export function notificationsFor(
  message: MessageFacts,
  recipients: readonly RecipientFacts[],
): Notification[] {
  const audience = audienceOf(message);
  // Every user keeps the place of their first listing, notified or not, so the order is stable.
  const strongest = new Map<string, NotifyReason | 'silent' | 'vetoed'>();
  for (const recipient of recipients) {
    const decision = decideNotification(audience, recipient);
    const key = recipient.userId.toLowerCase();
    const known = strongest.get(key);
    if (known === 'vetoed') continue;
    if (!decision.notify) {
      if (decision.reason !== 'not_addressed') strongest.set(key, 'vetoed');
      else if (known === undefined) strongest.set(key, 'silent');
      continue;
    }
    if (
      known === undefined ||
      known === 'silent' ||
      REASON_STRENGTH[decision.reason] > REASON_STRENGTH[known]
    ) {
      strongest.set(key, decision.reason);
    }
  }
  const notified: Notification[] = [];
  for (const [userId, reason] of strongest) {
    if (reason !== 'vetoed' && reason !== 'silent') notified.push({ userId, reason });
  }
  return notified;
}
