import type { Db } from '@confab/db';
import { sql } from 'drizzle-orm';

/**
 * The projector's view of `doc_updates`: rows in (tx, seq) order after a cursor and below the
 * commit-safe horizon, and the cursor row itself (`projection_tail`).
 *
 * Why (tx, seq) and the horizon: `doc_update_seq` is drawn when an INSERT runs and becomes
 * visible when its transaction commits, so with group commit and several nodes seq 10 can
 * appear after seq 11, and a cursor "seq > last" would skip it for good. `tx` is the inserting
 * transaction's id. `pg_snapshot_xmin(pg_current_snapshot())` is the oldest transaction still
 * running anywhere in the cluster: every transaction below it has committed or aborted, so the
 * rows with `tx` below it are final, and any row that appears later has a `tx` at or above it,
 * hence above the cursor. A long transaction holds the horizon back: rows wait (lag), none is
 * skipped (loss).
 */

type Executor = Pick<Db, 'execute'>;

/** The last log row projected (or the start): compared as (tx, seq). */
export interface TailPosition {
  /** Transaction id (xid8) as decimal text. */
  tx: string;
  seq: number;
}

export interface LogRow extends TailPosition {
  docName: string;
  update: Uint8Array;
  receivedAt: Date;
}

export const TAIL_NAME = 'main';

/** -1, 0 or 1 as `a` is before, at or after `b` in tail order. */
export function comparePositions(a: TailPosition, b: TailPosition): number {
  const ta = BigInt(a.tx);
  const tb = BigInt(b.tx);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return Math.sign(a.seq - b.seq);
}

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

type PositionRow = { tx: string; seq: string | number };
const positionOf = (row: PositionRow): TailPosition => ({ tx: row.tx, seq: Number(row.seq) });

/**
 * Claims or renews the lease for `leader` and returns the cursor, or null when another tailer
 * holds an unexpired lease. Creates the cursor row at the start when it is missing.
 */
export async function claimTail(
  db: Executor,
  leader: string,
  leaseMs: number,
): Promise<TailPosition | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const [row] = rowsOf<PositionRow>(
      await db.execute(sql`
        UPDATE projection_tail
        SET leader = ${leader}, lease_until = now() + ${leaseMs} * interval '1 millisecond'
        WHERE name = ${TAIL_NAME}
          AND (leader IS NULL OR leader = ${leader} OR lease_until IS NULL OR lease_until < now())
        RETURNING tx::text AS tx, seq`),
    );
    if (row) return positionOf(row);
    // The migration creates the row; a database that lost it starts the tail from the beginning.
    const created = rowsOf<unknown>(
      await db.execute(
        sql`INSERT INTO projection_tail (name, tx, seq) VALUES (${TAIL_NAME}, '0'::xid8, 0) ON CONFLICT DO NOTHING RETURNING name`,
      ),
    );
    if (!created.length) return null;
  }
  return null;
}

/** Gives the lease up (at stop), so another tailer takes over at once. */
export async function releaseTail(db: Executor, leader: string): Promise<void> {
  await db.execute(
    sql`UPDATE projection_tail SET leader = NULL, lease_until = NULL WHERE name = ${TAIL_NAME} AND leader = ${leader}`,
  );
}

/**
 * In the transaction that writes a batch's rows (or a repair's): locks the cursor row and reads
 * it. A batch compares it with where it started and rolls back when another tailer moved it.
 */
export async function lockTail(tx: Executor): Promise<TailPosition> {
  const [row] = rowsOf<PositionRow>(
    await tx.execute(
      sql`SELECT tx::text AS tx, seq FROM projection_tail WHERE name = ${TAIL_NAME} FOR UPDATE`,
    ),
  );
  if (!row) throw new Error('projection_tail has no cursor row');
  return positionOf(row);
}

/** Moves the locked cursor on to the batch's last row. */
export async function setTail(tx: Executor, to: TailPosition): Promise<void> {
  await tx.execute(sql`
    UPDATE projection_tail SET tx = ${to.tx}::xid8, seq = ${to.seq}, updated_at = now()
    WHERE name = ${TAIL_NAME}`);
}

/**
 * Up to `limit` log rows after `after`, below the horizon, in (tx, seq) order. The horizon is
 * read in the same statement, so it belongs to the snapshot the rows are read from.
 */
export async function readTail(db: Executor, after: TailPosition, limit: number) {
  type Row = {
    doc_name: string;
    seq: string | number;
    tx: string;
    update: Uint8Array;
    received_at: Date | string;
  };
  const rows = rowsOf<Row>(
    await db.execute(sql`
      SELECT doc_name, seq, tx::text AS tx, update, received_at FROM doc_updates
      WHERE (tx, seq) > (${after.tx}::xid8, ${after.seq}::bigint)
        AND tx < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY tx, seq
      LIMIT ${limit}`),
  );
  return rows.map(
    (row): LogRow => ({
      docName: row.doc_name,
      seq: Number(row.seq),
      tx: row.tx,
      update: row.update,
      receivedAt: new Date(row.received_at),
    }),
  );
}

/** Whether a committed log row waits above the horizon (a transaction older than it still runs). */
export async function heldBack(db: Executor): Promise<boolean> {
  const [row] = rowsOf<{ held: boolean }>(
    await db.execute(sql`
      SELECT EXISTS (
        SELECT 1 FROM doc_updates WHERE tx >= pg_snapshot_xmin(pg_current_snapshot())
      ) AS held`),
  );
  return row?.held === true;
}

/** The session whose transaction holds the horizon (the oldest one with an id). */
export interface OldestTransaction {
  pid: number;
  /** Null, like `state`, for another role's session unless this one may read its activity. */
  applicationName: string | null;
  state: string | null;
  xactStart: Date | null;
}

/**
 * The oldest transaction with an id on the whole server (any database): what keeps
 * `pg_snapshot_xmin` where it is. Null when there is none or the view is missing (PGlite).
 */
export async function oldestTransaction(db: Executor): Promise<OldestTransaction | null> {
  const [row] = rowsOf<{
    pid: number;
    application_name: string | null;
    state: string | null;
    xact_start: Date | string | null;
  }>(
    await db.execute(sql`
      SELECT pid, application_name, state, xact_start FROM pg_stat_activity
      WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
      ORDER BY age(backend_xid) DESC LIMIT 1`),
  );
  if (!row) return null;
  const start = row.xact_start;
  return {
    pid: Number(row.pid),
    applicationName: row.application_name,
    state: row.state,
    xactStart: start === null ? null : new Date(start),
  };
}

/** Docs with log rows in (from, to]: what another tailer projected since this one last did. */
export async function docsBetween(
  db: Executor,
  from: TailPosition,
  to: TailPosition,
): Promise<string[]> {
  const rows = rowsOf<{ doc_name: string }>(
    await db.execute(sql`
      SELECT DISTINCT doc_name FROM doc_updates
      WHERE (tx, seq) > (${from.tx}::xid8, ${from.seq}::bigint)
        AND (tx, seq) <= (${to.tx}::xid8, ${to.seq}::bigint)`),
  );
  return rows.map((row) => row.doc_name);
}

/**
 * A doc's state as of `at` (every log row up to it, none after): its newest snapshot when every
 * row the snapshot folds is at or before `at` (compaction folds by sequence and age, not by the
 * projector's progress), then the doc's rows after the snapshot up to `at`, in tail order.
 */
export async function docUpdatesUpTo(
  db: Executor,
  docName: string,
  at: TailPosition,
): Promise<Uint8Array[]> {
  const [snapshot] = rowsOf<{ up_to_seq: string | number; state: Uint8Array; usable: boolean }>(
    await db.execute(sql`
      SELECT s.up_to_seq, s.state, NOT EXISTS (
        SELECT 1 FROM doc_updates u
        WHERE u.doc_name = s.doc_name AND u.seq <= s.up_to_seq
          AND (u.tx, u.seq) > (${at.tx}::xid8, ${at.seq}::bigint)
      ) AS usable
      FROM doc_snapshots s WHERE s.doc_name = ${docName}
      ORDER BY s.up_to_seq DESC LIMIT 1`),
  );
  const from = snapshot?.usable ? Number(snapshot.up_to_seq) : 0;
  const rows = rowsOf<{ update: Uint8Array }>(
    await db.execute(sql`
      SELECT update FROM doc_updates
      WHERE doc_name = ${docName} AND seq > ${from}
        AND (tx, seq) <= (${at.tx}::xid8, ${at.seq}::bigint)
      ORDER BY tx, seq`),
  );
  return [...(snapshot?.usable ? [snapshot.state] : []), ...rows.map((row) => row.update)];
}
