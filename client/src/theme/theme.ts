/** Light, dark, or whatever the device's setting is. */
export type ThemeChoice = 'light' | 'dark' | 'system';

export const THEME_CHOICES: readonly ThemeChoice[] = ['light', 'dark', 'system'];

/**
 * Where the choice is kept on this device. Not under `confab.`: ending a session wipes those
 * keys, and a theme is the device's, nothing of a user. index.html reads the same key before
 * the first paint (its inline script), so a dark choice never flashes light.
 */
export const THEME_KEY = 'confab-theme';

const isChoice = (value: unknown): value is ThemeChoice =>
  typeof value === 'string' && (THEME_CHOICES as readonly string[]).includes(value);

/** The stored choice; anything else stored there (or no storage) means the system's. */
export function readTheme(storage: Pick<Storage, 'getItem'> = localStorage): ThemeChoice {
  try {
    const stored = storage.getItem(THEME_KEY);
    return isChoice(stored) ? stored : 'system';
  } catch {
    return 'system';
  }
}

/** Puts the choice on the page (`<html data-theme>`, which the style sheet's colours follow). */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement) {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

/** Remembers the choice on this device and applies it at once. */
export function saveTheme(choice: ThemeChoice, storage: Pick<Storage, 'setItem'> = localStorage) {
  if (!isChoice(choice)) throw new Error(`not a theme: ${String(choice)}`);
  try {
    storage.setItem(THEME_KEY, choice);
  } catch {
    // Storage refused (private mode, full): the choice still holds for this page.
  }
  applyTheme(choice);
}
