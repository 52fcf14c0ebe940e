import { type Db, schema } from '@confab/db';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';

export interface LogEntry {
  docName: string;
  update: Uint8Array;
  /** The Yjs client id that wrote the update (0 when it only deletes). */
  clientId: number;
  userId: string | null;
}

/** Where a doc's accepted updates live [S1]: loaded at open, appended before any ack. */
export interface DocLog {
  /** The doc's latest snapshot (if any) followed by every update logged after it, in log order. */
  load(docName: string): Promise<Uint8Array[]>;
  /** Resolves with the entry's sequence once the transaction holding it has committed. */
  append(entry: LogEntry): Promise<number>;
  /** Waits for every append already asked for. */
  flush(): Promise<void>;
}

export interface GroupCommitOptions {
  /** Most entries in one INSERT; 1 turns group commit off (one commit per update). */
  maxBatch?: number;
}

interface Pending {
  entry: LogEntry;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

/**
 * The update log in Postgres (or PGlite), written by group commit: at most one INSERT is in
 * flight per process, and everything that arrives meanwhile goes in the next one. Batches grow
 * with load, so commits per second stay bounded while acks per second grow, and an idle server
 * adds no waiting. One flush at a time also keeps a doc's sequence order equal to commit order on
 * this node.
 */
export function createDocLog(db: Db, { maxBatch = 512 }: GroupCommitOptions = {}): DocLog {
  const queue: Pending[] = [];
  let flushing: Promise<void> | null = null;

  const flushOnce = async () => {
    const batch = queue.splice(0, maxBatch);
    try {
      const entries = batch.map(({ entry }) => entry);
      // One statement with four array parameters whatever the batch size: this is the hot path
      // of every message, so it skips the query builder (a tenth of the server's CPU under load).
      const column = (values: unknown[]) => sql.param(values);
      const result = await db.execute(sql`
        INSERT INTO doc_updates (doc_name, update, client_id, user_id)
        SELECT * FROM unnest(
          ${column(entries.map((entry) => entry.docName))}::text[],
          ${column(entries.map((entry) => Buffer.from(entry.update)))}::bytea[],
          ${column(entries.map((entry) => entry.clientId))}::bigint[],
          ${column(entries.map((entry) => entry.userId))}::uuid[])
        RETURNING seq`);
      // unnest yields rows in array order, nextval is drawn in that order, RETURNING keeps it.
      // Both drivers answer raw SQL with `{ rows }`; bigint comes back as a string from pg.
      const { rows } = result as unknown as { rows: Array<{ seq: string | number }> };
      // unnest yields rows in array order, nextval is drawn in that order, RETURNING keeps it.
      batch.forEach((pending, index) => {
        const row = rows[index];
        if (row) pending.resolve(Number(row.seq));
        else pending.reject(new Error('log insert returned fewer rows than entries'));
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  };

  const drain = async () => {
    // Let entries sent in the same tick (one burst from many sockets) share the first commit.
    await new Promise((resolve) => setImmediate(resolve));
    while (queue.length) await flushOnce();
    flushing = null;
  };

  return {
    async load(docName) {
      const [snapshot] = await db
        .select({ state: schema.docSnapshots.state, upToSeq: schema.docSnapshots.upToSeq })
        .from(schema.docSnapshots)
        .where(eq(schema.docSnapshots.docName, docName))
        .orderBy(desc(schema.docSnapshots.upToSeq))
        .limit(1);
      const tail = await db
        .select({ update: schema.docUpdates.update })
        .from(schema.docUpdates)
        .where(
          and(
            eq(schema.docUpdates.docName, docName),
            snapshot ? gt(schema.docUpdates.seq, snapshot.upToSeq) : undefined,
          ),
        )
        .orderBy(asc(schema.docUpdates.seq));
      return [...(snapshot ? [snapshot.state] : []), ...tail.map((row) => row.update)];
    },
    append(entry) {
      return new Promise<number>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        flushing ??= drain();
      });
    },
    async flush() {
      while (flushing) await flushing;
    },
  };
}
