import { type Db, docName, schema } from '@confab/db';
import { MESSAGES, SEGMENT_BOUND } from '@confab/db/model';
import { and, eq, sql } from 'drizzle-orm';
import type * as Y from 'yjs';

const { channels, channelSegments } = schema;

/**
 * Keeps a segment's row current (count and id range, for history pages and clients looking for
 * older segments) and opens the next segment once the head passes its bound [S6]. Every step is
 * conditional, so nodes doing it at once open one next segment.
 */
export async function recordSegment(db: Db, channelId: string, index: number, doc: Y.Doc) {
  const ids = [...doc.getMap(MESSAGES).keys()].sort();
  const row = {
    messageCount: ids.length,
    firstMessageId: ids[0] ?? null,
    lastMessageId: ids.at(-1) ?? null,
  };
  await db
    .insert(channelSegments)
    .values({ channelId, index, docName: docName({ kind: 'segment', channelId, index }), ...row })
    .onConflictDoUpdate({
      target: [channelSegments.channelId, channelSegments.index],
      set: row,
      setWhere: sql`${channelSegments.messageCount} <= ${row.messageCount}`,
    });
  if (row.lastMessageId) {
    await db
      .update(channels)
      .set({ lastMessageAt: sql`greatest(${channels.lastMessageAt}, now())` })
      .where(eq(channels.id, channelId));
  }
  if (ids.length < SEGMENT_BOUND.messages) return;
  await db.transaction(async (tx) => {
    const [moved] = await tx
      .update(channels)
      .set({ headSegment: index + 1 })
      .where(and(eq(channels.id, channelId), eq(channels.headSegment, index)))
      .returning({ id: channels.id });
    if (!moved) return;
    await tx
      .update(channelSegments)
      .set({ closedAt: sql`now()` })
      .where(and(eq(channelSegments.channelId, channelId), eq(channelSegments.index, index)));
    await tx
      .insert(channelSegments)
      .values({
        channelId,
        index: index + 1,
        docName: docName({ kind: 'segment', channelId, index: index + 1 }),
      })
      .onConflictDoNothing();
  });
}
