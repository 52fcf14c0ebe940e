import type { KeyValueStore } from './key-value-store';
import { sessionKey } from './keys';

/** Where a ticket of several uses counts the ones spent. */
export const ticketUsesKey = (key: string) => `${key}:used`;

/**
 * `redeemTicket` from a store's atomic steps, for stores without scripts: a single-use ticket is
 * taken (read and deleted at once), a ticket of more uses counts them with an atomic increment,
 * and the session is looked up beside the spending, so concurrent redemptions never retry
 * against each other and no more succeed than the ticket has uses.
 */
export async function redeemTicketStepwise(
  store: KeyValueStore,
  key: string,
): Promise<string | null> {
  const raw = await store.get(key);
  if (raw === null) return null;
  const { sessionId, uses = 1 } = JSON.parse(raw) as { sessionId?: unknown; uses?: number };
  if (typeof sessionId !== 'string') return null;
  let spend: Promise<boolean>;
  if (uses <= 1) {
    spend = store.take(key).then((value) => value !== null);
  } else {
    // The counter expires with the ticket; a ticket without an expiry is gone or not a ticket.
    const lifeMs = await store.ttl(key);
    if (lifeMs === null) return null;
    spend = store
      .increment(ticketUsesKey(key), Math.max(Math.ceil(lifeMs), 1))
      .then((n) => n <= uses);
  }
  const [spent, session] = await Promise.all([spend, store.get(sessionKey(sessionId))]);
  return spent && session !== null ? raw : null;
}
