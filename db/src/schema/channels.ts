import { getTableColumns, sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { createdAt, timestampTz, tsvector, withoutSearchVector } from './columns';
import { workspaces } from './workspaces';

export const channelKind = pgEnum('channel_kind', ['public', 'private', 'dm', 'group_dm']);
/** Who may post top-level messages: everyone, or only channel and workspace admins (announcements). */
export const postingPolicy = pgEnum('posting_policy', ['everyone', 'admins']);
export const reactionPolicy = pgEnum('reaction_policy', ['everyone', 'admins', 'nobody']);
export const channelRole = pgEnum('channel_role', ['member', 'admin']);
/** A member's notification preference for a channel; null means the kind's default. */
export const channelNotify = pgEnum('channel_notify', ['all', 'mentions', 'nothing']);

export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: channelKind('kind').notNull(),
    /** Null for DMs and group DMs, which are named after their members. */
    name: text('name'),
    topic: text('topic').notNull().default(''),
    purpose: text('purpose').notNull().default(''),
    postingPolicy: postingPolicy('posting_policy').notNull().default('everyone'),
    reactionPolicy: reactionPolicy('reaction_policy').notNull().default('everyone'),
    /**
     * Sorted member ids of a DM or group DM, joined with ','; unique per workspace so that opening
     * a conversation with the same people always finds the same channel.
     */
    dmKey: text('dm_key'),
    /** Index of the segment doc that takes new messages (see channel_segments). */
    headSegment: integer('head_segment').notNull().default(0),
    lastMessageAt: timestampTz('last_message_at'),
    archivedAt: timestampTz('archived_at'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestampTz('updated_at').notNull().defaultNow(),
    /** Search over the name (weight A), topic (B) and purpose (C); DMs have no name. */
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('confab_search'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('confab_search'::regconfig, "topic"), 'B') || setweight(to_tsvector('confab_search'::regconfig, "purpose"), 'C')`,
      ),
  },
  (t) => [
    index('channels_search_idx').using('gin', t.searchVector),
    index('channels_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    uniqueIndex('channels_workspace_name_key')
      .on(t.workspaceId, sql`lower(${t.name})`)
      .where(sql`${t.kind} IN ('public', 'private')`),
    uniqueIndex('channels_workspace_dm_key')
      .on(t.workspaceId, t.dmKey)
      .where(sql`${t.kind} IN ('dm', 'group_dm')`),
    // Channel discovery lists a workspace's public channels by recent activity.
    index('channels_workspace_activity_idx').on(t.workspaceId, t.kind, t.lastMessageAt.desc()),
    check(
      'channels_name_matches_kind',
      sql`(${t.kind} IN ('public', 'private')) = (${t.name} IS NOT NULL)`,
    ),
    check(
      'channels_dm_key_matches_kind',
      sql`(${t.kind} IN ('dm', 'group_dm')) = (${t.dmKey} IS NOT NULL)`,
    ),
  ],
);

/** Every column of channels except the search vector: what reads that serve rows select. */
export const channelColumns = withoutSearchVector(getTableColumns(channels));

export const channelMembers = pgTable(
  'channel_members',
  {
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: channelRole('role').notNull().default('member'),
    joinedAt: timestampTz('joined_at').notNull().defaultNow(),
    /** ULID of the newest message this member has read; unread = top-level messages after it. */
    lastReadMessageId: text('last_read_message_id'),
    lastReadAt: timestampTz('last_read_at'),
    mutedAt: timestampTz('muted_at'),
    /** Null: the default (`all` in DMs and group DMs, `mentions` in channels). */
    notify: channelNotify('notify'),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.userId] }),
    // The sidebar: "my channels" for one user.
    index('channel_members_user_idx').on(t.userId, t.channelId),
  ],
);

/**
 * A channel's history is split into bounded segment docs [S6]. Index 0 is the oldest; the channel's
 * head_segment names the one taking new messages. Closed segments stay writable for edits.
 */
export const channelSegments = pgTable(
  'channel_segments',
  {
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    index: integer('index').notNull(),
    docName: text('doc_name').notNull().unique(),
    messageCount: integer('message_count').notNull().default(0),
    byteSize: integer('byte_size').notNull().default(0),
    /** ULID range of the top-level messages it holds, so history pages find their segment. */
    firstMessageId: text('first_message_id'),
    lastMessageId: text('last_message_id'),
    openedAt: timestampTz('opened_at').notNull().defaultNow(),
    closedAt: timestampTz('closed_at'),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.index] })],
);
