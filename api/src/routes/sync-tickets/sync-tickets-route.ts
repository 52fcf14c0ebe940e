import type { KeyValueStore } from '@confab/db';
import { issueSyncTicket } from '@confab/sync-server';
import { Hono } from 'hono';
import type { Auth } from '../../auth/auth';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';

/** `POST /api/sync/tickets`: a single-use, 60-second ticket for opening sync WebSockets. */
export function syncTicketsRoute(auth: Auth, kv: KeyValueStore) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('*', requireAuth(auth));
  app.post('/', async (c) => {
    const { ticket, expiresAt } = await issueSyncTicket(kv, c.get('auth'), auth.clock());
    c.header('Cache-Control', 'no-store');
    return c.json({ ticket, expiresAt: expiresAt.toISOString() }, 201);
  });
  return app;
}
