import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { ApiError } from '../errors';

/**
 * Limits on the routes that guess or spam. Each counts in a window; `check` refuses once a key has
 * used its points, before any password is hashed, and `consume` is charged after a failure (or,
 * for sign-up and reset, on every request).
 */
export interface RateLimits {
  /** Failed logins for one email from one IP: the 11th consecutive failure is refused. */
  loginEmailIp: RateLimiterAbstract;
  /** Failed logins for one email from anywhere: at most 100 an hour. */
  loginEmail: RateLimiterAbstract;
  /** Failed logins from one IP, for any email (credential stuffing). */
  loginIp: RateLimiterAbstract;
  signupIp: RateLimiterAbstract;
  resetEmail: RateLimiterAbstract;
  resetIp: RateLimiterAbstract;
}

const MINUTE = 60;
const HOUR = 3600;

const LIMITS = {
  loginEmailIp: { points: 10, duration: 15 * MINUTE },
  loginEmail: { points: 100, duration: HOUR },
  loginIp: { points: 200, duration: HOUR },
  signupIp: { points: 20, duration: HOUR },
  resetEmail: { points: 5, duration: HOUR },
  resetIp: { points: 30, duration: HOUR },
} as const;

/** Redis when configured (shared by every node); else in process memory (embedded mode). */
export function createRateLimits(redis: Redis | null, prefix: string): RateLimits {
  const make = (name: keyof typeof LIMITS) =>
    redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${prefix}rl:${name}`,
          ...LIMITS[name],
        })
      : new RateLimiterMemory({ keyPrefix: name, ...LIMITS[name] });
  return {
    loginEmailIp: make('loginEmailIp'),
    loginEmail: make('loginEmail'),
    loginIp: make('loginIp'),
    signupIp: make('signupIp'),
    resetEmail: make('resetEmail'),
    resetIp: make('resetIp'),
  };
}

const tooMany = (msBeforeNext: number) =>
  new ApiError(429, 'rate_limited', 'Too many attempts; try again later', {
    'Retry-After': String(Math.max(1, Math.ceil(msBeforeNext / 1000))),
  });

/** Refuses with 429 when any of the keys has no points left; charges nothing. */
export async function check(limits: Array<[RateLimiterAbstract, string]>): Promise<void> {
  for (const [limiter, key] of limits) {
    const state = await limiter.get(key);
    if (state && state.consumedPoints >= limiter.points) throw tooMany(state.msBeforeNext);
  }
}

/** Charges one point to each key; refuses with 429 when that exhausts one. */
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
