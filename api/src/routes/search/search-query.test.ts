import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { ApiError } from '../../errors';
import type {
  ChannelHit,
  FileHit,
  MessageHit,
  PersonHit,
  Resolution,
  Suggestion,
  UnusedFilter,
} from '../../search/engine';
import { describeQuery, type Ignored } from '../../search/query';
import {
  type channelHitSchema,
  type fileHitSchema,
  type messageHitSchema,
  type personHitSchema,
  type SearchParams,
  searchQuerySchema,
  type searchResponseSchema,
  type suggestResponseSchema,
} from './schemas';
import { searchQueryFromParams } from './search-query';

const NOW = new Date('2026-11-30T12:00:00Z');
const params = (query: Record<string, string>): SearchParams => searchQuerySchema.parse(query);
const canonical = (query: Record<string, string>) =>
  describeQuery(searchQueryFromParams(params(query), NOW));
/** The schema's message for `query`, or null when it is accepted. */
const problem = (query: Record<string, string>) => {
  const parsed = searchQuerySchema.safeParse(query);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'invalid');
};

describe('search answer schemas', () => {
  it('describe exactly what the engine answers', () => {
    type Answer = z.output<typeof searchResponseSchema>;
    expectTypeOf<z.output<typeof messageHitSchema>>().toEqualTypeOf<MessageHit>();
    expectTypeOf<z.output<typeof channelHitSchema>>().toEqualTypeOf<ChannelHit>();
    expectTypeOf<z.output<typeof personHitSchema>>().toEqualTypeOf<PersonHit>();
    // The schema names the file kinds the database allows; the engine says string.
    expectTypeOf<z.output<typeof fileHitSchema>>().toExtend<FileHit>();
    expectTypeOf<Answer['resolutions'][number]>().toEqualTypeOf<Resolution>();
    expectTypeOf<Answer['unused'][number]>().toEqualTypeOf<UnusedFilter>();
    expectTypeOf<Answer['query']['ignored'][number]>().toEqualTypeOf<Ignored>();
    expectTypeOf<
      z.output<typeof suggestResponseSchema>['suggestions'][number]
    >().toEqualTypeOf<Suggestion>();
  });
});

describe('search parameters', () => {
  it('default to messages by relevance, 20 hits, UTC', () => {
    expect(params({})).toEqual({ q: '', tab: 'messages', tz: 'UTC', limit: 20 });
  });

  it('become operators in front of q, shown whole in the canonical form', () => {
    expect(
      canonical({
        q: 'report',
        in: '#General,@ada.lovelace',
        from: '@ada,me',
        has: 'file,link',
        is: 'thread',
        after: '2026-01',
        sort: 'date',
      }),
    ).toBe(
      'report in:#general in:@ada.lovelace from:@ada from:me has:file has:link is:thread after:2026-01 sort:date',
    );
    expect(canonical({ on: 'yesterday' })).toBe('on:yesterday');
    expect(canonical({ during: '2026', before: '2026-06-01' })).toBe(
      'during:2026 before:2026-06-01',
    );
  });

  it('resolve dates in the time zone given', () => {
    const query = searchQueryFromParams(params({ on: '2026-11-30', tz: 'Asia/Tokyo' }), NOW);
    expect(query.sentAt).toEqual({
      from: '2026-11-29T15:00:00.000Z',
      to: '2026-11-30T15:00:00.000Z',
    });
  });

  it('report an unknown time zone instead of refusing it', () => {
    const query = searchQueryFromParams(params({ on: '2026-11-30', tz: 'Mars/Olympus' }), NOW);
    expect(query.ignored).toEqual([{ text: 'Mars/Olympus', reason: 'unknown_time_zone' }]);
    expect(query.sentAt.from).toBe('2026-11-30T00:00:00.000Z');
  });

  it('win over q: a clashing date or sort in q is reported, not used', () => {
    const query = searchQueryFromParams(params({ q: 'x on:2026-02-01', on: '2026-01-01' }), NOW);
    expect(describeQuery(query)).toBe('x on:2026-01-01');
    expect(query.ignored).toEqual([{ text: 'on:2026-02-01', reason: 'conflict' }]);
    // `sort` is the order when q says none; a `sort:` in q is the user's own choice.
    expect(canonical({ q: 'x sort:relevance', sort: 'date' })).toBe('x');
  });

  it('survive a 10 KB q whole: q is cut, not the filters', () => {
    const query = searchQueryFromParams(
      params({ q: 'word '.repeat(2000), from: 'me', has: 'file' }),
      NOW,
    );
    expect(query.from).toEqual([{ kind: 'me' }]);
    expect(query.has).toEqual(['file']);
    expect(query.ignored.map((ignored) => ignored.reason)).toContain('too_long');
  });

  it('refuse filters that do not go together', () => {
    const clashes: Array<Record<string, string>> = [
      { in: '#a,#a' },
      { before: '2026-01-01', after: '2026-06-01' },
      { on: '2026-01-01', during: '2026' },
      { has: 'file,file' },
    ];
    for (const bad of clashes) {
      expect(() => searchQueryFromParams(params(bad), NOW), JSON.stringify(bad)).toThrow(ApiError);
    }
  });

  it('refuse each malformed value with a message naming it', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ tab: 'emails' }, /messages/],
      [{ sort: 'size' }, /relevance/],
      [{ limit: '0' }, /whole number from 1 to 50/],
      [{ limit: '51' }, /whole number from 1 to 50/],
      [{ limit: 'ten' }, /whole number from 1 to 50/],
      [{ limit: '2.5' }, /whole number from 1 to 50/],
      [{ limit: '' }, /whole number from 1 to 50/],
      [{ in: 'general' }, /"general" is not a #channel or @person/],
      [{ in: '#gen eral' }, /not a #channel/],
      [{ in: '#a,' }, /"" is not a #channel/],
      [{ in: '#a"b' }, /not a #channel/],
      [{ in: '#a from:@b' }, /not a #channel/],
      [
        {
          in: '#x'
            .repeat(20)
            .split('#')
            .filter(Boolean)
            .map((n) => `#${n}`)
            .join(','),
        },
        /at most/,
      ],
      [{ from: 'ada' }, /"ada" is not @person or me/],
      [{ from: '@' }, /not @person/],
      [{ has: 'files' }, /"files" is not file, link or reaction/],
      [{ is: 'root' }, /thread/],
      [{ on: '2026-13-01' }, /not a date/],
      [{ before: 'tomorrow' }, /not a date/],
      [{ after: '' }, /not a date/],
      [{ during: '2026 x' }, /not a date/],
      [{ tz: 'x'.repeat(101) }, /not a time zone/],
      [{ fron: '@ada' }, /fron/],
    ];
    for (const [query, message] of cases) {
      expect(problem(query), JSON.stringify(query)).toMatch(message);
    }
  });
});
