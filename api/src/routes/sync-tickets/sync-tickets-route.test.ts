import { redeemSyncTicket } from '@confab/sync-server';
import { describe, expect, it } from 'vitest';
import { callAs, signUp, useTestApi } from '../auth/test-app';

const api = useTestApi();

describe('POST /api/sync/tickets', () => {
  it('issues a single-use ticket bound to the caller’s user and session', async () => {
    const user = await signUp(api.app, 'ticket');
    const response = await api.app.request('/api/sync/tickets', {
      method: 'POST',
      headers: { Authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { ticket, expiresAt } = (await response.json()) as { ticket: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const { sessionId } = await api.harness.auth.tokens.verify(user.token);
    expect(await redeemSyncTicket(api.backends.kv, ticket)).toEqual({ userId: user.id, sessionId });
    expect(await redeemSyncTicket(api.backends.kv, ticket)).toBeNull();
  });

  it('refuses callers without a valid access token', async () => {
    expect((await callAs(api.app, null, 'POST', '/api/sync/tickets')).status).toBe(401);
    const forged = { id: 'x', email: 'x@example.com', token: 'nope' };
    expect((await callAs(api.app, forged, 'POST', '/api/sync/tickets')).status).toBe(401);
  });
});
