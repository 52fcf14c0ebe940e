import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import type { Resolution, Searcher } from './engine';
import { handleMatches, handleRegex, personHandle } from './person-handle';
import { readableChannelIds } from './postgres/readable-channels';
import { selectRows, textArray, visiblePeople } from './postgres/visible-people';
import type { SearchQuery } from './query';

export interface ResolvedNames {
  /** The channels and DMs of `in:` (any of them); null without `in:`, [] when none resolved. */
  channelIds: string[] | null;
  /** The authors of `from:` (any of them); null without `from:`, [] when none resolved. */
  authorIds: string[] | null;
  /** One per `in:` and `from:` value, in the order written. */
  resolutions: Resolution[];
}

/** Longer than any display name's handle: answered without asking the database. */
const MAX_HANDLE_LENGTH = 200;

interface PersonRow extends Record<string, unknown> {
  id: string;
  name: string;
}

interface PlaceRow extends Record<string, unknown> {
  id: string;
  name: string | null;
  dm_key: string | null;
}

/**
 * Maps the names of `in:` and `from:` to ids the searcher may read, in two queries whatever the
 * number of names: the people (for `from:@x` and `in:@x`), then the channels and DMs. A name the
 * searcher may not see resolves exactly like an unknown one.
 *
 * - `in:#name`: a public or private channel of the workspace with that name that the searcher may
 *   read (archived ones too: their history stays readable).
 * - `in:@x`: the DM between the searcher and each person `x` names (a group DM is not "the DM
 *   with x"). `in:@me` is not special: Confab has no DM with oneself, so it names people whose
 *   handle is `me`.
 * - `from:@x`: every person `x` names (see `handleMatches`) among the people the searcher may see,
 *   removed members included; `from:me` is the searcher.
 */
export async function resolveNames(
  db: Db,
  searcher: Searcher,
  query: SearchQuery,
): Promise<ResolvedNames> {
  const handles = new Set<string>();
  for (const place of query.in) if (place.kind === 'dm') handles.add(place.personHandle);
  for (const author of query.from) if (author.kind === 'person') handles.add(author.personHandle);
  const wantsMe = query.from.some((author) => author.kind === 'me');
  const people = await findPeople(db, searcher, [...handles], wantsMe);
  const named = (handle: string) => people.filter((person) => handleMatches(person.handle, handle));

  const channelNames = query.in.flatMap((place) =>
    place.kind === 'channel' ? [place.channelName] : [],
  );
  const dmPartners = new Map<string, PersonRow>();
  for (const place of query.in) {
    if (place.kind !== 'dm') continue;
    for (const person of named(place.personHandle)) {
      if (person.id !== searcher.userId) dmPartners.set(dmKey(searcher.userId, person.id), person);
    }
  }
  const places = await findPlaces(db, searcher, channelNames, [...dmPartners.keys()]);

  const resolutions: Resolution[] = [];
  const channelIds = new Set<string>();
  for (const place of query.in) {
    if (place.kind === 'channel') {
      const matches = places
        .filter((row) => row.name?.toLowerCase() === place.channelName)
        .map((row) => ({ kind: 'channel' as const, id: row.id, label: `#${row.name}` }));
      resolutions.push({ text: `in:#${place.channelName}`, matches });
      for (const match of matches) channelIds.add(match.id);
    } else {
      const matches = named(place.personHandle).flatMap((person) => {
        const dm = places.find((row) => row.dm_key === dmKey(searcher.userId, person.id));
        return dm ? [{ kind: 'dm' as const, id: dm.id, label: person.name }] : [];
      });
      resolutions.push({ text: `in:@${place.personHandle}`, matches });
      for (const match of matches) channelIds.add(match.id);
    }
  }
  const authorIds = new Set<string>();
  for (const author of query.from) {
    const persons =
      author.kind === 'me'
        ? people.filter((person) => person.id === searcher.userId)
        : named(author.personHandle);
    const matches = persons.map((person) => ({
      kind: 'person' as const,
      id: person.id,
      label: person.name,
    }));
    resolutions.push({
      text: author.kind === 'me' ? 'from:me' : `from:@${author.personHandle}`,
      matches,
    });
    for (const match of matches) authorIds.add(match.id);
  }
  return {
    channelIds: query.in.length > 0 ? [...channelIds] : null,
    authorIds: query.from.length > 0 ? [...authorIds] : null,
    resolutions,
  };
}

/** A DM's key: its two members' ids, sorted, joined with ',' (as open-conversation.ts makes it). */
function dmKey(a: string, b: string): string {
  return [a, b].sort().join(',');
}

/**
 * The people the searcher may see whose handle one of `handles` names, plus the searcher when
 * `withMe`. The database narrows by a regular expression on the name (one scan of the workspace's
 * members at most, returning only likely matches); the exact handle rule is checked here.
 */
async function findPeople(
  db: Db,
  searcher: Searcher,
  handles: string[],
  withMe: boolean,
): Promise<Array<PersonRow & { handle: string }>> {
  const named = handles
    .filter((handle) => handle.length <= MAX_HANDLE_LENGTH)
    .flatMap((handle) => {
      const regex = handleRegex(handle);
      return regex ? [nameCondition(handle, regex)] : [];
    });
  if (named.length === 0 && !withMe) return [];
  const conditions = withMe ? [sql`u.id = ${searcher.userId}`, ...named] : named;
  const rows = await selectRows<PersonRow>(
    db,
    sql`SELECT u.id, u.name
    FROM (${visiblePeople(searcher, { includeRemoved: true })}) p JOIN users u ON u.id = p.user_id
    WHERE ${sql.join(conditions, sql` OR `)}`,
  );
  return rows.flatMap((row) => {
    const handle = personHandle(row.name);
    const wanted =
      (withMe && row.id === searcher.userId) ||
      handles.some((query) => handleMatches(handle, query));
    return wanted ? [{ ...row, handle }] : [];
  });
}

/**
 * The name condition of one handle: its regular expression on the name, after an ILIKE on the
 * handle's longest ASCII run when it has three characters or more, which the trigram index on
 * users.name can serve. ASCII is the same in every normalization form and folds in every locale,
 * so that prefilter never drops a name the expression would match.
 */
function nameCondition(handle: string, regex: string): SQL {
  const longestAscii = (handle.match(/[a-z0-9]+/g) ?? []).reduce(
    (longest, run) => (run.length > longest.length ? run : longest),
    '',
  );
  const byRegex = sql`u.name ~* ${regex}`;
  return longestAscii.length >= 3
    ? sql`(u.name ILIKE ${`%${longestAscii}%`} AND ${byRegex})`
    : sql`(${byRegex})`;
}

/** Channels by name and DMs by key, among those the searcher may read. */
async function findPlaces(
  db: Db,
  searcher: Searcher,
  channelNames: string[],
  dmKeys: string[],
): Promise<PlaceRow[]> {
  if (channelNames.length === 0 && dmKeys.length === 0) return [];
  return selectRows<PlaceRow>(
    db,
    sql`SELECT c.id, c.name, c.dm_key FROM channels c
    WHERE c.workspace_id = ${searcher.workspaceId}
      AND c.id IN (${readableChannelIds(searcher)})
      AND ((c.kind IN ('public', 'private') AND lower(c.name) = ANY(${textArray(channelNames)}))
        OR (c.kind = 'dm' AND c.dm_key = ANY(${textArray(dmKeys)})))`,
  );
}
