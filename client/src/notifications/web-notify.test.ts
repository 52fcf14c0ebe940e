import { describe, expect, it } from 'vitest';
import type { InboxEntry } from './inbox-data';
import { keywordProblem } from './NotificationSettings';
import {
  shouldOfferPermission,
  shouldShowWebNotification,
  webNotificationBody,
  webNotificationTitle,
} from './web-notify';

const entry = (over: Partial<InboxEntry> = {}): InboxEntry => ({
  id: '1',
  channelId: 'c',
  channelName: 'launch',
  channelKind: 'public',
  messageId: '01J00000000000000000000000',
  parentId: null,
  authorId: 'a',
  authorName: 'Ada',
  reason: 'mention',
  excerpt: '@Bob ship it',
  createdAt: '2026-11-30T10:00:00.000Z',
  read: false,
  ...over,
});

describe('Web Notifications', () => {
  it('shows one only while the tab is hidden and the permission granted', () => {
    expect(shouldShowWebNotification({ hidden: true, permission: 'granted' })).toBe(true);
    expect(shouldShowWebNotification({ hidden: false, permission: 'granted' })).toBe(false);
    for (const permission of ['default', 'denied', 'unsupported'] as const)
      expect(shouldShowWebNotification({ hidden: true, permission })).toBe(false);
  });

  it('offers the permission only after the user did something, never after "denied" or "Not now"', () => {
    expect(shouldOfferPermission({ permission: 'default', dismissed: false, engaged: false })).toBe(
      false,
    );
    expect(shouldOfferPermission({ permission: 'default', dismissed: false, engaged: true })).toBe(
      true,
    );
    expect(shouldOfferPermission({ permission: 'default', dismissed: true, engaged: true })).toBe(
      false,
    );
    for (const permission of ['granted', 'denied', 'unsupported'] as const)
      expect(shouldOfferPermission({ permission, dismissed: false, engaged: true })).toBe(false);
  });

  it('says who, where and why, with the excerpt as the body', () => {
    expect(webNotificationTitle(entry())).toBe('Ada in # launch · Mentioned you');
    expect(
      webNotificationTitle(
        entry({ channelKind: 'dm', channelName: null, reason: 'direct_message' }),
      ),
    ).toBe('Ada · Direct message');
    expect(webNotificationTitle(entry({ authorName: null, reason: 'thread_reply' }))).toBe(
      'Someone in # launch · Thread reply',
    );
    expect(webNotificationBody(entry())).toBe('@Bob ship it');
    expect(webNotificationBody(entry({ excerpt: '' }))).toBe('This message was deleted.');
  });
});

describe('keywords', () => {
  it('refuses what the server would, before saving', () => {
    expect(keywordProblem('  launch ', [])).toBeNull();
    expect(keywordProblem('a', [])).toMatch(/at least 2/);
    expect(keywordProblem('x'.repeat(41), [])).toMatch(/at most 40/);
    expect(keywordProblem('two\nlines', [])).toMatch(/one line/);
    expect(keywordProblem('nul\u0000', [])).toMatch(/one line/);
    expect(keywordProblem('LAUNCH', ['launch'])).toMatch(/already/);
    expect(
      keywordProblem(
        'new',
        Array.from({ length: 25 }, (_, i) => `k${i}`),
      ),
    ).toMatch(/25/);
  });
});
