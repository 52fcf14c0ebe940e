import { useState } from 'react';
import { readTheme, saveTheme, THEME_CHOICES, type ThemeChoice } from './theme';

const LABELS: Record<ThemeChoice, string> = { light: 'Light', dark: 'Dark', system: 'System' };

/** Light, dark or the system's: a group of three pressed-or-not buttons, kept per device. */
export function ThemeChoices() {
  const [choice, setChoice] = useState(readTheme);
  return (
    <fieldset className="theme-choices">
      <legend>Theme</legend>
      {THEME_CHOICES.map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={choice === option}
          onClick={() => {
            saveTheme(option);
            setChoice(option);
          }}
        >
          {LABELS[option]}
        </button>
      ))}
    </fieldset>
  );
}
