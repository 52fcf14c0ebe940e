/**
 * HTTP statuses the sync endpoint answers an upgrade with, before any WebSocket exists, and the
 * WebSocket close codes it uses afterwards (shared with clients: `@confab/db/model`, wire.ts).
 * Documented in PROTOCOL.md; clients branch on them.
 */
export { CloseCode } from '@confab/db/model';

export const UpgradeStatus = {
  badRequest: 400,
  unauthenticated: 401,
  forbiddenOrigin: 403,
  notFound: 404,
  tooManyConnections: 429,
  unavailable: 503,
} as const;
