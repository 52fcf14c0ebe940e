import { createMiddleware } from 'hono/factory';
import { unauthenticated } from '../errors';
import { InvalidAccessToken } from './access-tokens';
import type { Auth } from './auth';

export interface AuthVariables {
  auth: { userId: string; sessionId: string };
}

/**
 * Accepts `Authorization: Bearer <access token>` while the token's session still exists, so that a
 * logout or revocation takes effect at once, not when the token expires.
 */
export function requireAuth(auth: Auth) {
  return createMiddleware<{ Variables: AuthVariables }>(async (c, next) => {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer ([A-Za-z0-9_.-]{1,4096})$/);
    if (!match?.[1]) throw unauthenticated();
    let claims: { userId: string; sessionId: string };
    try {
      claims = await auth.tokens.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidAccessToken)
        throw unauthenticated('Access token is invalid or expired');
      throw error;
    }
    const session = await auth.sessions.get(claims.sessionId);
    if (!session || session.userId !== claims.userId) throw unauthenticated('Session has ended');
    c.set('auth', claims);
    await next();
  });
}
