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
  let first: string | null = null;
  let last: string | null = null;
  let count = 0;
  for (const id of doc.getMap(MESSAGES).keys()) {
    count++;
    if (first === null || id < first) first = id;
    if (last === null || id > last) last = id;
  }
  // One round trip: the segment's row and the channel's last activity.
  await db.execute(sql`
    WITH segment AS (
      INSERT INTO ${channelSegments} (channel_id, index, doc_name, message_count, first_message_id, last_message_id)
      VALUES (${channelId}, ${index}, ${docName({ kind: 'segment', channelId, index })}, ${count}, ${first}, ${last})
      ON CONFLICT (channel_id, index) DO UPDATE SET
        message_count = excluded.message_count,
        first_message_id = excluded.first_message_id,
        last_message_id = excluded.last_message_id
      WHERE ${channelSegments}.message_count <= excluded.message_count
    )
    UPDATE ${channels} SET last_message_at = greatest(last_message_at, now()) WHERE id = ${channelId}`);
  if (count < SEGMENT_BOUND.messages) return;
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
