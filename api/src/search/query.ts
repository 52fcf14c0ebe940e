/**
 * The typed search query: what `parseQuery` makes of a user's search string and what a search
 * engine compiles. Plain data only (JSON-safe, no classes, no Dates), so it can be logged, cached
 * and sent back in the API answer. Names stay names here; a resolver maps them to ids later,
 * inside the permission-checked query.
 */

/**
 * A piece of text to match. Word and phrase texts are lower-case, NFC-normalized and contain only
 * letters, digits, marks, emoji and the joiners `' ’ . - _ @` between them, so they never carry
 * query syntax (`&`, `|`, `!`, `:`, `<->`, quotes) into an engine. CJK runs are kept whole: the
 * engine matches them with trigrams instead of splitting them here.
 */
export type TextTerm =
  /** `word`, `-word`, `word*` (prefix: matches words that start with `text`). */
  | { kind: 'word'; text: string; negated: boolean; prefix: boolean }
  /** `"exact phrase"`, `-"exact phrase"`: the words in this order, adjacent. Two words or more. */
  | { kind: 'phrase'; words: string[]; negated: boolean };

/** `in:#general` (a channel, by name) or `in:@ada` (the direct conversation with that person). */
export type Place = { kind: 'channel'; channelName: string } | { kind: 'dm'; personHandle: string };

/** `from:@ada` or `from:me` (the searching user, whatever their handle). */
export type Author = { kind: 'person'; personHandle: string } | { kind: 'me' };

/** `has:file`, `has:link`, `has:reaction`. */
export type HasFilter = 'file' | 'link' | 'reaction';

export type DateOperator = 'before' | 'after' | 'on' | 'during';

/** A half-open range of UTC instants [from, to), as ISO 8601 strings. */
export interface InstantRange {
  from: string;
  to: string;
}

/**
 * One date operator as written (canonical lower-case `value`: `2026-11-30`, `2026-11`, `2026`,
 * `today`, `yesterday`, `week`, `month`, `year`) and the local period it named, resolved in the
 * user's time zone. `before:` means before that period starts, `after:` after it ends.
 */
export interface DateFilter {
  operator: DateOperator;
  value: string;
  period: InstantRange;
}

export type SortOrder = 'relevance' | 'date';

/** Why a piece of the query string was not used. Stable codes: the client may translate them. */
export type IgnoredReason =
  | 'too_long'
  | 'too_many_terms'
  | 'control_characters'
  | 'unbalanced_quote'
  | 'empty_phrase'
  | 'lone_minus'
  | 'stray_star'
  | 'no_searchable_text'
  | 'unknown_operator'
  | 'negated_operator'
  | 'empty_value'
  | 'invalid_value'
  | 'invalid_date'
  | 'duplicate'
  | 'conflict'
  | 'unknown_time_zone';

export interface Ignored {
  /** The part of the user's string that was ignored (or a short description of it). */
  text: string;
  reason: IgnoredReason;
}

export interface SearchQuery {
  /** All must match (negated ones must not), in the order written. */
  terms: TextTerm[];
  /** Any of these places (empty: everywhere the user may read). */
  in: Place[];
  /** Written by any of these authors (empty: anyone). */
  from: Author[];
  /** All of these must hold. */
  has: HasFilter[];
  /** `is:thread`: only messages that are part of a thread (a root with replies, or a reply). */
  isThread: boolean;
  /** The date operators that were used, in the order written. */
  dates: DateFilter[];
  /** The intersection of `dates`: the instants a message may be sent at. Absent: no bound. */
  sentAt: { from?: string; to?: string };
  sort: SortOrder;
  /** What was left out of the string, in the order met; shown to the user with the results. */
  ignored: Ignored[];
}

/**
 * The canonical form of a query, such that parsing it again gives the same query (without
 * `ignored`): used for "recent searches" and to compare queries. Terms come first in their
 * order, then the filters; relative dates stay relative (`on:yesterday`). `sort:` is printed only
 * when it is `date`: the form assumes relevance as the default, like `parseQuery` without options.
 */
export function describeQuery(query: SearchQuery): string {
  const parts: string[] = query.terms.map(describeTerm);
  for (const place of query.in) {
    parts.push(place.kind === 'channel' ? `in:#${place.channelName}` : `in:@${place.personHandle}`);
  }
  for (const author of query.from) {
    parts.push(author.kind === 'me' ? 'from:me' : `from:@${author.personHandle}`);
  }
  for (const has of query.has) parts.push(`has:${has}`);
  if (query.isThread) parts.push('is:thread');
  for (const date of query.dates) parts.push(`${date.operator}:${date.value}`);
  if (query.sort !== 'relevance') parts.push(`sort:${query.sort}`);
  return parts.join(' ');
}

/** One term as written in the canonical form: `word`, `-word`, `word*`, `"a phrase"`. */
export function describeTerm(term: TextTerm): string {
  const sign = term.negated ? '-' : '';
  if (term.kind === 'phrase') return `${sign}"${term.words.join(' ')}"`;
  return `${sign}${term.text}${term.prefix ? '*' : ''}`;
}
