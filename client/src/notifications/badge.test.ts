import { describe, expect, it } from 'vitest';
import { badgeText, titleFor, waitingCount } from './badge';

describe('the tab badge count', () => {
  it('adds unread mentions over all channels and unread notifications that are not mentions', () => {
    const channels = [
      { channelId: 'a', mentionCount: 2 },
      { channelId: 'b', mentionCount: 0 },
      { channelId: 'c', mentionCount: 1 },
    ];
    const notifications = [
      { channelId: 'a', channelKind: 'public', reason: 'mention', read: false },
      { channelId: 'c', channelKind: 'public', reason: 'channel_mention', read: false },
      { channelId: 'dm', channelKind: 'dm', reason: 'direct_message', read: false },
      { channelId: 'b', channelKind: 'public', reason: 'keyword', read: false },
      { channelId: 'b', channelKind: 'public', reason: 'thread_reply', read: true },
      { channelId: 'b', channelKind: 'public', reason: 'here_mention', read: false },
    ];
    // 3 mentions; the mention and @channel notifications are those mentions, not two more.
    expect(waitingCount(channels, notifications)).toBe(3 + 3);
  });

  it('counts a DM message that mentions me once: its notification says direct_message', () => {
    // Two unread DM messages, one of them with <@me>: one mention, two notifications.
    const channels = [{ channelId: 'dm', mentionCount: 1 }];
    const dm = { channelId: 'dm', channelKind: 'dm', reason: 'direct_message', read: false };
    expect(waitingCount(channels, [dm, { ...dm, channelKind: 'group_dm' }])).toBe(2);
    // Mentioned while muted (no notification recorded): the mention still counts.
    expect(waitingCount([{ channelId: 'dm', mentionCount: 2 }], [dm])).toBe(2);
  });

  it('is zero with nothing waiting, and ignores a negative count from a confused answer', () => {
    expect(waitingCount([], [])).toBe(0);
    expect(waitingCount([{ channelId: 'a', mentionCount: -4 }], [])).toBe(0);
  });

  it('titles the tab "(N) Confab", capped at 99+', () => {
    expect(titleFor(0)).toBe('Confab');
    expect(titleFor(1)).toBe('(1) Confab');
    expect(titleFor(99)).toBe('(99) Confab');
    expect(titleFor(100)).toBe('(99+) Confab');
    expect(badgeText(12_345)).toBe('99+');
  });
});
