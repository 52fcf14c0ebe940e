import {
  type Author,
  type DateFilter,
  type DateOperator,
  describeTerm,
  type HasFilter,
  type Ignored,
  type IgnoredReason,
  type Place,
  type SearchQuery,
  type SortOrder,
  type TextTerm,
} from './query';
import { isKnownTimeZone, resolvePeriod } from './zoned-dates';

/** Longer strings are cut here (and the cut reported): bounds the work and the engine's query. */
export const MAX_QUERY_LENGTH = 1000;
/** Words, phrases and operators beyond this many are dropped (and reported). */
export const MAX_TERMS = 32;

export interface ParseQueryOptions {
  /** The user's IANA time zone: dates name local days in it. An unknown zone falls back to UTC. */
  timeZone: string;
  /** What `today`, `yesterday`, `week`, `month` and `year` are relative to. Default: now. */
  now?: Date;
  /** The order when the string has no `sort:` (an API parameter). Default: relevance. */
  sort?: SortOrder;
}

/**
 * Parses a user's search string. Never throws on any string: what cannot be used degrades to
 * words (an unknown `foo:bar`, an unbalanced quote) or is dropped, and is listed in `ignored`.
 * Runs in time linear in the (truncated) input: one left-to-right scan, no backtracking regex
 * over user text.
 */
export function parseQuery(input: string, options: ParseQueryOptions): SearchQuery {
  const builder = new QueryBuilder(options);
  const text = builder.sanitize(builder.truncate(input));
  for (const token of tokenize(text)) builder.add(token);
  return builder.finish();
}

// ---------------------------------------------------------------------------------------------
// Characters

/**
 * Letters, digits and marks (accents, CJK and every script), and emoji with their joiner make up
 * words. Tested on one character at a time: no quantifier ever runs over user text.
 */
const WORD_CHAR = /^(?:[\p{L}\p{N}\p{M}\p{Extended_Pictographic}]|\u200d)$/u;
/** Kept inside a word when between two word characters: `don't`, `e-mail`, `v1.2`, `a@b.c`. */
const JOINERS = new Set(["'", '’', '.', '-', '_', '@']);
/** Name characters of `in:#channel` / `from:@person` values, besides word characters. */
const NAME_JOINERS = new Set(['.', '-', '_']);
/** Bidi embeddings, overrides and isolates, marks, BOM, zero-width space: invisible, removed. */
const INVISIBLE = new Set([
  0x061c, 0x200b, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068,
  0x2069, 0xfeff,
]);

const isWordChar = (char: string) => WORD_CHAR.test(char);
const isSpace = (char: string) => /^\s$/u.test(char);
const codePointLabel = (codePoint: number) =>
  `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** Splits text into lower-case words; `*` right after a word makes it a prefix. */
function splitWords(text: string): {
  words: Array<{ text: string; prefix: boolean }>;
  strayStar: boolean;
} {
  const words: Array<{ text: string; prefix: boolean }> = [];
  let strayStar = false;
  let current = '';
  let pendingJoiner = '';
  const flush = (prefix: boolean) => {
    if (current !== '') words.push({ text: current.toLowerCase(), prefix });
    current = '';
    pendingJoiner = '';
  };
  for (const char of text) {
    if (isWordChar(char)) {
      current += pendingJoiner + char;
      pendingJoiner = '';
    } else if (JOINERS.has(char) && current !== '' && pendingJoiner === '') {
      pendingJoiner = char;
    } else if (char === '*') {
      if (current === '') strayStar = true;
      flush(true);
    } else {
      flush(false);
    }
  }
  flush(false);
  return { words, strayStar };
}

/** A lower-case channel name or person handle, or undefined when it has other characters. */
function parseName(value: string): string | undefined {
  if (value === '') return undefined;
  for (const char of value) {
    if (!isWordChar(char) && !NAME_JOINERS.has(char)) return undefined;
  }
  return value.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  /** Text up to the next space or quote: words, an operator, or both (`foo:bar`). */
  | { kind: 'bare'; text: string; negated: boolean; source: string }
  | { kind: 'phrase'; text: string; negated: boolean; source: string }
  | { kind: 'problem'; source: string; reason: IgnoredReason };

/** One scan; each character is looked at a bounded number of times (indexOf moves `i` past it). */
function* tokenize(text: string): Generator<Token> {
  let i = 0;
  while (i < text.length) {
    const char = text.charAt(i);
    if (isSpace(char)) {
      i++;
      continue;
    }
    const start = i;
    const negated = char === '-';
    if (negated) {
      i++;
      if (i >= text.length || isSpace(text.charAt(i))) {
        yield { kind: 'problem', source: '-', reason: 'lone_minus' };
        continue;
      }
    }
    if (text.charAt(i) === '"') {
      const close = text.indexOf('"', i + 1);
      if (close === -1) {
        // The quote is dropped; what follows it is read as ordinary words.
        i++;
        yield { kind: 'problem', source: text.slice(start, i), reason: 'unbalanced_quote' };
        continue;
      }
      yield {
        kind: 'phrase',
        text: text.slice(i + 1, close),
        negated,
        source: text.slice(start, close + 1),
      };
      i = close + 1;
      continue;
    }
    while (i < text.length && text.charAt(i) !== '"' && !isSpace(text.charAt(i))) i++;
    yield {
      kind: 'bare',
      text: text.slice(negated ? start + 1 : start, i),
      negated,
      source: text.slice(start, i),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Building the query

/** What a mistyped operator looks like: letters only (tested after the operator set). */
const OPERATOR_NAME = /^\p{L}+$/u;
const OPERATORS = new Set(['in', 'from', 'has', 'is', 'sort', 'before', 'after', 'on', 'during']);
const HAS_VALUES = new Set<string>(['file', 'link', 'reaction']);
const SORT_VALUES = new Set<string>(['relevance', 'date']);

class QueryBuilder {
  private readonly terms: TextTerm[] = [];
  private readonly places: Place[] = [];
  private readonly authors: Author[] = [];
  private readonly has: HasFilter[] = [];
  private isThread = false;
  private readonly dates: DateFilter[] = [];
  private sentFrom: number | undefined;
  private sentTo: number | undefined;
  private sort: SortOrder | undefined;
  private readonly ignored = new Map<string, Ignored>();
  private budget = MAX_TERMS;
  private readonly overflow: string[] = [];
  private timeZone: string | undefined;

  constructor(private readonly options: ParseQueryOptions) {}

  truncate(input: string): string {
    if (input.length <= MAX_QUERY_LENGTH) return input;
    let cut = MAX_QUERY_LENGTH;
    // Never split a surrogate pair.
    const last = input.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut--;
    // Described, not quoted: the cut part has not been cleaned of control characters.
    this.ignore(`the last ${input.length - cut} characters`, 'too_long');
    return input.slice(0, cut);
  }

  /** NFC, then control and invisible characters out (line breaks and tabs become spaces). */
  sanitize(input: string): string {
    let output = '';
    const removed = new Set<number>();
    for (const char of input.normalize('NFC')) {
      const codePoint = char.codePointAt(0) ?? 0;
      if (char === '\t' || char === '\n' || char === '\r') output += ' ';
      else if (
        codePoint < 0x20 ||
        (codePoint >= 0x7f && codePoint <= 0x9f) ||
        INVISIBLE.has(codePoint) ||
        (codePoint >= 0xd800 && codePoint <= 0xdfff) // a lone surrogate
      ) {
        removed.add(codePoint);
      } else output += char;
    }
    if (removed.size > 0) {
      const labels = [...removed].slice(0, 8).map(codePointLabel);
      this.ignore(labels.join(' ') + (removed.size > 8 ? ' …' : ''), 'control_characters');
    }
    return output;
  }

  add(token: Token): void {
    if (this.budget <= 0) {
      this.overflow.push(token.source);
      return;
    }
    if (token.kind === 'problem') {
      this.budget--;
      this.ignore(token.source, token.reason);
    } else if (token.kind === 'phrase') this.addPhrase(token.text, token.negated, token.source);
    else this.addBare(token.text, token.negated, token.source);
  }

  finish(): SearchQuery {
    if (this.overflow.length > 0) this.ignore(this.overflow.join(' '), 'too_many_terms');
    const sentAt: SearchQuery['sentAt'] = {};
    if (this.sentFrom !== undefined) sentAt.from = new Date(this.sentFrom).toISOString();
    if (this.sentTo !== undefined) sentAt.to = new Date(this.sentTo).toISOString();
    return {
      terms: this.terms,
      in: this.places,
      from: this.authors,
      has: this.has,
      isThread: this.isThread,
      dates: this.dates,
      sentAt,
      sort: this.sort ?? this.options.sort ?? 'relevance',
      ignored: [...this.ignored.values()],
    };
  }

  private ignore(text: string, reason: IgnoredReason): void {
    this.ignored.set(`${reason}\u0000${text}`, { text, reason });
  }

  private addPhrase(text: string, negated: boolean, source: string): void {
    this.budget--;
    const words = splitWords(text).words.map((word) => word.text);
    const [first] = words;
    if (first === undefined) {
      this.ignore(source, text.trim() === '' ? 'empty_phrase' : 'no_searchable_text');
    } else if (words.length === 1) {
      this.addTerm({ kind: 'word', text: first, negated, prefix: false }, source);
    } else this.addTerm({ kind: 'phrase', words, negated }, source);
  }

  private addBare(text: string, negated: boolean, source: string): void {
    const colon = text.indexOf(':');
    if (colon > 0) {
      const operator = text.slice(0, colon).toLowerCase();
      if (OPERATORS.has(operator)) {
        this.budget--;
        if (negated) this.ignore(source, 'negated_operator');
        else {
          const problem = this.addOperator(operator, text.slice(colon + 1));
          if (problem) this.ignore(source, problem);
        }
        return;
      }
      // Searched as words either way; the user is told only when it looks like a mistyped
      // operator (`frm:ada`), not for a link (`https://…`), a time (`10:30`) or `Note:`.
      const value = text.slice(colon + 1);
      if (OPERATOR_NAME.test(operator) && value !== '' && !value.startsWith('/')) {
        this.ignore(source, 'unknown_operator');
      }
    }
    const { words, strayStar } = splitWords(text);
    if (strayStar) this.ignore('*', 'stray_star');
    if (words.length === 0) {
      this.budget--;
      if (!strayStar || text.replaceAll('*', '') !== '') this.ignore(source, 'no_searchable_text');
      return;
    }
    for (const [index, word] of words.entries()) {
      if (this.budget <= 0) {
        this.overflow.push(
          words
            .slice(index)
            .map((rest) => rest.text + (rest.prefix ? '*' : ''))
            .join(' '),
        );
        return;
      }
      this.budget--;
      const term: TextTerm = { kind: 'word', text: word.text, negated, prefix: word.prefix };
      this.addTerm(term, words.length === 1 ? source : describeTerm(term));
    }
  }

  private addTerm(term: TextTerm, source: string): void {
    const same = this.terms.some((existing) => sameTerm(existing, term));
    if (same) this.ignore(source, 'duplicate');
    else this.terms.push(term);
  }

  /** Applies one operator; returns why it was not used, if it was not. */
  private addOperator(operator: string, rawValue: string): IgnoredReason | undefined {
    const value = rawValue.toLowerCase();
    if (value === '') return 'empty_value';
    switch (operator) {
      case 'in':
        return this.addPlace(value);
      case 'from':
        return this.addAuthor(value);
      case 'has':
        if (!HAS_VALUES.has(value)) return 'invalid_value';
        if (this.has.includes(value as HasFilter)) return 'duplicate';
        this.has.push(value as HasFilter);
        return undefined;
      case 'is':
        if (value !== 'thread') return 'invalid_value';
        if (this.isThread) return 'duplicate';
        this.isThread = true;
        return undefined;
      case 'sort':
        if (!SORT_VALUES.has(value)) return 'invalid_value';
        if (this.sort !== undefined) {
          return this.sort === value ? 'duplicate' : 'conflict';
        }
        this.sort = value as SortOrder;
        return undefined;
    }
    return this.addDate(operator as DateOperator, value);
  }

  private addPlace(value: string): IgnoredReason | undefined {
    const sigil = value.charAt(0);
    const name = parseName(sigil === '#' || sigil === '@' ? value.slice(1) : value);
    if (name === undefined) return 'invalid_value';
    const place: Place =
      sigil === '@' ? { kind: 'dm', personHandle: name } : { kind: 'channel', channelName: name };
    const same = this.places.some((existing) => JSON.stringify(existing) === JSON.stringify(place));
    if (same) return 'duplicate';
    this.places.push(place);
    return undefined;
  }

  private addAuthor(value: string): IgnoredReason | undefined {
    const handle = parseName(value.startsWith('@') ? value.slice(1) : value);
    if (handle === undefined) return 'invalid_value';
    const author: Author =
      handle === 'me' ? { kind: 'me' } : { kind: 'person', personHandle: handle };
    const same = this.authors.some(
      (existing) => JSON.stringify(existing) === JSON.stringify(author),
    );
    if (same) return 'duplicate';
    this.authors.push(author);
    return undefined;
  }

  private addDate(operator: DateOperator, value: string): IgnoredReason | undefined {
    const period = resolvePeriod(
      value,
      this.resolveTimeZone(),
      this.options.now?.getTime() ?? Date.now(),
    );
    if (period === undefined) return 'invalid_date';
    // `on:` and `during:` both name the period itself: one of them at most.
    const slot = (op: DateOperator) => (op === 'during' ? 'on' : op);
    const taken = this.dates.find((date) => slot(date.operator) === slot(operator));
    if (taken) {
      const same = taken.operator === operator && taken.value === value;
      return same ? 'duplicate' : 'conflict';
    }
    let from = this.sentFrom;
    let to = this.sentTo;
    const start = Date.parse(period.from);
    const end = Date.parse(period.to);
    if (operator === 'after' || operator === 'on' || operator === 'during') {
      const lower = operator === 'after' ? end : start;
      from = from === undefined ? lower : Math.max(from, lower);
    }
    if (operator === 'before' || operator === 'on' || operator === 'during') {
      const upper = operator === 'before' ? start : end;
      to = to === undefined ? upper : Math.min(to, upper);
    }
    // A filter that would leave no instant at all contradicts an earlier one.
    if (from !== undefined && to !== undefined && from >= to) return 'conflict';
    this.sentFrom = from;
    this.sentTo = to;
    this.dates.push({ operator, value, period });
    return undefined;
  }

  private resolveTimeZone(): string {
    if (this.timeZone === undefined) {
      this.timeZone = this.options.timeZone;
      if (!isKnownTimeZone(this.timeZone)) {
        this.ignore(this.timeZone.slice(0, 64), 'unknown_time_zone');
        this.timeZone = 'UTC';
      }
    }
    return this.timeZone;
  }
}

function sameTerm(a: TextTerm, b: TextTerm): boolean {
  if (a.kind === 'word' && b.kind === 'word') {
    return a.text === b.text && a.negated === b.negated && a.prefix === b.prefix;
  }
  if (a.kind === 'phrase' && b.kind === 'phrase') {
    return a.negated === b.negated && a.words.join(' ') === b.words.join(' ');
  }
  return false;
}
