import type { Backends } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { redeemSyncTicket } from '@confab/sync-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, jsonRequest, openTestBackends } from '../auth/test-app';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let backends: Backends;
let harness: Awaited<ReturnType<typeof createTestApp>>;
beforeAll(async () => {
  backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
  harness = await createTestApp(backends, { redisKeyPrefix: testRedis.prefix });
});
afterAll(() => backends.close());

describe('POST /api/sync/tickets', () => {
  it('issues a single-use ticket bound to the caller’s user and session', async () => {
    const signup = await harness.app.request(
      '/api/auth/signup',
      jsonRequest({ email: 'ticket@example.com', password: 'correct horse battery', name: 'T' }),
    );
    const { accessToken, user } = (await signup.json()) as {
      accessToken: string;
      user: { id: string };
    };
    const response = await harness.app.request('/api/sync/tickets', {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { ticket, expiresAt } = (await response.json()) as { ticket: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const { sessionId } = await harness.auth.tokens.verify(accessToken);
    expect(await redeemSyncTicket(backends.kv, ticket)).toEqual({ userId: user.id, sessionId });
    expect(await redeemSyncTicket(backends.kv, ticket)).toBeNull();
  });

  it('refuses callers without a valid access token', async () => {
    for (const headers of [{}, { Authorization: 'Bearer nope' }] as Array<Record<string, string>>) {
      const response = await harness.app.request('/api/sync/tickets', { method: 'POST', headers });
      expect(response.status).toBe(401);
    }
  });
});
