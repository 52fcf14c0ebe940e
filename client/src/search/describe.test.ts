import { describe, expect, it } from 'vitest';
import { reasonText, totalText, unresolvedText } from './describe';

describe('search answer wording', () => {
  it('says the total, with 1,000+ when capped', () => {
    expect(totalText(0, false)).toBe('No results');
    expect(totalText(1, false)).toBe('1 result');
    expect(totalText(999, false)).toBe('999 results');
    expect(totalText(1000, true)).toBe('1,000+ results');
  });

  it('says which names matched nothing', () => {
    expect(unresolvedText('in:#nope')).toBe('in:#nope matched no channel you can read');
    expect(unresolvedText('from:@zed')).toBe('from:@zed matched no one in this workspace');
    expect(unresolvedText('in:@zed')).toBe('in:@zed matched no one you have a conversation with');
  });

  it('explains every reason, and survives one it does not know', () => {
    expect(reasonText('unbalanced_quote')).toMatch(/quote/);
    expect(reasonText('not_for_this_tab')).toMatch(/tab/);
    expect(reasonText('something_new')).toBe('not understood');
    expect(reasonText('__proto__')).toBe('not understood');
  });
});
