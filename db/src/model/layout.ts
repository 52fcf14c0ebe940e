/**
 * The layout of Confab's sync docs, shared by client and server. Components never write these
 * names or values themselves; they call the writers (writers.ts), and the validator
 * (validator.ts) holds every incoming change to this layout.
 *
 * Segment and thread docs (`channel:<id>:segment:<n>`, `channel:<id>:thread:<rootId>`):
 *   messages:  Y.Map  ULID -> Y.Map of one message's fields (MessageField)
 *   reactions: Y.Map  "<messageId>|<userId>|<emoji>" -> true
 * A thread's replies live in the thread's own doc, so a long thread never weighs on the channel
 * and opening a thread costs only that thread. Reactions are flat keys, one per user and emoji,
 * so no two users ever create the same key and each writes only their own.
 * A message's `files` lists its attachments: distinct ids of rows of the `files` table, each
 * uploaded by the message's author for this channel, ready and not deleted when the message
 * first names it (the server checks; `file_not_attachable`). An edit may drop files freely.
 *
 * The user doc (`user:<id>`), readable and writable by its owner only:
 *   readMarkers: Y.Map  "channel:<id>" | "thread:<rootId>" -> ULID of the last message read
 *   drafts:      Y.Map  same keys -> draft text
 *   saved:       Y.Map  message ULID -> saved at (ms)
 *   prefs:       Y.Map  name -> string | number | boolean
 */
import { isCleanText } from './text';
import { ULID_PATTERN, UUID_PATTERN } from './wire';

export const MESSAGES = 'messages';
export const REACTIONS = 'reactions';
export const CHANNEL_ROOTS = [MESSAGES, REACTIONS] as const;

export const READ_MARKERS = 'readMarkers';
export const DRAFTS = 'drafts';
export const SAVED = 'saved';
export const PREFS = 'prefs';
export const USER_ROOTS = [READ_MARKERS, DRAFTS, SAVED, PREFS] as const;

/** The fields of a message map. `author` must name the owner of the writing client id [S3]. */
export type MessageField =
  | 'author'
  | 'text'
  | 'createdAt'
  | 'editedAt'
  | 'deleted'
  | 'parentId'
  | 'files';

export const MESSAGE_FIELDS: ReadonlySet<string> = new Set<MessageField>([
  'author',
  'text',
  'createdAt',
  'editedAt',
  'deleted',
  'parentId',
  'files',
]);

export const LIMITS = {
  /** Slack's limit for one message. */
  textChars: 40_000,
  filesPerMessage: 10,
  emojiChars: 64,
  prefKeyChars: 64,
  prefValueChars: 1_000,
} as const;

/**
 * Segment bounds [S6]. Measured here: a segment of 1,000 messages is ~145 KB and loads in ~65 ms,
 * 10,000 take ~200 ms and 19 MB. Past `messages` the server opens the next segment; a segment
 * accepts late posts (offline clients) up to `hardCap`, then refuses new messages
 * (`segment_full`) so that the client posts into the head instead.
 */
export const SEGMENT_BOUND = { messages: 1_000, hardCap: 2_000 } as const;

export interface ReactionKey {
  messageId: string;
  userId: string;
  emoji: string;
}

export const reactionKey = ({ messageId, userId, emoji }: ReactionKey) =>
  `${messageId}|${userId}|${emoji}`;

/** Parses a reaction key; null unless every part is well formed. */
export function parseReactionKey(key: string): ReactionKey | null {
  const [messageId, userId, emoji, ...rest] = key.split('|');
  if (rest.length || !messageId || !userId || !emoji) return null;
  if (!ULID_PATTERN.test(messageId) || !UUID_PATTERN.test(userId)) return null;
  if ([...emoji].length > LIMITS.emojiChars || /\s/.test(emoji) || !isCleanText(emoji)) return null;
  return { messageId, userId, emoji };
}

/** Keys of read markers and drafts: a channel, or a thread. */
export const channelMarkerKey = (channelId: string) => `channel:${channelId}`;
export const threadMarkerKey = (rootId: string) => `thread:${rootId}`;
export function isMarkerKey(key: string): boolean {
  const [kind, id, ...rest] = key.split(':');
  if (rest.length || !id) return false;
  return (
    (kind === 'channel' && UUID_PATTERN.test(id)) || (kind === 'thread' && ULID_PATTERN.test(id))
  );
}
