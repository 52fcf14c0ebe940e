/**
 * Recent searches, per user on this device: the canonical form the server answered
 * (`query.canonical`), newest first, at most ten. Under the `confab.` prefix, so the wipe at the
 * session's end removes them with everything else of the user.
 */
export const RECENT_LIMIT = 10;

const key = (userId: string) => `confab.search-recent:${userId}`;

export function recentSearches(userId: string): string[] {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(key(userId)) ?? '[]');
    return Array.isArray(saved)
      ? saved.filter((entry): entry is string => typeof entry === 'string').slice(0, RECENT_LIMIT)
      : [];
  } catch {
    // Written by something else, or cut short: start over rather than fail the search box.
    return [];
  }
}

/** Puts `canonical` first (once); an empty query is not remembered. */
export function rememberSearch(userId: string, canonical: string): string[] {
  const text = canonical.trim();
  if (!text) return recentSearches(userId);
  const next = [text, ...recentSearches(userId).filter((entry) => entry !== text)].slice(
    0,
    RECENT_LIMIT,
  );
  try {
    localStorage.setItem(key(userId), JSON.stringify(next));
  } catch {
    // A full storage: the list is a convenience, the search itself went through.
  }
  return next;
}

export function clearRecentSearches(userId: string): void {
  localStorage.removeItem(key(userId));
}
