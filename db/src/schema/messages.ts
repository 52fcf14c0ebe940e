import { getTableColumns, sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { channels } from './channels';
import { timestampTz, tsvector, withoutSearchVector } from './columns';

/**
 * Projection of messages from the segment docs. The doc is the source of truth; these rows serve
 * history pages, search, unread counts and audit, and can be rebuilt from the update log.
 */
export const messages = pgTable(
  'messages',
  {
    /** ULID made by the client: time-ordered, so ordering by id is ordering by creation. */
    id: text('id').primaryKey(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    docName: text('doc_name').notNull(),
    /** Owner of the client id that created the message [S3], never a field the client wrote. */
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** Thread root for replies; null for top-level messages. */
    parentId: text('parent_id'),
    text: text('text').notNull(),
    fileIds: uuid('file_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** The client's clock at creation; shown to users, not trusted for ordering. */
    createdAt: timestampTz('created_at').notNull(),
    /** When the server accepted the creating update. */
    receivedAt: timestampTz('received_at').notNull(),
    editedAt: timestampTz('edited_at'),
    /** Tombstone: the text is removed and the row stays so replies and audit keep their anchor. */
    deletedAt: timestampTz('deleted_at'),
    deletedBy: uuid('deleted_by').references(() => users.id, { onDelete: 'set null' }),
    /** Log sequence of the update that last changed this row (idempotent projection). */
    docSeq: bigint('doc_seq', { mode: 'number' }).notNull(),
    /**
     * Sum of the projected doc state's vector: a state holding more of the doc has a larger sum,
     * so a node projecting an older state (fan-out still in flight) never overwrites a newer row.
     */
    stateClock: bigint('state_clock', { mode: 'number' }).notNull().default(0),
    /**
     * Full-text search over the current text, kept by the database in the same statement as every
     * projected change (so a message is searchable as soon as it is projected); a tombstone's
     * text is empty, and so is its vector.
     */
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('confab_search'::regconfig, "text")`),
  },
  (t) => [
    index('messages_search_idx').using('gin', t.searchVector),
    // Channel and word together (btree_gin): a lone common word read only in the readable
    // channels; the search engine chooses it per query (api/src/search/postgres/messages.ts).
    // No pending list (fastupdate off): a search scans this index once per readable channel, and
    // each scan would read the whole pending list again (~35 ms more at 1,400 pending rows).
    index('messages_channel_search_idx')
      .using('gin', t.channelId, t.searchVector)
      .with({ fastupdate: false }),
    // Newest first across channels: a common search word's newest matches are found by walking
    // this in order (api/src/search/postgres/messages.ts commonPage).
    index('messages_received_idx').on(t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // Substrings and text without spaces (Chinese, Japanese), fuzzy matches.
    index('messages_text_trgm_idx').using('gin', t.text.op('gin_trgm_ops')),
    // Channel history, newest first, top-level only; also counts unread after a read marker.
    index('messages_channel_history_idx')
      .on(t.channelId, t.id.desc())
      .where(sql`${t.parentId} IS NULL`),
    // Thread replies in order.
    index('messages_thread_idx').on(t.parentId, t.id).where(sql`${t.parentId} IS NOT NULL`),
    index('messages_author_idx').on(t.authorId, t.id.desc()),
  ],
);

/** Every column of messages except the search vector: what reads that serve rows select. */
export const messageColumns = withoutSearchVector(getTableColumns(messages));

/** Every version of every message, the first included, for edit history and audit. */
export const messageVersions = pgTable(
  'message_versions',
  {
    messageId: text('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    /** The Yjs item (`client:clock`) that held this text: projecting a version twice is a no-op. */
    itemId: text('item_id').notNull(),
    text: text('text').notNull(),
    editorId: uuid('editor_id').references(() => users.id, { onDelete: 'set null' }),
    editedAt: timestampTz('edited_at').notNull(),
    /** Versions are ordered by the log sequence of the update that wrote them. */
    docSeq: bigint('doc_seq', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.itemId] }),
    index('message_versions_order_idx').on(t.messageId, t.docSeq),
  ],
);

export const reactions = pgTable(
  'reactions',
  {
    messageId: text('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    emoji: text('emoji').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reactedAt: timestampTz('reacted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.emoji, t.userId] })],
);

export const threadStats = pgTable(
  'thread_stats',
  {
    rootId: text('root_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    replyCount: integer('reply_count').notNull().default(0),
    lastReplyId: text('last_reply_id'),
    lastReplyAt: timestampTz('last_reply_at'),
    participantIds: uuid('participant_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** See messages.stateClock. */
    stateClock: bigint('state_clock', { mode: 'number' }).notNull().default(0),
  },
  (t) => [index('thread_stats_channel_idx').on(t.channelId, t.lastReplyAt.desc())],
);

/** Who follows a thread: participants automatically, anyone explicitly; `following` false mutes. */
export const threadFollowers = pgTable(
  'thread_followers',
  {
    rootId: text('root_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    following: boolean('following').notNull().default(true),
    lastReadReplyId: text('last_read_reply_id'),
  },
  (t) => [
    primaryKey({ columns: [t.rootId, t.userId] }),
    index('thread_followers_user_idx').on(t.userId),
  ],
);

/** Mentions of a user (or @channel/@here, recorded per member) for mention badges. */
export const messageMentions = pgTable(
  'message_mentions',
  {
    messageId: text('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.userId] }),
    // Mention badge: mentions of me in a channel after my read marker.
    index('message_mentions_user_channel_idx').on(t.userId, t.channelId, t.messageId),
  ],
);

/**
 * Delivery receipts of DM and group-DM messages: a recipient's device was sent the message by the
 * sync server. Read needs no row: a recipient's read marker at or past the message says it.
 */
export const messageReceipts = pgTable(
  'message_receipts',
  {
    messageId: text('message_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    deliveredAt: timestampTz('delivered_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId] })],
);
