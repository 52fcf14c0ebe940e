import { describe, expect, it } from 'vitest';
import { jsonRequest, useTestApi } from './test-app';

/**
 * The login limits under parallel requests and the device cookie that keeps an account's owner
 * signing in while strangers exhaust the account's budget (issue #13, items 2 and 5).
 */
const api = useTestApi();
const PASSWORD = 'correct horse battery staple';
let counter = 0;
const uniqueEmail = () => `limits${++counter}-${Date.now()}@example.com`;

async function signup(email = uniqueEmail()) {
  const response = await api.app.request(
    '/api/auth/signup',
    jsonRequest({ email, password: PASSWORD, name: 'Ada' }, { ip: `192.0.2.${++counter % 250}` }),
  );
  expect(response.status).toBe(201);
  return email;
}

const setCookie = (response: Response, name: string) =>
  response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
const deviceCookieOf = (response: Response) =>
  setCookie(response, 'confab_device')?.split(';')[0]?.slice('confab_device='.length);

function login(
  email: string,
  password: string,
  ip: string,
  device?: string,
): Promise<Response> | Response {
  return api.app.request(
    '/api/auth/login',
    jsonRequest(
      { email, password },
      { ip, headers: device === undefined ? {} : { Cookie: `confab_device=${device}` } },
    ),
  );
}

/** How many of the answers had each status. */
async function statuses(responses: Array<Promise<Response> | Response>) {
  const counts: Record<number, number> = {};
  for (const response of await Promise.all(responses))
    counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

describe('login limits under parallel requests', () => {
  it('answers 25 parallel wrong logins from one IP with exactly 10 401s and 15 429s', async () => {
    const email = await signup();
    const answers = await statuses(
      Array.from({ length: 25 }, (_, index) => login(email, `wrong-${index}`, '203.0.113.50')),
    );
    expect(answers).toEqual({ 401: 10, 429: 15 });
  }, 60_000);

  it('answers 150 parallel wrong logins from 15 IPs with at most 100 401s (the account limit)', async () => {
    const email = await signup();
    const answers = await statuses(
      Array.from({ length: 150 }, (_, index) =>
        login(email, `wrong-${index}`, `198.51.100.${index % 15}`),
      ),
    );
    expect(answers).toEqual({ 401: 100, 429: 50 });
  }, 120_000);

  it('creates at most 20 accounts from 25 parallel sign-ups from one IP', async () => {
    const answers = await statuses(
      Array.from({ length: 25 }, () =>
        api.app.request(
          '/api/auth/signup',
          jsonRequest(
            { email: uniqueEmail(), password: PASSWORD, name: 'Bot' },
            { ip: '203.0.113.60' },
          ),
        ),
      ),
    );
    expect(answers).toEqual({ 201: 20, 429: 5 });
  }, 60_000);

  it('answers 35 parallel reset requests from one IP with 30 202s and 5 429s', async () => {
    const answers = await statuses(
      Array.from({ length: 35 }, () =>
        api.app.request(
          '/api/auth/password-reset',
          jsonRequest({ email: uniqueEmail() }, { ip: '203.0.113.65' }),
        ),
      ),
    );
    expect(answers).toEqual({ 202: 30, 429: 5 });
  });
});

describe('device cookies', () => {
  it('sets the device cookie HttpOnly, Secure, SameSite=Strict, for the auth routes only', async () => {
    const email = await signup();
    const response = await login(email, PASSWORD, '203.0.113.70');
    expect(response.status).toBe(200);
    const cookie = setCookie(response, 'confab_device') ?? '';
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/api\/auth(;|$)/);
  });

  it('lets a device that signed in before sign in while strangers exhausted the account, and nobody else', async () => {
    const email = await signup();
    const home = deviceCookieOf(await login(email, PASSWORD, '203.0.113.80'));
    expect(home).toBeTruthy();
    // 100 failures, each from its own address: no per-IP limit ever fires.
    const answers = await statuses(
      Array.from({ length: 100 }, (_, index) =>
        login(email, 'wrong', `10.${Math.floor(index / 250)}.${index % 250}.9`),
      ),
    );
    expect(answers).toEqual({ 401: 100 });
    expect((await login(email, PASSWORD, '203.0.113.81')).status).toBe(429);
    expect((await login(email, PASSWORD, '203.0.113.82', home)).status).toBe(200);
  }, 120_000);

  it('locks a device cookie out after 10 failures of its own', async () => {
    const email = await signup();
    const device = deviceCookieOf(await login(email, PASSWORD, '203.0.113.90'));
    for (let attempt = 0; attempt < 10; attempt++) {
      const ip = `172.16.0.${attempt}`;
      expect((await login(email, 'wrong', ip, device)).status, `attempt ${attempt}`).toBe(401);
    }
    expect((await login(email, PASSWORD, '172.16.0.200', device)).status).toBe(429);
    // The account itself was not charged for the device's failures.
    expect((await login(email, PASSWORD, '172.16.0.201')).status).toBe(200);
  }, 60_000);

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-token'],
    ['5000 characters', 'a'.repeat(5000)],
    ['tampered', 'TAMPER'],
    ['an access token', 'ACCESS'],
    ['another account’s', 'OTHER'],
  ])('gives a device cookie that is %s no pass past the account limit', async (_name, kind) => {
    const email = await signup();
    const signedIn = await login(email, PASSWORD, '203.0.113.100');
    const own = deviceCookieOf(signedIn) ?? '';
    const other = deviceCookieOf(await login(await signup(), PASSWORD, '203.0.113.101')) ?? '';
    const value =
      kind === 'TAMPER'
        ? `${own.slice(0, -4)}${own.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
        : kind === 'ACCESS'
          ? ((await signedIn.json()) as { accessToken: string }).accessToken
          : kind === 'OTHER'
            ? other
            : kind;
    await api.harness.auth.limits.loginEmail.consume(email, 100);
    expect((await login(email, PASSWORD, '203.0.113.102', value)).status).toBe(429);
  });
});
