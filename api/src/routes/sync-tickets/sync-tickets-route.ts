import type { KeyValueStore } from '@confab/db';
import { issueSyncTicket } from '@confab/sync-server';
import { Hono } from 'hono';
import type { Auth } from '../../auth/auth';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { parseJson } from '../../http/request';
import { syncTicketRequestSchema } from './schemas';

/**
 * `POST /api/sync/tickets`: a 60-second ticket for opening sync WebSockets; one socket, or up to
 * `uses` sockets of this session (one request for a burst of reconnects).
 */
export function syncTicketsRoute(auth: Auth, kv: KeyValueStore) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('*', requireAuth(auth));
  app.post('/', async (c) => {
    // No body at all is the single-use ticket existing clients ask for.
    const hasBody =
      c.req.header('content-type') !== undefined ||
      c.req.header('transfer-encoding') !== undefined ||
      Number(c.req.header('content-length') ?? 0) > 0;
    const { uses } = hasBody ? await parseJson(c, syncTicketRequestSchema) : { uses: 1 };
    const ticket = await issueSyncTicket(kv, c.get('auth'), auth.clock(), uses);
    c.header('Cache-Control', 'no-store');
    return c.json(
      { ticket: ticket.ticket, expiresAt: ticket.expiresAt.toISOString(), uses: ticket.uses },
      201,
    );
  });
  return app;
}
