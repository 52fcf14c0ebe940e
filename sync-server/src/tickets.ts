import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '@confab/db';

/**
 * Browsers cannot set headers on a WebSocket, so the API hands out a short-lived ticket that the
 * client puts in the sync URL (`?ticket=`). A ticket in a URL may be logged, hence 60 seconds, a
 * small number of uses and storage only as a hash.
 *
 * By default a ticket opens one socket (what the stock provider needs: it reads a fresh one before
 * each connect). A client that (re)opens several docs at once asks for a burst ticket instead: up
 * to `MAX_SYNC_TICKET_USES` sockets of the same session within the 60 seconds, so a reconnect
 * storm costs one API round trip per client rather than one per socket. Every redemption still
 * checks that the session lives.
 */
export const SYNC_TICKET_TTL_MS = 60_000;
/** As many as one user may hold sync connections (`SYNC_LIMITS.maxConnectionsPerUser`). */
export const MAX_SYNC_TICKET_USES = 50;

export interface SyncPrincipal {
  userId: string;
  sessionId: string;
}

interface StoredTicket extends SyncPrincipal {
  expiresAt: string;
  /** Sockets it may still open; absent in tickets issued before burst tickets existed (one). */
  uses?: number;
}

const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const ticketKey = (ticket: string) =>
  `sync-ticket:${createHash('sha256').update(ticket).digest('hex')}`;

export async function issueSyncTicket(
  kv: KeyValueStore,
  principal: SyncPrincipal,
  now: Date = new Date(),
  uses = 1,
): Promise<{ ticket: string; expiresAt: Date; uses: number }> {
  if (!Number.isInteger(uses) || uses < 1 || uses > MAX_SYNC_TICKET_USES) {
    throw new RangeError(`a sync ticket has 1 to ${MAX_SYNC_TICKET_USES} uses, not ${uses}`);
  }
  const ticket = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SYNC_TICKET_TTL_MS);
  const stored: StoredTicket = {
    userId: principal.userId,
    sessionId: principal.sessionId,
    expiresAt: expiresAt.toISOString(),
    uses,
  };
  await kv.set(ticketKey(ticket), JSON.stringify(stored), SYNC_TICKET_TTL_MS);
  return { ticket, expiresAt, uses };
}

/**
 * The principal a ticket was issued to, or null when it is malformed, unknown, spent or expired,
 * or when its session has ended since (a ticket must not outlive the logout that came after it).
 * Redeeming spends one use: of concurrent redemptions, no more succeed than the ticket has uses.
 * The use, the count and the session are checked by the store in one step (`redeemTicket`: one
 * Redis script), so a socket's authentication costs one round trip.
 */
export async function redeemSyncTicket(
  kv: KeyValueStore,
  ticket: string,
  now: Date = new Date(),
): Promise<SyncPrincipal | null> {
  if (!TICKET_PATTERN.test(ticket)) return null;
  const raw = await kv.redeemTicket(ticketKey(ticket));
  if (raw === null) return null;
  const stored = JSON.parse(raw) as StoredTicket;
  // The store's expiry is the first guard; this one holds even where the store's clock lags.
  if (Date.parse(stored.expiresAt) <= now.getTime()) return null;
  return { userId: stored.userId, sessionId: stored.sessionId };
}
