import { describe, expect, it } from 'vitest';
import { badgeText, titleFor, waitingCount } from './badge';

describe('the tab badge count', () => {
  it('adds unread mentions over all channels and unread notifications that are not mentions', () => {
    const channels = [{ mentionCount: 2 }, { mentionCount: 0 }, { mentionCount: 1 }];
    const notifications = [
      { reason: 'mention', read: false },
      { reason: 'channel_mention', read: false },
      { reason: 'direct_message', read: false },
      { reason: 'keyword', read: false },
      { reason: 'thread_reply', read: true },
      { reason: 'here_mention', read: false },
    ];
    // 3 mentions; the mention and @channel notifications are those mentions, not two more.
    expect(waitingCount(channels, notifications)).toBe(3 + 3);
  });

  it('is zero with nothing waiting, and ignores a negative count from a confused answer', () => {
    expect(waitingCount([], [])).toBe(0);
    expect(waitingCount([{ mentionCount: -4 }], [])).toBe(0);
  });

  it('titles the tab "(N) Confab", capped at 99+', () => {
    expect(titleFor(0)).toBe('Confab');
    expect(titleFor(1)).toBe('(1) Confab');
    expect(titleFor(99)).toBe('(99) Confab');
    expect(titleFor(100)).toBe('(99+) Confab');
    expect(badgeText(12_345)).toBe('99+');
  });
});
