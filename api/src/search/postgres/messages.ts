import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import { type MessageHit, type PageRequest, type SearchAnswer, TOTAL_CAP } from '../engine';
import type { SearchQuery } from '../query';
import { type CursorState, decodeCursor, encodeCursor } from './cursor';
import { buildSnippet, similarWords } from './highlight';
import { relevancePage } from './relevance-page';
import type { SearchOpening } from './search-snapshot';
import {
  and,
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
  const none = [names.channelIds, names.authorIds, opening.readable].some(
    (ids) => ids?.length === 0,
  );
  if (none) return { ...empty, unused: terms.unused };
  const channelIndexed = await byChannelAndWord(db, terms, names);
  const filters = filterConditions(opening.readable, query, names, channelIndexed);
  const fuzzy = cursor?.fuzzy ?? false;
  if (!fuzzy) {
    const exact = await runPage(db, query, page, cursor, exactMatching(terms, filters), false);
    if (exact.total > 0 || cursor || !terms.fuzzyWords) return { ...exact, unused: terms.unused };
  }
  if (!terms.fuzzyWords) return { ...empty, unused: terms.unused };
  const similar = fuzzyMatching(terms.fuzzyWords, filters);
  const answer = await runPage(db, query, page, cursor, similar, true);
  return { ...answer, unused: terms.unused };
}

/** Share of messages above which a lone word reads the (channel_id, search_vector) index. */
const COMMON_WORD_SHARE = 0.01;

/**
 * Whether the search should read the (channel_id, search_vector) index: for one plain word with
 * no author filter that is in at least 1% of messages (by the planner's statistics, one extra
 * round trip only for such a query). That index is scanned once per readable channel, rereading
 * the word's postings each time: a win for a lone common word (the plain index hands every match
 * in the whole table to the heap to be filtered by channel), a loss for a rarer word (150 index
 * descents for a few hits), two words, a phrase, a prefix (expanded again per channel) or `from:`,
 * a cost the planner does not see. 1M messages, 150 readable channels: 'meeting' (5%)
 * 150 -> 48 ms; had the planner been free to choose it, 'deploy staging' 11 -> 76 ms, 'deplo*'
 * 163 -> 1,230 ms.
 */
export async function byChannelAndWord(
  db: Db,
  terms: CompiledTerms,
  names: NameFilters,
): Promise<boolean> {
  const [only] = terms.lexical;
  const lexeme = only?.tsquery.match(/^'([^']+)'$/)?.[1];
  const candidate =
    terms.lexical.length === 1 &&
    terms.substrings.length === 0 &&
    only?.negated === false &&
    lexeme !== undefined &&
    names.authorIds === null;
  if (!candidate) return false;
  const [row] = await queryRows<{ share: number | null }>(
    db,
    sql`SELECT max(u.share)::float8 AS share
      FROM pg_stats s,
        unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(lexeme, share)
      WHERE s.schemaname = current_schema() AND s.tablename = 'messages'
        AND s.attname = 'search_vector' AND u.lexeme = ${lexeme}`,
  );
  return (row?.share ?? 0) >= COMMON_WORD_SHARE;
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
): Promise<Omit<SearchAnswer<MessageHit>, 'resolutions' | 'unused'>> {
  const statement =
    query.sort === 'date'
      ? byDate(matching, page.limit, cursor)
      : relevancePage(
          { ...MESSAGES, columns: details(matching.positive) },
          matching.conditions,
          matching.rank,
          page.limit,
          cursor,
        );
  const rows = await queryRows<MessageRow>(db, statement);
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
    total: Math.min(total, TOTAL_CAP),
    totalCapped: total > TOTAL_CAP,
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
  const after = cursor
    ? sql`AND (m.received_at, m.id) < (${instantOf(cursor.time)}, ${cursor.id})`
    : sql``;
  // One pass over the matches feeds both the count and the page (no index orders them by time).
  return sql`WITH matches AS MATERIALIZED (
      SELECT m.id, m.received_at FROM messages m WHERE ${where}
    ), counted AS (
      SELECT count(*) AS total FROM (SELECT 1 FROM matches LIMIT ${TOTAL_CAP + 1}) c
    ), page AS (
      SELECT m.id, m.received_at FROM matches m WHERE true ${after}
      ORDER BY m.received_at DESC, m.id DESC LIMIT ${limit + 1}
    )
    SELECT counted.total, NULL AS reference, NULL::float8 AS score, hit.*
    FROM counted LEFT JOIN (
      SELECT page.id, ${microsOf(sql`page.received_at`)} AS time, page.received_at AS sort_time,
        ${details(matching.positive)}
      FROM page JOIN messages m ON m.id = page.id
      ${MESSAGES.joins}
    ) hit ON true
    ORDER BY hit.sort_time DESC, hit.id DESC`;
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
