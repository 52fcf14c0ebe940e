import { type Db, docName, schema } from '@confab/db';
import { MESSAGES, SEGMENT_BOUND } from '@confab/db/model';
import { and, eq, sql } from 'drizzle-orm';
import type * as Y from 'yjs';

const { channels, channelSegments } = schema;

/** A segment's message count and id range, as its row records them. */
export interface SegmentState {
  channelId: string;
  index: number;
  count: number;
  first: string | null;
  last: string | null;
}

/** Count and id range of a segment doc, read whole (once per segment per process). */
export function scanSegment(doc: Y.Doc): Pick<SegmentState, 'count' | 'first' | 'last'> {
  let first: string | null = null;
  let last: string | null = null;
  let count = 0;
  for (const id of doc.getMap(MESSAGES).keys()) {
    count++;
    if (first === null || id < first) first = id;
    if (last === null || id > last) last = id;
  }
  return { count, first, last };
}

/**
 * Keeps segments' rows current (count and id range, for history pages and clients looking for
 * older segments) and their channels' last activity, all segments of a drain in one statement,
 * then opens the next segment of any head past its bound [S6]. Every step is conditional, so
 * nodes doing it at once record the largest count and open one next segment.
 */
export async function recordSegments(db: Db, segments: readonly SegmentState[]) {
  const column = (values: unknown[]) => sql.param(values);
  await db.execute(sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${column(segments.map((s) => s.channelId))}::uuid[],
        ${column(segments.map((s) => s.index))}::int[],
        ${column(segments.map((s) => docName({ kind: 'segment', channelId: s.channelId, index: s.index })))}::text[],
        ${column(segments.map((s) => s.count))}::int[],
        ${column(segments.map((s) => s.first))}::text[],
        ${column(segments.map((s) => s.last))}::text[]
      ) AS i(channel_id, index, doc_name, message_count, first_message_id, last_message_id)
    ),
    segment AS (
      INSERT INTO ${channelSegments} (channel_id, index, doc_name, message_count, first_message_id, last_message_id)
      SELECT * FROM input
      ON CONFLICT (channel_id, index) DO UPDATE SET
        message_count = excluded.message_count,
        first_message_id = excluded.first_message_id,
        last_message_id = excluded.last_message_id
      WHERE ${channelSegments}.message_count <= excluded.message_count
    )
    UPDATE ${channels} SET last_message_at = greatest(last_message_at, now())
    WHERE id IN (SELECT channel_id FROM input)`);
  for (const segment of segments)
    if (segment.count >= SEGMENT_BOUND.messages) await rollOver(db, segment);
}

async function rollOver(db: Db, { channelId, index }: SegmentState) {
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
