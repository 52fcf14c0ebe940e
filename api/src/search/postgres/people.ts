import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import {
  type PageRequest,
  type PersonHit,
  type SearchAnswer,
  type Searcher,
  TOTAL_CAP,
} from '../engine';
import { handleRegex, personHandle } from '../person-handle';
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
import { queryRows } from './sql-rows';
import { visiblePeople } from './visible-people';

interface PersonRow {
  total: number;
  id: string | null;
  name: string;
  email: string | null;
  role: PersonHit['role'];
  sort_key: number;
}

/** A text the person must (or, negated, must not) match: a word, a prefix or a phrase. */
interface PersonTerm {
  text: string;
  negated: boolean;
}

/**
 * People search: the active members of the workspace that the searcher may see (everyone for
 * owners, admins and members; for guests, as in Slack, the people who share a channel with them;
 * deactivated accounts never). Each word (or `prefix*`, or phrase) must occur in the name,
 * ignoring case and accents, or start the handle (`ada.lo` finds "Ada Lovelace"); for owners and
 * admins the email matches too, and only they get emails in the hits. When a words-only search
 * finds nothing, similar names are returned (`fuzzy`).
 *
 * Relevance: 4 for the whole name, 2 for a name starting with the first word, 1 when a word starts
 * a word of the name, plus the trigram similarity of the name to the words; ties by name.
 * `sort:date` lists the most recently joined first. Filters are reported as `not_for_this_tab`.
 */
export async function searchPeople(
  db: Db,
  searcher: Searcher,
  query: SearchQuery,
  page: PageRequest,
): Promise<SearchAnswer<PersonHit>> {
  const after = page.cursor ? decodeDirectoryCursor('people', query, page.cursor) : null;
  const terms: PersonTerm[] = query.terms.map((term) => ({
    text: term.kind === 'word' ? term.text : term.words.join(' '),
    negated: term.negated,
  }));
  const positive = terms.filter((term) => !term.negated).map((term) => term.text);
  const fuzzyWords = query.terms.every((term) => term.kind === 'word' && !term.negated)
    ? positive
    : [];
  let fuzzy = after?.fuzzy ?? false;
  let rows = await runPeopleSearch(db, searcher, query, terms, page.limit, after, fuzzy);
  if (!after && !fuzzy && rows[0]?.total === 0 && fuzzyWords.length > 0) {
    fuzzy = true;
    rows = await runPeopleSearch(db, searcher, query, terms, page.limit, null, true);
  }
  const found = rows.filter((row): row is PersonRow & { id: string } => row.id !== null);
  const shown = found.slice(0, page.limit);
  const last = shown.at(-1);
  const total = rows[0]?.total ?? 0;
  const needles = fuzzy ? [] : positive.flatMap((text) => [text, ...text.split(/[.@]/)]);
  return {
    hits: shown.map((row) => {
      const hit: PersonHit = {
        id: row.id,
        name: { text: row.name, ranges: foldedRanges(row.name, needles) },
        handle: personHandle(row.name),
        role: row.role,
      };
      if (row.email !== null) hit.email = row.email;
      return hit;
    }),
    total: Math.min(total, TOTAL_CAP),
    totalCapped: total > TOTAL_CAP,
    nextCursor:
      found.length > page.limit && last
        ? encodeDirectoryCursor('people', query, {
            fuzzy,
            key: last.sort_key,
            name: last.name,
            id: last.id,
          })
        : null,
    resolutions: [],
    unused: directoryUnused(query),
    fuzzy,
  };
}

async function runPeopleSearch(
  db: Db,
  searcher: Searcher,
  query: SearchQuery,
  terms: PersonTerm[],
  limit: number,
  after: DirectoryKey | null,
  fuzzy: boolean,
): Promise<PersonRow[]> {
  const conditions: SQL[] = [sql`u.deactivated_at IS NULL`];
  const rank: SQL[] = [];
  const positive = terms.filter((term) => !term.negated).map((term) => term.text);
  if (fuzzy) {
    const similarities = positive.map((word) => sql`word_similarity(${word}, u.name)::float8`);
    conditions.push(
      allOf(similarities.map((similarity) => sql`${similarity} >= ${FUZZY_NAME_SIMILARITY}`)),
    );
    rank.push(...similarities);
  } else {
    for (const term of terms) {
      const matches = personMatches(term.text);
      conditions.push(term.negated ? sql`NOT ${matches}` : matches);
    }
    const whole = positive.join(' ');
    const first = positive[0];
    if (first !== undefined) {
      rank.push(
        sql`CASE WHEN lower(unaccent(u.name)) = lower(unaccent(${whole})) THEN 4 ELSE 0 END`,
      );
      rank.push(
        sql`CASE WHEN unaccent(u.name) ILIKE unaccent(${containsPattern(first).slice(1)}) THEN 2 ELSE 0 END`,
      );
      for (const text of positive) {
        const startsAWord = `% ${containsPattern(text).slice(1)}`;
        rank.push(sql`CASE WHEN unaccent(u.name) ILIKE unaccent(${startsAWord}) THEN 1 ELSE 0 END`);
      }
      rank.push(sql`similarity(u.name, ${whole})::float8`);
    }
  }
  const key =
    query.sort === 'date'
      ? sql`floor(extract(epoch FROM p.joined_at) * 1000)::float8`
      : rank.length > 0
        ? sql`(${sql.join(rank, sql` + `)})::float8`
        : sql`0::float8`;
  return queryRows<PersonRow>(
    db,
    sql`WITH me AS (
        SELECT role FROM workspace_members
        WHERE workspace_id = ${searcher.workspaceId} AND user_id = ${searcher.userId}
          AND removed_at IS NULL
      ),
      matches AS (
        SELECT u.id, u.name, u.email, p.role, ${key} AS sort_key
        FROM (${visiblePeople(searcher, { includeRemoved: false })}) p
        JOIN users u ON u.id = p.user_id
        WHERE ${allOf(conditions)}
      ),
      total AS (SELECT count(*)::int AS total FROM (SELECT 1 FROM matches LIMIT ${TOTAL_CAP + 1}) capped),
      page AS (
        SELECT * FROM matches
        WHERE ${afterKey(sql`sort_key`, sql`name`, sql`id`, after)}
        ORDER BY sort_key DESC, name, id
        LIMIT ${limit + 1}
      )
      SELECT total.total, page.id, page.name, page.role, page.sort_key,
        CASE WHEN (SELECT role FROM me) IN ('owner', 'admin') THEN page.email END AS email
      FROM total LEFT JOIN page ON true
      ORDER BY page.sort_key DESC, page.name, page.id`,
  );
}

/**
 * Whether the person `u` matches `text`: a substring of the name ignoring case and accents, the
 * start of the handle, or (for owners and admins, from the `me` CTE) a substring of the email.
 */
function personMatches(text: string): SQL {
  const pattern = containsPattern(text);
  const branches = [
    sql`unaccent(u.name) ILIKE unaccent(${pattern})`,
    sql`((SELECT role FROM me) IN ('owner', 'admin') AND u.email ILIKE ${pattern})`,
  ];
  const regex = text.includes('.') ? handleRegex(text, { prefix: true }) : null;
  if (regex) branches.push(sql`u.name ~* ${regex}`);
  return anyOf(branches);
}
