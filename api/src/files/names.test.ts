import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, nameExtension, safeDisplayName } from './names';

describe('safeDisplayName', () => {
  it('keeps an ordinary name, spaces and unicode as they are (in NFC)', () => {
    expect(safeDisplayName('Q3 report – final.pdf')).toBe('Q3 report – final.pdf');
    expect(safeDisplayName('e\u0301te\u0301.txt')).toBe('\u00e9t\u00e9.txt');
    expect(safeDisplayName('日本語のファイル.png')).toBe('日本語のファイル.png');
  });

  it('keeps the extension, in its own case, when shortening a long name', () => {
    const name = safeDisplayName(`${'ü'.repeat(400)}.JPEG`) ?? '';
    expect([...name].length).toBe(MAX_NAME_LENGTH);
    expect(name.endsWith('ü.JPEG')).toBe(true);
  });

  it('cuts an absurd extension like the rest of the name', () => {
    const name = safeDisplayName(`a.${'x'.repeat(300)}`) ?? '';
    expect([...name].length).toBe(MAX_NAME_LENGTH);
    expect(name.startsWith('a.xxx')).toBe(true);
  });

  it('counts characters, not UTF-16 units, so no emoji is cut in half', () => {
    const name = safeDisplayName('\u{1F600}'.repeat(300)) ?? '';
    expect([...name].length).toBe(MAX_NAME_LENGTH);
    expect(name).toBe('\u{1F600}'.repeat(MAX_NAME_LENGTH));
  });

  it('answers null when nothing usable is left', () => {
    for (const raw of ['', '   ', '.', '..', 'a/', '\u0000', '\u202E\u2066'])
      expect(safeDisplayName(raw)).toBeNull();
  });
});

describe('nameExtension', () => {
  it('is the lower-cased last extension, and none for dotfiles', () => {
    expect(nameExtension('photo.final.PNG')).toBe('png');
    expect(nameExtension('.bashrc')).toBe('');
    expect(nameExtension('Makefile')).toBe('');
  });
});
