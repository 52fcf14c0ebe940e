import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import type { Searcher, Suggestion } from '../engine';
import { handleRegex, personHandle } from '../person-handle';
import { anyOf, containsPattern } from './directory-sql';
import { readableChannelIds } from './readable-channels';
import { queryRows } from './sql-rows';
import { visiblePeople } from './visible-people';

export interface SuggestRequest {
  kind: 'channel' | 'person';
  /** What was typed after `in:#` or `from:@` (a leading `#`/`@` is ignored); may be empty. */
  prefix: string;
  /** 1..20. */
  limit: number;
}

/** Longer than any channel name (80) or handle worth completing: nothing can start with it. */
const MAX_PREFIX_LENGTH = 100;
/** Control characters, bidi controls and zero-width characters: never part of a name. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * Completions for `in:#…` and `from:@…` as one types, within what the searcher may read.
 *
 * - Channels: readable public and private channels (never DMs) whose name starts with, then
 *   contains, the prefix; the searcher's own channels and recently active ones first, archived
 *   ones last. Empty prefix: the searcher's most recently active channels.
 * - People: the active members the searcher may see (guests: those sharing a channel) whose
 *   handle starts with the prefix (`ada.lo`, `ada lo`) or a word of whose name does (`love`),
 *   handle matches first, then the people sharing the most channels with the searcher, the
 *   searcher last. Empty prefix: the people sharing the most channels. People without a handle
 *   (a name of emoji only) cannot be typed and are left out.
 */
export async function suggest(
  db: Db,
  searcher: Searcher,
  request: SuggestRequest,
): Promise<Suggestion[]> {
  const prefix = cleanPrefix(request.prefix);
  if (prefix === null) return [];
  const limit = Math.max(1, Math.min(20, Math.floor(request.limit)));
  return request.kind === 'channel'
    ? suggestChannels(db, searcher, prefix, limit)
    : suggestPeople(db, searcher, prefix, limit);
}

function cleanPrefix(raw: string): string | null {
  const text = raw.replace(INVISIBLE, '').normalize('NFC').trim().toLowerCase();
  const bare = text.startsWith('#') || text.startsWith('@') ? text.slice(1) : text;
  return bare.length > MAX_PREFIX_LENGTH ? null : bare;
}

async function suggestChannels(
  db: Db,
  searcher: Searcher,
  prefix: string,
  limit: number,
): Promise<Suggestion[]> {
  const startsWith = `${containsPattern(prefix).slice(1)}`;
  const rows = await queryRows<{ id: string; name: string }>(
    db,
    sql`SELECT c.id, c.name FROM channels c
      LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = ${searcher.userId}
      WHERE c.workspace_id = ${searcher.workspaceId}
        AND c.kind IN ('public', 'private')
        AND c.id IN (${readableChannelIds(searcher)})
        ${prefix === '' ? sql`` : sql`AND c.name ILIKE ${containsPattern(prefix)}`}
      ORDER BY c.name ILIKE ${startsWith} DESC, c.archived_at IS NULL DESC,
        cm.user_id IS NOT NULL DESC, c.last_message_at DESC NULLS LAST, c.name, c.id
      LIMIT ${limit}`,
  );
  return rows.map((row) => ({
    kind: 'channel',
    id: row.id,
    value: `#${row.name}`,
    label: `#${row.name}`,
  }));
}

async function suggestPeople(
  db: Db,
  searcher: Searcher,
  prefix: string,
  limit: number,
): Promise<Suggestion[]> {
  const handle = personHandle(prefix);
  const regex = handle === '' ? null : handleRegex(handle, { prefix: true });
  const handleMatch: SQL | null = regex ? sql`u.name ~* ${regex}` : null;
  const wordRegex = handle === '' ? null : handleRegex(handle, { prefix: true, anyWord: true });
  const startsWith = containsPattern(prefix).slice(1);
  const matches =
    prefix === ''
      ? sql`true`
      : anyOf([
          ...(handleMatch ? [handleMatch] : []),
          sql`unaccent(u.name) ILIKE unaccent(${startsWith})`,
          sql`unaccent(u.name) ILIKE unaccent(${`% ${startsWith}`})`,
          ...(wordRegex ? [sql`u.name ~* ${wordRegex}`] : []),
        ]);
  const rows = await queryRows<{ id: string; name: string }>(
    db,
    sql`SELECT u.id, u.name
      FROM (${visiblePeople(searcher, { includeRemoved: false })}) p
      JOIN users u ON u.id = p.user_id
      LEFT JOIN (
        SELECT theirs.user_id, count(*)::int AS shared FROM channel_members mine
        JOIN channels c ON c.id = mine.channel_id AND c.workspace_id = ${searcher.workspaceId}
        JOIN channel_members theirs ON theirs.channel_id = mine.channel_id
        WHERE mine.user_id = ${searcher.userId}
        GROUP BY theirs.user_id
      ) s ON s.user_id = u.id
      WHERE u.deactivated_at IS NULL AND ${matches}
      ORDER BY ${handleMatch ? sql`${handleMatch} DESC,` : sql``} u.id = ${searcher.userId}, coalesce(s.shared, 0) DESC,
        u.name, u.id
      LIMIT ${limit * 2}`,
  );
  return rows
    .map((row) => ({ row, handle: personHandle(row.name) }))
    .filter(({ handle: rowHandle }) => rowHandle !== '')
    .slice(0, limit)
    .map(({ row, handle: rowHandle }) => ({
      kind: 'person',
      id: row.id,
      value: `@${rowHandle}`,
      label: row.name,
    }));
}
