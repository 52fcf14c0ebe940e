/**
 * What the search box offers while one types: the query language's operators, and after `in:#`,
 * `in:@` or `from:@` the channels or people the suggest route knows. Pure, so it is tested alone.
 */

/** An operator as the box offers it: `insert` replaces the word being typed. */
export interface OperatorOption {
  insert: string;
  hint: string;
}

export const OPERATORS: readonly OperatorOption[] = [
  { insert: 'in:#', hint: 'in a channel' },
  { insert: 'in:@', hint: 'in your direct messages with someone' },
  { insert: 'from:@', hint: 'sent by someone' },
  { insert: 'from:me', hint: 'sent by you' },
  { insert: 'has:file', hint: 'with a file' },
  { insert: 'has:link', hint: 'with a link' },
  { insert: 'has:reaction', hint: 'with a reaction' },
  { insert: 'is:thread', hint: 'part of a thread' },
  { insert: 'before:', hint: 'before a date (2026-11-30, yesterday)' },
  { insert: 'after:', hint: 'after a date' },
  { insert: 'on:', hint: 'on a day' },
  { insert: 'on:today', hint: 'today' },
  { insert: 'on:yesterday', hint: 'yesterday' },
  { insert: 'during:', hint: 'in a month or year (2026-11, 2026)' },
  { insert: 'during:week', hint: 'this week' },
  { insert: 'during:month', hint: 'this month' },
  { insert: 'during:year', hint: 'this year' },
];

/** The word before the caret and what completing it would ask for. */
export type Completion =
  | { kind: 'operator'; start: number; options: OperatorOption[] }
  /** After `in:#` (channel), `in:@` or `from:@` (person): names from the suggest route. */
  | { kind: 'channel' | 'person'; start: number; operator: 'in' | 'from'; prefix: string };

/** Names are offered up to this length of prefix; longer is not a name being typed. */
const MAX_PREFIX = 80;

/**
 * What the word ending at `caret` could become, or null (a plain word, a space before the caret,
 * or inside a quoted phrase, where operators do not count).
 */
export function completionAt(text: string, caret: number): Completion | null {
  const before = text.slice(0, caret);
  const start = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\t')) + 1;
  const word = before.slice(start);
  if (!word) return null;
  // An odd number of quotes before the word: it is inside a phrase.
  if ((before.slice(0, start).match(/"/g)?.length ?? 0) % 2 === 1) return null;
  const named = /^(in|from):([#@])(.*)$/iu.exec(word);
  if (named) {
    const operator = (named[1] ?? '').toLowerCase() as 'in' | 'from';
    const sigil = named[2];
    const prefix = named[3] ?? '';
    if (prefix.length > MAX_PREFIX || (operator === 'from' && sigil === '#')) return null;
    return { kind: sigil === '#' ? 'channel' : 'person', start, operator, prefix };
  }
  const lower = word.toLowerCase();
  const options = OPERATORS.filter(
    (option) => option.insert.startsWith(lower) && option.insert !== lower,
  );
  return options.length ? { kind: 'operator', start, options } : null;
}

/**
 * The text with the word at `[start, caret)` replaced by `insert`, and where the caret goes: a
 * finished operator gets a space after it, one still waiting for its value (`in:#`) does not.
 */
export function complete(
  text: string,
  start: number,
  caret: number,
  insert: string,
): { text: string; caret: number } {
  const head = text.slice(0, start) + insert;
  const after = text.slice(caret);
  if (/[:#@]$/.test(insert)) return { text: head + after, caret: head.length };
  const rest = after.startsWith(' ') ? after : ` ${after}`;
  return { text: head + rest, caret: head.length + 1 };
}
