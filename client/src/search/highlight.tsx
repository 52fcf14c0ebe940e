import type { ReactNode } from 'react';

/** Text with matches marked by UTF-16 offsets `[start, end)`, as the search API answers it. */
export interface Highlighted {
  text: string;
  ranges: ReadonlyArray<readonly [number, number]>;
}

/** A piece of a snippet: plain or marked text, or a mention shown by name (never marked). */
export type Piece =
  | { kind: 'text'; text: string; marked: boolean }
  | { kind: 'mention'; userId: string }
  | { kind: 'everyone'; which: 'channel' | 'here' };

const MENTION = /<@([0-9a-f-]{36})>|<!(channel|here)>/g;

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The ranges made safe to use whatever the server sent: inside the text, not empty, sorted,
 * merged when they overlap, and never splitting a surrogate pair (an emoji stays whole).
 */
export function cleanRanges(text: string, ranges: Highlighted['ranges']): Array<[number, number]> {
  const snap = (at: number) => {
    const inside = Math.min(Math.max(Math.trunc(at), 0), text.length);
    return inside > 0 && inside < text.length && isLowSurrogate(text.charCodeAt(inside))
      ? inside - 1
      : inside;
  };
  const sorted = ranges
    .filter((range) => Number.isFinite(range[0]) && Number.isFinite(range[1]))
    .map(([start, end]): [number, number] => [snap(start), snap(end)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const range of sorted) {
    const last = out.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else out.push(range);
  }
  return out;
}

/**
 * The snippet as pieces to render: mentions (`<@id>`, `<!channel>`) become their own pieces, so
 * they show as names like in the message list and a mark never lands inside one; the text
 * between them is cut at the marked ranges.
 */
export function highlightPieces(snippet: Highlighted): Piece[] {
  const { text } = snippet;
  const ranges = cleanRanges(text, snippet.ranges);
  const pieces: Piece[] = [];
  const plain = (from: number, to: number) => {
    let at = from;
    for (const [start, end] of ranges) {
      if (end <= at || start >= to) continue;
      if (start > at) pieces.push({ kind: 'text', text: text.slice(at, start), marked: false });
      const stop = Math.min(end, to);
      pieces.push({ kind: 'text', text: text.slice(Math.max(start, at), stop), marked: true });
      at = stop;
    }
    if (to > at) pieces.push({ kind: 'text', text: text.slice(at, to), marked: false });
  };
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    plain(last, match.index);
    const [, userId, everyone] = match;
    if (userId !== undefined) pieces.push({ kind: 'mention', userId });
    else pieces.push({ kind: 'everyone', which: everyone === 'here' ? 'here' : 'channel' });
    last = match.index + match[0].length;
  }
  plain(last, text.length);
  return pieces;
}

/** A snippet as React elements (never HTML): `<mark>` for the matches, mentions by name. */
export function HighlightedText({
  value,
  names,
}: {
  value: Highlighted;
  names: ReadonlyMap<string, string>;
}): ReactNode {
  let offset = 0;
  return highlightPieces(value).map((piece) => {
    const key = offset++;
    if (piece.kind === 'mention')
      return (
        <span key={key} className="mention">
          @{names.get(piece.userId) ?? 'someone'}
        </span>
      );
    if (piece.kind === 'everyone')
      return (
        <span key={key} className="mention">
          @{piece.which}
        </span>
      );
    return piece.marked ? <mark key={key}>{piece.text}</mark> : piece.text;
  });
}
