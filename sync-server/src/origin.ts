/**
 * Browsers send Origin on every WebSocket handshake and cannot forge it, so checking it stops
 * other sites from opening sockets with a user's cookie (cross-site WebSocket hijacking).
 * A request without Origin comes from a non-browser client, which carries a ticket instead.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  return allowed.includes(origin);
}
