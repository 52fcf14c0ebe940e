import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import {
  type FileHit,
  type PageRequest,
  type SearchAnswer,
  TOTAL_CAP,
  type UnusedFilter,
} from '../engine';
import type { SearchQuery } from '../query';
import { type CursorState, decodeCursor, encodeCursor } from './cursor';
import { cleanRanges, parseMarked, START_MARK, STOP_MARK, substringRanges } from './highlight';
import { relevancePage } from './relevance-page';
import { matchesNothing, type SearchOpening } from './search-snapshot';
import {
  and,
  cleanText,
  inIds,
  instantOf,
  microsOf,
  type NameFilters,
  sentAtConditions,
} from './search-sql';
import { queryRows } from './sql-rows';
import { positiveQuery, SEARCH_CONFIG, termConditions } from './text-terms';

interface FileRow {
  total: number | string;
  reference: string | null;
  id: string | null;
  score: number | null;
  time: string | null;
  channel_id: string;
  message_id: string | null;
  message_doc_name: string | null;
  message_parent_id: string | null;
  uploader_id: string | null;
  uploader_name: string | null;
  name: string;
  name_headline: string | null;
  kind: string;
  content_type: string;
  byte_size: number | string;
  created_at: string;
  text_headline: string | null;
}

const NAME_OPTIONS = `HighlightAll=true, StartSel=${START_MARK}, StopSel=${STOP_MARK}`;
const TEXT_OPTIONS = `MaxFragments=1, MaxWords=40, MinWords=20, ShortWord=2, StartSel=${START_MARK}, StopSel=${STOP_MARK}`;

/**
 * Files attached to a message (not deleted, ready) in channels the searcher may read now, by
 * name (weight A) and extracted text (B). `in:` and `from:` (the uploader) and the dates (upload
 * time) apply; `has:` and `is:thread` describe messages and are reported unused.
 */
export async function searchFiles(
  db: Db,
  query: SearchQuery,
  page: PageRequest,
  names: NameFilters,
  opening: SearchOpening,
): Promise<Omit<SearchAnswer<FileHit>, 'resolutions'>> {
  const cursor = page.cursor ? decodeCursor('files', query, page.cursor) : null;
  const { terms } = opening;
  const unused: UnusedFilter[] = [
    ...terms.unused,
    ...query.has.map((has) => ({ text: `has:${has}`, reason: 'not_for_this_tab' as const })),
    ...(query.isThread ? [{ text: 'is:thread', reason: 'not_for_this_tab' as const }] : []),
  ];
  const empty = { hits: [], total: 0, totalCapped: false, nextCursor: null, fuzzy: false, unused };
  if (matchesNothing(names, opening)) return empty;

  const conditions: SQL[] = [
    inIds(sql`f.channel_id`, opening.readable),
    sql`f.message_id IS NOT NULL`,
    sql`f.deleted_at IS NULL`,
    sql`f.status = 'ready'`,
    ...termConditions(terms, sql`f.search_vector`, [
      sql`f.name`,
      sql`COALESCE(f.extracted_text, '')`,
    ]),
    ...sentAtConditions(query, sql`f.created_at`),
  ];
  if (names.channelIds) conditions.push(inIds(sql`f.channel_id`, names.channelIds));
  if (names.authorIds) conditions.push(inIds(sql`f.uploader_id`, names.authorIds));
  const positive = positiveQuery(terms);
  const substrings = terms.substrings.filter((term) => !term.negated).map((term) => term.text);
  const statement =
    query.sort === 'date'
      ? byDate(conditions, positive, page.limit, cursor)
      : relevancePage(
          { ...FILES, columns: details(positive) },
          conditions,
          positive ? sql`ts_rank(f.search_vector, ${positive})` : null,
          page.limit,
          cursor,
        );
  const rows = await queryRows<FileRow>(db, statement);
  const total = Number(rows[0]?.total ?? 0);
  const pageRows = rows.filter((row) => row.id !== null);
  const shown = pageRows.slice(0, page.limit);
  const last = shown.at(-1);
  let nextCursor: string | null = null;
  if (pageRows.length > page.limit && last?.id) {
    const state: CursorState =
      query.sort === 'date'
        ? { fuzzy: false, time: last.time ?? '0', id: last.id }
        : { fuzzy: false, time: last.reference ?? '0', score: Number(last.score), id: last.id };
    nextCursor = encodeCursor('files', query, state);
  }
  return {
    hits: shown.map((row) => toHit(row, substrings)),
    total: Math.min(total, TOTAL_CAP),
    totalCapped: total > TOTAL_CAP,
    nextCursor,
    fuzzy: false,
    unused,
  };
}

function details(positive: SQL | null): SQL {
  const name = cleanText(sql`f.name`);
  const text = cleanText(sql`COALESCE(f.extracted_text, '')`);
  // The name as its search vector reads it (migration 0009): same length, so the marks fit.
  const words = sql`translate(${name}, '._-', '   ')`;
  const headlines = positive
    ? sql`ts_headline(${SEARCH_CONFIG}, ${words}, ${positive}, ${NAME_OPTIONS}) AS name_headline,
        CASE WHEN ${text} = '' THEN NULL
          ELSE ts_headline(${SEARCH_CONFIG}, ${text}, ${positive}, ${TEXT_OPTIONS}) END AS text_headline`
    : sql`NULL AS name_headline, NULL AS text_headline`;
  return sql`f.channel_id, f.message_id, fm.doc_name AS message_doc_name,
    fm.parent_id AS message_parent_id, f.uploader_id, u.name AS uploader_name, ${name} AS name, f.kind,
    f.content_type, f.byte_size, to_json(f.created_at) #>> '{}' AS created_at, ${headlines}`;
}

/** Files as the relevance statement reads them (relevance-page.ts). */
const FILES = {
  table: sql`files f`,
  alias: sql`f`,
  time: sql`f.created_at`,
  idCast: sql`::uuid`,
  joins: sql`LEFT JOIN messages fm ON fm.id = f.message_id
    LEFT JOIN users u ON u.id = f.uploader_id`,
};

function byDate(
  conditions: SQL[],
  positive: SQL | null,
  limit: number,
  cursor: CursorState | null,
): SQL {
  const where = and(conditions);
  const after = cursor
    ? sql`AND (f.created_at, f.id) < (${instantOf(cursor.time)}, ${cursor.id}::uuid)`
    : sql``;
  return sql`WITH counted AS (
      SELECT count(*) AS total FROM (SELECT 1 FROM files f WHERE ${where} LIMIT ${TOTAL_CAP + 1}) c
    ), page AS (
      SELECT f.id, f.created_at FROM files f WHERE ${where} ${after}
      ORDER BY f.created_at DESC, f.id DESC LIMIT ${limit + 1}
    )
    SELECT counted.total, NULL AS reference, NULL::float8 AS score, hit.*
    FROM counted LEFT JOIN (
      SELECT page.id, ${microsOf(sql`page.created_at`)} AS time, page.created_at AS sort_time,
        ${details(positive)}
      FROM page JOIN files f ON f.id = page.id
      ${FILES.joins}
    ) hit ON true
    ORDER BY hit.sort_time DESC, hit.id DESC`;
}

function toHit(row: FileRow, substrings: string[]): FileHit {
  // The marks were made on the name with separators as spaces: offsets fit the real name.
  const marks = row.name_headline ? parseMarked(row.name_headline).ranges : [];
  const name = {
    text: row.name,
    ranges: cleanRanges(row.name, [...marks, ...substringRanges(row.name, substrings)]),
  };
  const marked = row.text_headline ? parseMarked(row.text_headline) : null;
  return {
    id: row.id ?? '',
    channelId: row.channel_id,
    messageId: row.message_id,
    messageDocName: row.message_doc_name,
    messageParentId: row.message_parent_id,
    uploaderId: row.uploader_id,
    uploaderName: row.uploader_name,
    name,
    kind: row.kind,
    contentType: row.content_type,
    byteSize: Number(row.byte_size),
    createdAt: new Date(row.created_at).toISOString(),
    snippet: marked && marked.ranges.length > 0 ? marked : null,
  };
}
