import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleDetector, type ReportedState } from './idle';

describe('idle detection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const detector = (hidden = { value: false }, idleMs = 10 * 60_000) => {
    const changes: ReportedState[] = [];
    const idle = new IdleDetector({
      idleMs,
      hidden: () => hidden.value,
      onChange: (state) => changes.push(state),
    });
    return { idle, changes, hidden };
  };

  it('says away after 10 minutes without input, and active at the next input', () => {
    const { idle, changes } = detector();
    expect(idle.state).toBe('active');
    vi.advanceTimersByTime(10 * 60_000 - 1);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(changes).toEqual(['away']);
    idle.input();
    expect(changes).toEqual(['away', 'active']);
    idle.stop();
  });

  it('counts the idle time from the last input, not from the first', () => {
    const { idle, changes } = detector();
    vi.advanceTimersByTime(9 * 60_000);
    idle.input();
    vi.advanceTimersByTime(9 * 60_000);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(changes).toEqual(['away']);
    idle.stop();
  });

  it('says away while the tab is hidden whatever the input, and active when it shows', () => {
    const { idle, changes, hidden } = detector();
    hidden.value = true;
    idle.visibilityChanged();
    idle.input();
    expect(idle.state).toBe('away');
    hidden.value = false;
    idle.visibilityChanged();
    expect(changes).toEqual(['away', 'active']);
    idle.stop();
  });

  it('starts away in a tab opened hidden', () => {
    const { idle } = detector({ value: true });
    expect(idle.state).toBe('away');
    idle.stop();
  });

  it('takes a shorter idle time when configured', () => {
    const { idle, changes } = detector({ value: false }, 1_000);
    vi.advanceTimersByTime(1_000);
    expect(changes).toEqual(['away']);
    idle.stop();
  });
});
