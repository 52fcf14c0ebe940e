import type { Backends } from '@confab/db';
import type { BackgroundTasks } from '../background-tasks';
import type { Mailer } from '../mail/mailer';
import { AccessTokens } from './access-tokens';
import { type Clock, systemClock } from './clock';
import { DeviceCookies } from './device-cookies';
import { KeyRing } from './key-ring';
import { PasswordReset } from './password-reset';
import type { PasswordScheme } from './passwords';
import { createRateLimits, type RateLimitOverrides, type RateLimits } from './rate-limits';
import { Sessions } from './sessions';
import { type OidcProviderConfig, SingleSignOn } from './single-sign-on';
import { Users } from './users';

export interface AuthConfig {
  /** Where users open Confab; links in mails point here and its origin is the tokens' `iss`. */
  publicUrl: string;
  allowedOrigins: readonly string[];
  trustProxy: boolean;
  passwordScheme: PasswordScheme;
  accessTokenTtlSeconds?: number;
  reuseGraceMs?: number;
  redisKeyPrefix: string;
  oidcProviders?: readonly OidcProviderConfig[];
  clock?: Clock;
  /** Budgets other than the defaults of rate-limits.ts (search's come from the environment). */
  rateLimits?: RateLimitOverrides;
}

/** Everything the auth routes and the auth middleware share, built once per process. */
export interface Auth {
  users: Users;
  sessions: Sessions;
  tokens: AccessTokens;
  keys: KeyRing;
  limits: RateLimits;
  devices: DeviceCookies;
  reset: PasswordReset;
  sso: SingleSignOn;
  config: AuthConfig;
  clock: Clock;
}

export const ACCESS_TOKEN_AUDIENCE = 'confab-api';

export async function createAuth(
  backends: Backends,
  config: AuthConfig,
  { mailer, tasks }: { mailer: Mailer; tasks: BackgroundTasks },
): Promise<Auth> {
  const clock = config.clock ?? systemClock;
  const keys = await KeyRing.open(backends.database.db, { clock });
  const users = new Users(backends.database.db);
  const sessions = new Sessions(backends.kv, backends.bus, {
    clock,
    reuseGraceMs: config.reuseGraceMs,
  });
  const limits = createRateLimits(backends.redis, config.redisKeyPrefix, config.rateLimits);
  return {
    users,
    sessions,
    reset: new PasswordReset({
      kv: backends.kv,
      users,
      sessions,
      mailer,
      tasks,
      limits,
      publicUrl: config.publicUrl,
      passwordScheme: config.passwordScheme,
    }),
    sso: new SingleSignOn(
      config.oidcProviders ?? [],
      backends.database.db,
      backends.kv,
      config.publicUrl,
    ),
    tokens: new AccessTokens(keys, {
      issuer: new URL(config.publicUrl).origin,
      audience: ACCESS_TOKEN_AUDIENCE,
      ttlSeconds: config.accessTokenTtlSeconds,
      clock,
    }),
    keys,
    limits,
    devices: new DeviceCookies(backends.kv, { clock }),
    config,
    clock,
  };
}
