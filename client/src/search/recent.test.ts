// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { clearRecentSearches, RECENT_LIMIT, recentSearches, rememberSearch } from './recent';

describe('recent searches', () => {
  beforeEach(() => localStorage.clear());

  it('keeps the last ten, newest first, each once, per user', () => {
    for (let n = 0; n < 12; n++) rememberSearch('ada', `q${n}`);
    rememberSearch('ada', 'q5');
    expect(recentSearches('ada')).toEqual([
      'q5',
      'q11',
      'q10',
      'q9',
      'q8',
      'q7',
      'q6',
      'q4',
      'q3',
      'q2',
    ]);
    expect(recentSearches('ada')).toHaveLength(RECENT_LIMIT);
    expect(recentSearches('bob')).toEqual([]);
  });

  it('does not remember an empty query', () => {
    rememberSearch('ada', '   ');
    expect(recentSearches('ada')).toEqual([]);
  });

  it('clears, and lives under the confab. prefix that the session end wipes', () => {
    rememberSearch('ada', 'report from:@ada');
    expect(Object.keys(localStorage).every((name) => name.startsWith('confab.'))).toBe(true);
    clearRecentSearches('ada');
    expect(recentSearches('ada')).toEqual([]);
  });

  it('ignores a stored value it did not write', () => {
    localStorage.setItem('confab.search-recent:ada', '{not json');
    expect(recentSearches('ada')).toEqual([]);
    localStorage.setItem('confab.search-recent:ada', JSON.stringify({ a: 1 }));
    expect(recentSearches('ada')).toEqual([]);
    localStorage.setItem('confab.search-recent:ada', JSON.stringify(['ok', 3, null]));
    expect(recentSearches('ada')).toEqual(['ok']);
  });
});
