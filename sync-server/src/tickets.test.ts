import {
  createEmbeddedKeyValueStore,
  createRedisKeyValueStore,
  type Database,
  type KeyValueStore,
  openPostgres,
  sessionKey,
} from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  issueSyncTicket,
  MAX_SYNC_TICKET_USES,
  redeemSyncTicket,
  SYNC_TICKET_TTL_MS,
} from './tickets';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let redis: Redis;
let database: Database;
beforeAll(async () => {
  redis = new Redis(testRedis.url);
  database = await openPostgres(testDb.url, { poolSize: 4 });
});
afterAll(async () => {
  redis.disconnect();
  await database.close();
});

const alice = { userId: 'user-alice', sessionId: 'session-1' };

/** A live session behind the ticket, as the API keeps one (its content is the API's business). */
const signIn = (kv: KeyValueStore, { userId, sessionId } = alice) =>
  kv.set(sessionKey(sessionId), JSON.stringify({ id: sessionId, userId }));

for (const [name, store] of [
  ['redis', () => createRedisKeyValueStore(redis, testRedis.prefix)],
  ['embedded', () => createEmbeddedKeyValueStore(database.db)],
] as const) {
  describe(`sync tickets on ${name}`, () => {
    it('redeems a ticket once, for the user and session it was issued to', async () => {
      const kv = store();
      await signIn(kv);
      const { ticket, expiresAt } = await issueSyncTicket(kv, alice);
      expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(SYNC_TICKET_TTL_MS);
      expect(await kv.ttl(`sync-ticket:${ticket}`)).toBeNull(); // stored under its hash, not itself
      const redeemed = await Promise.all([
        redeemSyncTicket(kv, ticket),
        redeemSyncTicket(kv, ticket),
      ]);
      expect(redeemed.filter(Boolean)).toEqual([alice]);
      expect(await redeemSyncTicket(kv, ticket)).toBeNull();
    });

    it('refuses a ticket whose session ended after it was issued (logout)', async () => {
      const kv = store();
      const bob = { userId: 'user-bob', sessionId: `session-bob-${name}` };
      await signIn(kv, bob);
      const { ticket } = await issueSyncTicket(kv, bob);
      await kv.delete(sessionKey(bob.sessionId));
      expect(await redeemSyncTicket(kv, ticket)).toBeNull();
    });

    it('refuses a ticket after 60 seconds', async () => {
      const kv = store();
      await signIn(kv);
      const issuedAt = new Date();
      const { ticket } = await issueSyncTicket(kv, alice, issuedAt);
      expect(
        await redeemSyncTicket(kv, ticket, new Date(issuedAt.getTime() + SYNC_TICKET_TTL_MS + 1)),
      ).toBeNull();
    });

    it('opens as many sockets as a burst ticket has uses, even when all redeem at once', async () => {
      const kv = store();
      await signIn(kv);
      const { ticket, uses } = await issueSyncTicket(kv, alice, new Date(), 5);
      expect(uses).toBe(5);
      const redeemed = await Promise.all(
        Array.from({ length: 8 }, () => redeemSyncTicket(kv, ticket)),
      );
      expect(redeemed.filter(Boolean)).toEqual(Array(5).fill(alice));
      expect(await redeemSyncTicket(kv, ticket)).toBeNull();
    });

    it('refuses the rest of a burst once its session ended, and after 60 seconds', async () => {
      const kv = store();
      const carol = { userId: 'user-carol', sessionId: `session-carol-${name}` };
      await signIn(kv, carol);
      const issuedAt = new Date();
      const { ticket } = await issueSyncTicket(kv, carol, issuedAt, 10);
      expect(await redeemSyncTicket(kv, ticket)).toEqual(carol);
      const late = new Date(issuedAt.getTime() + SYNC_TICKET_TTL_MS + 1);
      expect(await redeemSyncTicket(kv, ticket, late)).toBeNull();
      await kv.delete(sessionKey(carol.sessionId));
      expect(await redeemSyncTicket(kv, ticket)).toBeNull();
    });

    it.each([0, -1, 1.5, MAX_SYNC_TICKET_USES + 1, Number.NaN])(
      'issues no ticket with %s uses',
      async (uses) => {
        await expect(issueSyncTicket(store(), alice, new Date(), uses)).rejects.toThrow(RangeError);
      },
    );

    it.each([
      ['empty', ''],
      ['too short', 'abc'],
      ['not base64url', `${'+'.repeat(43)}`],
      ['made up', 'A'.repeat(43)],
      ['too long', 'A'.repeat(5000)],
    ])('refuses a ticket that is %s', async (_name, ticket) => {
      expect(await redeemSyncTicket(store(), ticket)).toBeNull();
    });
  });
}
