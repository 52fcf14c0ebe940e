// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { applyTheme, readTheme, saveTheme, THEME_KEY } from './theme';

afterEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

describe('theme setting', () => {
  it('remembers light and dark on the device and puts them on <html>', () => {
    saveTheme('dark');
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(readTheme()).toBe('dark');
    saveTheme('light');
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('leaves <html> to the system scheme for "system"', () => {
    applyTheme('dark');
    saveTheme('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(readTheme()).toBe('system');
  });

  it('reads anything else stored, or a storage that throws, as the system choice', () => {
    for (const junk of ['', 'DARK', '"><script>', 'null']) {
      localStorage.setItem(THEME_KEY, junk);
      expect(readTheme()).toBe('system');
    }
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
    };
    expect(readTheme(throwing)).toBe('system');
  });

  it('refuses a value that is not a theme and changes nothing', () => {
    saveTheme('dark');
    expect(() => saveTheme('blue' as never)).toThrow('not a theme');
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
