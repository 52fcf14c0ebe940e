import { type Db, schema } from '@confab/db';
import { and, desc, eq, inArray, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { excerptOf, mentionedIds } from './excerpt';
import type { NotifyReason } from './rules';

const {
  channelMembers: cm,
  channels: c,
  messages: m,
  notifications: n,
  threadFollowers: tf,
  users: u,
} = schema;

/**
 * A notification is read once it was marked read, or once the user's read marker covers its
 * message: the channel's marker for a top-level message, the thread's for a reply. Needs the
 * joins of `inboxRows` (`m`, `cm`, `tf`).
 */
export const isRead: SQL<boolean> = sql<boolean>`coalesce(${n.readAt} IS NOT NULL
  OR (${m.parentId} IS NULL AND ${cm.lastReadMessageId} >= ${n.messageId})
  OR (${m.parentId} IS NOT NULL AND ${tf.lastReadReplyId} >= ${n.messageId}), false)`;

/**
 * Notifications joined with what decides whether they are read. Only channels the user is still
 * a member of: one who left may no longer read them, and neither their excerpts.
 */
function joined(db: Db, columns: Parameters<Db['select']>[0] & object) {
  return db
    .select(columns)
    .from(n)
    .innerJoin(cm, and(eq(cm.channelId, n.channelId), eq(cm.userId, n.userId)))
    .innerJoin(m, eq(m.id, n.messageId))
    .leftJoin(tf, and(eq(tf.rootId, m.parentId), eq(tf.userId, n.userId)));
}

export interface InboxQuery {
  userId: string;
  workspaceId: string;
  /** The last id of the previous page. */
  cursor?: number;
  limit: number;
  unreadOnly: boolean;
}

export interface InboxEntry {
  id: string;
  channelId: string;
  channelName: string | null;
  channelKind: 'public' | 'private' | 'dm' | 'group_dm';
  messageId: string;
  parentId: string | null;
  authorId: string | null;
  authorName: string | null;
  reason: NotifyReason;
  excerpt: string;
  createdAt: string;
  read: boolean;
}

/** Names of the users some texts mention, in one statement. */
export async function namesFor(
  db: Pick<Db, 'select'>,
  texts: readonly string[],
): Promise<Map<string, string>> {
  const ids = [...new Set(texts.flatMap(mentionedIds))];
  if (!ids.length) return new Map();
  const rows = await db
    .select({ id: u.id, name: u.name })
    .from(u)
    .where(sql`${u.id} = ANY(${sql.param(ids)}::uuid[])`);
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** A page of the inbox, newest first, and the cursor of the next one. */
export async function readInbox(db: Db, query: InboxQuery) {
  const { userId, workspaceId, cursor, limit, unreadOnly } = query;
  const rows = await db
    .select({
      id: n.id,
      channelId: n.channelId,
      channelName: c.name,
      channelKind: c.kind,
      messageId: n.messageId,
      parentId: m.parentId,
      authorId: m.authorId,
      authorName: u.name,
      reason: n.reason,
      text: m.text,
      deletedAt: m.deletedAt,
      createdAt: n.createdAt,
      read: isRead,
    })
    .from(n)
    .innerJoin(cm, and(eq(cm.channelId, n.channelId), eq(cm.userId, n.userId)))
    .innerJoin(m, eq(m.id, n.messageId))
    .innerJoin(c, eq(c.id, n.channelId))
    .leftJoin(u, eq(u.id, m.authorId))
    .leftJoin(tf, and(eq(tf.rootId, m.parentId), eq(tf.userId, n.userId)))
    .where(
      and(
        eq(n.userId, userId),
        eq(n.workspaceId, workspaceId),
        cursor === undefined ? undefined : lt(n.id, cursor),
        unreadOnly ? sql`NOT ${isRead}` : undefined,
      ),
    )
    .orderBy(desc(n.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const names = await namesFor(
    db,
    page.map((row) => row.text),
  );
  const notifications: InboxEntry[] = page.map(({ text, deletedAt, id, createdAt, ...row }) => ({
    ...row,
    id: String(id),
    excerpt: deletedAt ? '' : excerptOf(text, names),
    createdAt: createdAt.toISOString(),
  }));
  const last = page.at(-1);
  return {
    notifications,
    nextCursor: rows.length > limit && last ? String(last.id) : null,
  };
}

/** How many of the user's notifications in the workspace are unread. */
export async function unreadCount(db: Db, userId: string, workspaceId: string): Promise<number> {
  const [row] = await joined(db, { count: sql<number>`count(*)::int` }).where(
    and(eq(n.userId, userId), eq(n.workspaceId, workspaceId), sql`NOT ${isRead}`),
  );
  return Number(row?.count ?? 0);
}

/** Marks some (ids of others are ignored) or all of the user's notifications in a workspace read. */
export async function markRead(
  db: Db,
  userId: string,
  workspaceId: string,
  which: { ids: readonly number[] } | { all: true },
  now = new Date(),
): Promise<void> {
  await db
    .update(n)
    .set({ readAt: now })
    .where(
      and(
        eq(n.userId, userId),
        eq(n.workspaceId, workspaceId),
        isNull(n.readAt),
        'ids' in which ? inArray(n.id, [...which.ids]) : undefined,
      ),
    );
}
