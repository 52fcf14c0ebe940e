import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { useBrowserHarness } from './harness';

/**
 * Single sign-on in the browser against a real OpenID Connect provider (oidc-provider, with its
 * development login and consent pages), served from this test process.
 */
let providerServer: Server;
let issuer = '';
let handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
  response.statusCode = 503;
  response.end();
};

beforeAll(async () => {
  providerServer = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
});

const harness = useBrowserHarness(() => ({
  OIDC_PROVIDERS: JSON.stringify([
    { id: 'test', name: 'Test IdP', issuer, clientId: 'confab', clientSecret: 'e2e-secret' },
  ]),
}));

beforeAll(() => {
  // Confab's callback URL is known once the harness has started it.
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'confab',
        client_secret: 'e2e-secret',
        redirect_uris: [`${harness.baseUrl}/api/auth/oidc/test/callback`],
      },
    ],
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({
        sub: id,
        email: `${id}@idp.example.com`,
        email_verified: true,
        name: `Grace ${id}`,
      }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    cookies: { keys: ['e2e-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  handle = provider.callback();
});
afterAll(async () => {
  await new Promise((resolve) => providerServer.close(resolve));
});

describe('single sign-on in Chromium', () => {
  it('signs in with the configured provider and comes back signed in', async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await page.goto(harness.baseUrl);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    // oidc-provider's development pages: any login, then consent.
    await page.locator('input[name="login"]').fill(`hopper${Date.now()}`);
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.getByText(/Signed in as Grace hopper/).waitFor();
    // The session is Confab's own: a reload resumes it with the refresh cookie.
    await page.reload();
    await page.getByText(/Signed in as Grace hopper/).waitFor();
    await context.close();
  }, 60_000);

  it('says what went wrong when the provider sends back a bad sign-in', async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    // A callback with a state Confab never issued, as a forged or replayed redirect would bring.
    await page.goto(`${harness.baseUrl}/api/auth/oidc/test/callback?code=x&state=forged`);
    await page
      .getByRole('alert')
      .filter({ hasText: /expired or was started elsewhere/ })
      .waitFor();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    await context.close();
  }, 60_000);
});
