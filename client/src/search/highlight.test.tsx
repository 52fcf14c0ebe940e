import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { cleanRanges, HighlightedText, highlightPieces } from './highlight';

const ada = '0b6c1f9e-2a57-4c39-9d0a-6c1d2e3f4a5b';
const html = (text: string, ranges: Array<[number, number]>) =>
  renderToStaticMarkup(
    <HighlightedText value={{ text, ranges }} names={new Map([[ada, 'Ada Lovelace']])} />,
  );

describe('highlight rendering', () => {
  it('marks the ranges', () => {
    expect(html('the quarterly report is out', [[14, 20]])).toBe(
      'the quarterly <mark>report</mark> is out',
    );
    expect(
      html('report, report', [
        [0, 6],
        [8, 14],
      ]),
    ).toBe('<mark>report</mark>, <mark>report</mark>');
  });

  it('renders text, never HTML from the server', () => {
    expect(html('<img src=x onerror=alert(1)> report', [[29, 35]])).toBe(
      '&lt;img src=x onerror=alert(1)&gt; <mark>report</mark>',
    );
  });

  it('shows mentions by name and never marks inside one', () => {
    const text = `<@${ada}> sent the report <!here>`;
    expect(
      html(text, [
        [2, 10],
        [text.indexOf('report'), text.indexOf('report') + 6],
      ]),
    ).toBe(
      '<span class="mention">@Ada Lovelace</span> sent the <mark>report</mark> <span class="mention">@here</span>',
    );
    const unknown = '<@11111111-2222-3333-4444-555555555555> hi';
    expect(html(unknown, [])).toBe('<span class="mention">@someone</span> hi');
  });

  it('splits a range that spans a mention around it', () => {
    const text = `ab <@${ada}> cd`;
    expect(highlightPieces({ text, ranges: [[0, text.length]] })).toEqual([
      { kind: 'text', text: 'ab ', marked: true },
      { kind: 'mention', userId: ada },
      { kind: 'text', text: ' cd', marked: true },
    ]);
  });

  it('counts offsets in UTF-16 units and keeps emoji and CJK whole', () => {
    const text = '🎉 東京タワー report';
    expect(html(text, [[3, 8]])).toBe('🎉 <mark>東京タワー</mark> report');
    // A range cutting the emoji's surrogate pair is widened to the whole emoji.
    expect(html(text, [[1, 2]])).toBe('<mark>🎉</mark> 東京タワー report');
  });

  it('cleans ranges that are out of bounds, reversed, unsorted or overlapping', () => {
    expect(
      cleanRanges('abcdefgh', [
        [6, 99],
        [-5, 2],
        [1, 3],
        [5, 4],
        [Number.NaN, 3],
      ]),
    ).toEqual([
      [0, 3],
      [6, 8],
    ]);
    expect(html('short', [[10, 20]])).toBe('short');
  });
});
