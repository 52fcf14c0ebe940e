import { type Db, schema } from '@confab/db';
import { readMarker } from '@confab/db/model';
import { and, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type * as Y from 'yjs';
import type { ActivityEvent } from '../activity';

type Executor = Pick<Db, 'select' | 'update'>;

/**
 * A user doc's read markers -> `channel_members.last_read_message_id` and
 * `thread_followers.last_read_reply_id`, forward only whatever order devices sync in. Returns
 * the events to publish once the rows committed: each marker (`read`), and for a DM its other
 * members, whose messages now show as read (`status`).
 */
export async function projectReadMarkers(
  db: Executor,
  userId: string,
  userDoc: Y.Doc,
  markerKeys: Iterable<string>,
): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  for (const key of markerKeys) {
    const messageId = readMarker(userDoc, key);
    if (messageId === null) continue;
    const [kind, id] = key.split(':');
    if (kind === 'channel' && id) {
      const { channelMembers: m } = schema;
      const moved = await db
        .update(m)
        .set({ lastReadMessageId: messageId, lastReadAt: sql`now()` })
        .where(
          and(
            eq(m.channelId, id),
            eq(m.userId, userId),
            or(isNull(m.lastReadMessageId), lt(m.lastReadMessageId, messageId)),
          ),
        )
        .returning({ channelId: m.channelId });
      if (moved.length) events.push(...(await authorsToTell(db, id, userId)));
    } else if (kind === 'thread' && id) {
      const { threadFollowers: f } = schema;
      await db
        .update(f)
        .set({ lastReadReplyId: messageId })
        .where(
          and(
            eq(f.rootId, id),
            eq(f.userId, userId),
            or(isNull(f.lastReadReplyId), lt(f.lastReadReplyId, messageId)),
          ),
        );
    }
    // Published after the row moved, so a client refetching its counts on this sees them cleared.
    if (id) events.push({ kind: 'read', userId, markerKey: key, messageId });
  }
  return events;
}

/** In a DM or group DM, the other members' messages up to the marker now show as read. */
async function authorsToTell(
  db: Executor,
  channelId: string,
  readerId: string,
): Promise<ActivityEvent[]> {
  const { channelMembers: m, channels: c } = schema;
  const others = await db
    .select({ userId: m.userId })
    .from(m)
    .innerJoin(c, eq(c.id, m.channelId))
    .where(
      and(eq(m.channelId, channelId), inArray(c.kind, ['dm', 'group_dm']), ne(m.userId, readerId)),
    );
  return others.map(({ userId }) => ({ kind: 'status', userId, channelId }));
}
