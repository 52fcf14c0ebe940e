import {
  createEmbeddedKeyValueStore,
  createInProcessBus,
  createRedisKeyValueStore,
  type Database,
  type KeyValueStore,
  openPostgres,
  SESSIONS_REVOKED_TOPIC,
  type SessionsRevokedEvent,
} from '@confab/db';
import { useTestDatabase, useTestRedis, waitFor } from '@confab/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefreshError, type SessionOptions, Sessions } from './sessions';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let database: Database;
let redis: Redis;
beforeAll(async () => {
  database = await openPostgres(testDb.url, { poolSize: 8 });
  redis = new Redis(testRedis.url);
});
afterAll(async () => {
  redis.disconnect();
  await database.close();
});

const device = { device: 'Firefox on Linux', ip: '203.0.113.7' };
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'succeeded',
    (error: unknown) => (error instanceof RefreshError ? error.reason : String(error)),
  );

for (const [name, store] of [
  ['redis', () => createRedisKeyValueStore(redis, testRedis.prefix)],
  ['embedded', () => createEmbeddedKeyValueStore(database.db)],
] as const) {
  describe(`sessions on ${name}`, () => {
    let kv: KeyValueStore;
    const events: SessionsRevokedEvent[] = [];
    const bus = createInProcessBus();
    const sessions = (options: SessionOptions = {}) => new Sessions(kv, bus, options);
    beforeAll(async () => {
      kv = store();
      await bus.subscribe(SESSIONS_REVOKED_TOPIC, (message) => {
        events.push(JSON.parse(new TextDecoder().decode(message)) as SessionsRevokedEvent);
      });
    });

    it('rotates the refresh token at every use', async () => {
      const s = sessions();
      const { refreshToken: first, session } = await s.create('user-a', device);
      const { refreshToken: second } = await s.rotate(first, { ip: '198.51.100.1' });
      expect(second).not.toBe(first);
      expect(second.startsWith(`${session.id}.`)).toBe(true);
      const { refreshToken: third, session: after } = await s.rotate(second, {
        ip: '198.51.100.1',
      });
      expect(third).not.toBe(second);
      expect(after.ip).toBe('198.51.100.1');
    });

    it('revokes the whole family when a rotated-out token is replayed [RFC 9700]', async () => {
      const s = sessions({ reuseGraceMs: 0 });
      const { refreshToken: stolen, session } = await s.create('user-b', device);
      const { refreshToken: successor } = await s.rotate(stolen, { ip: device.ip });
      expect(await failure(s.rotate(stolen, { ip: '192.0.2.66' }))).toBe('reused');
      expect(await s.get(session.id)).toBeNull();
      expect(await failure(s.rotate(successor, { ip: device.ip }))).toBe('invalid');
      await waitFor('revocation event', () =>
        events.find((event) => event.sessionIds.includes(session.id)),
      );
      expect(events.find((event) => event.sessionIds.includes(session.id))).toEqual({
        userId: 'user-b',
        sessionIds: [session.id],
        reason: 'refresh_token_reused',
      });
    });

    it('leaves exactly one valid successor when one token is refreshed concurrently', async () => {
      const s = sessions();
      const { refreshToken, session } = await s.create('user-c', device);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => s.rotate(refreshToken, { ip: device.ip })),
      );
      const winners = results.flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      const losers = results.flatMap((result) =>
        result.status === 'rejected' ? [result.reason] : [],
      );
      expect(winners).toHaveLength(1);
      expect(losers.map((error) => (error as RefreshError).reason)).toEqual(
        Array(5).fill('conflict'),
      );
      expect(await s.get(session.id)).not.toBeNull();
      await s.rotate(winners[0]?.refreshToken ?? '', { ip: device.ip });
    });

    it('refuses malformed, unknown and wrong tokens without touching the session', async () => {
      const s = sessions({ reuseGraceMs: 0 });
      const { session } = await s.create('user-d', device);
      for (const token of [
        '',
        'no-dot',
        '..',
        `${session.id}.wrong`,
        `${session.id}.a.b`,
        'unknown.secret',
        `${'x'.repeat(65)}.y`,
      ]) {
        expect(await failure(s.rotate(token, { ip: device.ip })), token).toBe('invalid');
      }
      expect(await s.get(session.id)).not.toBeNull();
    });

    it('ends a session at its absolute expiry however often it is refreshed', async () => {
      let now = new Date('2026-03-01T00:00:00Z');
      const s = sessions({ clock: () => now, absoluteTtlMs: 60_000, idleTtlMs: 3_600_000 });
      const { refreshToken } = await s.create('user-e', device);
      now = new Date(now.getTime() + 61_000);
      expect(await failure(s.rotate(refreshToken, { ip: device.ip }))).toBe('invalid');
    });

    it('lists a user’s sessions and revokes one, all, and never another user’s', async () => {
      const s = sessions();
      const one = await s.create('user-f', { device: 'Phone', ip: '203.0.113.1' });
      const two = await s.create('user-f', { device: 'Laptop', ip: '203.0.113.2' });
      const other = await s.create('user-g', device);
      expect((await s.list('user-f')).map((session) => session.device).sort()).toEqual([
        'Laptop',
        'Phone',
      ]);
      expect(await s.revokeSessions('user-f', [other.session.id], 'revoked')).toBe(0);
      expect(await s.get(other.session.id)).not.toBeNull();
      expect(await s.revokeSessions('user-f', [one.session.id], 'revoked')).toBe(1);
      expect((await s.list('user-f')).map((session) => session.id)).toEqual([two.session.id]);
      expect(await s.revokeAll('user-f', 'logout_all')).toBe(1);
      expect(await s.list('user-f')).toEqual([]);
    });
  });
}
