import { InvalidCursorError, type SearchTab } from '../engine';
import type { SearchQuery } from '../query';
import { queryHash } from './cursor';

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

interface DirectoryCursorJson {
  v: 1;
  q: string;
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
  const json: DirectoryCursorJson = {
    v: 1,
    q: queryHash(tab, query),
    f: last.fuzzy,
    k: last.key,
    n: last.name,
    i: last.id,
  };
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/** The last hit of the previous page, from a cursor made for this same search; else throws. */
export function decodeDirectoryCursor(
  tab: SearchTab,
  query: SearchQuery,
  cursor: string,
): DirectoryKey {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError();
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!isCursorJson(json) || json.q !== queryHash(tab, query)) throw new InvalidCursorError();
  return { fuzzy: json.f, key: json.k, name: json.n, id: json.i };
}

function isCursorJson(value: unknown): value is DirectoryCursorJson {
  if (typeof value !== 'object' || value === null) return false;
  const json = value as Record<string, unknown>;
  return (
    json.v === 1 &&
    typeof json.q === 'string' &&
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
