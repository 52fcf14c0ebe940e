import { type Db, schema } from '@confab/db';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { collectChanges } from '../engine/changes';

/**
 * What exactly-once means, counted against the log: replaying every log row of the docs in tail
 * order, each text a row wrote is one expected version (message id and Yjs item); the versions
 * table must hold each of them once and nothing else.
 */
export async function versionsAgainstLog(db: Db, docNames: readonly string[]) {
  const { docUpdates: u, messageVersions: v, messages: m } = schema;
  const rows = await db
    .select({ docName: u.docName, update: u.update })
    .from(u)
    .where(inArray(u.docName, [...docNames]))
    .orderBy(asc(u.tx), asc(u.seq));
  const docs = new Map<string, Y.Doc>();
  const expected = new Set<string>();
  let textRows = 0;
  for (const row of rows) {
    let doc = docs.get(row.docName);
    if (!doc) {
      doc = new Y.Doc();
      docs.set(row.docName, doc);
    }
    let wroteText = false;
    const collect = (transaction: Y.Transaction) => {
      for (const text of collectChanges(transaction).texts) {
        expected.add(`${text.messageId}|${text.itemId}`);
        wroteText = true;
      }
    };
    doc.on('afterTransaction', collect);
    Y.applyUpdate(doc, row.update);
    doc.off('afterTransaction', collect);
    if (wroteText) textRows++;
  }
  for (const doc of docs.values()) doc.destroy();
  const stored = await db
    .select({ messageId: v.messageId, itemId: v.itemId })
    .from(v)
    .innerJoin(m, eq(m.id, v.messageId))
    .where(inArray(m.docName, [...docNames]));
  const keys = stored.map((row) => `${row.messageId}|${row.itemId}`);
  const storedSet = new Set(keys);
  return {
    logRows: rows.length,
    /** Log rows that wrote at least one message text. */
    textRows,
    expected: expected.size,
    stored: keys.length,
    missing: [...expected].filter((key) => !storedSet.has(key)).length,
    extra: [...storedSet].filter((key) => !expected.has(key)).length,
    duplicated: keys.length - storedSet.size,
  };
}

/** Log rows the projector has not passed yet. */
export async function rowsBehindTail(db: Db): Promise<number> {
  const result = await db.execute(sql`
    SELECT count(*)::int AS n FROM doc_updates u, projection_tail t
    WHERE t.name = 'main' AND (u.tx, u.seq) > (t.tx, t.seq)`);
  return Number((result as unknown as { rows: Array<{ n: number }> }).rows[0]?.n ?? -1);
}
