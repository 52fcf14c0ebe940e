import { describe, expect, it } from 'vitest';
import { MAX_QUERY_LENGTH, MAX_TERMS, type ParseQueryOptions, parseQuery } from './parse-query';
import { describeQuery, type SearchQuery } from './query';

// A Monday, noon UTC.
const options: ParseQueryOptions = {
  timeZone: 'Europe/Berlin',
  now: new Date('2026-11-30T12:00:00Z'),
};
const parse = (input: string, overrides: Partial<ParseQueryOptions> = {}) =>
  parseQuery(input, { ...options, ...overrides });
const reasons = (query: SearchQuery) => query.ignored.map((entry) => entry.reason);
const word = (text: string, negated = false, prefix = false) => ({
  kind: 'word',
  text,
  negated,
  prefix,
});

/** Parses in a fresh process-independent way and bounds the time, without flaky thresholds. */
function parseTimed(input: string): SearchQuery {
  const started = performance.now();
  const query = parse(input);
  expect(performance.now() - started).toBeLessThan(1000);
  return query;
}

describe('parseQuery: text', () => {
  it('reads words, phrases, exclusions and prefixes', () => {
    const query = parse('report "quarterly numbers" -draft -"old plan" budg*');
    expect(query.terms).toEqual([
      word('report'),
      { kind: 'phrase', words: ['quarterly', 'numbers'], negated: false },
      word('draft', true),
      { kind: 'phrase', words: ['old', 'plan'], negated: true },
      word('budg', false, true),
    ]);
    expect(query.ignored).toEqual([]);
  });

  it('lower-cases words and keeps joiners inside them', () => {
    expect(parse("Don't E-Mail ada@Example.com v1.2 snake_case").terms).toEqual([
      word("don't"),
      word('e-mail'),
      word('ada@example.com'),
      word('v1.2'),
      word('snake_case'),
    ]);
  });

  it('keeps accented words whole and composed (NFC)', () => {
    const decomposed = 'Cafe\u0301 naïve Ærø straße';
    expect(parse(decomposed).terms).toEqual([
      word('caf\u00e9'),
      word('naïve'),
      word('ærø'),
      word('straße'),
    ]);
  });

  it('does not split Chinese or Japanese text', () => {
    expect(parse('我们明天开会 東京タワーに行った').terms).toEqual([
      word('我们明天开会'),
      word('東京タワーに行った'),
    ]);
    // An ideographic space separates words; CJK punctuation too.
    expect(parse('東京\u3000大阪、京都').terms).toEqual([word('東京'), word('大阪'), word('京都')]);
    expect(parse('"東京 タワー"').terms).toEqual([
      { kind: 'phrase', words: ['東京', 'タワー'], negated: false },
    ]);
  });

  it('keeps emoji as words', () => {
    expect(parse('🎉 launch').terms).toEqual([word('🎉'), word('launch')]);
  });

  it('turns a one-word phrase into a word', () => {
    expect(parse('"report"').terms).toEqual([word('report')]);
    expect(parse('-"report"').terms).toEqual([word('report', true)]);
  });
});

describe('parseQuery: operators', () => {
  it('reads in:, from:, has:, is: and sort:', () => {
    const query = parse(
      'in:#general in:@Ada from:@bob from:me has:file has:link has:reaction is:thread sort:date x',
    );
    expect(query.in).toEqual([
      { kind: 'channel', channelName: 'general' },
      { kind: 'dm', personHandle: 'ada' },
    ]);
    expect(query.from).toEqual([{ kind: 'person', personHandle: 'bob' }, { kind: 'me' }]);
    expect(query.has).toEqual(['file', 'link', 'reaction']);
    expect(query.isThread).toBe(true);
    expect(query.sort).toBe('date');
    expect(query.terms).toEqual([word('x')]);
    expect(query.ignored).toEqual([]);
  });

  it('accepts operators and values in any case, and names without a sigil', () => {
    const query = parse('IN:General FROM:Ada From:@ME HAS:FILE Is:Thread SORT:Relevance');
    expect(query.in).toEqual([{ kind: 'channel', channelName: 'general' }]);
    expect(query.from).toEqual([{ kind: 'person', personHandle: 'ada' }, { kind: 'me' }]);
    expect(query.has).toEqual(['file']);
    expect(query.isThread).toBe(true);
    expect(query.sort).toBe('relevance');
    expect(query.terms).toEqual([]);
  });

  it('keeps names with dots, dashes, underscores and any letters', () => {
    expect(parse('in:#dev-ops_2.0 from:@zoë in:#開発').in).toEqual([
      { kind: 'channel', channelName: 'dev-ops_2.0' },
      { kind: 'channel', channelName: '開発' },
    ]);
    expect(parse('from:@zoë').from).toEqual([{ kind: 'person', personHandle: 'zoë' }]);
  });

  it('takes the sort from the options unless the string says otherwise', () => {
    expect(parse('x').sort).toBe('relevance');
    expect(parse('x', { sort: 'date' }).sort).toBe('date');
    expect(parse('x sort:relevance', { sort: 'date' }).sort).toBe('relevance');
  });

  it('resolves on:, during:, before: and after: in the user time zone', () => {
    const on = parse('on:2026-11-30');
    expect(on.dates).toEqual([
      {
        operator: 'on',
        value: '2026-11-30',
        period: { from: '2026-11-29T23:00:00.000Z', to: '2026-11-30T23:00:00.000Z' },
      },
    ]);
    expect(on.sentAt).toEqual({ from: '2026-11-29T23:00:00.000Z', to: '2026-11-30T23:00:00.000Z' });
    expect(parse('during:2026-11').sentAt).toEqual({
      from: '2026-10-31T23:00:00.000Z',
      to: '2026-11-30T23:00:00.000Z',
    });
    expect(parse('during:2026', { timeZone: 'UTC' }).sentAt).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    });
    // after: a day means after its end; before: a day means before its start.
    expect(parse('after:2026-11-01 before:2026-11-03', { timeZone: 'UTC' }).sentAt).toEqual({
      from: '2026-11-02T00:00:00.000Z',
      to: '2026-11-03T00:00:00.000Z',
    });
    expect(parse('before:yesterday', { timeZone: 'UTC' }).sentAt).toEqual({
      to: '2026-11-29T00:00:00.000Z',
    });
    expect(parse('on:TODAY', { timeZone: 'America/New_York' }).sentAt).toEqual({
      from: '2026-11-30T05:00:00.000Z',
      to: '2026-12-01T05:00:00.000Z',
    });
    expect(parse('during:week during:month').ignored).toEqual([
      { text: 'during:month', reason: 'conflict' },
    ]);
  });

  it('intersects date filters', () => {
    const query = parse('during:2026-11 after:2026-11-15', { timeZone: 'UTC' });
    expect(query.sentAt).toEqual({
      from: '2026-11-16T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(query.dates.map((date) => date.operator)).toEqual(['during', 'after']);
  });

  it('resolves dates on a DST change day and in a UTC+14 zone', () => {
    expect(parse('on:2026-03-29').sentAt).toEqual({
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
    });
    expect(parse('on:2026-11-01', { timeZone: 'America/New_York' }).sentAt).toEqual({
      from: '2026-11-01T04:00:00.000Z',
      to: '2026-11-02T05:00:00.000Z',
    });
    expect(parse('on:2026-11-30', { timeZone: 'Pacific/Kiritimati' }).sentAt).toEqual({
      from: '2026-11-29T10:00:00.000Z',
      to: '2026-11-30T10:00:00.000Z',
    });
  });

  it('combines operators and text', () => {
    const query = parse('from:@ada has:file report in:#finance -draft sort:date');
    expect(describeQuery(query)).toBe('report -draft in:#finance from:@ada has:file sort:date');
  });
});

describe('parseQuery: degradation', () => {
  it('searches an unknown operator as words and says so', () => {
    const query = parse('foo:bar');
    expect(query.terms).toEqual([word('foo'), word('bar')]);
    expect(query.ignored).toEqual([{ text: 'foo:bar', reason: 'unknown_operator' }]);
    expect(parse('https://example.com/a').terms).toEqual([
      word('https'),
      word('example.com'),
      word('a'),
    ]);
    // Links, times and a trailing colon are text, not mistyped operators.
    expect(parse('https://example.com/a 10:30 Note: x').ignored).toEqual([]);
    expect(parse('frm:ada').ignored).toEqual([{ text: 'frm:ada', reason: 'unknown_operator' }]);
  });

  it('reads the rest of an unbalanced quote as words', () => {
    const query = parse('say "hello world');
    expect(query.terms).toEqual([word('say'), word('hello'), word('world')]);
    expect(query.ignored).toEqual([{ text: '"', reason: 'unbalanced_quote' }]);
    expect(parse('-"hello').ignored).toEqual([{ text: '-"', reason: 'unbalanced_quote' }]);
    expect(parse('-"hello').terms).toEqual([word('hello')]);
  });

  it('drops empty phrases, a lone minus and stray stars', () => {
    expect(parse('"" a').ignored).toEqual([{ text: '""', reason: 'empty_phrase' }]);
    expect(parse('- a').ignored).toEqual([{ text: '-', reason: 'lone_minus' }]);
    expect(parse('a -').terms).toEqual([word('a')]);
    expect(parse('* a').ignored).toEqual([{ text: '*', reason: 'stray_star' }]);
    expect(parse('a **b').terms).toEqual([word('a'), word('b')]);
    expect(reasons(parse('a **b'))).toEqual(['stray_star']);
    expect(parse('"!!!" &&').ignored).toEqual([
      { text: '"!!!"', reason: 'no_searchable_text' },
      { text: '&&', reason: 'no_searchable_text' },
    ]);
  });

  it('drops empty, invalid and negated operator values', () => {
    const query = parse('in: from: has:pizza is:root sort:random in:#a/b from:@a+b -in:#general x');
    expect(query.ignored).toEqual([
      { text: 'in:', reason: 'empty_value' },
      { text: 'from:', reason: 'empty_value' },
      { text: 'has:pizza', reason: 'invalid_value' },
      { text: 'is:root', reason: 'invalid_value' },
      { text: 'sort:random', reason: 'invalid_value' },
      { text: 'in:#a/b', reason: 'invalid_value' },
      { text: 'from:@a+b', reason: 'invalid_value' },
      { text: '-in:#general', reason: 'negated_operator' },
    ]);
    expect(query.terms).toEqual([word('x')]);
    expect(query.in).toEqual([]);
    expect(reasons(parse('in:#'))).toEqual(['invalid_value']);
  });

  it('drops bad dates', () => {
    const query = parse('on:2026-02-30 before:soon after:2026-13 during:');
    expect(query.ignored).toEqual([
      { text: 'on:2026-02-30', reason: 'invalid_date' },
      { text: 'before:soon', reason: 'invalid_date' },
      { text: 'after:2026-13', reason: 'invalid_date' },
      { text: 'during:', reason: 'empty_value' },
    ]);
    expect(query.dates).toEqual([]);
    expect(query.sentAt).toEqual({});
  });

  it('drops duplicates and conflicts, keeping the first', () => {
    const query = parse(
      'a a a* -a "b c" "B  C" in:#x in:#X from:me from:@me has:file has:file is:thread is:thread ' +
        'sort:date sort:date sort:relevance on:2026-11-01 on:2026-11-01 on:2026-11-02 during:2026-11',
    );
    expect(query.terms).toEqual([
      word('a'),
      word('a', false, true),
      word('a', true),
      { kind: 'phrase', words: ['b', 'c'], negated: false },
    ]);
    expect(query.in).toHaveLength(1);
    expect(query.from).toEqual([{ kind: 'me' }]);
    expect(query.sort).toBe('date');
    expect(query.dates.map((date) => date.value)).toEqual(['2026-11-01']);
    expect(query.ignored).toEqual([
      { text: 'a', reason: 'duplicate' },
      { text: '"B  C"', reason: 'duplicate' },
      { text: 'in:#X', reason: 'duplicate' },
      { text: 'from:@me', reason: 'duplicate' },
      { text: 'has:file', reason: 'duplicate' },
      { text: 'is:thread', reason: 'duplicate' },
      { text: 'sort:date', reason: 'duplicate' },
      { text: 'sort:relevance', reason: 'conflict' },
      { text: 'on:2026-11-01', reason: 'duplicate' },
      { text: 'on:2026-11-02', reason: 'conflict' },
      { text: 'during:2026-11', reason: 'conflict' },
    ]);
  });

  it('drops a date filter that would leave no instant', () => {
    const query = parse('after:2026-12-01 before:2026-11-01');
    expect(query.ignored).toEqual([{ text: 'before:2026-11-01', reason: 'conflict' }]);
    expect(query.dates.map((date) => date.operator)).toEqual(['after']);
  });

  it('falls back to UTC for an unknown time zone and says so', () => {
    const query = parse('on:2026-11-30', { timeZone: 'Mars/Olympus' });
    expect(query.sentAt).toEqual({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(query.ignored).toEqual([{ text: 'Mars/Olympus', reason: 'unknown_time_zone' }]);
    expect(parse('x', { timeZone: 'Mars/Olympus' }).ignored).toEqual([]);
  });

  it('cuts a string over 1,000 characters and says so', () => {
    const query = parse(`${'word '.repeat(200)}tail`);
    expect(reasons(query)).toContain('too_long');
    const long = parse(`x ${'y'.repeat(2000)}`);
    expect(long.terms).toEqual([word('x'), word('y'.repeat(MAX_QUERY_LENGTH - 2))]);
    expect(long.ignored).toEqual([{ text: 'the last 1002 characters', reason: 'too_long' }]);
    // A surrogate pair straddling the cut is not split into a lone surrogate.
    const emoji = parse(`${'a'.repeat(MAX_QUERY_LENGTH - 1)}🎉`);
    expect(emoji.terms).toEqual([word('a'.repeat(MAX_QUERY_LENGTH - 1))]);
    expect(reasons(emoji)).toEqual(['too_long']);
  });

  it('keeps at most 32 terms and reports the rest', () => {
    const words = Array.from({ length: 40 }, (_, index) => `w${index}`);
    const query = parse(words.join(' '));
    expect(query.terms).toHaveLength(MAX_TERMS);
    expect(query.ignored).toEqual([
      { text: words.slice(MAX_TERMS).join(' '), reason: 'too_many_terms' },
    ]);
    // Operators count too, and the words of one token each count.
    const mixed = parse(`${'in:#a '.repeat(1)}${'x.y:z '.repeat(1)}${'a,'.repeat(40)}`);
    expect(mixed.terms.length + mixed.in.length).toBeLessThanOrEqual(MAX_TERMS);
    expect(reasons(mixed)).toContain('too_many_terms');
  });
});

describe('parseQuery: hostile strings', () => {
  it('keeps SQL as harmless words', () => {
    const query = parse("'; drop table messages; --");
    expect(query.terms).toEqual([word('drop'), word('table'), word('messages')]);
  });

  it('never lets tsquery syntax through', () => {
    const query = parse('a & !b | c:* <-> d <2> (e) f:AB');
    expect(query.terms).toEqual([
      word('a'),
      word('b'),
      word('c'),
      word('d'),
      word('2'),
      word('e'),
      word('f'),
      word('ab'),
    ]);
    for (const term of query.terms) {
      const text = term.kind === 'word' ? term.text : term.words.join(' ');
      expect(text).not.toMatch(/[&|!:()<>*\\"]/);
    }
  });

  it('strips NUL, control characters and bidi overrides and reports them', () => {
    const query = parse('ab\u0000c\u0007 d\u202eef\u202c\u2066g\u2069\u200b h\u0085 i\ttab\nline');
    expect(query.terms).toEqual([
      word('abc'),
      word('defg'),
      word('h'),
      word('i'),
      word('tab'),
      word('line'),
    ]);
    expect(query.ignored).toEqual([
      {
        text: 'U+0000 U+0007 U+202E U+202C U+2066 U+2069 U+200B U+0085',
        reason: 'control_characters',
      },
    ]);
    // Lone surrogates are removed too.
    expect(parse('a\ud800b \udc00').terms).toEqual([word('ab')]);
  });

  it('answers 10 KB strings and runs of syntax at once', () => {
    const inputs = [
      'x'.repeat(10_000),
      'a '.repeat(5_000),
      '"'.repeat(10_000),
      '"a'.repeat(5_000),
      '-'.repeat(10_000),
      '*'.repeat(10_000),
      'a*'.repeat(5_000),
      ':'.repeat(10_000),
      'in:'.repeat(3_000),
      'on:2026-11-30 '.repeat(800),
      '(a|b)*'.repeat(2_000),
      `${'a'.repeat(5_000)}!`,
      '\u0000'.repeat(10_000),
      '\u202e'.repeat(10_000),
      '東'.repeat(10_000),
      'e\u0301'.repeat(5_000),
    ];
    for (const input of inputs) {
      const query = parseTimed(input);
      expect(query.terms.length + query.in.length + query.dates.length).toBeLessThanOrEqual(
        MAX_TERMS,
      );
      expect(describeQuery(query).length).toBeLessThanOrEqual(MAX_QUERY_LENGTH * 2);
      expect(query.ignored.length).toBeLessThanOrEqual(MAX_TERMS + 4);
    }
    expect(parseTimed('a*'.repeat(5_000)).terms).toEqual([word('a', false, true)]);
    expect(parseTimed('"'.repeat(10_000)).terms).toEqual([]);
  });

  it('survives a seeded fuzz of hostile characters and round-trips through describeQuery', () => {
    const alphabet = [...'ab é東"\'-*:#@&|!<>()\\;%_.\u0000\u202e\t'];
    let seed = 17;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const prefixes = ['in:', 'from:', 'has:', 'on:', 'sort:', 'is:', ''];
    for (let run = 0; run < 500; run++) {
      let input = '';
      const length = Math.floor(random() * 60);
      for (let index = 0; index < length; index++) {
        if (random() < 0.1) input += prefixes[Math.floor(random() * prefixes.length)];
        input += alphabet[Math.floor(random() * alphabet.length)];
      }
      const query = parse(input);
      const again = parse(describeQuery(query));
      expect({ ...again, ignored: [] }, input).toEqual({ ...query, ignored: [] });
      expect(again.ignored, input).toEqual([]);
    }
  });
});

describe('describeQuery', () => {
  it('prints the canonical form, relative dates kept relative', () => {
    const query = parse(
      'SORT:DATE on:Yesterday Budget* -"Old  Plan" IS:THREAD has:link from:ME in:@Ada -x',
    );
    expect(describeQuery(query)).toBe(
      'budget* -"old plan" -x in:@ada from:me has:link is:thread on:yesterday sort:date',
    );
    expect(describeQuery(parse(''))).toBe('');
  });
});
