import { type Db, STATEMENT_TIMEOUT_MS, schema } from '@confab/db';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { latestSnapshot } from './snapshots';

export interface CompactionOptions {
  /**
   * Only log rows older than this are folded. Sequence numbers are drawn when an INSERT starts and
   * become visible when it commits; a row with a lower number may still be in flight. No statement
   * outlives STATEMENT_TIMEOUT_MS, so after twice that every older number is settled.
   */
  settleMs?: number;
  /** Fewer settled rows than this after the last snapshot: nothing to gain yet. */
  minUpdates?: number;
  /** Updates applied between yields to the event loop. */
  chunk?: number;
}

export const SETTLE_MS = 2 * STATEMENT_TIMEOUT_MS;

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Folds a doc's settled log into a new snapshot, so loading reads one state and a short tail. The
 * log itself stays (audit and replay need every update); older snapshots go. Work is done in
 * chunks so the event loop keeps serving others. Several nodes compacting one doc at once compute
 * the same snapshot for the same sequence, and the primary key keeps just one.
 */
export async function compactDoc(
  db: Db,
  docName: string,
  { settleMs = SETTLE_MS, minUpdates = 200, chunk = 200 }: CompactionOptions = {},
): Promise<{ upToSeq: number; folded: number } | null> {
  const snapshot = await latestSnapshot(db, docName);
  const rows = await db
    .select({ seq: schema.docUpdates.seq, update: schema.docUpdates.update })
    .from(schema.docUpdates)
    .where(
      and(
        eq(schema.docUpdates.docName, docName),
        snapshot ? gt(schema.docUpdates.seq, snapshot.upToSeq) : undefined,
        lt(schema.docUpdates.receivedAt, sql`now() - ${settleMs} * interval '1 millisecond'`),
      ),
    )
    .orderBy(schema.docUpdates.seq);
  const last = rows.at(-1);
  if (!last || rows.length < minUpdates) return null;

  // A scratch doc with gc on keeps deleted content out of the snapshot.
  const doc = new Y.Doc();
  if (snapshot) Y.applyUpdate(doc, snapshot.state);
  for (let start = 0; start < rows.length; start += chunk) {
    Y.transact(doc, () => {
      for (const row of rows.slice(start, start + chunk)) Y.applyUpdate(doc, row.update);
    });
    await yieldToEventLoop();
  }
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();

  await db.transaction(async (tx) => {
    await tx
      .insert(schema.docSnapshots)
      .values({ docName, upToSeq: last.seq, state })
      .onConflictDoNothing({ target: [schema.docSnapshots.docName, schema.docSnapshots.upToSeq] });
    // Loading reads only the newest snapshot; the older ones are redundant with it and the log.
    await tx
      .delete(schema.docSnapshots)
      .where(
        and(eq(schema.docSnapshots.docName, docName), lt(schema.docSnapshots.upToSeq, last.seq)),
      );
  });
  return { upToSeq: last.seq, folded: rows.length };
}
