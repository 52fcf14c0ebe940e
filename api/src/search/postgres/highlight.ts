import type { Highlighted } from '../engine';

/** Marks put around matches by ts_headline; stripped from the text before it goes in. */
export const START_MARK = '\uE000';
export const STOP_MARK = '\uE001';

/** Texts up to this long are shown whole; longer ones as a window around the first match. */
export const WHOLE_TEXT_MAX = 300;
const ELLIPSIS = '…';

/** `<@uuid>` mentions and `<!channel>`/`<!here>`: rendered by the client, never marked inside. */
const MENTION = /<[@!][^<>\s]{1,64}>/g;

/** Text with START_MARK/STOP_MARK pairs to text and ranges (UTF-16 offsets). */
export function parseMarked(marked: string): Highlighted {
  let text = '';
  const ranges: Array<[number, number]> = [];
  let start = -1;
  for (const char of marked) {
    if (char === START_MARK) start = text.length;
    else if (char === STOP_MARK) {
      if (start >= 0 && text.length > start) ranges.push([start, text.length]);
      start = -1;
    } else text += char;
  }
  return { text, ranges };
}

/** Every case-insensitive occurrence of `needles` (CJK terms) in `text`. */
export function substringRanges(text: string, needles: readonly string[]): Array<[number, number]> {
  const lower = text.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (const needle of needles) {
    if (!needle || lower.length !== text.length) continue;
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
      ranges.push([at, at + needle.length]);
    }
  }
  return ranges;
}

/** Sorted, merged ranges, without those that touch a mention. */
export function cleanRanges(
  text: string,
  ranges: Array<[number, number]>,
): Array<[number, number]> {
  const mentions = [...text.matchAll(MENTION)].map((match): [number, number] => [
    match.index,
    match.index + match[0].length,
  ]);
  const kept = ranges
    .filter(([start, end]) => !mentions.some(([from, to]) => start < to && end > from))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const range of kept) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * A snippet of `full` (the cleaned original text) from the marked text Postgres returned for it
 * (whole text or one ts_headline fragment) plus substring matches: whole when short, else the
 * fragment, or a window around the first substring match, with an ellipsis where it was cut.
 */
export function buildSnippet(
  full: string,
  marked: string,
  substrings: readonly string[],
): Highlighted {
  const parsed = parseMarked(marked);
  if (full.length <= WHOLE_TEXT_MAX) {
    return {
      text: full,
      ranges: cleanRanges(full, [...parsed.ranges, ...substringRanges(full, substrings)]),
    };
  }
  if (parsed.ranges.length > 0 && parsed.text.length <= WHOLE_TEXT_MAX * 2) {
    return withEllipses(full, parsed.text, parsed.ranges, substrings);
  }
  const first = substringRanges(full, substrings).sort((a, b) => a[0] - b[0])[0];
  const from = first ? Math.max(0, first[0] - WHOLE_TEXT_MAX / 3) : 0;
  const window = cutSafely(full, from, from + WHOLE_TEXT_MAX);
  return withEllipses(full, window, [], substrings);
}

function withEllipses(
  full: string,
  window: string,
  ranges: Array<[number, number]>,
  substrings: readonly string[],
): Highlighted {
  const at = full.indexOf(window);
  const before = at > 0 ? ELLIPSIS : '';
  const after = at < 0 || at + window.length < full.length ? ELLIPSIS : '';
  const text = `${before}${window}${after}`;
  const shifted = ranges.map(([start, end]): [number, number] => [
    start + before.length,
    end + before.length,
  ]);
  return { text, ranges: cleanRanges(text, [...shifted, ...substringRanges(text, substrings)]) };
}

/** `text.slice(from, to)` without splitting a surrogate pair at either end. */
function cutSafely(text: string, from: number, to: number): string {
  const isLow = (index: number) => {
    const code = text.charCodeAt(index);
    return code >= 0xdc00 && code <= 0xdfff;
  };
  const start = from > 0 && isLow(from) ? from + 1 : from;
  const end = to < text.length && isLow(to) ? to + 1 : to;
  return text.slice(start, end);
}

/** Trigram similarity above which a word of a fuzzy hit is marked (pg_trgm's default is 0.3). */
const SIMILAR_WORD_MIN = 0.45;

/** pg_trgm's trigrams of one word: lower-case, two spaces before and one after. */
function trigrams(word: string): Set<string> {
  const chars = [' ', ' ', ...word.toLowerCase(), ' '];
  const found = new Set<string>();
  for (let at = 0; at + 3 <= chars.length; at++) found.add(chars.slice(at, at + 3).join(''));
  return found;
}

function similarity(a: Set<string>, b: Set<string>): number {
  let common = 0;
  for (const trigram of a) if (b.has(trigram)) common++;
  return common / (a.size + b.size - common);
}

/**
 * The distinct words of `text` that are similar to one of `words` (a fuzzy hit's query words),
 * as pg_trgm compares them: what a fuzzy hit's snippet marks, since ts_headline has no lexeme
 * to mark there.
 */
export function similarWords(text: string, words: readonly string[]): string[] {
  const wanted = words.map(trigrams);
  const found = new Set<string>();
  for (const [token] of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const own = trigrams(token);
    if (wanted.some((word) => similarity(word, own) >= SIMILAR_WORD_MIN)) {
      found.add(token.toLowerCase());
    }
  }
  return [...found];
}
