import type { KeyValueStore } from '@confab/db';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { BackgroundTasks } from '../background-tasks';
import type { Mailer } from '../mail/mailer';
import { hashPassword, type PasswordScheme } from './passwords';
import type { RateLimits } from './rate-limits';
import { hashSecret, randomSecret } from './secrets';
import type { Sessions } from './sessions';
import type { Users } from './users';

/** A reset link works for at most 30 minutes, once. */
export const RESET_TOKEN_TTL_MS = 30 * 60_000;
export const resetTokenKey = (token: string) => `password-reset:${hashSecret(token)}`;

export interface PasswordResetDeps {
  kv: KeyValueStore;
  users: Users;
  sessions: Sessions;
  mailer: Mailer;
  tasks: BackgroundTasks;
  limits: RateLimits;
  publicUrl: string;
  passwordScheme: PasswordScheme;
}

/**
 * Password reset. A request is answered before anything about the account is looked at, so the
 * answer and its timing are the same for every email; lookup, token and mail happen afterwards.
 */
export class PasswordReset {
  constructor(private readonly deps: PasswordResetDeps) {}

  request(email: string): void {
    const { tasks, limits, users, kv, mailer, publicUrl } = this.deps;
    const normalized = email.trim().toLowerCase();
    tasks.run('password-reset-mail', async () => {
      try {
        await limits.resetEmail.consume(normalized);
      } catch (error) {
        if (error instanceof RateLimiterRes) return; // a flood of resets for one account sends nothing more
        throw error;
      }
      const user = await users.findByEmail(normalized);
      if (!user || user.deactivatedAt) return;
      const token = randomSecret();
      await kv.set(resetTokenKey(token), user.id, RESET_TOKEN_TTL_MS);
      // The token travels in the fragment: browsers send it neither to the server nor in Referer.
      const link = `${publicUrl}/reset-password#token=${token}`;
      await mailer.send({
        to: user.email,
        subject: 'Reset your Confab password',
        text: [
          `Hello ${user.name},`,
          '',
          'Someone (hopefully you) asked to reset the password of your Confab account.',
          `Open this link within 30 minutes to choose a new one: ${link}`,
          '',
          'If it was not you, ignore this mail; your password stays as it is.',
        ].join('\n'),
      });
    });
  }

  /** Sets the new password and ends every session; false when the token is unknown, used or expired. */
  async confirm(token: string, password: string): Promise<boolean> {
    const { kv, users, sessions, passwordScheme } = this.deps;
    const userId = await kv.take(resetTokenKey(token));
    if (!userId) return false;
    await users.setPasswordHash(userId, await hashPassword(password, passwordScheme));
    await sessions.revokeAll(userId, 'password_reset');
    return true;
  }
}
