import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Auth } from '../../auth/auth';
import { FLOW_TTL_MS, SsoError } from '../../auth/single-sign-on';
import { ApiError } from '../../errors';
import { clientIp } from '../../http/request';
import { setRefreshCookie } from './refresh-cookie';

const STATE_COOKIE = 'confab_oidc_state';
const STATE_COOKIE_PATH = '/api/auth/oidc';

/** Only same-site paths: a returnTo of `//evil.example` or `https://…` would be an open redirect. */
function safeReturnTo(value: string | undefined): string {
  return value && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 500 ? value : '/';
}

/**
 * `/api/auth/oidc`: the list of providers (for sign-in buttons), and for each provider a start
 * that redirects to it and a callback that signs in and redirects back into the app. Failures
 * redirect to `/sign-in?sso_error=<code>` so the web client can say what went wrong.
 */
export function ssoRoutes(auth: Auth) {
  const app = new Hono();
  const { sso, sessions, config } = auth;

  app.get('/providers', (c) => c.json({ providers: sso.list() }));

  app.get('/:provider/start', async (c) => {
    try {
      const { url, state } = await sso.start(
        c.req.param('provider'),
        safeReturnTo(c.req.query('returnTo')),
      );
      setCookie(c, STATE_COOKIE, state, {
        httpOnly: true,
        secure: true,
        // Lax: the cookie comes back on the provider's top-level redirect to our callback.
        sameSite: 'Lax',
        path: STATE_COOKIE_PATH,
        maxAge: FLOW_TTL_MS / 1000,
      });
      return c.redirect(url.toString(), 302);
    } catch (error) {
      if (error instanceof SsoError && error.code === 'sso_unknown_provider') {
        throw new ApiError(404, error.code, error.message);
      }
      throw error;
    }
  });

  app.get('/:provider/callback', async (c) => {
    const provider = c.req.param('provider');
    const query = new URL(c.req.url).search;
    // Rebuilt from the configured public URL: behind a proxy the request URL is an internal one.
    const callbackUrl = new URL(`${sso.redirectUri(provider)}${query}`);
    const boundState = getCookie(c, STATE_COOKIE);
    deleteCookie(c, STATE_COOKIE, { path: STATE_COOKIE_PATH, secure: true });
    try {
      const { user, returnTo } = await sso.finish(provider, callbackUrl, boundState);
      const { session, refreshToken } = await sessions.create(user.id, {
        device: c.req.header('user-agent') ?? 'unknown',
        ip: clientIp(c, config.trustProxy),
      });
      // The web client trades the cookie for an access token (POST /api/auth/refresh) on arrival.
      setRefreshCookie(c, refreshToken, new Date(session.expiresAt));
      return c.redirect(returnTo, 302);
    } catch (error) {
      if (!(error instanceof SsoError)) throw error;
      return c.redirect(`/sign-in?sso_error=${error.code}`, 302);
    }
  });

  return app;
}
