import { type SQL, sql } from 'drizzle-orm';
import type { CursorState } from './cursor';
import { and, instantOf, microsOf, RELEVANCE_CANDIDATES, scoreOf } from './search-sql';

/** What the messages and files relevance statements differ in. */
export interface RankedTable {
  /** The table with its alias: `messages m`. */
  table: SQL;
  /** The alias alone: `m`. */
  alias: SQL;
  /** The alias-qualified time a hit is ordered and aged by: `m.received_at`. */
  time: SQL;
  /** The cast that makes a cursor's id comparable with the table's ids (`::uuid`, or none). */
  idCast: SQL;
  /** A hit's columns, read for the page only, and the joins they need. */
  columns: SQL;
  joins: SQL;
}

/** How many newest matches are ranked, and how they are found. */
export interface Candidates {
  /** How many of the newest matches are ranked (RELEVANCE_CANDIDATES, fewer for a common query). */
  count: number;
  /**
   * Find them by walking at most this many of the newest rows in time order (the messages
   * `(received_at DESC, id DESC)` index), checking each: for a common query, whose matches are
   * dense among recent rows. Null: through the term indexes, then ordered (any query).
   * `timeConditions` are the date operators' bounds, applied inside the walk so it starts there.
   */
  walk: { rows: number; timeConditions: SQL[] } | null;
}

const BY_INDEXES: Candidates = { count: RELEVANCE_CANDIDATES, walk: null };

/**
 * One relevance page: the `candidates.count` newest matches (as of the reference time, fixed by
 * the first page and carried by the cursor) scored by relevance mixed with recency, then cut at
 * the cursor's (score, id). Its total is the candidates' count plus one when there are more, so a
 * walk that found fewer than `count + 1` matches may have stopped at its window, not at the end.
 */
export function relevancePage(
  source: RankedTable,
  conditions: SQL[],
  rank: SQL | null,
  limit: number,
  cursor: CursorState | null,
  candidates: Candidates = BY_INDEXES,
): SQL {
  const { table, alias, time, idCast } = source;
  const reference = cursor ? instantOf(cursor.time) : sql`now()`;
  const newest = sql`ORDER BY ${time} DESC, ${alias}.id DESC`;
  // Through the term indexes, the reference bound and the order are written so that no index
  // takes them (same meaning): else the planner read the messages (received_at, id) index for the
  // bound (estimated at 0.5% of rows, it is all of them) in a BitmapAnd, or could walk it hoping
  // to meet the matches early; an operator mix with 33 matches took 18 -> 113 ms that way.
  const rows = candidates.walk
    ? sql`(SELECT ${alias}.* FROM ${table}
        WHERE ${and([...candidates.walk.timeConditions, sql`${time} <= (SELECT at FROM ref)`])}
        ${newest} LIMIT ${candidates.walk.rows}) ${alias}
      WHERE ${and(conditions)}`
    : sql`${table} WHERE ${and(conditions)} AND (${time} <= (SELECT at FROM ref)) IS TRUE`;
  const order = candidates.walk
    ? newest
    : sql`ORDER BY ${time} + interval '0 seconds' DESC, ${alias}.id DESC`;
  const after = cursor
    ? sql`WHERE s.score < ${cursor.score ?? 0}::float8
        OR (s.score = ${cursor.score ?? 0}::float8 AND s.id < ${cursor.id}${idCast})`
    : sql``;
  return sql`WITH ref AS (SELECT ${reference} AS at),
    candidates AS MATERIALIZED (
      SELECT ${alias}.id, row_number() OVER (ORDER BY ${time} DESC, ${alias}.id DESC) AS n,
        ${scoreOf(rank, time, sql`(SELECT at FROM ref)`)} AS score
      FROM (
        SELECT ${alias}.* FROM ${rows} ${order} LIMIT ${candidates.count + 1}
      ) ${alias}
    ), page AS (
      SELECT s.id, s.score FROM (SELECT * FROM candidates WHERE n <= ${candidates.count}) s
      ${after}
      ORDER BY s.score DESC, s.id DESC LIMIT ${limit + 1}
    )
    SELECT (SELECT count(*) FROM candidates) AS total,
      ${microsOf(sql`(SELECT at FROM ref)`)} AS reference, hit.*
    FROM (SELECT 1) one LEFT JOIN (
      SELECT page.id, page.score, NULL AS time, ${source.columns}
      FROM page JOIN ${table} ON ${alias}.id = page.id
      ${source.joins}
    ) hit ON true
    ORDER BY hit.score DESC, hit.id DESC`;
}
