import { type Db, schema } from '@confab/db';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { latestSnapshot } from './snapshots';

export interface LogEntry {
  docName: string;
  update: Uint8Array;
  /** The Yjs client id that wrote the update (0 when it only deletes). */
  clientId: number;
  userId: string | null;
  /** Messages the update creates, claimed across nodes in the same statement that logs it. */
  claim?: { messageIds: string[]; token: string };
}

/** Another update (on this node or another) already created one of these message ids. */
export class MessageIdTaken extends Error {
  constructor() {
    super('a message id this update creates is taken');
  }
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
      const claims = entries.flatMap((entry, index) =>
        (entry.claim?.messageIds ?? []).map((messageId) => ({ messageId, ord: index + 1 })),
      );
      // One statement whatever the batch size: it claims the message ids the updates create,
      // then logs every update none of whose ids another update holds. Raw SQL, since this is
      // the hot path of every message (the query builder was a tenth of the server's CPU).
      const column = (values: unknown[]) => sql.param(values);
      const result = await db.execute(sql`
        WITH input AS (
          SELECT * FROM unnest(
            ${column(entries.map((entry) => entry.docName))}::text[],
            ${column(entries.map((entry) => Buffer.from(entry.update)))}::bytea[],
            ${column(entries.map((entry) => entry.clientId))}::bigint[],
            ${column(entries.map((entry) => entry.userId))}::uuid[],
            ${column(entries.map((entry) => entry.claim?.token ?? ''))}::text[]
          ) WITH ORDINALITY AS i(doc_name, update, client_id, user_id, token, ord)
        ),
        wanted AS (
          SELECT w.message_id, i.ord, i.doc_name, i.token
          FROM unnest(
            ${column(claims.map((claim) => claim.messageId))}::text[],
            ${column(claims.map((claim) => claim.ord))}::bigint[]
          ) AS w(message_id, ord)
          JOIN input i ON i.ord = w.ord
        ),
        claimed AS (
          INSERT INTO message_claims (message_id, doc_name, token)
          SELECT message_id, doc_name, token FROM wanted
          ON CONFLICT (message_id) DO NOTHING
          RETURNING message_id, token
        ),
        refused AS (
          SELECT DISTINCT w.ord FROM wanted w
          WHERE NOT EXISTS (SELECT 1 FROM claimed c WHERE c.message_id = w.message_id AND c.token = w.token)
            AND NOT EXISTS (
              SELECT 1 FROM message_claims m WHERE m.message_id = w.message_id AND m.token = w.token
            )
        ),
        inserted AS (
          INSERT INTO doc_updates (doc_name, update, client_id, user_id)
          SELECT doc_name, update, client_id, user_id FROM input
          WHERE ord NOT IN (SELECT ord FROM refused)
          ORDER BY ord
          RETURNING seq
        )
        SELECT
          (SELECT coalesce(array_agg(ord), '{}') FROM refused) AS refused,
          (SELECT coalesce(array_agg(seq ORDER BY seq), '{}') FROM inserted) AS seqs`);
      // Both drivers answer raw SQL with \`{ rows }\`; bigints may come back as strings.
      const [row] = (result as unknown as { rows: Array<{ refused: unknown[]; seqs: unknown[] }> })
        .rows;
      const refused = new Set((row?.refused ?? []).map(Number));
      // Rows were inserted in entry order, and nextval is drawn in insertion order.
      const seqs = (row?.seqs ?? []).map(Number);
      let next = 0;
      for (const [index, pending] of batch.entries()) {
        if (refused.has(index + 1)) {
          pending.reject(new MessageIdTaken());
          continue;
        }
        const seq = seqs[next++];
        if (seq === undefined)
          pending.reject(new Error('log insert returned fewer rows than entries'));
        else pending.resolve(seq);
      }
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
      const snapshot = await latestSnapshot(db, docName);
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
