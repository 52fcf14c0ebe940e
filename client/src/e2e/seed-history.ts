import { type Database, docName, schema } from '@confab/db';
import { postMessage, SEGMENT_BOUND } from '@confab/db/model';
import { eq, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { waitUntil } from './ui';

type Db = Database['db'];

/** The text of the seeded message `n` (0 is the oldest): what the tests look for. */
export const seededText = (n: number) => `history message ${n}`;

/**
 * A public channel of `total` messages by `authorId`, written straight into the doc log as one
 * update per segment of SEGMENT_BOUND.messages (as sync-server/bench/history-bench.ts does):
 * seconds for 100,000 messages where posting them through the sync server would take minutes.
 * With `emptyHead`, the head is a fresh segment after the last full one, as right after the
 * server rolled the channel over. Seeded before anyone opens the channel: the server loads the
 * segments from the log when a client asks for them. Returns once the projector has passed the
 * seeded rows, as it would have long before anyone opened old history (its 'message' activity
 * for them would otherwise reach the page as new messages).
 */
export async function seedChannel(
  db: Db,
  options: {
    workspaceId: string;
    authorId: string;
    name: string;
    total: number;
    emptyHead?: boolean;
  },
): Promise<{ channelId: string; head: number }> {
  const [channel] = await db
    .insert(schema.channels)
    .values({ workspaceId: options.workspaceId, kind: 'public', name: options.name })
    .returning();
  if (!channel) throw new Error('seedChannel: no channel');
  await db
    .insert(schema.channelMembers)
    .values({ channelId: channel.id, userId: options.authorId });
  const perSegment = SEGMENT_BOUND.messages;
  // A minute between messages, ending now: day dividers appear, the newest is the last.
  const start = Date.now() - options.total * 60_000;
  let index = 0;
  for (; index * perSegment < options.total; index++) {
    const doc = new Y.Doc();
    const count = Math.min(perSegment, options.total - index * perSegment);
    doc.transact(() => {
      for (let i = 0; i < count; i++) {
        const n = index * perSegment + i;
        postMessage(doc, {
          author: options.authorId,
          text: seededText(n),
          now: start + n * 60_000,
        });
      }
    });
    const name = docName({ kind: 'segment', channelId: channel.id, index });
    const clientId = doc.clientID;
    await db.insert(schema.docUpdates).values({
      docName: name,
      update: Y.encodeStateAsUpdate(doc),
      clientId,
      userId: options.authorId,
    });
    await db
      .insert(schema.docClientIds)
      .values({ docName: name, clientId, userId: options.authorId });
    doc.destroy();
  }
  await waitUntil(async () => {
    const result = await db.execute(sql`
      SELECT count(*)::int AS behind FROM doc_updates u, projection_tail t
      WHERE t.name = 'main' AND (u.tx, u.seq) > (t.tx, t.seq)`);
    return (result as { rows: Array<{ behind: number }> }).rows[0]?.behind === 0;
  }, 120_000);
  const head = options.emptyHead ? index : index - 1;
  await db
    .update(schema.channels)
    .set({ headSegment: head })
    .where(eq(schema.channels.id, channel.id));
  return { channelId: channel.id, head };
}
