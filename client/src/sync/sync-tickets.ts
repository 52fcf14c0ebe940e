import type { Api } from '../api/api';

/**
 * Sockets one ticket may open. A burst of (re)connects (the app starting, a sync node restarting
 * under every open doc) then costs one ticket request instead of one per socket. Spare uses are
 * harmless: the ticket dies after 60 seconds, and each use still needs the session to live.
 */
export const TICKET_BURST_USES = 20;
/**
 * A ticket is handed out for this long after it was asked for, well inside the server's
 * 60 seconds: the socket that uses it may take a while to reach the server.
 */
export const TICKET_HAND_OUT_MS = 30_000;

/** Asks the API for a ticket that opens `uses` sockets. */
export type IssueTicket = (uses: number) => Promise<{ ticket: string; uses: number }>;

export interface TicketSource {
  /** A ticket for one socket: a use of the current burst ticket, or of a new one. */
  take(): Promise<string>;
  /**
   * A socket that used `ticket` closed before it opened: the ticket may be spent or void (a
   * logout, a clock off by a minute), so the next socket asks for a new one rather than fail too.
   */
  spoil(ticket: string): void;
}

export function ticketSource(issue: IssueTicket, now = () => Date.now()): TicketSource {
  let current: { ticket: string; left: number; handOutUntil: number } | null = null;
  /** One request at a time: the sockets of a burst wait for it together. */
  let asking: Promise<void> | null = null;
  const ask = async () => {
    const askedAt = now();
    const { ticket, uses } = await issue(TICKET_BURST_USES);
    current = { ticket, left: uses, handOutUntil: askedAt + TICKET_HAND_OUT_MS };
  };
  return {
    async take() {
      for (;;) {
        if (current && current.left > 0 && now() < current.handOutUntil) {
          current.left--;
          return current.ticket;
        }
        asking ??= ask().finally(() => {
          asking = null;
        });
        // A failed request fails every socket waiting on it; each retries on its own schedule.
        await asking;
      }
    },
    spoil(ticket) {
      if (current?.ticket === ticket) current = null;
    },
  };
}

const sources = new WeakMap<Api, Map<string, TicketSource>>();

/**
 * The ticket source all of this API client's sync docs of `userId` share. Kept per user: a
 * ticket left from a session that ended must not open the next user's docs as the previous one.
 */
export function syncTickets(api: Api, userId: string): TicketSource {
  const byUser = sources.get(api) ?? new Map<string, TicketSource>();
  sources.set(api, byUser);
  let source = byUser.get(userId);
  if (!source) {
    // One user at a time signs in on an API client: the previous user's source goes.
    byUser.clear();
    source = ticketSource((uses) =>
      api.request('POST /api/sync/tickets', { body: { uses } }).then(({ ticket, uses: left }) => ({
        ticket,
        uses: left,
      })),
    );
    byUser.set(userId, source);
  }
  return source;
}
