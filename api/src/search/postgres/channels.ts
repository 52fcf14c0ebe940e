import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import {
  type ChannelHit,
  type Highlighted,
  type PageRequest,
  type SearchAnswer,
  type Searcher,
  TOTAL_CAP,
} from '../engine';
import type { SearchQuery } from '../query';
import {
  type DirectoryKey,
  decodeDirectoryCursor,
  encodeDirectoryCursor,
} from './directory-cursor';
import {
  afterKey,
  allOf,
  anyOf,
  containsPattern,
  directoryUnused,
  FUZZY_NAME_SIMILARITY,
} from './directory-sql';
import { foldedRanges } from './fold-highlight';
import { cleanRanges, parseMarked, START_MARK, STOP_MARK, substringRanges } from './highlight';
import { readableChannelIds } from './readable-channels';
import { cleanText } from './search-sql';
import { queryRows } from './sql-rows';
import { type CompiledTerms, compileTerms, positiveQuery, SEARCH_CONFIG } from './text-terms';

interface ChannelRow {
  total: number;
  id: string | null;
  kind: 'public' | 'private';
  name: string;
  topic: string;
  purpose: string;
  archived: boolean;
  is_member: boolean;
  sort_key: number;
  member_count: number;
  name_headline: string | null;
  topic_headline: string | null;
}

const WHOLE_OPTIONS = `HighlightAll=true, StartSel=${START_MARK}, StopSel=${STOP_MARK}`;

/**
 * Channel search: the public channels the searcher may see (joined or not; none for guests but
 * their own) and the private ones they are in, never DMs, archived ones flagged and ranked last.
 * A word matches the name, topic or purpose through the search vector (stemmed, accents ignored),
 * or the name as a substring (`plan` finds #secret-plans, `eng` finds #engineering); phrases and
 * `-word` go through the vector only; CJK terms are substrings. When a words-only search finds
 * nothing, names similar to the words are returned instead (`fuzzy`).
 *
 * Relevance: 4 for the exact name (words joined by `-`), 2 for a name starting with the first
 * word, plus ts_rank (name weighs most), plus 0.5 where the searcher is a member, minus 3 when
 * archived; ties by name. `sort:date` orders by last activity. Filters (`in:`, `from:`, dates…)
 * do not apply to channels and are reported in `unused`. With no words at all, every visible
 * channel is listed (the channel browser).
 */
export async function searchChannels(
  db: Db,
  searcher: Searcher,
  query: SearchQuery,
  page: PageRequest,
): Promise<SearchAnswer<ChannelHit>> {
  const after = page.cursor ? decodeDirectoryCursor('channels', query, page.cursor) : null;
  const compiled = await compileTerms(db, query.terms);
  const unused = [...directoryUnused(query), ...compiled.unused];
  const plan = planTerms(query, compiled);
  let fuzzy = after?.fuzzy ?? false;
  let rows = await runChannelSearch(db, searcher, query, plan, page.limit, after, fuzzy);
  if (!after && !fuzzy && rows[0]?.total === 0 && plan.fuzzyWords) {
    fuzzy = true;
    rows = await runChannelSearch(db, searcher, query, plan, page.limit, null, true);
  }
  const found = rows.filter((row): row is ChannelRow & { id: string } => row.id !== null);
  const shown = found.slice(0, page.limit);
  const last = shown.at(-1);
  const total = rows[0]?.total ?? 0;
  return {
    hits: shown.map((row) => toHit(row, plan, fuzzy)),
    total: Math.min(total, TOTAL_CAP),
    totalCapped: total > TOTAL_CAP,
    nextCursor:
      found.length > page.limit && last
        ? encodeDirectoryCursor('channels', query, {
            fuzzy,
            key: last.sort_key,
            name: last.name,
            id: last.id,
          })
        : null,
    resolutions: [],
    unused,
    fuzzy,
  };
}

interface ChannelTermPlan {
  compiled: CompiledTerms;
  positive: SQL | null;
  /** Positive plain words (no CJK): each may match the name as a substring instead. */
  nameWords: string[];
  /** Whether a phrase must match (then substrings of the name do not suffice). */
  hasPhrase: boolean;
  fuzzyWords: string[] | null;
  /** The words as a channel name would write them, for the exact-name boost. */
  asName: string;
}

function planTerms(query: SearchQuery, compiled: CompiledTerms): ChannelTermPlan {
  const cjk = new Set(compiled.substrings.map((term) => term.text));
  const nameWords = query.terms.flatMap((term) =>
    term.kind === 'word' && !term.negated && !cjk.has(term.text) ? [term.text] : [],
  );
  const hasPhrase = query.terms.some((term) => term.kind === 'phrase' && !term.negated);
  return {
    compiled,
    positive: positiveQuery(compiled),
    nameWords,
    hasPhrase,
    fuzzyWords: compiled.fuzzyWords,
    asName: nameWords.join('-'),
  };
}

async function runChannelSearch(
  db: Db,
  searcher: Searcher,
  query: SearchQuery,
  plan: ChannelTermPlan,
  limit: number,
  after: DirectoryKey | null,
  fuzzy: boolean,
): Promise<ChannelRow[]> {
  const texts = [sql`c.name`, sql`c.topic`, sql`c.purpose`];
  const conditions: SQL[] = [
    sql`c.workspace_id = ${searcher.workspaceId}`,
    sql`c.kind IN ('public', 'private')`,
    sql`c.id IN (${readableChannelIds(searcher)})`,
  ];
  for (const term of plan.compiled.lexical) {
    if (term.negated) conditions.push(sql`NOT (c.search_vector @@ ${term.tsquery}::tsquery)`);
  }
  for (const term of plan.compiled.substrings) {
    const anywhere = anyOf(texts.map((text) => sql`${text} ILIKE ${term.pattern}`));
    conditions.push(term.negated ? sql`NOT ${anywhere}` : anywhere);
  }
  const rank: SQL[] = [];
  if (fuzzy && plan.fuzzyWords) {
    const similarities = plan.fuzzyWords.map(
      (word) => sql`word_similarity(${word}, c.name)::float8`,
    );
    conditions.push(
      allOf(similarities.map((similarity) => sql`${similarity} >= ${FUZZY_NAME_SIMILARITY}`)),
    );
    rank.push(...similarities);
  } else {
    const branches: SQL[] = [];
    if (plan.positive) branches.push(sql`c.search_vector @@ ${plan.positive}`);
    if (plan.nameWords.length > 0 && !plan.hasPhrase) {
      branches.push(
        allOf(plan.nameWords.map((word) => sql`c.name ILIKE ${containsPattern(word)}`)),
      );
    }
    const hasPositiveText = plan.positive !== null || plan.nameWords.length > 0;
    if (hasPositiveText) conditions.push(anyOf(branches));
    if (plan.positive) rank.push(sql`ts_rank(c.search_vector, ${plan.positive})::float8`);
  }
  const firstWord = plan.nameWords[0];
  if (plan.asName) rank.push(sql`CASE WHEN c.name = ${plan.asName} THEN 4 ELSE 0 END`);
  if (firstWord) {
    rank.push(
      sql`CASE WHEN c.name ILIKE ${`${containsPattern(firstWord).slice(1)}`} THEN 2 ELSE 0 END`,
    );
  }
  rank.push(sql`CASE WHEN cm.user_id IS NOT NULL THEN 0.5 ELSE 0 END`);
  rank.push(sql`CASE WHEN c.archived_at IS NOT NULL THEN -3 ELSE 0 END`);
  const key =
    query.sort === 'date'
      ? sql`floor(extract(epoch FROM coalesce(c.last_message_at, c.created_at)) * 1000)::float8`
      : sql`(${sql.join(rank, sql` + `)})::float8`;
  const headline = (text: SQL) =>
    plan.positive && !fuzzy
      ? sql`ts_headline(${SEARCH_CONFIG}, ${cleanText(text)}, ${plan.positive}, ${WHOLE_OPTIONS})`
      : sql`NULL::text`;
  return queryRows<ChannelRow>(
    db,
    sql`WITH matches AS (
        SELECT c.id, c.kind, c.name, c.topic, c.purpose, c.archived_at IS NOT NULL AS archived,
          cm.user_id IS NOT NULL AS is_member, ${key} AS sort_key
        FROM channels c
        LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = ${searcher.userId}
        WHERE ${allOf(conditions)}
      ),
      total AS (SELECT count(*)::int AS total FROM (SELECT 1 FROM matches LIMIT ${TOTAL_CAP + 1}) capped),
      page AS (
        SELECT * FROM matches
        WHERE ${afterKey(sql`sort_key`, sql`name`, sql`id`, after)}
        ORDER BY sort_key DESC, name, id
        LIMIT ${limit + 1}
      )
      SELECT total.total, page.id, page.kind, page.name, page.topic, page.purpose, page.archived,
        page.is_member, page.sort_key,
        (SELECT count(*)::int FROM channel_members m
          JOIN workspace_members wm ON wm.user_id = m.user_id
            AND wm.workspace_id = ${searcher.workspaceId} AND wm.removed_at IS NULL
          WHERE m.channel_id = page.id) AS member_count,
        ${headline(sql`page.name`)} AS name_headline,
        ${headline(sql`page.topic`)} AS topic_headline
      FROM total LEFT JOIN page ON true
      ORDER BY page.sort_key DESC, page.name, page.id`,
  );
}

function toHit(
  row: ChannelRow & { id: string },
  plan: ChannelTermPlan,
  fuzzy: boolean,
): ChannelHit {
  const cjk = plan.compiled.substrings.filter((term) => !term.negated).map((term) => term.text);
  const nameNeedles = fuzzy ? [] : plan.nameWords;
  return {
    id: row.id,
    kind: row.kind,
    name: highlight(row.name, row.name_headline, cjk, nameNeedles),
    topic: highlight(row.topic, row.topic_headline, cjk, []),
    purpose: row.purpose,
    memberCount: row.member_count,
    isMember: row.is_member,
    archived: row.archived,
  };
}

/**
 * `text` with the marks of its ts_headline (stemmed words), its CJK substrings and the words it
 * contains as substrings (names). The headline's text is the cleaned text, so offsets agree when
 * the text has no private-use marks; otherwise only the substring marks are kept.
 */
function highlight(
  text: string,
  headline: string | null,
  cjk: readonly string[],
  words: readonly string[],
): Highlighted {
  const marked = headline ? parseMarked(headline) : { text, ranges: [] };
  const lexical = marked.text === text ? marked.ranges : [];
  return {
    text,
    ranges: cleanRanges(text, [
      ...lexical,
      ...substringRanges(text, cjk),
      ...foldedRanges(text, words),
    ]),
  };
}
