import { type Database, openPglite, openPostgres, schema } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocLog } from './doc-log';
import { docLogContract } from './doc-log-contract';
import { createMemoryDocLog, createMemoryLogStore } from './memory-doc-log';

const testDb = useTestDatabase();

/** A database with a user, opened and migrated in `beforeAll`, read inside tests. */
function openWithUser(name: string, open: () => Promise<Database>) {
  let database: Database | undefined;
  let userId = '';
  beforeAll(async () => {
    database = await open();
    await database.migrate();
    const [user] = await database.db
      .insert(schema.users)
      .values({ email: `log-${name}@example.com`, name: 'Ada' })
      .returning();
    userId = user?.id ?? '';
  });
  afterAll(() => database?.close());
  return {
    get db() {
      if (!database) throw new Error('read inside a test');
      return database.db;
    },
    get userId() {
      return userId;
    },
  };
}

const memory = createMemoryLogStore();
docLogContract(
  'memory',
  () => ({ log: () => createMemoryDocLog({ store: memory }), userId: 'ada', inOrder: true }),
  'MEM',
);

/** The log's raw INSERT must behave the same on both databases the server can run on. */
for (const [name, open] of [
  ['postgres', () => openPostgres(testDb.url, { poolSize: 2 })],
  ['pglite', () => openPglite('memory')],
] as const) {
  describe(`doc log on ${name}`, () => {
    const database = openWithUser(name, open);
    for (const maxBatch of [512, 1]) {
      docLogContract(
        `${name} (maxBatch ${maxBatch})`,
        () => ({
          log: () => createDocLog(database.db, { maxBatch }),
          userId: database.userId,
          inOrder: maxBatch > 1,
        }),
        `${name.slice(0, 2)}${maxBatch === 1 ? 'S' : 'B'}`,
      );

      it(`stores each entry's client id and user id in its row (maxBatch ${maxBatch})`, async () => {
        const log = createDocLog(database.db, { maxBatch });
        const doc = `rows-${name}-${maxBatch}`;
        const seqs = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            log.append({
              docName: doc,
              update: new Uint8Array([i, 255, 0, i]),
              clientId: 4_000_000_000 + i,
              userId: i % 2 ? database.userId : null,
            }),
          ),
        );
        // One burst fits one batch: its sequences follow call order. Batches in flight together
        // (maxBatch 1) commit in any order; they hold independent updates.
        if (maxBatch === 512) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        const rows = await database.db.select().from(schema.docUpdates);
        const mine = rows.filter((row) => row.docName === doc);
        for (const row of mine) {
          const i = row.update[0] ?? -1;
          expect(row.seq).toBe(seqs[i]);
          expect(row.clientId).toBe(4_000_000_000 + i);
          expect(row.userId).toBe(i % 2 ? database.userId : null);
        }
        expect(mine).toHaveLength(20);
      });
    }

    it('fails every append of a batch that cannot commit, and keeps serving later ones', async () => {
      const log = createDocLog(database.db);
      const bad = log.append({
        docName: 'x',
        update: new Uint8Array([1]),
        clientId: 1,
        userId: '00000000-0000-4000-8000-000000000000',
      });
      await expect(bad).rejects.toThrow();
      await expect(
        log.append({ docName: 'x', update: new Uint8Array([2]), clientId: 1, userId: null }),
      ).resolves.toBeGreaterThan(0);
    });
  });
}

describe('commits in flight together', () => {
  let database: Database;
  let pool: pg.Pool;
  beforeAll(async () => {
    database = await openPostgres(testDb.url, { poolSize: 4 });
    pool = new pg.Pool({ connectionString: testDb.url, max: 1 });
  });
  afterAll(async () => {
    await pool.end();
    await database.close();
  });

  /**
   * Holds a claim on `messageId` in an open transaction: a batch claiming the same id waits at
   * its INSERT until the transaction ends, like a commit stuck on a slow disk.
   */
  async function stall(messageId: string) {
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query(
      "INSERT INTO message_claims (message_id, doc_name, token) VALUES ($1, 'stall', 'stall')",
      [messageId],
    );
    return async () => {
      await client.query('ROLLBACK');
      client.release();
    };
  }

  const settled = (promise: Promise<unknown>) => {
    let done = false;
    void promise.finally(() => {
      done = true;
    });
    return () => done;
  };

  for (const maxInFlight of [4, 1]) {
    it(`a stalled commit ${maxInFlight > 1 ? 'does not hold up' : 'holds up'} later appends (maxInFlight ${maxInFlight})`, async () => {
      const messageId = `01JF00000000000000000000${maxInFlight}Z`;
      const release = await stall(messageId);
      const log = createDocLog(database.db, { maxInFlight });
      const stuck = log.append({
        docName: 'stalled',
        update: new Uint8Array([1]),
        clientId: 1,
        userId: null,
        claim: { messageIds: [messageId], token: 'mine' },
      });
      const stuckDone = settled(stuck);
      // Past the tick the first batch was sent in: this one goes in a batch of its own.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      const later = log.append({
        docName: 'free',
        update: new Uint8Array([2]),
        clientId: 2,
        userId: null,
      });
      const laterDone = settled(later);
      const flushed = settled(log.flush());
      if (maxInFlight > 1) {
        await expect(later).resolves.toBeGreaterThan(0);
        expect(stuckDone()).toBe(false);
      } else {
        // Nothing can finish while the only commit in flight waits.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(laterDone()).toBe(false);
      }
      expect(flushed()).toBe(false);
      await release();
      await expect(stuck).resolves.toBeGreaterThan(0);
      await expect(later).resolves.toBeGreaterThan(0);
      await log.flush();
      expect(flushed()).toBe(true);
    });
  }
});
