/**
 * Plain words for what a search answer reports about the query: the total, what was ignored,
 * names that matched nothing, filters a tab does not use. Pure, so they are tested alone.
 */

import type { SearchAnswer } from './search-api';

type Reason = SearchAnswer['unused'][number]['reason'];

const REASONS: Record<Reason, string> = {
  too_long: 'the search is too long; the rest was cut',
  too_many_terms: 'too many words; the rest was left out',
  control_characters: 'control characters were removed',
  unbalanced_quote: 'a quote was not closed; searched as words',
  empty_phrase: 'an empty phrase',
  lone_minus: 'a minus sign with nothing after it',
  stray_star: 'a star without a word before it',
  no_searchable_text: 'too common to search for',
  unknown_operator: 'not an operator',
  negated_operator: 'operators cannot be excluded with -',
  empty_value: 'the operator has no value',
  invalid_value: 'not a value this operator takes',
  invalid_date: 'not a date (2026-11-30, 2026-11, 2026, today, yesterday, week, month, year)',
  duplicate: 'given twice',
  conflict: 'contradicts another part of the search',
  unknown_time_zone: 'your time zone is unknown here; dates are in UTC',
  not_for_this_tab: 'does not apply to this tab',
};

/** Why a part of the query was not used, as a sentence end. */
export function reasonText(reason: string): string {
  // A reason of a newer server is not one of ours; nor is anything an object inherits.
  return Object.hasOwn(REASONS, reason) ? REASONS[reason as Reason] : 'not understood';
}

/** "No results", "1 result", "1,234 results", "1,000+ results". */
export function totalText(total: number, capped: boolean): string {
  if (capped) return `${total.toLocaleString('en-US')}+ results`;
  if (total === 0) return 'No results';
  return `${total.toLocaleString('en-US')} ${total === 1 ? 'result' : 'results'}`;
}

/** A name the server could not resolve, said plainly: "in:#nope matched no channel you can read". */
export function unresolvedText(text: string): string {
  if (text.startsWith('in:#')) return `${text} matched no channel you can read`;
  if (text.startsWith('in:@')) return `${text} matched no one you have a conversation with`;
  return `${text} matched no one in this workspace`;
}
