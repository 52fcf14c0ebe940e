// The theme chosen on this device (src/theme/theme.ts keeps it), applied before the first paint
// so that a dark choice never flashes light. A file, not an inline script: the page's CSP
// allows scripts from 'self' only. A block, so nothing leaks into the page's globals.
{
  let theme = null;
  try {
    theme = localStorage.getItem('confab-theme');
  } catch {
    // No storage (blocked): the system's scheme.
  }
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
}
