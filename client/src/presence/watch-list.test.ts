import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_WATCHED, WatchList } from './watch-list';

describe('the watch list', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const list = () => {
    const sent: string[][] = [];
    return { watch: new WatchList((ids) => sent.push(ids), 300), sent };
  };

  it('sends the union of what is on screen once per burst, after a pause', () => {
    const { watch, sent } = list();
    watch.add(['a', 'b']);
    watch.add(['b', 'c']);
    vi.advanceTimersByTime(299);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([['a', 'b', 'c']]);
  });

  it('keeps a user shown by two parts until both let go', () => {
    const { watch, sent } = list();
    const sidebar = watch.add(['a', 'b']);
    const channel = watch.add(['b']);
    vi.advanceTimersByTime(300);
    sidebar();
    vi.advanceTimersByTime(300);
    expect(sent.at(-1)).toEqual(['b']);
    channel();
    sidebar();
    vi.advanceTimersByTime(300);
    expect(sent.at(-1)).toEqual([]);
  });

  it('sends nothing when the list did not change, and everything again after forget', () => {
    const { watch, sent } = list();
    const release = watch.add(['a']);
    vi.advanceTimersByTime(300);
    release();
    watch.add(['a']);
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([['a']]);
    watch.forget();
    watch.flush();
    expect(sent).toEqual([['a'], ['a']]);
  });

  it(`sends at most ${MAX_WATCHED}, the first added kept`, () => {
    const { watch, sent } = list();
    watch.add(['first']);
    watch.add(Array.from({ length: 600 }, (_, i) => `user-${i}`));
    vi.advanceTimersByTime(300);
    expect(sent[0]).toHaveLength(MAX_WATCHED);
    expect(sent[0]?.[0]).toBe('first');
  });

  it('ignores duplicates within one part', () => {
    const { watch, sent } = list();
    const release = watch.add(['a', 'a', 'a']);
    release();
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([]);
  });
});
