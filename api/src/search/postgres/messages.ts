import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import { type MessageHit, type PageRequest, type SearchAnswer, TOTAL_CAP } from '../engine';
import type { SearchQuery } from '../query';
import { type CursorState, decodeCursor, encodeCursor } from './cursor';
import { buildSnippet, similarWords } from './highlight';
import { type Candidates, relevancePage } from './relevance-page';
import { matchesNothing, type SearchOpening } from './search-snapshot';
import {
  and,
  COMMON_CANDIDATES,
  COMMON_TOTAL_CAP,
  COMMON_WALK_ROWS,
  cleanText,
  headlineOf,
  inIds,
  instantOf,
  microsOf,
  type NameFilters,
  sentAtConditions,
} from './search-sql';
import { queryRows } from './sql-rows';
import { type CompiledTerms, positiveQuery, termConditions } from './text-terms';

interface MessageRow {
  total: number | string;
  reference: string | null;
  id: string | null;
  score: number | null;
  time: string | null;
  channel_id: string;
  doc_name: string;
  parent_id: string | null;
  author_id: string | null;
  author_name: string | null;
  created_at: string;
  edited_at: string | null;
  file_ids: string[] | string;
  reply_count: number;
  full_text: string;
  headline: string | null;
}

/** What one search statement needs besides the page: its WHERE and its rank. */
interface Matching {
  conditions: SQL[];
  rank: SQL | null;
  positive: SQL | null;
  substrings: string[];
  /** The query words of a fuzzy retry: the snippet marks the words of the text similar to them. */
  similarTo: string[];
}

/**
 * Messages matching `query` in the channels of `opening.readable` (read in the same snapshot), newest first or by relevance mixed
 * with recency, one keyset page at a time. Permissions, filters and terms are all in one
 * statement with the count (capped at TOTAL_CAP), so the count and the page agree and leak
 * nothing. A words-only query that finds nothing is retried with trigram word similarity.
 */
export async function searchMessages(
  db: Db,
  query: SearchQuery,
  page: PageRequest,
  names: NameFilters,
  opening: SearchOpening,
): Promise<Omit<SearchAnswer<MessageHit>, 'resolutions'>> {
  const cursor = page.cursor ? decodeCursor('messages', query, page.cursor) : null;
  const { terms } = opening;
  const empty = { hits: [], total: 0, totalCapped: false, nextCursor: null, fuzzy: false };
  if (matchesNothing(names, opening)) return { ...empty, unused: terms.unused };
  const shape = await searchShape(db, terms, names);
  const filters = filterConditions(opening.readable, query, names, shape.byChannelAndWord);
  const fuzzy = cursor?.fuzzy ?? false;
  if (!fuzzy) {
    const matching = exactMatching(terms, filters);
    const exact = shape.common
      ? await commonPage(db, query, page, cursor, matching)
      : await runPage(db, query, page, cursor, matching, false);
    if (exact.total > 0 || cursor || !terms.fuzzyWords) return { ...exact, unused: terms.unused };
  }
  if (!terms.fuzzyWords) return { ...empty, unused: terms.unused };
  const similar = fuzzyMatching(terms.fuzzyWords, filters);
  const answer = await runPage(db, query, page, cursor, similar, true);
  return { ...answer, unused: terms.unused };
}

/** Share of messages from which a lone word reads the (channel_id, search_vector) index. */
const CHANNEL_INDEX_SHARE = 0.01;

/**
 * Share of messages from which a lone word or prefix is common (pg_stats) and walks (commonPage).
 * Below it a walk too often ends its window short of the matches it needs and pays the exact
 * statement on top: at 1M messages, 'contract' (2.0%) walked 58 ms against 33 exact,
 * 'figma' (1.0%) 43 against 26.
 */
const COMMON_SHARE = 0.02;

/** How a search statement should find its matches (searchShape). */
export interface SearchShape {
  /** Read the (channel_id, search_vector) index: the readable ids are an index condition. */
  byChannelAndWord: boolean;
  /** A common query: its newest matches are found by walking the newest rows (commonPage). */
  common: boolean;
}

/**
 * How to search: for one plain word or prefix, not negated, without `from:`, the planner's
 * statistics (pg_stats' most common elements; one extra round trip, for such a query only) give
 * its share of messages (a prefix: its lexemes' shares summed). From 2% it is `common`: its pages
 * and capped count come from a walk of the newest rows (commonPage). A word from 1% reads the
 * (channel_id, search_vector) index (for a common word, when the walk falls back). That index is
 * scanned once per readable channel, rereading the word's postings each time: a win for a lone
 * common word (the plain index hands every match in the whole table to the heap to be filtered by
 * channel), a loss for a rarer word (150 index descents for a few hits), two words, a phrase, a
 * prefix (expanded again per channel) or `from:`, a cost the planner does not see. 1M messages,
 * 150 readable channels: 'meeting' (5%) 150 -> 48 ms; had the planner been free to choose it,
 * 'deploy staging' 11 -> 76 ms, 'deplo*' 163 -> 1,230 ms.
 */
export async function searchShape(
  db: Db,
  terms: CompiledTerms,
  names: NameFilters,
): Promise<SearchShape> {
  const plain = { byChannelAndWord: false, common: false };
  const [only] = terms.lexical;
  const parts = only?.tsquery.match(/^'([^']+)'(:\*)?$/);
  const lexeme = parts?.[1];
  const candidate =
    terms.lexical.length === 1 &&
    terms.substrings.length === 0 &&
    only?.negated === false &&
    lexeme !== undefined &&
    names.authorIds === null;
  if (!candidate) return plain;
  const prefix = parts?.[2] !== undefined;
  const matches = prefix
    ? sql`left(u.lexeme, ${lexeme.length}) = ${lexeme}`
    : sql`u.lexeme = ${lexeme}`;
  const [row] = await queryRows<{ share: number | null }>(
    db,
    sql`SELECT sum(u.share)::float8 AS share
      FROM pg_stats s,
        unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(lexeme, share)
      WHERE s.schemaname = current_schema() AND s.tablename = 'messages'
        AND s.attname = 'search_vector' AND ${matches}`,
  );
  const share = row?.share ?? 0;
  return {
    byChannelAndWord: share >= CHANNEL_INDEX_SHARE && !prefix,
    common: share >= COMMON_SHARE,
  };
}

function filterConditions(
  readable: string[],
  query: SearchQuery,
  names: NameFilters,
  channelIndexed: boolean,
): SQL[] {
  // The readable ids as a constant, so the planner estimates the channel restriction from them;
  // wrapped in IS TRUE (same meaning, no longer an index condition) to keep the planner off the
  // (channel_id, search_vector) index where byChannelAndWord says it loses.
  const readableHere = inIds(sql`m.channel_id`, readable);
  const conditions: SQL[] = [
    channelIndexed ? readableHere : sql`(${readableHere}) IS TRUE`,
    sql`m.deleted_at IS NULL`,
  ];
  if (names.channelIds) conditions.push(inIds(sql`m.channel_id`, names.channelIds));
  if (names.authorIds) conditions.push(inIds(sql`m.author_id`, names.authorIds));
  for (const has of query.has) {
    if (has === 'file') conditions.push(sql`cardinality(m.file_ids) > 0`);
    if (has === 'link') conditions.push(sql`m.text ~* 'https?://'`);
    if (has === 'reaction') {
      conditions.push(sql`EXISTS (SELECT 1 FROM reactions r WHERE r.message_id = m.id)`);
    }
  }
  if (query.isThread) {
    conditions.push(sql`(m.parent_id IS NOT NULL OR EXISTS (
      SELECT 1 FROM thread_stats t WHERE t.root_id = m.id AND t.reply_count > 0))`);
  }
  conditions.push(...sentAtConditions(query, sql`m.received_at`));
  return conditions;
}

function exactMatching(terms: CompiledTerms, filters: SQL[]): Matching {
  const positive = positiveQuery(terms);
  return {
    conditions: [...filters, ...termConditions(terms, sql`m.search_vector`, [sql`m.text`])],
    rank: positive ? sql`ts_rank(m.search_vector, ${positive}, 1)` : null,
    positive,
    substrings: terms.substrings.filter((term) => !term.negated).map((term) => term.text),
    similarTo: [],
  };
}

/** Each word is similar to some word of the text (pg_trgm `<%`, on the trigram index). */
function fuzzyMatching(words: string[], filters: SQL[]): Matching {
  const similarity = sql.join(
    words.map((word) => sql`word_similarity(${word}, m.text)`),
    sql` + `,
  );
  return {
    conditions: [...filters, ...words.map((word) => sql`${word} <% m.text`)],
    rank: sql`(${similarity}) / ${words.length}`,
    positive: null,
    substrings: [],
    similarTo: words,
  };
}

async function runPage(
  db: Db,
  query: SearchQuery,
  page: PageRequest,
  cursor: CursorState | null,
  matching: Matching,
  fuzzy: boolean,
): Promise<PageAnswer> {
  const statement =
    query.sort === 'date'
      ? byDate(matching, page.limit, cursor)
      : relevanceOf(matching, page.limit, cursor);
  const rows = await queryRows<MessageRow>(db, statement);
  return answerOf(rows, matching, query, page, fuzzy, TOTAL_CAP);
}

/**
 * A common query (searchShape): its matches are dense among recent messages, so the newest ones
 * are found by walking the newest COMMON_WALK_ROWS messages in time order and checking each,
 * instead of handing every match in the table to the heap to be filtered and ordered (~7,000
 * readable of ~50,000 for 'meeting' at 1M messages). The count stops at COMMON_TOTAL_CAP + 1 and
 * relevance ranks the COMMON_CANDIDATES newest matches, so the walk stays short. When the window
 * holds too few matches (a searcher who reads little, an `in:`, old dates, deep pages) the same
 * page is read through the term indexes instead: the answer never depends on the path.
 */
async function commonPage(
  db: Db,
  query: SearchQuery,
  page: PageRequest,
  cursor: CursorState | null,
  matching: Matching,
): Promise<PageAnswer> {
  const walk = {
    rows: COMMON_WALK_ROWS,
    timeConditions: sentAtConditions(query, sql`m.received_at`),
  };
  const answer = (rows: MessageRow[]) =>
    answerOf(rows, matching, query, page, false, COMMON_TOTAL_CAP);
  if (query.sort === 'relevance') {
    const walked = await queryRows<MessageRow>(
      db,
      relevanceOf(matching, page.limit, cursor, { count: COMMON_CANDIDATES, walk }),
    );
    if (Number(walked[0]?.total ?? 0) > COMMON_CANDIDATES) return answer(walked);
    const statement = relevanceOf(matching, page.limit, cursor, {
      count: COMMON_CANDIDATES,
      walk: null,
    });
    return answer(await queryRows<MessageRow>(db, statement));
  }
  const walked = await queryRows<MessageRow>(db, walkByDate(matching, page.limit, cursor, walk));
  const pageFull = walked.filter((row) => row.id !== null).length > page.limit;
  if (Number(walked[0]?.total ?? 0) > COMMON_TOTAL_CAP && pageFull) return answer(walked);
  return answer(await queryRows<MessageRow>(db, byDate(matching, page.limit, cursor)));
}

type PageAnswer = Omit<SearchAnswer<MessageHit>, 'resolutions' | 'unused'>;

/** The answer of a page statement's rows; the count is reported up to `cap`. */
function answerOf(
  rows: MessageRow[],
  matching: Matching,
  query: SearchQuery,
  page: PageRequest,
  fuzzy: boolean,
  cap: number,
): PageAnswer {
  const total = Number(rows[0]?.total ?? 0);
  const pageRows = rows.filter((row) => row.id !== null);
  const more = pageRows.length > page.limit;
  const shown = pageRows.slice(0, page.limit);
  const last = shown.at(-1);
  let nextCursor: string | null = null;
  if (more && last?.id) {
    const state: CursorState =
      query.sort === 'date'
        ? { fuzzy, time: last.time ?? '0', id: last.id }
        : { fuzzy, time: last.reference ?? '0', score: Number(last.score), id: last.id };
    nextCursor = encodeCursor('messages', query, state);
  }
  return {
    hits: shown.map((row) =>
      toHit(row, [...matching.substrings, ...similarWords(row.full_text, matching.similarTo)]),
    ),
    total: Math.min(total, cap),
    totalCapped: total > cap,
    nextCursor,
    fuzzy,
  };
}

/** The columns of a hit, read after the page is cut so highlights are made for it only. */
function details(positive: SQL | null): SQL {
  return sql`m.channel_id, m.doc_name, m.parent_id, m.author_id, u.name AS author_name,
    to_json(m.created_at) #>> '{}' AS created_at, to_json(m.edited_at) #>> '{}' AS edited_at,
    to_json(m.file_ids) AS file_ids, COALESCE(ts.reply_count, 0)::int AS reply_count,
    ${cleanText(sql`m.text`)} AS full_text, ${headlineOf(sql`m.text`, positive)} AS headline`;
}

/** Messages as the relevance statement reads them (relevance-page.ts). */
const MESSAGES = {
  table: sql`messages m`,
  alias: sql`m`,
  time: sql`m.received_at`,
  idCast: sql``,
  joins: sql`LEFT JOIN thread_stats ts ON ts.root_id = m.id
    LEFT JOIN users u ON u.id = m.author_id`,
};

function byDate(matching: Matching, limit: number, cursor: CursorState | null): SQL {
  const where = and(matching.conditions);
  // One pass over the matches feeds both the count and the page (no index orders them by time).
  return sql`WITH matches AS MATERIALIZED (
      SELECT m.id, m.received_at FROM messages m WHERE ${where}
    ), counted AS (
      SELECT count(*) AS total FROM (SELECT 1 FROM matches LIMIT ${TOTAL_CAP + 1}) c
    ), page AS (
      SELECT m.id, m.received_at FROM matches m WHERE true ${after(cursor)}
      ORDER BY ${NEWEST} LIMIT ${limit + 1}
    ) ${datePage(matching)}`;
}

/**
 * byDate for a common query: the count (up to COMMON_TOTAL_CAP + 1) and the page each walk at
 * most `walk.rows` of the newest messages (the page from the cursor on) in the order of the
 * (received_at DESC, id DESC) index, keeping the matches. A count or page short of its limit may
 * have stopped at the window: commonPage then reads byDate.
 */
function walkByDate(
  matching: Matching,
  limit: number,
  cursor: CursorState | null,
  walk: { rows: number; timeConditions: SQL[] },
): SQL {
  const where = and(matching.conditions);
  const newest = (from: SQL) => sql`(SELECT m.* FROM messages m
      WHERE ${and([...walk.timeConditions, from])} ORDER BY ${NEWEST} LIMIT ${walk.rows}) m`;
  return sql`WITH counted AS (
      SELECT count(*) AS total FROM (
        SELECT 1 FROM ${newest(sql`true`)} WHERE ${where} LIMIT ${COMMON_TOTAL_CAP + 1}
      ) c
    ), page AS (
      SELECT m.id, m.received_at FROM ${newest(sql`true ${after(cursor)}`)} WHERE ${where}
      ORDER BY ${NEWEST} LIMIT ${limit + 1}
    ) ${datePage(matching)}`;
}

const NEWEST = sql`m.received_at DESC, m.id DESC`;

const after = (cursor: CursorState | null) =>
  cursor ? sql`AND (m.received_at, m.id) < (${instantOf(cursor.time)}, ${cursor.id})` : sql``;

/** The date statements' answer: the count, then the page's hits with their details. */
function datePage(matching: Matching): SQL {
  return sql`SELECT counted.total, NULL AS reference, NULL::float8 AS score, hit.*
    FROM counted LEFT JOIN (
      SELECT page.id, ${microsOf(sql`page.received_at`)} AS time, page.received_at AS sort_time,
        ${details(matching.positive)}
      FROM page JOIN messages m ON m.id = page.id
      ${MESSAGES.joins}
    ) hit ON true
    ORDER BY hit.sort_time DESC, hit.id DESC`;
}

function relevanceOf(
  matching: Matching,
  limit: number,
  cursor: CursorState | null,
  candidates?: Candidates,
): SQL {
  const source = { ...MESSAGES, columns: details(matching.positive) };
  return relevancePage(source, matching.conditions, matching.rank, limit, cursor, candidates);
}

function toHit(row: MessageRow, substrings: string[]): MessageHit {
  const fileIds = typeof row.file_ids === 'string' ? JSON.parse(row.file_ids) : row.file_ids;
  return {
    id: row.id ?? '',
    channelId: row.channel_id,
    docName: row.doc_name,
    parentId: row.parent_id,
    authorId: row.author_id,
    authorName: row.author_name,
    createdAt: new Date(row.created_at).toISOString(),
    editedAt: row.edited_at ? new Date(row.edited_at).toISOString() : null,
    snippet: buildSnippet(row.full_text, row.headline ?? row.full_text, substrings),
    fileIds: fileIds ?? [],
    replyCount: row.reply_count,
  };
}
