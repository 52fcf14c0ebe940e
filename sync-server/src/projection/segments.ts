import { type Db, docName, schema } from '@confab/db';
import { MESSAGES, SEGMENT_BOUND } from '@confab/db/model';
import { and, eq, sql } from 'drizzle-orm';
import type * as Y from 'yjs';
import type { SegmentState } from './statements';

const { channels, channelSegments } = schema;

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
 * After segments' rows were recorded: opens the next segment of any head past its bound [S6].
 * Conditional on the head, so nodes doing it at once open one next segment.
 */
export async function rollOverFull(db: Db, segments: readonly SegmentState[]) {
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
