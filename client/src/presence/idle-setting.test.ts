// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_IDLE_MS } from './idle';
import { readIdleMs, saveIdleMs } from './idle-setting';
import { PresenceLink } from './presence-link';

describe('the away-after setting', () => {
  beforeEach(() => localStorage.clear());

  it('reads back what was saved, and the default for nothing or anything else', () => {
    expect(readIdleMs()).toBe(DEFAULT_IDLE_MS);
    saveIdleMs(30 * 60_000);
    expect(readIdleMs()).toBe(30 * 60_000);
    for (const bad of ['0', '-5', '7', '1e9', 'soon', '']) {
      localStorage.setItem('confab.away-after-minutes', bad);
      expect(readIdleMs()).toBe(DEFAULT_IDLE_MS);
    }
  });
});

describe('changing the idle time', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts the new time from the change', () => {
    const link = new PresenceLink({ onStatuses: () => {}, idleMs: 60_000 });
    link.start();
    vi.advanceTimersByTime(50_000);
    link.setIdleMs(5 * 60_000);
    vi.advanceTimersByTime(60_000);
    expect(link.state).toBe('active');
    vi.advanceTimersByTime(4 * 60_000);
    expect(link.state).toBe('away');
    link.stop();
  });
});
