import type { Backends } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESET_TOKEN_TTL_MS, resetTokenKey } from '../../auth/password-reset';
import { readOutbox } from '../../mail/mailer';
import { createTestApp, jsonRequest, openTestBackends } from './test-app';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let backends: Backends;
let harness: Awaited<ReturnType<typeof createTestApp>>;
let redis: Redis;

beforeAll(async () => {
  backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
  harness = await createTestApp(backends, { redisKeyPrefix: testRedis.prefix });
  redis = new Redis(testRedis.url);
});
afterAll(async () => {
  redis.disconnect();
  await backends.close();
});

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
let counter = 0;

async function signup() {
  const email = `reset${++counter}@example.com`;
  const response = await harness.app.request(
    '/api/auth/signup',
    jsonRequest({ email, password: PASSWORD, name: 'Ada' }, { ip: `198.51.100.${counter}` }),
  );
  expect(response.status).toBe(201);
  return { email, accessToken: ((await response.json()) as { accessToken: string }).accessToken };
}

const requestReset = (email: string, ip = '203.0.113.5') =>
  harness.app.request('/api/auth/password-reset', jsonRequest({ email }, { ip }));
const confirm = (token: string, password = NEW_PASSWORD) =>
  harness.app.request('/api/auth/password-reset/confirm', jsonRequest({ token, password }));
const login = (email: string, password: string) =>
  harness.app.request('/api/auth/login', jsonRequest({ email, password }, { ip: '192.0.2.44' }));

async function mailsTo(email: string) {
  await harness.tasks.drain();
  return (await readOutbox(harness.outbox)).filter((mail) => mail.to === email);
}

function tokenFrom(text: string): string {
  const match = text.match(/reset-password#token=([a-z0-9]+)/);
  if (!match?.[1]) throw new Error(`no reset link in:\n${text}`);
  return match[1];
}

describe('password reset', () => {
  it('answers an unknown and a known email identically, and mails only the known one', async () => {
    const { email } = await signup();
    const unknown = await requestReset(`nobody-${email}`);
    const known = await requestReset(email);
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(await unknown.json()).toEqual(await known.json());
    expect(await mailsTo(`nobody-${email}`)).toEqual([]);
    const [mail] = await mailsTo(email);
    expect(mail?.subject).toBe('Reset your Confab password');
    expect(mail?.text).toContain('https://chat.example.com/reset-password#token=');
  });

  it('stores the token only as a hash, for at most 30 minutes', async () => {
    const { email } = await signup();
    await requestReset(email);
    const [mail] = await mailsTo(email);
    const token = tokenFrom(mail?.text ?? '');
    const keys = await redis.keys(`${testRedis.prefix}*`);
    expect(keys).toContain(`${testRedis.prefix}kv:${resetTokenKey(token)}`);
    for (const key of keys) {
      expect(key).not.toContain(token);
      const type = await redis.type(key);
      if (type === 'string') expect(await redis.get(key)).not.toContain(token);
    }
    const ttl = await backends.kv.ttl(resetTokenKey(token));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(RESET_TOKEN_TTL_MS);
  });

  it('sets the new password, ends every session, and refuses a second use', async () => {
    const { email, accessToken } = await signup();
    await requestReset(email);
    const token = tokenFrom((await mailsTo(email))[0]?.text ?? '');

    expect((await confirm(token)).status).toBe(204);
    expect(
      (
        await harness.app.request('/api/auth/me', {
          headers: { Authorization: `Bearer ${accessToken}` },
        })
      ).status,
    ).toBe(401);
    expect((await login(email, PASSWORD)).status).toBe(401);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);

    const again = await confirm(token, 'yet another passphrase');
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_reset_token',
    );
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
  });

  it('keeps the token usable when the new password is refused, and refuses made-up tokens', async () => {
    const { email } = await signup();
    await requestReset(email);
    const token = tokenFrom((await mailsTo(email))[0]?.text ?? '');
    expect((await confirm(token, 'short')).status).toBe(400);
    for (const bogus of ['', 'x', 'a'.repeat(101), `${token}x`]) {
      expect((await confirm(bogus)).status, bogus).toBe(400);
    }
    expect((await confirm(token)).status).toBe(204);
  });

  it('sends at most 5 reset mails an hour for one account, however many IPs ask', async () => {
    const { email } = await signup();
    for (let attempt = 0; attempt < 8; attempt++) {
      expect((await requestReset(email, `192.0.2.${100 + attempt}`)).status).toBe(202);
    }
    expect(await mailsTo(email)).toHaveLength(5);
  });

  it('refuses malformed requests with 400 and sends nothing', async () => {
    for (const body of [{}, { email: 42 }, { email: 'x'.repeat(300) }]) {
      const response = await harness.app.request('/api/auth/password-reset', jsonRequest(body));
      expect(response.status).toBe(400);
    }
  });
});
