import { createHash, randomBytes } from 'node:crypto';
import { type KeyValueStore, sessionKey } from '@confab/db';

/**
 * Browsers cannot set headers on a WebSocket, so the API hands out a short-lived, single-use
 * ticket that the client puts in the sync URL (`?ticket=`). A ticket in a URL may be logged, hence
 * single use and 60 seconds; it is stored only as a hash.
 */
export const SYNC_TICKET_TTL_MS = 60_000;

export interface SyncPrincipal {
  userId: string;
  sessionId: string;
}

const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const ticketKey = (ticket: string) =>
  `sync-ticket:${createHash('sha256').update(ticket).digest('hex')}`;

export async function issueSyncTicket(
  kv: KeyValueStore,
  principal: SyncPrincipal,
  now: Date = new Date(),
): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SYNC_TICKET_TTL_MS);
  await kv.set(
    ticketKey(ticket),
    JSON.stringify({ ...principal, expiresAt: expiresAt.toISOString() }),
    SYNC_TICKET_TTL_MS,
  );
  return { ticket, expiresAt };
}

/**
 * The principal a ticket was issued to, or null when it is malformed, unknown, used or expired,
 * or when its session has ended since (a ticket must not outlive the logout that came after it).
 * Redeeming spends it: of two concurrent redemptions, one gets the principal.
 */
export async function redeemSyncTicket(
  kv: KeyValueStore,
  ticket: string,
  now: Date = new Date(),
): Promise<SyncPrincipal | null> {
  if (!TICKET_PATTERN.test(ticket)) return null;
  const raw = await kv.take(ticketKey(ticket));
  if (!raw) return null;
  const { userId, sessionId, expiresAt } = JSON.parse(raw) as SyncPrincipal & { expiresAt: string };
  // The store's expiry is the first guard; this one holds even where the store's clock lags.
  if (Date.parse(expiresAt) <= now.getTime()) return null;
  // Sessions live under this key for as long as they last (the API's Sessions writes them).
  if ((await kv.get(sessionKey(sessionId))) === null) return null;
  return { userId, sessionId };
}
