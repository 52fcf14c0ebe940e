import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Backends } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, jsonRequest, ORIGIN, openTestBackends, refreshCookie } from './test-app';

const testDb = useTestDatabase();
const testRedis = useTestRedis();

interface Account {
  email?: string;
  email_verified?: boolean;
  name?: string;
}
const accounts: Record<string, Account> = {};

let providerServer: Server;
let backends: Backends;
let harness: Awaited<ReturnType<typeof createTestApp>>;

beforeAll(async () => {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = () => {};
  providerServer = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'confab',
        client_secret: 'confab-test-secret',
        redirect_uris: [`${ORIGIN}/api/auth/oidc/test/callback`],
      },
    ],
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, ...accounts[id] }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    cookies: { keys: ['oidc-test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  handle = provider.callback();

  backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
  harness = await createTestApp(backends, {
    redisKeyPrefix: testRedis.prefix,
    oidcProviders: [
      {
        id: 'test',
        name: 'Test IdP',
        issuer,
        clientId: 'confab',
        clientSecret: 'confab-test-secret',
      },
    ],
  });
});
afterAll(async () => {
  await backends.close();
  await new Promise((resolve) => providerServer.close(resolve));
});

/** Starts a sign-in at Confab: the provider URL it redirects to, and the state cookie it set. */
async function start(returnTo?: string) {
  const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const response = await harness.app.request(`/api/auth/oidc/test/start${query}`);
  expect(response.status).toBe(302);
  const stateCookie = response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('confab_oidc_state='))
    ?.split(';')[0];
  return {
    authorizationUrl: response.headers.get('location') ?? '',
    stateCookie: stateCookie ?? '',
  };
}

/** Plays the user at the provider: signs in as `login`, consents, returns the redirect to Confab. */
async function signInAtProvider(authorizationUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      body,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location') ?? '', url).toString();
      if (location.startsWith(ORIGIN)) return location;
      url = location;
      body = undefined;
      continue;
    }
    const html = await response.text();
    const action = html.match(/action="([^"]+)"/)?.[1];
    const prompt = html.match(/name="prompt" value="(\w+)"/)?.[1];
    if (!action || !prompt)
      throw new Error(`unexpected provider page (${response.status}):\n${html.slice(0, 500)}`);
    url = new URL(action, url).toString();
    body =
      prompt === 'login'
        ? `prompt=login&login=${encodeURIComponent(login)}&password=x`
        : 'prompt=consent';
  }
  throw new Error('the provider never redirected back');
}

function callback(redirect: string, stateCookie: string) {
  const { pathname, search } = new URL(redirect);
  return harness.app.request(`${pathname}${search}`, {
    headers: stateCookie ? { Cookie: stateCookie } : {},
  });
}

/** Trades the refresh cookie from a callback for an access token and reads /me. */
async function me(callbackResponse: Response) {
  const cookie = refreshCookie(callbackResponse);
  expect(cookie).toBeDefined();
  const refreshed = await harness.app.request('/api/auth/refresh', {
    method: 'POST',
    headers: { Cookie: `confab_refresh=${cookie}`, Origin: ORIGIN },
  });
  const { accessToken } = (await refreshed.json()) as { accessToken: string };
  const response = await harness.app.request('/api/auth/me', {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  return (
    (await response.json()) as { user: { id: string; email: string; emailVerified: boolean } }
  ).user;
}

async function fullSignIn(login: string, returnTo?: string) {
  const { authorizationUrl, stateCookie } = await start(returnTo);
  return callback(await signInAtProvider(authorizationUrl, login), stateCookie);
}

describe('OpenID Connect single sign-on', () => {
  it('lists the configured providers for the sign-in page', async () => {
    const response = await harness.app.request('/api/auth/oidc/providers');
    expect(await response.json()).toEqual({ providers: [{ id: 'test', name: 'Test IdP' }] });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const { authorizationUrl, stateCookie } = await start();
    const params = new URL(authorizationUrl).searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('nonce')).toBeTruthy();
    expect(params.get('redirect_uri')).toBe(`${ORIGIN}/api/auth/oidc/test/callback`);
    expect(stateCookie).toBe(`confab_oidc_state=${params.get('state')}`);
  });

  it('signs a new user in through the provider and creates a verified account', async () => {
    accounts['new-user'] = {
      email: 'sso-new@example.com',
      email_verified: true,
      name: 'Grace Hopper',
    };
    const response = await fullSignIn('new-user', '/w/acme');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/w/acme');
    const user = await me(response);
    expect(user).toMatchObject({ email: 'sso-new@example.com', emailVerified: true });

    const again = await me(await fullSignIn('new-user'));
    expect(again.id).toBe(user.id);
  });

  it('links to an existing account by an email the provider verified', async () => {
    const signup = await harness.app.request(
      '/api/auth/signup',
      jsonRequest({
        email: 'linked@example.com',
        password: 'correct horse battery',
        name: 'Linus',
      }),
    );
    const { user: existing } = (await signup.json()) as { user: { id: string } };
    accounts.linker = { email: 'LINKED@example.com', email_verified: true };
    expect((await me(await fullSignIn('linker'))).id).toBe(existing.id);
  });

  it('stores a provider name with NUL and line breaks as one clean line [S8]', async () => {
    accounts['nul-name'] = {
      email: 'sso-nul@example.com',
      email_verified: true,
      name: 'Ada\u0000 Love\nlace\u001b',
    };
    const user = await me(await fullSignIn('nul-name'));
    expect(user).toMatchObject({ email: 'sso-nul@example.com', name: 'Ada Love lace' });
  });

  it('refuses a provider email holding a control character, and signs nobody in [S8]', async () => {
    accounts['nul-email'] = { email: 'evil\u0000@example.com', email_verified: true };
    const response = await fullSignIn('nul-email');
    expect(response.headers.get('location')).toBe('/sign-in?sso_error=sso_failed');
    expect(refreshCookie(response)).toBeUndefined();
  });

  it('refuses an email the provider did not verify, and signs nobody in', async () => {
    accounts.unverified = { email: 'linked@example.com', email_verified: false };
    const response = await fullSignIn('unverified');
    expect(response.headers.get('location')).toBe('/sign-in?sso_error=sso_email_unverified');
    expect(refreshCookie(response)).toBeUndefined();
  });

  it('refuses a callback whose state is not this browser’s (login CSRF)', async () => {
    accounts.victim = { email: 'victim@example.com', email_verified: true };
    const attacker = await start();
    const victim = await start();
    const redirect = await signInAtProvider(attacker.authorizationUrl, 'victim');
    for (const cookie of [victim.stateCookie, '']) {
      const response = await callback(redirect, cookie);
      expect(response.headers.get('location')).toBe('/sign-in?sso_error=sso_invalid_state');
      expect(refreshCookie(response)).toBeUndefined();
    }
  });

  it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
    accounts.nonce = { email: 'nonce@example.com', email_verified: true };
    const { authorizationUrl, stateCookie } = await start();
    const redirect = await signInAtProvider(authorizationUrl, 'nonce');
    const state = new URL(redirect).searchParams.get('state') ?? '';
    const flow = JSON.parse((await backends.kv.get(`oidc-flow:${state}`)) ?? '{}') as {
      nonce: string;
    };
    await backends.kv.set(
      `oidc-flow:${state}`,
      JSON.stringify({ ...flow, nonce: 'another-sign-ins-nonce' }),
      60_000,
    );
    const response = await callback(redirect, stateCookie);
    expect(response.headers.get('location')).toBe('/sign-in?sso_error=sso_failed');
    expect(refreshCookie(response)).toBeUndefined();
  });

  it('refuses a replayed callback', async () => {
    accounts.replay = { email: 'replay@example.com', email_verified: true };
    const { authorizationUrl, stateCookie } = await start();
    const redirect = await signInAtProvider(authorizationUrl, 'replay');
    expect((await callback(redirect, stateCookie)).headers.get('location')).toBe('/');
    const replay = await callback(redirect, stateCookie);
    expect(replay.headers.get('location')).toBe('/sign-in?sso_error=sso_invalid_state');
  });

  it.each([
    '//evil.example.net',
    'https://evil.example.net',
    '/\\evil.example.net',
    'javascript:alert(1)',
  ])('never redirects off-site after sign-in (returnTo %j)', async (returnTo) => {
    accounts.redirect = { email: 'redirect@example.com', email_verified: true };
    expect((await fullSignIn('redirect', returnTo)).headers.get('location')).toBe('/');
  });

  it('answers an unknown provider with 404', async () => {
    expect((await harness.app.request('/api/auth/oidc/nope/start')).status).toBe(404);
  });
});
