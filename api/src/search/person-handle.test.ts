import { describe, expect, it } from 'vitest';
import { handleMatches, handleRegex, personHandle } from './person-handle';

describe('personHandle', () => {
  it.each([
    ['Ada Lovelace', 'ada.lovelace'],
    ['José María', 'josé.maría'],
    ['Jose\u0301 Mari\u0301a', 'josé.maría'],
    ['J. R. R. Tolkien', 'j.r.r.tolkien'],
    ["Pat O'Brien", 'pat.o.brien'],
    ['D’Angelo', 'd.angelo'],
    ['  (Ada)   Lovelace!! ', 'ada.lovelace'],
    ['Mary-Jane Watson_2', 'mary-jane.watson_2'],
    ['İlker Şahin', 'ilker.şahin'],
    ['山田 太郎', '山田.太郎'],
    ['ΟΔΥΣΣΕΑΣ', 'οδυσσεας'],
    ['Ada 🚀 Lovelace', 'ada.lovelace'],
    ['🚀🚀', ''],
    ['', ''],
  ])('%j -> %j', (name, handle) => {
    expect(personHandle(name)).toBe(handle);
  });

  it('makes handles the query language accepts as a from:/in: value', () => {
    const valueChars = /^[\p{L}\p{N}\p{M}._-]*$/u;
    for (const name of ['A\u202eB', 'x\u0000y', '<script>', "a'b’c", 'x%_\\y', 'ﷺ ‎עברית']) {
      expect(personHandle(name)).toMatch(valueChars);
    }
  });
});

describe('handleMatches', () => {
  it('matches the whole handle or its first parts, never a longer word', () => {
    expect(handleMatches('ada.lovelace', 'ada.lovelace')).toBe(true);
    expect(handleMatches('ada.lovelace', 'ada')).toBe(true);
    expect(handleMatches('j.r.r.tolkien', 'j.r')).toBe(true);
    expect(handleMatches('adam.admin', 'ada')).toBe(false);
    expect(handleMatches('ada-marie.x', 'ada')).toBe(false);
    expect(handleMatches('ada.lovelace', 'lovelace')).toBe(false);
    expect(handleMatches('ada.lovelace', 'ada.love')).toBe(false);
    expect(handleMatches('', '')).toBe(false);
  });
});

describe('handleRegex', () => {
  it('joins the parts with separator runs and anchors the start', () => {
    expect(handleRegex('ada.lovelace')).toBe(
      '^[^[:alnum:]]*ada[^[:alnum:]]+lovelace([^[:alnum:]]|$)',
    );
    expect(handleRegex('mary-jane', { prefix: true })).toBe('^[^[:alnum:]]*mary\\-jane');
  });

  it('accepts names stored composed or decomposed', () => {
    expect(handleRegex('zoë')).toBe('^[^[:alnum:]]*zo(?:ë|e\u0308)([^[:alnum:]]|$)');
  });

  it('refuses what no handle can be', () => {
    expect(handleRegex('a..b')).toBeNull();
    expect(handleRegex('.a')).toBeNull();
    expect(handleRegex('a*b')).toBeNull();
    expect(handleRegex("o'brien")).toBeNull();
  });
});
