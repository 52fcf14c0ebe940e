import { describe, expect, it } from 'vitest';
import { foldedRanges } from './fold-highlight';

describe('foldedRanges', () => {
  it('finds needles ignoring case and accents, with ranges into the text as written', () => {
    expect(foldedRanges('José María', ['jose', 'maria'])).toEqual([
      [0, 4],
      [5, 10],
    ]);
    expect(foldedRanges('ADA Lovelace, ada', ['ada'])).toEqual([
      [0, 3],
      [14, 17],
    ]);
  });

  it('keeps combining marks inside the range of a decomposed name', () => {
    expect(foldedRanges('Rene\u0301e', ['renee'])).toEqual([[0, 6]]);
    expect(foldedRanges('Jose\u0301 X', ['jose'])).toEqual([[0, 5]]);
  });

  it('never splits a surrogate pair and merges overlaps', () => {
    expect(foldedRanges('𝒜da 🚀 ada', ['ada', 'da'])).toEqual([
      [2, 4],
      [8, 11],
    ]);
    expect(foldedRanges('aaaa', ['aa', 'aaa'])).toEqual([[0, 4]]);
  });

  it('ignores empty needles', () => {
    expect(foldedRanges('abc', ['', '\u0301'])).toEqual([]);
  });
});
