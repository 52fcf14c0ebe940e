import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../engine';
import { parseQuery } from '../parse-query';
import { decodeCursor, encodeCursor, queryHash } from './cursor';

const query = parseQuery('report sort:date', { timeZone: 'UTC' });
const forge = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');

describe('search cursors', () => {
  it('round-trips the state of the search that made it', () => {
    const state = { fuzzy: false, time: '1796000000000000', id: '01JABCDEF' };
    expect(decodeCursor('messages', query, encodeCursor('messages', query, state))).toEqual(state);
  });

  it('refuses the cursor of another tab, sort or query', () => {
    const cursor = encodeCursor('messages', query, { fuzzy: false, time: '1', id: 'x' });
    const other = parseQuery('reports sort:date', { timeZone: 'UTC' });
    const relevance = parseQuery('report', { timeZone: 'UTC' });
    expect(() => decodeCursor('files', query, cursor)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('messages', other, cursor)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('messages', relevance, cursor)).toThrow(InvalidCursorError);
  });

  it('refuses the cursor of the same dates in another time zone', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const utc = parseQuery('report on:2026-03-01', { timeZone: 'UTC', now });
    const tokyo = parseQuery('report on:2026-03-01', { timeZone: 'Asia/Tokyo', now });
    const cursor = encodeCursor('messages', utc, { fuzzy: false, time: '1', score: 1, id: 'x' });
    expect(decodeCursor('messages', utc, cursor).id).toBe('x');
    expect(() => decodeCursor('messages', tokyo, cursor)).toThrow(InvalidCursorError);
  });

  it('refuses forged keys that the SQL could not take, even with the right hash', () => {
    const base = { v: 1, q: queryHash('files', query), fuzzy: false };
    const good = forge({ ...base, time: '1', id: '6f1c2d3e-0000-4000-8000-000000000001' });
    expect(decodeCursor('files', query, good).id).toBe('6f1c2d3e-0000-4000-8000-000000000001');
    const forged = [
      { ...base, time: '1', id: '01NOTAUUID' },
      { ...base, time: '1e5', id: '6f1c2d3e-0000-4000-8000-000000000001' },
      { ...base, time: '1', id: "x'; DROP TABLE files;--" },
      { ...base, time: '1', id: '6f1c2d3e-0000-4000-8000-000000000001', score: 1 },
      { ...base, time: '123456789012345678', id: '6f1c2d3e-0000-4000-8000-000000000001' },
    ];
    for (const json of forged) {
      expect(() => decodeCursor('files', query, forge(json))).toThrow(InvalidCursorError);
    }
  });

  it('refuses what is not a cursor at all', () => {
    for (const cursor of ['', '!!', 'a'.repeat(601), forge([]), forge(null), 'bm90IGpzb24']) {
      expect(() => decodeCursor('messages', query, cursor)).toThrow(InvalidCursorError);
    }
  });
});
