import { describe, expect, it } from 'vitest';
import { isCleanLine, isCleanText, normalizeText, textProblem } from './text';

describe('text rules', () => {
  it('names what is wrong with NUL, controls and lone surrogates', () => {
    expect(textProblem('a\u0000b')).toMatch(/control/);
    expect(textProblem('\u009f')).toMatch(/control/);
    expect(textProblem('\udc00x')).toMatch(/surrogate/);
    expect(textProblem('x\ud800')).toMatch(/surrogate/);
    expect(textProblem('tab\tline\r\n👍')).toBeNull();
  });

  it('normalizes to the closest clean text and leaves clean text alone', () => {
    expect(normalizeText('a\u0000b\u001bc\ud83d')).toBe('abc\ufffd');
    expect(normalizeText('\udc00😀')).toBe('\ufffd😀');
    const clean = 'multi\nline\ttext 😀';
    expect(normalizeText(clean)).toBe(clean);
    for (const text of ['\u0000', '\ud800\ud800', 'a\u0085\u007f'])
      expect(isCleanText(normalizeText(text))).toBe(true);
  });

  it('takes a name on one line only', () => {
    expect(isCleanLine('General chat 😀')).toBe(true);
    for (const name of ['two\nlines', 'tab\t', 'nul\u0000', 'half\ud800'])
      expect(isCleanLine(name)).toBe(false);
  });
});
