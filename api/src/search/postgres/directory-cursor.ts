import type { SearchTab } from '../engine';
import type { SearchQuery } from '../query';
import { openCursor, sealCursor } from './cursor';

/**
 * Keyset cursors of the channel and people tabs, whose hits are ordered by (key descending, name,
 * id): a relevance score or an activity time in milliseconds, both float8 that survive JSON
 * exactly. Bound to the query like the message cursors (cursor.ts); tampering only moves the page
 * inside the same permission-restricted search.
 */
export interface DirectoryKey {
  /** Whether the hits are trigram matches (the fuzzy retry): the next page must be too. */
  fuzzy: boolean;
  key: number;
  name: string;
  id: string;
}

/** The fields of the JSON besides the version and the search's hash (cursor.ts). */
interface DirectoryCursorJson {
  f: boolean;
  k: number;
  n: string;
  i: string;
}

const MAX_CURSOR_LENGTH = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeDirectoryCursor(
  tab: SearchTab,
  query: SearchQuery,
  last: DirectoryKey,
): string {
  return sealCursor(tab, query, { f: last.fuzzy, k: last.key, n: last.name, i: last.id });
}

/** The last hit of the previous page, from a cursor made for this same search; else throws. */
export function decodeDirectoryCursor(
  tab: SearchTab,
  query: SearchQuery,
  cursor: string,
): DirectoryKey {
  const json = openCursor<DirectoryCursorJson>(tab, query, cursor, MAX_CURSOR_LENGTH, isCursorJson);
  return { fuzzy: json.f, key: json.k, name: json.n, id: json.i };
}

function isCursorJson(json: Record<string, unknown>): boolean {
  return (
    typeof json.f === 'boolean' &&
    typeof json.k === 'number' &&
    Number.isFinite(json.k) &&
    typeof json.n === 'string' &&
    json.n.length <= 300 &&
    !json.n.includes('\u0000') &&
    typeof json.i === 'string' &&
    UUID.test(json.i)
  );
}
