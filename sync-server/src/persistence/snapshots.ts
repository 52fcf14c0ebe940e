import { type Db, schema } from '@confab/db';
import { desc, eq } from 'drizzle-orm';

/** A doc's newest snapshot: its state and the log sequence it folds up to; null before any. */
export async function latestSnapshot(db: Db, docName: string) {
  const [snapshot] = await db
    .select({ state: schema.docSnapshots.state, upToSeq: schema.docSnapshots.upToSeq })
    .from(schema.docSnapshots)
    .where(eq(schema.docSnapshots.docName, docName))
    .orderBy(desc(schema.docSnapshots.upToSeq))
    .limit(1);
  return snapshot ?? null;
}
