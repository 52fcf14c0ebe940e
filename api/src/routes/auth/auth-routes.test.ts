import { type Backends, schema } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, jsonRequest, ORIGIN, openTestBackends, refreshCookie } from './test-app';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let backends: Backends;
let app: Awaited<ReturnType<typeof createTestApp>>['app'];
let strictApp: Awaited<ReturnType<typeof createTestApp>>['app'];

beforeAll(async () => {
  backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
  ({ app } = await createTestApp(backends, { redisKeyPrefix: testRedis.prefix }));
  // The same installation with no grace for concurrent refreshes: any replay is reuse.
  ({ app: strictApp } = await createTestApp(backends, {
    redisKeyPrefix: testRedis.prefix,
    reuseGraceMs: 0,
  }));
});
afterAll(() => backends.close());

let counter = 0;
const uniqueEmail = () => `user${++counter}-${Date.now()}@example.com`;
const PASSWORD = 'correct horse battery staple';

async function signup(
  email = uniqueEmail(),
  extra: Record<string, unknown> = {},
  ip = `198.51.100.${counter % 250}`,
) {
  const response = await app.request(
    '/api/auth/signup',
    jsonRequest({ email, password: PASSWORD, name: 'Ada', ...extra }, { ip }),
  );
  expect(response.status).toBe(201);
  return {
    email,
    response,
    body: (await response.json()) as { accessToken: string; refreshToken?: string },
  };
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const cookieRefresh = (cookie: string, origin: string | null = ORIGIN) =>
  app.request('/api/auth/refresh', {
    method: 'POST',
    headers: { Cookie: `confab_refresh=${cookie}`, ...(origin ? { Origin: origin } : {}) },
  });

describe('sign-up and log-in', () => {
  it('signs up, sets the refresh cookie HttpOnly, Secure, SameSite=Lax, and opens /me', async () => {
    const { email, response, body } = await signup();
    const cookie = response.headers
      .getSetCookie()
      .find((value) => value.startsWith('confab_refresh='));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\/api\/auth/);
    expect(body.refreshToken).toBeUndefined();
    expect(response.headers.get('cache-control')).toBe('no-store');
    const me = await app.request('/api/auth/me', bearer(body.accessToken));
    expect(await me.json()).toMatchObject({ user: { email, name: 'Ada' } });
  });

  it('answers an unknown email and a wrong password with the same status and body', async () => {
    const { email } = await signup();
    const wrongPassword = await app.request(
      '/api/auth/login',
      jsonRequest({ email, password: 'not the password' }, { ip: '192.0.2.1' }),
    );
    const unknownEmail = await app.request(
      '/api/auth/login',
      jsonRequest({ email: `nobody-${email}`, password: 'not the password' }, { ip: '192.0.2.1' }),
    );
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(await wrongPassword.json()).toEqual(await unknownEmail.json());
  });

  it('logs in case-insensitively and gives the refresh token in the body when asked', async () => {
    const { email } = await signup();
    const response = await app.request(
      '/api/auth/login',
      jsonRequest({ email: email.toUpperCase(), password: PASSWORD, tokenTransport: 'body' }),
    );
    expect(response.status).toBe(200);
    expect(refreshCookie(response)).toBeUndefined();
    expect(((await response.json()) as { refreshToken: string }).refreshToken).toMatch(
      /^[a-z0-9]+\.[a-z0-9]+$/,
    );
  });

  it('refuses a second account with the same email in any case', async () => {
    const { email } = await signup();
    const again = await app.request(
      '/api/auth/signup',
      jsonRequest({ email: email.toUpperCase(), password: PASSWORD, name: 'Eve' }),
    );
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('email_taken');
  });

  it.each([
    ['no JSON content type', { headers: { 'Content-Type': 'text/plain' } }, 415],
    ['broken JSON', { body: '{"email":' }, 400],
    ['an array', { body: '[]' }, 400],
    ['null', { body: 'null' }, 400],
    ['a short password', { json: { password: 'short' } }, 400],
    ['a 257-character password', { json: { password: 'p'.repeat(257) } }, 400],
    ['a malformed email', { json: { email: 'not-an-email' } }, 400],
    ['an empty name', { json: { name: '   ' } }, 400],
    [
      'a huge body',
      {
        body: JSON.stringify({
          email: 'x@example.com',
          password: PASSWORD,
          name: 'n'.repeat(70_000),
        }),
      },
      413,
    ],
    ['an unknown token transport', { json: { tokenTransport: 'url' } }, 400],
  ])('refuses sign-up with %s and creates nothing', async (_name, change, status) => {
    const email = uniqueEmail();
    const init = jsonRequest(
      { email, password: PASSWORD, name: 'Mallory', ...('json' in change ? change.json : {}) },
      { ip: '192.0.2.200' },
    );
    if ('body' in change) init.body = change.body;
    if ('headers' in change)
      init.headers = { ...(init.headers as Record<string, string>), ...change.headers };
    const response = await app.request('/api/auth/signup', init);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toEqual(
      expect.any(String),
    );
    const login = await app.request(
      '/api/auth/login',
      jsonRequest({ email, password: PASSWORD }, { ip: '192.0.2.201' }),
    );
    expect(login.status).toBe(401);
  });
});

describe('password hashes', () => {
  it('upgrades an imported bcrypt hash to Argon2id at the first successful login', async () => {
    const email = uniqueEmail();
    const [user] = await backends.database.db
      .insert(schema.users)
      .values({ email, name: 'Imported', passwordHash: await bcryptHash(PASSWORD, 12) })
      .returning();
    const login = await app.request('/api/auth/login', jsonRequest({ email, password: PASSWORD }));
    expect(login.status).toBe(200);
    const [after] = await backends.database.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.id, user?.id ?? ''));
    expect(after?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(
      (await app.request('/api/auth/login', jsonRequest({ email, password: PASSWORD }))).status,
    ).toBe(200);
  });
});

describe('refresh tokens', () => {
  it('rotates the cookie at every refresh and refuses the spent one after the grace [RFC 9700]', async () => {
    const { response } = await signup();
    const first = refreshCookie(response) ?? '';
    const refreshed = await cookieRefresh(first);
    expect(refreshed.status).toBe(200);
    const second = refreshCookie(refreshed);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('revokes the whole family when a rotated-out token is replayed', async () => {
    const { body } = await signup(uniqueEmail(), { tokenTransport: 'body' });
    const spent = body.refreshToken ?? '';
    const rotated = await strictApp.request(
      '/api/auth/refresh',
      jsonRequest({ refreshToken: spent }),
    );
    const { refreshToken: successor, accessToken } = (await rotated.json()) as {
      refreshToken: string;
      accessToken: string;
    };
    expect((await app.request('/api/auth/me', bearer(accessToken))).status).toBe(200);

    const replay = await strictApp.request(
      '/api/auth/refresh',
      jsonRequest({ refreshToken: spent }),
    );
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_refresh_token',
    );
    // The thief's replay cost the legitimate holder the session too: that is the point.
    expect(
      (await strictApp.request('/api/auth/refresh', jsonRequest({ refreshToken: successor })))
        .status,
    ).toBe(401);
    expect((await app.request('/api/auth/me', bearer(accessToken))).status).toBe(401);
  });

  it('leaves exactly one valid successor when one token is refreshed concurrently', async () => {
    const { body } = await signup(uniqueEmail(), { tokenTransport: 'body' });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.request('/api/auth/refresh', jsonRequest({ refreshToken: body.refreshToken })),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    const winner = responses.find((response) => response.status === 200);
    if (!winner) throw new Error('no refresh succeeded');
    const { refreshToken } = (await winner.json()) as { refreshToken: string };
    expect((await app.request('/api/auth/refresh', jsonRequest({ refreshToken }))).status).toBe(
      200,
    );
  });

  it('refuses a cookie refresh from another origin or with no origin (CSRF)', async () => {
    const { response } = await signup();
    const cookie = refreshCookie(response) ?? '';
    for (const origin of ['https://evil.example.net', null, 'null']) {
      const attempt = await cookieRefresh(cookie, origin);
      expect(attempt.status, String(origin)).toBe(403);
      expect(((await attempt.json()) as { error: { code: string } }).error.code).toBe(
        'forbidden_origin',
      );
    }
    expect((await cookieRefresh(cookie)).status).toBe(200);
  });

  it('refuses missing, malformed and made-up refresh tokens', async () => {
    expect(
      (await app.request('/api/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN } }))
        .status,
    ).toBe(401);
    for (const refreshToken of ['', 'x', 'a.b', 'a.b.c', `${'z'.repeat(201)}`]) {
      const response = await app.request('/api/auth/refresh', jsonRequest({ refreshToken }));
      expect([400, 401], refreshToken).toContain(response.status);
    }
  });
});

describe('sessions', () => {
  it('refuses the access token at once after logout, though it has not expired', async () => {
    const { body } = await signup();
    expect(
      (await app.request('/api/auth/logout', { method: 'POST', ...bearer(body.accessToken) }))
        .status,
    ).toBe(204);
    expect((await app.request('/api/auth/me', bearer(body.accessToken))).status).toBe(401);
  });

  it('lists my sessions, revokes one, and logs out everywhere', async () => {
    const { email, body: first } = await signup();
    const login = async (agent: string) => {
      const response = await app.request(
        '/api/auth/login',
        jsonRequest({ email, password: PASSWORD }, { headers: { 'User-Agent': agent } }),
      );
      return ((await response.json()) as { accessToken: string }).accessToken;
    };
    const phone = await login('Phone');
    const laptop = await login('Laptop');
    const list = (await (await app.request('/api/auth/sessions', bearer(laptop))).json()) as {
      sessions: Array<{ id: string; device: string; current: boolean }>;
    };
    expect(list.sessions).toHaveLength(3);
    expect(list.sessions.find((session) => session.current)?.device).toBe('Laptop');

    const phoneSession = list.sessions.find((session) => session.device === 'Phone');
    expect(
      (
        await app.request(`/api/auth/sessions/${phoneSession?.id}`, {
          method: 'DELETE',
          ...bearer(laptop),
        })
      ).status,
    ).toBe(204);
    expect((await app.request('/api/auth/me', bearer(phone))).status).toBe(401);

    expect(
      (await app.request('/api/auth/logout-all', { method: 'POST', ...bearer(laptop) })).status,
    ).toBe(204);
    for (const token of [first.accessToken, laptop]) {
      expect((await app.request('/api/auth/me', bearer(token))).status).toBe(401);
    }
  });

  it('answers another user’s session id exactly like a random one', async () => {
    const { body: mine } = await signup();
    const { body: theirs } = await signup();
    const theirList = (await (
      await app.request('/api/auth/sessions', bearer(theirs.accessToken))
    ).json()) as {
      sessions: Array<{ id: string }>;
    };
    const other = await app.request(`/api/auth/sessions/${theirList.sessions[0]?.id}`, {
      method: 'DELETE',
      ...bearer(mine.accessToken),
    });
    const random = await app.request('/api/auth/sessions/doesnotexist', {
      method: 'DELETE',
      ...bearer(mine.accessToken),
    });
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual(await random.json());
    expect((await app.request('/api/auth/me', bearer(theirs.accessToken))).status).toBe(200);
  });

  it.each([
    ['empty', ''],
    ['a bare scheme', 'Bearer'],
    ['an empty token', 'Bearer '],
    ['basic auth', 'Basic dXNlcjpwYXNz'],
    ['not a JWT', 'Bearer not.a.jwt'],
    ['a 5000-character token', `Bearer ${'a'.repeat(5000)}`],
  ])('refuses an authorization header that is %s with 401', async (_name, header) => {
    const response = await app.request('/api/auth/me', { headers: { Authorization: header } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('rate limits', () => {
  it('refuses the 11th consecutive failed login for one email from one IP with 429, even with the right password', async () => {
    const { email } = await signup();
    const ip = '203.0.113.99';
    for (let attempt = 1; attempt <= 10; attempt++) {
      const response = await app.request(
        '/api/auth/login',
        jsonRequest({ email, password: `wrong-${attempt}` }, { ip }),
      );
      expect(response.status, `attempt ${attempt}`).toBe(401);
    }
    const eleventh = await app.request(
      '/api/auth/login',
      jsonRequest({ email, password: PASSWORD }, { ip }),
    );
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another IP is not locked out by this one.
    expect(
      (
        await app.request(
          '/api/auth/login',
          jsonRequest({ email, password: PASSWORD }, { ip: '203.0.113.100' }),
        )
      ).status,
    ).toBe(200);
  });

  it('resets the consecutive count after a successful login', async () => {
    const { email } = await signup();
    const ip = '203.0.113.77';
    for (let round = 0; round < 2; round++) {
      for (let attempt = 0; attempt < 9; attempt++) {
        expect(
          (await app.request('/api/auth/login', jsonRequest({ email, password: 'wrong' }, { ip })))
            .status,
        ).toBe(401);
      }
      expect(
        (await app.request('/api/auth/login', jsonRequest({ email, password: PASSWORD }, { ip })))
          .status,
      ).toBe(200);
    }
  });

  it('allows at most 100 failed logins an hour on one account, even from many IPs', async () => {
    const { email } = await signup();
    for (let attempt = 0; attempt < 100; attempt++) {
      const ip = `10.${Math.floor(attempt / 250)}.${attempt % 250}.1`;
      expect(
        (await app.request('/api/auth/login', jsonRequest({ email, password: 'wrong' }, { ip })))
          .status,
      ).toBe(401);
    }
    const fromNewIp = await app.request(
      '/api/auth/login',
      jsonRequest({ email, password: PASSWORD }, { ip: '10.200.200.200' }),
    );
    expect(fromNewIp.status).toBe(429);
  }, 120_000);

  it('limits sign-ups per IP', async () => {
    const ip = '192.0.2.150';
    let status = 0;
    for (let attempt = 0; attempt < 21 && status !== 429; attempt++) {
      status = (
        await app.request(
          '/api/auth/signup',
          jsonRequest({ email: uniqueEmail(), password: PASSWORD, name: 'Bot' }, { ip }),
        )
      ).status;
    }
    expect(status).toBe(429);
  }, 60_000);
});

describe('JWKS', () => {
  it('publishes the verification keys, never a private part', async () => {
    const response = await app.request('/.well-known/jwks.json');
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({
        kty: 'OKP',
        crv: 'Ed25519',
        alg: 'EdDSA',
        use: 'sig',
        kid: expect.any(String),
      });
      expect(key.d).toBeUndefined();
    }
  });
});
