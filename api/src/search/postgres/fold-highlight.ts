/**
 * Highlights for short directory texts (people's names): where each needle occurs, ignoring case
 * and accents, as UTF-16 ranges into the original text. Folding happens per code point with an
 * offset map, so "José" is found by "jose" and the range still covers "José" as written.
 */
export function foldedRanges(text: string, needles: readonly string[]): Array<[number, number]> {
  let folded = '';
  /** For each UTF-16 unit of `folded`, the offset in `text` of the code point it came from. */
  const origin: number[] = [];
  let offset = 0;
  for (const char of text) {
    const piece = fold(char);
    for (let unit = 0; unit < piece.length; unit++) origin.push(offset);
    folded += piece;
    offset += char.length;
  }
  origin.push(text.length);
  const ranges: Array<[number, number]> = [];
  for (const needle of needles) {
    const wanted = fold(needle);
    if (wanted === '') continue;
    for (
      let at = folded.indexOf(wanted);
      at >= 0;
      at = folded.indexOf(wanted, at + wanted.length)
    ) {
      const start = origin[at] ?? 0;
      const lastUnit = at + wanted.length - 1;
      const lastStart = origin[lastUnit] ?? text.length;
      ranges.push([start, endOfCluster(text, lastStart)]);
    }
  }
  return merge(ranges);
}

/** The end of the code point at `at` and of the combining marks after it (never split "e\u0301"). */
function endOfCluster(text: string, at: number): number {
  let end = at + ((text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1);
  while (end < text.length && MARK.test(String.fromCodePoint(text.codePointAt(end) ?? 0))) {
    end += (text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
  }
  return end;
}

const MARK = /^\p{M}$/u;

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}
