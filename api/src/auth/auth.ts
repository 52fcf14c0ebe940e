import type { Backends } from '@confab/db';
import { AccessTokens } from './access-tokens';
import { type Clock, systemClock } from './clock';
import { KeyRing } from './key-ring';
import type { PasswordScheme } from './passwords';
import { createRateLimits, type RateLimits } from './rate-limits';
import { Sessions } from './sessions';
import { Users } from './users';

export interface AuthConfig {
  /** `iss` of access tokens: the public URL of this installation. */
  issuer: string;
  allowedOrigins: readonly string[];
  trustProxy: boolean;
  passwordScheme: PasswordScheme;
  accessTokenTtlSeconds?: number;
  reuseGraceMs?: number;
  redisKeyPrefix: string;
  clock?: Clock;
}

/** Everything the auth routes and the auth middleware share, built once per process. */
export interface Auth {
  users: Users;
  sessions: Sessions;
  tokens: AccessTokens;
  keys: KeyRing;
  limits: RateLimits;
  config: AuthConfig;
  clock: Clock;
}

export const ACCESS_TOKEN_AUDIENCE = 'confab-api';

export async function createAuth(backends: Backends, config: AuthConfig): Promise<Auth> {
  const clock = config.clock ?? systemClock;
  const keys = await KeyRing.open(backends.database.db, { clock });
  return {
    users: new Users(backends.database.db),
    sessions: new Sessions(backends.kv, backends.bus, { clock, reuseGraceMs: config.reuseGraceMs }),
    tokens: new AccessTokens(keys, {
      issuer: config.issuer,
      audience: ACCESS_TOKEN_AUDIENCE,
      ttlSeconds: config.accessTokenTtlSeconds,
      clock,
    }),
    keys,
    limits: createRateLimits(backends.redis, config.redisKeyPrefix),
    config,
    clock,
  };
}
