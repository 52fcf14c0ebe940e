import { type SQL, sql } from 'drizzle-orm';
import { TOTAL_CAP } from '../engine';
import type { SearchQuery } from '../query';
import { START_MARK, STOP_MARK, WHOLE_TEXT_MAX } from './highlight';
import { SEARCH_CONFIG } from './text-terms';

/** Relevance ranks only the newest matches, at most this many: bounded cost on any table. */
export const RELEVANCE_CANDIDATES = TOTAL_CAP;

/**
 * A common query (in at least 1% of messages, messages.ts searchShape) is counted up to this
 * many ("100+"): counting to TOTAL_CAP would read thousands of matches, and past a hundred the
 * number tells a reader nothing more.
 */
export const COMMON_TOTAL_CAP = 100;

/**
 * Relevance ranks this many of a common query's newest matches
 * (one walk finds them and the count).
 */
export const COMMON_CANDIDATES = COMMON_TOTAL_CAP;

/**
 * A common query's walk reads at most this many of the newest messages (~20 ms) before falling
 * back to the term indexes: a word in 2% of messages, for a searcher who reads 14% of them, has
 * its 101 newest readable matches within ~36,000 rows.
 */
export const COMMON_WALK_ROWS = 50_000;

/** Age at which the recency factor halves a hit's relevance score, in seconds (30 days). */
export const RECENCY_HALF_LIFE_SECONDS = 30 * 24 * 3600;

/** The `in:`/`from:` names as ids (resolve-names.ts); null: no such filter. */
export interface NameFilters {
  channelIds: string[] | null;
  authorIds: string[] | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `column` is one of `ids` (database ids from resolveNames), bound as one array-literal text
 * parameter: the same on both drivers, and a constant the planner can read, so `from:@ada` is
 * estimated as one author (index on author_id) rather than as an unknown subquery.
 */
export function inIds(column: SQL, ids: readonly string[]): SQL {
  const valid = ids.filter((id) => UUID.test(id));
  return sql`${column} = ANY(${`{${valid.join(',')}}`}::uuid[])`;
}

/** An instant as exact microseconds since 1970, as text (a cursor's time). */
export function microsOf(time: SQL): SQL {
  return sql`(extract(epoch FROM ${time}) * 1000000)::bigint::text`;
}

/** The instant of `microsOf`. */
export function instantOf(micros: string): SQL {
  return sql`(timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond')`;
}

/** The date operators' range on `time`. */
export function sentAtConditions(query: SearchQuery, time: SQL): SQL[] {
  const conditions: SQL[] = [];
  if (query.sentAt.from) conditions.push(sql`${time} >= ${query.sentAt.from}::timestamptz`);
  if (query.sentAt.to) conditions.push(sql`${time} < ${query.sentAt.to}::timestamptz`);
  return conditions;
}

export function and(conditions: SQL[]): SQL {
  return conditions.length === 0 ? sql`true` : sql.join(conditions, sql` AND `);
}

/**
 * Relevance mixed with recency: (1 + 10 * rank) / (1 + age / 30 days), in float8 so that the
 * same row at the same reference time always scores the same (keyset paging compares scores).
 * `rank` is ts_rank normalized by document length (0..1), or the trigram similarity for fuzzy
 * hits, or 0 when the query has no words (then recency alone orders).
 */
export function scoreOf(rank: SQL | null, time: SQL, reference: SQL): SQL {
  const rankPart = rank ? sql`(1 + 10 * (${rank})::float8)` : sql`1::float8`;
  return sql`${rankPart} / (1 + extract(epoch FROM (${reference} - ${time}))::float8 / ${RECENCY_HALF_LIFE_SECONDS})`;
}

const WHOLE_OPTIONS = `HighlightAll=true, StartSel=${START_MARK}, StopSel=${STOP_MARK}`;
const FRAGMENT_OPTIONS = `MaxFragments=1, MaxWords=40, MinWords=20, ShortWord=2, StartSel=${START_MARK}, StopSel=${STOP_MARK}`;

/** `text` without the highlight marks, so a message cannot fake a highlight. */
export function cleanText(text: SQL): SQL {
  return sql`translate(${text}, ${START_MARK + STOP_MARK}, '')`;
}

/**
 * ts_headline of the cleaned text: the whole text with every match marked when short, else the
 * best fragment; NULL when the query has no positive words (substring marks are added in JS).
 */
export function headlineOf(text: SQL, positive: SQL | null): SQL {
  if (!positive) return sql`NULL::text`;
  const clean = cleanText(text);
  return sql`CASE WHEN length(${clean}) <= ${WHOLE_TEXT_MAX}
    THEN ts_headline(${SEARCH_CONFIG}, ${clean}, ${positive}, ${WHOLE_OPTIONS})
    ELSE ts_headline(${SEARCH_CONFIG}, ${clean}, ${positive}, ${FRAGMENT_OPTIONS}) END`;
}
