import type { Context } from 'hono';
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Auth } from '../../auth/auth';
import { chargeLoginAttempt } from '../../auth/login-limits';
import { hashPassword, timingDecoy, verifyPassword } from '../../auth/passwords';
import { consume } from '../../auth/rate-limits';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { RefreshError } from '../../auth/sessions';
import { EmailTaken, publicUser, type User } from '../../auth/users';
import { ApiError, notFound } from '../../errors';
import { assertAllowedOrigin, clientIp, parseJson } from '../../http/request';
import { deviceCookie, setDeviceCookie } from './device-cookie';
import { accountWords, assertStrongPassword } from './password-policy';
import { clearRefreshCookie, REFRESH_COOKIE, setRefreshCookie } from './refresh-cookie';
import { loginSchema, refreshSchema, signupSchema } from './schemas';

const invalidCredentials = () =>
  new ApiError(401, 'invalid_credentials', 'Email or password is incorrect');
const invalidRefreshToken = () => new ApiError(401, 'invalid_refresh_token', 'Sign in again');

export function authRoutes(auth: Auth) {
  const { users, sessions, tokens, limits, devices, config } = auth;
  const app = new Hono<{ Variables: AuthVariables }>();

  /**
   * Starts a session and answers with an access token; the refresh token goes where asked. The
   * device cookie goes with every transport: a native client that keeps cookies gets its benefit.
   */
  async function signIn(
    c: Context,
    user: User,
    transport: 'cookie' | 'body',
    status: 200 | 201 = 200,
  ) {
    const { session, refreshToken } = await sessions.create(user.id, {
      device: c.req.header('user-agent') ?? 'unknown',
      ip: clientIp(c, config.trustProxy),
    });
    const device = await devices.issue(user.email.trim().toLowerCase());
    setDeviceCookie(c, device.value, device.expiresAt);
    return tokenResponse(
      c,
      { userId: user.id, sessionId: session.id, expiresAt: session.expiresAt },
      refreshToken,
      transport,
      status,
      publicUser(user),
    );
  }

  async function tokenResponse(
    c: Context,
    session: { userId: string; sessionId: string; expiresAt: string },
    refreshToken: string,
    transport: 'cookie' | 'body',
    status: 200 | 201,
    user?: ReturnType<typeof publicUser>,
  ) {
    const access = await tokens.issue(session);
    c.header('Cache-Control', 'no-store');
    if (transport === 'cookie') {
      setRefreshCookie(c, refreshToken, new Date(session.expiresAt));
    }
    return c.json(
      {
        tokenType: 'Bearer',
        accessToken: access.token,
        accessTokenExpiresAt: access.expiresAt.toISOString(),
        ...(transport === 'body' ? { refreshToken } : {}),
        ...(user ? { user } : {}),
      },
      status,
    );
  }

  app.post('/signup', async (c) => {
    const ip = clientIp(c, config.trustProxy);
    await consume([[limits.signupIp, ip]]);
    const body = await parseJson(c, signupSchema);
    assertStrongPassword(body.password, accountWords(body.email, body.name));
    const passwordHash = await hashPassword(body.password, config.passwordScheme);
    try {
      const user = await users.create({ email: body.email, name: body.name, passwordHash });
      return signIn(c, user, body.tokenTransport, 201);
    } catch (error) {
      if (error instanceof EmailTaken)
        throw new ApiError(
          409,
          'email_taken',
          'An account with this email exists; sign in instead',
        );
      throw error;
    }
  });

  app.post('/login', async (c) => {
    const body = await parseJson(c, loginSchema);
    const ip = clientIp(c, config.trustProxy);
    const email = body.email.trim().toLowerCase();
    const deviceId = await devices.deviceFor(deviceCookie(c), email);
    // Paid before any hashing: a refused guess costs us nothing, and parallel ones pay in turn.
    const refund = await chargeLoginAttempt(limits, { email, ip, deviceId });
    const user = await users.findByEmail(email);
    const result = user?.passwordHash
      ? await verifyPassword(user.passwordHash, body.password, config.passwordScheme)
      : {
          ok: (await verifyPassword(await timingDecoy, body.password)).ok && false,
          needsRehash: false,
        };
    if (!user || !result.ok) throw invalidCredentials();
    await refund();
    if (result.needsRehash)
      await users.setPasswordHash(
        user.id,
        await hashPassword(body.password, config.passwordScheme),
      );
    return signIn(c, user, body.tokenTransport);
  });

  app.post('/refresh', async (c) => {
    const body = c.req.header('content-type')?.startsWith('application/json')
      ? await parseJson(c, refreshSchema)
      : {};
    const fromCookie = getCookie(c, REFRESH_COOKIE);
    const presented = body.refreshToken ?? fromCookie;
    if (!presented) throw invalidRefreshToken();
    const transport = body.refreshToken ? 'body' : 'cookie';
    // The cookie rides along on cross-site requests; only our own pages may spend it.
    if (transport === 'cookie') assertAllowedOrigin(c, config.allowedOrigins);
    try {
      const { session, refreshToken } = await sessions.rotate(presented, {
        ip: clientIp(c, config.trustProxy),
      });
      return tokenResponse(
        c,
        { userId: session.userId, sessionId: session.id, expiresAt: session.expiresAt },
        refreshToken,
        transport,
        200,
      );
    } catch (error) {
      if (!(error instanceof RefreshError)) throw error;
      if (error.reason === 'conflict') {
        throw new ApiError(
          409,
          'refresh_conflict',
          'Another request refreshed this session just now; retry with the newest token',
        );
      }
      if (transport === 'cookie') clearRefreshCookie(c);
      throw invalidRefreshToken();
    }
  });

  app.use('/logout', requireAuth(auth));
  app.post('/logout', async (c) => {
    const { userId, sessionId } = c.get('auth');
    await sessions.revokeSessions(userId, [sessionId], 'logout');
    clearRefreshCookie(c);
    return c.body(null, 204);
  });

  app.use('/logout-all', requireAuth(auth));
  app.post('/logout-all', async (c) => {
    const { userId } = c.get('auth');
    await sessions.revokeAll(userId, 'logout_all');
    clearRefreshCookie(c);
    return c.body(null, 204);
  });

  app.use('/sessions', requireAuth(auth));
  app.use('/sessions/*', requireAuth(auth));
  app.get('/sessions', async (c) => {
    const { userId, sessionId } = c.get('auth');
    const list = await sessions.list(userId);
    return c.json({
      sessions: list.map((session) => ({
        id: session.id,
        device: session.device,
        ip: session.ip,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        current: session.id === sessionId,
      })),
    });
  });
  app.delete('/sessions/:id', async (c) => {
    const { userId } = c.get('auth');
    // Another user's session id answers exactly like a random one.
    const revoked = await sessions.revokeSessions(userId, [c.req.param('id')], 'revoked');
    if (revoked === 0) throw notFound('No such session');
    return c.body(null, 204);
  });

  app.use('/me', requireAuth(auth));
  app.get('/me', async (c) => {
    const user = await users.findById(c.get('auth').userId);
    if (!user) throw notFound('No such user');
    return c.json({ user: publicUser(user) });
  });

  return app;
}
