import { useTestRedis } from '@confab/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { chargeLoginAttempt } from './login-limits';
import { consume, createRateLimits, type RateLimits } from './rate-limits';

const testRedis = useTestRedis();
let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedis.url);
});
afterAll(() => redis.disconnect());

let round = 0;
const email = () => `burst-${++round}@example.com`;

/** Status of each attempt: 'paid' when it may go on to the password check, else the 429. */
async function burst(attempts: Array<() => Promise<unknown>>) {
  const results = await Promise.allSettled(attempts.map((attempt) => attempt()));
  for (const result of results) {
    if (result.status === 'rejected' && !(result.reason instanceof ApiError)) throw result.reason;
  }
  return {
    paid: results.filter((result) => result.status === 'fulfilled').length,
    refused: results.filter(
      (result) => result.status === 'rejected' && (result.reason as ApiError).status === 429,
    ).length,
  };
}

for (const [name, limits] of [
  ['redis', () => createRateLimits(redis, testRedis.prefix)],
  ['memory', () => createRateLimits(null, '')],
] as const) {
  describe(`login limits in ${name}`, () => {
    let rateLimits: RateLimits;
    beforeAll(() => {
      rateLimits = limits();
    });

    it('lets exactly 10 of 25 parallel attempts on one email from one IP through', async () => {
      const target = email();
      const result = await burst(
        Array.from(
          { length: 25 },
          () => () =>
            chargeLoginAttempt(rateLimits, { email: target, ip: '203.0.113.1', deviceId: null }),
        ),
      );
      expect(result).toEqual({ paid: 10, refused: 15 });
    });

    it('lets exactly 100 of 150 parallel attempts on one email from 15 IPs through', async () => {
      const target = email();
      const result = await burst(
        Array.from(
          { length: 150 },
          (_, index) => () =>
            chargeLoginAttempt(rateLimits, {
              email: target,
              ip: `198.51.100.${index % 15}`,
              deviceId: null,
            }),
        ),
      );
      expect(result).toEqual({ paid: 100, refused: 50 });
    });

    it('gives a known device its own budget once the account has none left', async () => {
      const target = email();
      await rateLimits.loginEmail.consume(target, 100);
      const stranger = () =>
        chargeLoginAttempt(rateLimits, { email: target, ip: '192.0.2.1', deviceId: null });
      await expect(stranger()).rejects.toMatchObject({ status: 429 });
      const deviceId = `device-${round}`;
      // From a new address each time, so that only the device's own limit can refuse.
      const device = (index: number) => () =>
        chargeLoginAttempt(rateLimits, { email: target, ip: `192.0.2.${10 + index}`, deviceId });
      const refund = await device(0)();
      await refund(); // a success starts the device's count over
      const result = await burst(Array.from({ length: 12 }, (_, index) => device(index + 1)));
      expect(result).toEqual({ paid: 10, refused: 2 });
    });

    it('refunds a successful attempt, so successes never lock anyone out', async () => {
      const target = email();
      for (let attempt = 0; attempt < 30; attempt++) {
        const refund = await chargeLoginAttempt(rateLimits, {
          email: target,
          ip: '203.0.113.2',
          deviceId: null,
        });
        await refund();
      }
      expect((await rateLimits.loginEmail.get(target))?.consumedPoints ?? 0).toBe(0);
    });

    it('refuses 5 of 25 parallel sign-ups from one IP', async () => {
      const ip = `signup-${round++}`;
      const result = await burst(
        Array.from({ length: 25 }, () => () => consume([[rateLimits.signupIp, ip]])),
      );
      expect(result).toEqual({ paid: 20, refused: 5 });
    });
  });
}
