import { type Place, parseRoute } from './place';

/**
 * The last channel each user had open on this device, so opening the app at `/` returns there.
 * Under the `confab.` keys, which ending a session wipes (auth/device-data.ts): nothing of a
 * user stays on a device after their session, so a new sign-in starts at #general.
 */
const key = (userId: string) => `confab.place:${userId}`;

export function rememberPlace(userId: string, place: Place): void {
  if (!place.channelId) return;
  try {
    localStorage.setItem(
      key(userId),
      JSON.stringify({ workspaceId: place.workspaceId, channelId: place.channelId }),
    );
  } catch {
    // Storage full or denied (private mode): the next sign-in opens #general instead.
  }
}

/** The remembered place, or null when there is none or it is not a place (tampered with). */
export function lastPlace(userId: string): Place | null {
  try {
    // Inside: reading throws where storage is blocked (a sandboxed frame, some private modes).
    const stored = localStorage.getItem(key(userId));
    if (stored === null) return null;
    const value: unknown = JSON.parse(stored);
    if (typeof value !== 'object' || value === null) return null;
    const { workspaceId, channelId } = value as Record<string, unknown>;
    if (typeof workspaceId !== 'string' || typeof channelId !== 'string') return null;
    // Read back through the URL parser, so only well-formed ids make a place.
    const route = parseRoute(`/w/${workspaceId}/c/${channelId}`, '');
    return route.kind === 'place' && route.place.channelId ? route.place : null;
  } catch {
    return null;
  }
}
