/**
 * HTTP statuses the sync endpoint answers an upgrade with, before any WebSocket exists, and the
 * WebSocket close codes it uses afterwards. Documented in sync-server/README.md; clients branch on them.
 */
export const UpgradeStatus = {
  badRequest: 400,
  unauthenticated: 401,
  forbiddenOrigin: 403,
  notFound: 404,
  unavailable: 503,
} as const;

export const CloseCode = {
  /** The server is shutting down; reconnect (to another node) after a short backoff. */
  goingAway: 1001,
} as const;
