import { type Db, schema } from '@confab/db';
import { and, asc, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';

const {
  messages,
  messageColumns,
  reactions,
  threadStats,
  messageVersions,
  channelMembers,
  messageMentions,
  channels,
  threadFollowers,
} = schema;

export interface ReactionSummary {
  emoji: string;
  count: number;
  userIds: string[];
}

/** One message as the history API shows it: the projection's row plus its reactions and thread. */
export interface MessageEntry {
  id: string;
  channelId: string;
  authorId: string | null;
  parentId: string | null;
  text: string;
  fileIds: string[];
  createdAt: Date;
  receivedAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  reactions: ReactionSummary[];
  thread: { replyCount: number; lastReplyAt: Date | null; participantIds: string[] } | null;
  /** DMs and group DMs, on the caller's own messages: how far it got (`sending` is local only). */
  status?: MessageStatus;
}

export type MessageStatus = 'sent' | 'delivered' | 'read';

type MessageRow = Omit<typeof messages.$inferSelect, 'searchVector'>;

/** Adds reactions (grouped per emoji, in first-reaction order) and thread summaries. */
async function withDetails(db: Db, rows: MessageRow[]): Promise<MessageEntry[]> {
  const ids = rows.map((row) => row.id);
  if (!ids.length) return [];
  const reactionRows = await db
    .select()
    .from(reactions)
    .where(inArray(reactions.messageId, ids))
    .orderBy(asc(reactions.reactedAt), asc(reactions.userId));
  const threads = await db.select().from(threadStats).where(inArray(threadStats.rootId, ids));
  const grouped = new Map<string, Map<string, string[]>>();
  for (const row of reactionRows) {
    const byEmoji = grouped.get(row.messageId) ?? new Map<string, string[]>();
    byEmoji.set(row.emoji, [...(byEmoji.get(row.emoji) ?? []), row.userId]);
    grouped.set(row.messageId, byEmoji);
  }
  const threadOf = new Map(threads.map((row) => [row.rootId, row]));
  return rows.map((row) => {
    const thread = threadOf.get(row.id);
    return {
      id: row.id,
      channelId: row.channelId,
      authorId: row.authorId,
      parentId: row.parentId,
      text: row.text,
      fileIds: row.fileIds,
      createdAt: row.createdAt,
      receivedAt: row.receivedAt,
      editedAt: row.editedAt,
      deletedAt: row.deletedAt,
      reactions: [...(grouped.get(row.id) ?? new Map<string, string[]>())].map(
        ([emoji, userIds]) => ({
          emoji,
          count: userIds.length,
          userIds,
        }),
      ),
      thread:
        thread && thread.replyCount > 0
          ? {
              replyCount: thread.replyCount,
              lastReplyAt: thread.lastReplyAt,
              participantIds: thread.participantIds,
            }
          : null,
    };
  });
}

export interface Page {
  messages: MessageEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Status of the viewer's own messages in a conversation: read once another member's read marker
 * is at or past it, delivered once a receipt says another member's device was sent it.
 */
async function withStatus(db: Db, channelId: string, viewerId: string, entries: MessageEntry[]) {
  const own = entries.filter((entry) => entry.authorId === viewerId).map((entry) => entry.id);
  if (!own.length) return entries;
  const others = await db
    .select({ userId: channelMembers.userId, lastRead: channelMembers.lastReadMessageId })
    .from(channelMembers)
    .where(
      and(eq(channelMembers.channelId, channelId), sql`${channelMembers.userId} <> ${viewerId}`),
    );
  const { messageReceipts } = schema;
  const receipts = await db
    .select({ messageId: messageReceipts.messageId })
    .from(messageReceipts)
    .where(
      and(inArray(messageReceipts.messageId, own), sql`${messageReceipts.userId} <> ${viewerId}`),
    );
  const delivered = new Set(receipts.map((row) => row.messageId));
  const furthestRead = others.reduce<string>(
    (max, row) => (row.lastRead && row.lastRead > max ? row.lastRead : max),
    '',
  );
  return entries.map((entry) => {
    if (entry.authorId !== viewerId) return entry;
    const status: MessageStatus =
      furthestRead >= entry.id ? 'read' : delivered.has(entry.id) ? 'delivered' : 'sent';
    return { ...entry, status };
  });
}

/** A channel's top-level messages, newest first, before the cursor (a message id). */
export async function channelHistory(
  db: Db,
  channelId: string,
  {
    before,
    limit,
    statusFor,
  }: { before?: string; limit: number /** Viewer, in DMs and group DMs. */; statusFor?: string },
): Promise<Page> {
  const rows = await db
    .select(messageColumns)
    .from(messages)
    .where(
      and(
        eq(messages.channelId, channelId),
        isNull(messages.parentId),
        before ? lt(messages.id, before) : undefined,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const entries = await withDetails(db, page);
  return {
    messages: statusFor ? await withStatus(db, channelId, statusFor, entries) : entries,
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** A thread's replies, oldest first, after the cursor. */
export async function threadReplies(
  db: Db,
  rootId: string,
  { after, limit }: { after?: string; limit: number },
): Promise<{ replies: MessageEntry[]; nextCursor: string | null }> {
  const rows = await db
    .select(messageColumns)
    .from(messages)
    .where(and(eq(messages.parentId, rootId), after ? gt(messages.id, after) : undefined))
    .orderBy(asc(messages.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    replies: await withDetails(db, page),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function messageInChannel(db: Db, channelId: string, messageId: string) {
  const [row] = await db
    .select(messageColumns)
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId)));
  return row ?? null;
}

/** Whether the user follows a thread (a row that says so; roots' authors and repliers get one). */
export async function isFollowing(db: Db, rootId: string, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ following: threadFollowers.following })
    .from(threadFollowers)
    .where(and(eq(threadFollowers.rootId, rootId), eq(threadFollowers.userId, userId)));
  return row?.following ?? false;
}

/** Follows or stops following a thread; the projector never overrides the choice. */
export async function setFollowing(db: Db, rootId: string, userId: string, following: boolean) {
  await db
    .insert(threadFollowers)
    .values({ rootId, userId, following })
    .onConflictDoUpdate({
      target: [threadFollowers.rootId, threadFollowers.userId],
      set: { following },
    });
}

/** Every version of a message, first to last, with who wrote it and when the server got it. */
export async function editHistory(db: Db, messageId: string) {
  const rows = await db
    .select({
      text: messageVersions.text,
      editorId: messageVersions.editorId,
      editedAt: messageVersions.editedAt,
    })
    .from(messageVersions)
    .where(eq(messageVersions.messageId, messageId))
    .orderBy(asc(messageVersions.docSeq), asc(messageVersions.itemId));
  return rows.map((row, index) => ({ version: index + 1, ...row }));
}

/**
 * Unread and mention counts for each channel the user is in within a workspace: top-level
 * messages by others after their read marker (deleted ones do not count), and mentions of them
 * after it (thread replies included).
 */
export async function unreadSummary(db: Db, workspaceId: string, userId: string) {
  const after = (column: typeof messages.id | typeof messageMentions.messageId) =>
    sql`(${channelMembers.lastReadMessageId} IS NULL OR ${column} > ${channelMembers.lastReadMessageId})`;
  const unread = sql<number>`(
    SELECT count(*)::int FROM ${messages}
    WHERE ${messages.channelId} = ${channelMembers.channelId}
      AND ${messages.parentId} IS NULL AND ${messages.deletedAt} IS NULL
      AND ${messages.authorId} IS DISTINCT FROM ${userId}
      AND ${after(messages.id)})`;
  const mentions = sql<number>`(
    SELECT count(*)::int FROM ${messageMentions}
    WHERE ${messageMentions.channelId} = ${channelMembers.channelId}
      AND ${messageMentions.userId} = ${userId}
      AND ${after(messageMentions.messageId)})`;
  return db
    .select({
      channelId: channelMembers.channelId,
      lastReadMessageId: channelMembers.lastReadMessageId,
      unreadCount: unread,
      mentionCount: mentions,
      muted: sql<boolean>`${channelMembers.mutedAt} IS NOT NULL`,
    })
    .from(channelMembers)
    .innerJoin(channels, eq(channels.id, channelMembers.channelId))
    .where(and(eq(channelMembers.userId, userId), eq(channels.workspaceId, workspaceId)))
    .orderBy(asc(channelMembers.channelId));
}

/** A channel's segment docs, newest first: where a client finds older history to open [S6]. */
export async function channelSegments(db: Db, channelId: string) {
  const { channelSegments: segments } = schema;
  return db
    .select({
      index: segments.index,
      docName: segments.docName,
      messageCount: segments.messageCount,
      firstMessageId: segments.firstMessageId,
      lastMessageId: segments.lastMessageId,
      closedAt: segments.closedAt,
    })
    .from(segments)
    .where(eq(segments.channelId, channelId))
    .orderBy(desc(segments.index));
}
