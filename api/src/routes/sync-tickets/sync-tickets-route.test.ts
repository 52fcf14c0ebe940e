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

  it('issues a single-use ticket for an empty JSON object, as clients sent before bursts', async () => {
    const user = await signUp(api.app, 'empty-body');
    const response = await callAs<{ ticket: string; uses: number }>(
      api.app,
      user,
      'POST',
      '/api/sync/tickets',
      {},
    );
    expect(response.status).toBe(201);
    expect(response.body.uses).toBe(1);
    expect(await redeemSyncTicket(api.backends.kv, response.body.ticket)).not.toBeNull();
    expect(await redeemSyncTicket(api.backends.kv, response.body.ticket)).toBeNull();
  });

  it('issues a burst ticket that opens as many sockets as asked for, and no more', async () => {
    const user = await signUp(api.app, 'burst');
    const response = await callAs<{ ticket: string; uses: number }>(
      api.app,
      user,
      'POST',
      '/api/sync/tickets',
      { uses: 3 },
    );
    expect(response.status).toBe(201);
    const { ticket, uses } = response.body;
    expect(uses).toBe(3);
    const redeemed = await Promise.all(
      Array.from({ length: 5 }, () => redeemSyncTicket(api.backends.kv, ticket)),
    );
    expect(redeemed.filter(Boolean)).toHaveLength(3);
  });

  it('voids the rest of a burst ticket at logout', async () => {
    const user = await signUp(api.app, 'burst-logout');
    const { body } = await callAs<{ ticket: string }>(api.app, user, 'POST', '/api/sync/tickets', {
      uses: 5,
    });
    const { ticket } = body;
    expect(await redeemSyncTicket(api.backends.kv, ticket)).not.toBeNull();
    expect((await callAs(api.app, user, 'POST', '/api/auth/logout')).status).toBe(204);
    expect(await redeemSyncTicket(api.backends.kv, ticket)).toBeNull();
  });

  it.each([
    ['zero uses', { uses: 0 }],
    ['more uses than a user may hold sockets', { uses: 51 }],
    ['a fraction', { uses: 2.5 }],
    ['a string', { uses: '3' }],
    ['an unknown field', { uses: 2, forever: true }],
    ['an array', [2]],
  ])('refuses a body with %s (400) and issues nothing', async (_name, body) => {
    const user = await signUp(api.app, 'hostile');
    const response = await callAs<{ error: { code: string } }>(
      api.app,
      user,
      'POST',
      '/api/sync/tickets',
      body,
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
  });

  it('refuses a body that is not JSON', async () => {
    const user = await signUp(api.app, 'not-json');
    const send = (contentType: string, body: string) =>
      api.app.request('/api/sync/tickets', {
        method: 'POST',
        headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': contentType },
        body,
      });
    expect((await send('application/json', '{"uses":')).status).toBe(400);
    expect((await send('text/plain', 'uses=50')).status).toBe(415);
  });

  it('refuses callers without a valid access token', async () => {
    expect((await callAs(api.app, null, 'POST', '/api/sync/tickets')).status).toBe(401);
    const forged = { id: 'x', email: 'x@example.com', token: 'nope' };
    expect((await callAs(api.app, forged, 'POST', '/api/sync/tickets')).status).toBe(401);
  });
});
