/**
 * HTTP statuses the sync endpoint answers an upgrade with, before any WebSocket exists, and the
 * WebSocket close codes it uses afterwards. Documented in PROTOCOL.md; clients branch on them.
 * Close codes 4400-4499 mirror HTTP 4xx: the stock y-websocket provider does not reconnect.
 */
export const UpgradeStatus = {
  badRequest: 400,
  unauthenticated: 401,
  forbiddenOrigin: 403,
  notFound: 404,
  tooManyConnections: 429,
  unavailable: 503,
} as const;

export const CloseCode = {
  /** The server is shutting down, or the doc was unloaded; reconnect after a short backoff. */
  goingAway: 1001,
  /** A frame that is not one well-formed message. */
  malformed: 4400,
  /** The session behind the connection ended (logout, revocation). */
  unauthenticated: 4401,
  /** A write on a read-only connection, or access was withdrawn (removed from the channel). */
  forbidden: 4403,
  /** The validator refused an update (rule and reason in PROTOCOL.md); its client ids are barred. */
  rejected: 4422,
  /** An update beyond the limits on clients, structs, ranges, clocks or nesting. */
  updateTooLarge: 4413,
  /** Frames faster than the connection's rate limit. */
  rateLimited: 4429,
  /** The server could not make the client's update durable; reconnect and re-send. */
  persistenceFailed: 1011,
} as const;
