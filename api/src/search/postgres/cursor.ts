import { createHash } from 'node:crypto';
import { InvalidCursorError, type SearchTab } from '../engine';
import { describeQuery, type SearchQuery } from '../query';

/**
 * Keyset cursors: the last hit's sort key, the reference time the relevance scores were computed
 * at, and a hash binding the cursor to the query, tab and sort (a cursor from another search is
 * refused; the date bounds count as instants, so the time zone is bound too). Opaque base64url JSON; tampering with the key only moves the page inside the same
 * permission-restricted search, so it needs no signature.
 */
export interface CursorState {
  /** Whether the hits are trigram matches (the fuzzy retry). */
  fuzzy: boolean;
  /**
   * Microseconds since 1970 (exact, unlike a JS Date): for relevance the reference time of the
   * scores, for date the last hit's time.
   */
  time: string;
  /** Relevance: the last hit's score; date: absent. */
  score?: number;
  /** Id of the last hit. */
  id: string;
}

export function queryHash(tab: SearchTab, query: SearchQuery): string {
  return (
    createHash('sha256')
      // The date bounds as instants: the same `on:` in another time zone is another search.
      .update(
        `${tab}\n${query.sort}\n${describeQuery(query)}\n${query.sentAt.from}\n${query.sentAt.to}`,
      )
      .digest('base64url')
      .slice(0, 16)
  );
}

export function encodeCursor(tab: SearchTab, query: SearchQuery, state: CursorState): string {
  return sealCursor(tab, query, state);
}

/** Any tab's cursor: its fields, with the version and the hash of the search they belong to. */
export function sealCursor(tab: SearchTab, query: SearchQuery, fields: object): string {
  return Buffer.from(JSON.stringify({ v: 1, q: queryHash(tab, query), ...fields })).toString(
    'base64url',
  );
}

/**
 * The JSON of a cursor sealed for this same search, its own fields checked by `isValid`;
 * anything else (too long, not base64url JSON, another version or search) throws
 * InvalidCursorError.
 */
export function openCursor<Json>(
  tab: SearchTab,
  query: SearchQuery,
  cursor: string,
  maxLength: number,
  isValid: (json: Record<string, unknown>) => boolean,
): Json {
  if (cursor.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError();
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof json !== 'object' || json === null) throw new InvalidCursorError();
  const fields = json as Record<string, unknown>;
  if (fields.v !== 1 || fields.q !== queryHash(tab, query) || !isValid(fields)) {
    throw new InvalidCursorError();
  }
  return json as Json;
}

const MAX_CURSOR_LENGTH = 600;
const ID_PATTERN = /^[0-9A-Za-z-]{1,64}$/;
/** Files are keyed by uuid (messages by ULID text): a forged non-uuid id would fail the cast. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MICROS_PATTERN = /^\d{1,17}$/;

/** The state of a cursor made by `encodeCursor` for this same search; anything else throws. */
export function decodeCursor(tab: SearchTab, query: SearchQuery, cursor: string): CursorState {
  const json = openCursor<CursorState>(tab, query, cursor, MAX_CURSOR_LENGTH, isCursorJson);
  if (tab === 'files' && !UUID_PATTERN.test(json.id)) throw new InvalidCursorError();
  const isRelevance = query.sort === 'relevance';
  if (isRelevance !== (json.score !== undefined)) throw new InvalidCursorError();
  const state: CursorState = { fuzzy: json.fuzzy, time: json.time, id: json.id };
  if (json.score !== undefined) state.score = json.score;
  return state;
}

function isCursorJson(json: Record<string, unknown>): boolean {
  return (
    typeof json.fuzzy === 'boolean' &&
    typeof json.time === 'string' &&
    MICROS_PATTERN.test(json.time) &&
    typeof json.id === 'string' &&
    ID_PATTERN.test(json.id) &&
    (json.score === undefined || (typeof json.score === 'number' && Number.isFinite(json.score)))
  );
}
