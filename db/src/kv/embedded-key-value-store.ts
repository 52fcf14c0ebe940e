import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../database';
import { kvEntries, kvSetMembers } from '../schema/index';
import { assertTtl, type KeyValueStore } from './key-value-store';
import { redeemTicketStepwise } from './redeem-ticket';

/**
 * The key-value store on the database, for installations without Redis. Expiry uses the
 * database's clock; expired rows are invisible at once and removed by `sweep`.
 */
export function createEmbeddedKeyValueStore(db: Db): KeyValueStore & { sweep(): Promise<void> } {
  const live = or(isNull(kvEntries.expiresAt), gt(kvEntries.expiresAt, sql`now()`));
  const expiry = (ttlMs?: number) =>
    ttlMs ? sql`now() + ${ttlMs} * interval '1 millisecond'` : null;
  return {
    kind: 'embedded',
    async get(key) {
      const [row] = await db
        .select({ value: kvEntries.value })
        .from(kvEntries)
        .where(and(eq(kvEntries.key, key), live));
      return row?.value ?? null;
    },
    async set(key, value, ttlMs) {
      assertTtl(ttlMs);
      await db
        .insert(kvEntries)
        .values({ key, value, expiresAt: expiry(ttlMs) })
        .onConflictDoUpdate({ target: kvEntries.key, set: { value, expiresAt: expiry(ttlMs) } });
    },
    async setIfAbsent(key, value, ttlMs) {
      assertTtl(ttlMs);
      // An expired row counts as absent: overwrite it, but never a live one.
      const rows = await db
        .insert(kvEntries)
        .values({ key, value, expiresAt: expiry(ttlMs) })
        .onConflictDoUpdate({
          target: kvEntries.key,
          set: { value, expiresAt: expiry(ttlMs) },
          setWhere: lte(kvEntries.expiresAt, sql`now()`),
        })
        .returning({ key: kvEntries.key });
      return rows.length === 1;
    },
    async compareAndSet(key, expected, next, ttlMs) {
      assertTtl(ttlMs);
      const rows = await db
        .update(kvEntries)
        .set(ttlMs ? { value: next, expiresAt: expiry(ttlMs) } : { value: next })
        .where(and(eq(kvEntries.key, key), eq(kvEntries.value, expected), live))
        .returning({ key: kvEntries.key });
      return rows.length === 1;
    },
    async take(key) {
      const [row] = await db
        .delete(kvEntries)
        .where(eq(kvEntries.key, key))
        .returning({ value: kvEntries.value, live: sql<boolean>`${live}` });
      return row?.live ? row.value : null;
    },
    async increment(key, ttlMs) {
      assertTtl(ttlMs);
      // An expired row counts as absent: it starts again from 1, with the new expiry.
      const expired = lte(kvEntries.expiresAt, sql`now()`);
      const [row] = await db
        .insert(kvEntries)
        .values({ key, value: '1', expiresAt: expiry(ttlMs) })
        .onConflictDoUpdate({
          target: kvEntries.key,
          set: {
            value: sql`case when ${expired} then '1' else (${kvEntries.value}::bigint + 1)::text end`,
            expiresAt: sql`case when ${expired} then excluded.expires_at else ${kvEntries.expiresAt} end`,
          },
        })
        .returning({ value: kvEntries.value });
      return Number(row?.value);
    },
    redeemTicket(key) {
      return redeemTicketStepwise(this, key);
    },
    async delete(...keys) {
      for (const key of keys) {
        await db.delete(kvEntries).where(eq(kvEntries.key, key));
        await db.delete(kvSetMembers).where(eq(kvSetMembers.key, key));
      }
    },
    async setAdd(key, member) {
      await db.insert(kvSetMembers).values({ key, member }).onConflictDoNothing();
    },
    async setRemove(key, member) {
      await db
        .delete(kvSetMembers)
        .where(and(eq(kvSetMembers.key, key), eq(kvSetMembers.member, member)));
    },
    async setMembers(key) {
      const rows = await db
        .select({ member: kvSetMembers.member })
        .from(kvSetMembers)
        .where(eq(kvSetMembers.key, key));
      return rows.map((row) => row.member);
    },
    async ttl(key) {
      const [row] = await db
        .select({
          ms: sql<
            string | null
          >`(extract(epoch from ${kvEntries.expiresAt} - now()) * 1000)::bigint`,
        })
        .from(kvEntries)
        .where(and(eq(kvEntries.key, key), live));
      return row?.ms == null ? null : Number(row.ms);
    },
    async sweep() {
      await db.delete(kvEntries).where(lte(kvEntries.expiresAt, sql`now()`));
    },
  };
}
