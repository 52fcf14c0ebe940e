import { type Db, rawQuery, SqlParams, schema } from '@confab/db';
import { and, asc, eq, gt } from 'drizzle-orm';
import { type DocLog, type LogEntry, MessageIdTaken } from '../engine/ports';
import { createAttachableFiles } from './attachable-files';
import { latestSnapshot } from './snapshots';

export interface GroupCommitOptions {
  /** Most entries in one INSERT; 1 turns group commit off (one commit per update). */
  maxBatch?: number;
  /** Most INSERTs in flight at once (each on its own pooled connection). */
  maxInFlight?: number;
}

interface Pending {
  entry: LogEntry;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

/**
 * The update log (the engine's `DocLog` port) in Postgres (or PGlite), written by group commit: a few INSERTs in flight per
 * process, and everything that arrives while they are goes in the next. Batches grow with load,
 * so commits per second stay bounded while acks per second grow, and an idle server adds no
 * waiting. More than one in flight keeps one slow commit from holding up everyone behind it.
 * Batches in flight together hold independent updates (a connection's next update is handled
 * after its last was committed), so their commit order does not matter [S7]; loading and
 * compaction never assume that sequence order is commit order.
 */
export function createDocLog(
  db: Db,
  { maxBatch = 512, maxInFlight = 4 }: GroupCommitOptions = {},
): DocLog {
  const queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  const idle: Array<() => void> = [];

  const flushOnce = async (batch: Pending[]) => {
    try {
      const entries = batch.map(({ entry }) => entry);
      const claims = entries.flatMap((entry, index) =>
        (entry.claim?.messageIds ?? []).map((messageId) => ({ messageId, ord: index + 1 })),
      );
      // One statement whatever the batch size: it claims the message ids the updates create,
      // then logs every update none of whose ids another update holds. Raw SQL, since this is
      // the hot path of every message.
      const p = new SqlParams();
      const [row] = await rawQuery<{ refused: unknown[]; seqs: unknown[] }>(
        db,
        `WITH input AS (
          SELECT * FROM unnest(
            ${p.add(entries.map((entry) => entry.docName))}::text[],
            ${p.add(entries.map((entry) => Buffer.from(entry.update)))}::bytea[],
            ${p.add(entries.map((entry) => entry.clientId))}::bigint[],
            ${p.add(entries.map((entry) => entry.userId))}::uuid[],
            ${p.add(entries.map((entry) => entry.claim?.token ?? ''))}::text[]
          ) WITH ORDINALITY AS i(doc_name, update, client_id, user_id, token, ord)
        ),
        wanted AS (
          SELECT w.message_id, i.ord, i.doc_name, i.token
          FROM unnest(
            ${p.add(claims.map((claim) => claim.messageId))}::text[],
            ${p.add(claims.map((claim) => claim.ord))}::bigint[]
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
          (SELECT coalesce(array_agg(seq ORDER BY seq), '{}') FROM inserted) AS seqs`,
        p,
        'confab_log_append',
      );
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

  const pump = () => {
    while (queue.length && inFlight < maxInFlight) {
      inFlight++;
      void flushOnce(queue.splice(0, maxBatch)).finally(() => {
        inFlight--;
        pump();
        if (!inFlight && !queue.length) for (const resolve of idle.splice(0)) resolve();
      });
    }
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
        if (scheduled) return;
        scheduled = true;
        // Entries sent in the same tick (one burst from many sockets) share the first commit.
        setImmediate(() => {
          scheduled = false;
          pump();
        });
      });
    },
    flush() {
      if (!inFlight && !queue.length && !scheduled) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
    attachableFiles: createAttachableFiles(db),
  };
}
