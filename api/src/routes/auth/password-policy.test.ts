import type { Backends } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../mail/mailer';
import { accountWords, MIN_PASSWORD_SCORE, passwordStrength } from './password-policy';
import { createTestApp, jsonRequest, openTestBackends } from './test-app';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let backends: Backends;
let harness: Awaited<ReturnType<typeof createTestApp>>;

beforeAll(async () => {
  backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
  harness = await createTestApp(backends, { redisKeyPrefix: testRedis.prefix });
});
afterAll(() => backends.close());

const STRONG = 'correct horse battery staple';
let counter = 0;
const ipOf = () => `198.51.100.${++counter}`;

const signup = (email: string, password: string, name = 'Ada') =>
  harness.app.request('/api/auth/signup', jsonRequest({ email, password, name }, { ip: ipOf() }));
const login = (email: string, password: string) =>
  harness.app.request('/api/auth/login', jsonRequest({ email, password }, { ip: ipOf() }));
const codeOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe('password policy', () => {
  it('scores common, breached and keyboard passwords below the bar and passphrases above it', () => {
    for (const weak of ['password', 'Password123!', 'qwertyuiop', 'iloveyou1', 'abc123abc123'])
      expect(passwordStrength(weak).score, weak).toBeLessThan(MIN_PASSWORD_SCORE);
    for (const strong of [STRONG, 'zebra mango quilt 42', 'tr0ub4dor&3 lantern'])
      expect(passwordStrength(strong).score, strong).toBeGreaterThanOrEqual(MIN_PASSWORD_SCORE);
  });

  it('counts the account’s own email and name as guessable', () => {
    const password = 'QuentinZabriskie!';
    expect(passwordStrength(password).score).toBeGreaterThanOrEqual(MIN_PASSWORD_SCORE);
    expect(
      passwordStrength(password, accountWords('quentinzabriskie@example.com', 'Quentin Z')).score,
    ).toBeLessThan(MIN_PASSWORD_SCORE);
  });

  it.each([
    ['a top password', 'password'],
    ['a breached password with decorations', 'Password123!'],
    ['a keyboard walk', 'qwertyuiop'],
    ['the account’s own name', 'QuentinZabriskie!'],
  ])('refuses sign-up with %s as weak_password and creates no account', async (_, password) => {
    const email = `quentinzabriskie+${++counter}@example.com`;
    const refused = await signup(email, password, 'Quentin Zabriskie');
    expect(refused.status).toBe(400);
    const error = await codeOf(refused);
    expect(error.code).toBe('weak_password');
    expect(error.message).toMatch(/too easy to guess/);
    expect((await login(email, password)).status).toBe(401);
    // Nothing was made: the same email signs up with a strong password.
    expect((await signup(email, STRONG)).status).toBe(201);
  });

  it('refuses a weak new password on reset and leaves the link usable', async () => {
    const email = `reset-${++counter}@example.com`;
    expect((await signup(email, STRONG)).status).toBe(201);
    await harness.app.request('/api/auth/password-reset', jsonRequest({ email }, { ip: ipOf() }));
    await harness.tasks.drain();
    const mail = (await readOutbox(harness.outbox)).find((each) => each.to === email);
    const token = mail?.text.match(/reset-password#token=([a-z0-9]+)/)?.[1];
    if (!token) throw new Error('no reset mail');
    const confirm = (password: string) =>
      harness.app.request('/api/auth/password-reset/confirm', jsonRequest({ token, password }));
    const weak = await confirm('password1');
    expect(weak.status).toBe(400);
    expect((await codeOf(weak)).code).toBe('weak_password');
    expect((await login(email, STRONG)).status).toBe(200);
    expect((await confirm('a brand new passphrase')).status).toBe(204);
    expect((await login(email, 'a brand new passphrase')).status).toBe(200);
  });
});
