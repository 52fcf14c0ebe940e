import { describe, expect, it } from 'vitest';
import { complete, completionAt } from './operators';

const inserts = (text: string, caret = text.length) => {
  const found = completionAt(text, caret);
  return found?.kind === 'operator' ? found.options.map((option) => option.insert) : found;
};

describe('operator completion', () => {
  it('offers the operators that start with the word being typed', () => {
    expect(inserts('report h')).toEqual(['has:file', 'has:link', 'has:reaction']);
    expect(inserts('i')).toEqual(['in:#', 'in:@', 'is:thread']);
    expect(inserts('has:l')).toEqual(['has:link']);
    expect(inserts('ON:')).toEqual(['on:today', 'on:yesterday']);
  });

  it('offers nothing for plain words, a finished operator, a space or inside a phrase', () => {
    expect(completionAt('report', 6)).toBeNull();
    expect(completionAt('has:file', 8)).toBeNull();
    expect(completionAt('has ', 4)).toBeNull();
    expect(completionAt('', 0)).toBeNull();
    expect(completionAt('"quarterly h', 12)).toBeNull();
    expect(inserts('"a phrase" h')).toEqual(['has:file', 'has:link', 'has:reaction']);
  });

  it('asks for channels after in:# and people after in:@ and from:@, with the prefix typed', () => {
    expect(completionAt('budget in:#ge', 13)).toEqual({
      kind: 'channel',
      start: 7,
      operator: 'in',
      prefix: 'ge',
    });
    expect(completionAt('from:@', 6)).toEqual({
      kind: 'person',
      start: 0,
      operator: 'from',
      prefix: '',
    });
    expect(completionAt('in:@ada.l', 9)).toMatchObject({ kind: 'person', prefix: 'ada.l' });
    expect(completionAt('from:#general', 13)).toBeNull();
  });

  it('completes at the caret, not at the end of the text', () => {
    expect(completionAt('x h report', 3)).toMatchObject({ kind: 'operator', start: 2 });
    expect(completionAt('x h report', 10)).toBeNull();
  });

  it('replaces the word, adds a space after a finished operator and none after an open one', () => {
    expect(complete('report h', 7, 8, 'has:file')).toEqual({ text: 'report has:file ', caret: 16 });
    expect(complete('i report', 0, 1, 'in:#')).toEqual({ text: 'in:# report', caret: 4 });
    expect(complete('in:#ge report', 0, 6, 'in:#general')).toEqual({
      text: 'in:#general report',
      caret: 12,
    });
  });

  it('survives hostile text', () => {
    const long = `${'a*'.repeat(5_000)} in:#${'x'.repeat(10_000)}`;
    expect(completionAt(long, long.length)).toBeNull();
    expect(completionAt('\u0000from:@\u0000', 8)).toBeNull();
  });
});
