import { Hono } from 'hono';
import type { PasswordReset } from '../../auth/password-reset';
import { consume, type RateLimits } from '../../auth/rate-limits';
import { ApiError } from '../../errors';
import { clientIp, parseJson } from '../../http/request';
import { assertStrongPassword } from './password-policy';
import { resetConfirmSchema, resetRequestSchema } from './schemas';

export function passwordResetRoutes({
  reset,
  limits,
  trustProxy,
}: {
  reset: PasswordReset;
  limits: RateLimits;
  trustProxy: boolean;
}) {
  const app = new Hono();

  app.post('/', async (c) => {
    const ip = clientIp(c, trustProxy);
    await consume([[limits.resetIp, ip]]);
    const { email } = await parseJson(c, resetRequestSchema);
    reset.request(email);
    return c.json(
      { status: 'accepted', message: 'If an account uses this email, a reset link is on its way' },
      202,
    );
  });

  app.post('/confirm', async (c) => {
    const { token, password } = await parseJson(c, resetConfirmSchema);
    // Checked before the token is spent: a refused password leaves the link usable.
    assertStrongPassword(password);
    if (!(await reset.confirm(token, password))) {
      throw new ApiError(
        400,
        'invalid_reset_token',
        'This reset link is invalid, used or expired; ask for a new one',
      );
    }
    return c.body(null, 204);
  });

  return app;
}
