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

interface CursorJson extends CursorState {
  v: 1;
  q: string;
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
  const json: CursorJson = { v: 1, q: queryHash(tab, query), ...state };
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

const MAX_CURSOR_LENGTH = 600;
const ID_PATTERN = /^[0-9A-Za-z-]{1,64}$/;
/** Files are keyed by uuid (messages by ULID text): a forged non-uuid id would fail the cast. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MICROS_PATTERN = /^\d{1,17}$/;

/** The state of a cursor made by `encodeCursor` for this same search; anything else throws. */
export function decodeCursor(tab: SearchTab, query: SearchQuery, cursor: string): CursorState {
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
  if (tab === 'files' && !UUID_PATTERN.test(json.id)) throw new InvalidCursorError();
  const isRelevance = query.sort === 'relevance';
  if (isRelevance !== (json.score !== undefined)) throw new InvalidCursorError();
  const state: CursorState = { fuzzy: json.fuzzy, time: json.time, id: json.id };
  if (json.score !== undefined) state.score = json.score;
  return state;
}

function isCursorJson(value: unknown): value is CursorJson {
  if (typeof value !== 'object' || value === null) return false;
  const json = value as Record<string, unknown>;
  return (
    json.v === 1 &&
    typeof json.q === 'string' &&
    typeof json.fuzzy === 'boolean' &&
    typeof json.time === 'string' &&
    MICROS_PATTERN.test(json.time) &&
    typeof json.id === 'string' &&
    ID_PATTERN.test(json.id) &&
    (json.score === undefined || (typeof json.score === 'number' && Number.isFinite(json.score)))
  );
}
