import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { ApiError } from '../errors';

/**
 * Limits on the routes that guess or spam, and on search, the costliest read. Every attempt pays
 * its point up front, before any password is hashed or any query runs; a login that succeeds gets
 * its points back (see login-limits.ts).
 */
export interface RateLimits {
  /** Failed logins for one email from one IP: the 11th consecutive failure is refused. */
  loginEmailIp: RateLimiterAbstract;
  /** Failed logins for one email from unknown devices: at most 100 an hour. */
  loginEmail: RateLimiterAbstract;
  /** Failed logins from one device that signed in to that email before (its device cookie). */
  loginDevice: RateLimiterAbstract;
  /** Failed logins from one IP, for any email (credential stuffing). */
  loginIp: RateLimiterAbstract;
  signupIp: RateLimiterAbstract;
  resetEmail: RateLimiterAbstract;
  resetIp: RateLimiterAbstract;
  /** Searches per user (each a full-text query over every channel the user may read). */
  search: RateLimiterAbstract;
  /** Suggestions per user: asked as one types (after a 150 ms pause), so ten times as many. */
  suggest: RateLimiterAbstract;
}

const MINUTE = 60;
const HOUR = 3600;

const LIMITS = {
  loginEmailIp: { points: 10, duration: 15 * MINUTE },
  loginEmail: { points: 100, duration: HOUR },
  loginDevice: { points: 10, duration: HOUR },
  loginIp: { points: 200, duration: HOUR },
  signupIp: { points: 20, duration: HOUR },
  resetEmail: { points: 5, duration: HOUR },
  resetIp: { points: 30, duration: HOUR },
  search: { points: 60, duration: MINUTE },
  suggest: { points: 600, duration: MINUTE },
} as const;

/** A budget: `points` requests per `duration` seconds. */
export interface RateLimit {
  points: number;
  duration: number;
}

/** Budgets other than the defaults above (a test that searches more than a person would). */
export type RateLimitOverrides = Partial<Record<keyof RateLimits, RateLimit>>;

/** Redis when configured (shared by every node); else in process memory (embedded mode). */
export function createRateLimits(
  redis: Redis | null,
  prefix: string,
  overrides: RateLimitOverrides = {},
): RateLimits {
  const make = (name: keyof typeof LIMITS) => {
    const limit = overrides[name] ?? LIMITS[name];
    return redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}rl:${name}`, ...limit })
      : new RateLimiterMemory({ keyPrefix: name, ...limit });
  };
  return {
    loginEmailIp: make('loginEmailIp'),
    loginEmail: make('loginEmail'),
    loginDevice: make('loginDevice'),
    loginIp: make('loginIp'),
    signupIp: make('signupIp'),
    resetEmail: make('resetEmail'),
    resetIp: make('resetIp'),
    search: make('search'),
    suggest: make('suggest'),
  };
}

const tooMany = (msBeforeNext: number) =>
  new ApiError(429, 'rate_limited', 'Too many attempts; try again later', {
    'Retry-After': String(Math.max(1, Math.ceil(msBeforeNext / 1000))),
  });

/**
 * Charges one point to each key in turn and refuses with 429 at the first that has none left,
 * leaving the later keys uncharged. Each charge is one atomic increment (a Redis script, or one
 * synchronous step in memory), so parallel requests cannot all pass on the same last point, as
 * they could when a read came before the charge.
 */
export async function consume(limits: Array<[RateLimiterAbstract, string]>): Promise<void> {
  for (const [limiter, key] of limits) {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw tooMany(error.msBeforeNext);
      throw error;
    }
  }
}
