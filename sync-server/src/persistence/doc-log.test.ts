import { type Database, openPglite, openPostgres, schema } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocLog, MessageIdTaken } from './doc-log';

const testDb = useTestDatabase();

/** The log's raw INSERT must behave the same on both databases the server can run on. */
function docLogContract(name: string, open: () => Promise<Database>) {
  describe(`doc log on ${name}`, () => {
    let database: Database;
    let userId: string;
    beforeAll(async () => {
      database = await open();
      await database.migrate();
      const [user] = await database.db
        .insert(schema.users)
        .values({ email: `log-${name}@example.com`, name: 'Ada' })
        .returning();
      userId = user?.id ?? '';
    });
    afterAll(() => database.close());

    for (const maxBatch of [512, 1]) {
      it(`logs a burst of appends, each once, and loads them all (maxBatch ${maxBatch})`, async () => {
        const log = createDocLog(database.db, { maxBatch });
        const doc = `doc-${name}-${maxBatch}`;
        const updates = Array.from({ length: 20 }, (_, i) => new Uint8Array([i, 255, 0, i]));
        const seqs = await Promise.all(
          updates.map((update, i) =>
            log.append({
              docName: doc,
              update,
              clientId: 4_000_000_000 + i,
              userId: i % 2 ? userId : null,
            }),
          ),
        );
        expect(new Set(seqs).size).toBe(20);
        // One burst fits one batch: its sequences follow call order. Batches in flight together
        // (maxBatch 1) commit in any order; they hold independent updates.
        if (maxBatch === 512) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        const loaded = (await log.load(doc)).map((update) => update[0]);
        expect(loaded.sort((a = 0, b = 0) => a - b)).toEqual(updates.map((_, i) => i));
        const rows = await database.db.select().from(schema.docUpdates);
        const mine = rows.filter((row) => row.docName === doc);
        for (const row of mine) {
          const i = row.update[0] ?? -1;
          expect(row.seq).toBe(seqs[i]);
          expect(row.clientId).toBe(4_000_000_000 + i);
          expect(row.userId).toBe(i % 2 ? userId : null);
        }
        expect(mine).toHaveLength(20);
      });
    }

    it('refuses a second creation of a message id and passes a re-sent one', async () => {
      const log = createDocLog(database.db);
      const creation = (token: string) => ({
        docName: `claims-${name}`,
        update: new Uint8Array([9]),
        clientId: 7,
        userId: null,
        claim: { messageIds: [`01JE${name === 'pglite' ? 'P' : 'Q'}000000000000000000001`], token },
      });
      const results = await Promise.allSettled([
        log.append(creation('first')),
        log.append(creation('second')),
        log.append(creation('first')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    });

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

docLogContract('postgres', () => openPostgres(testDb.url, { poolSize: 2 }));
docLogContract('pglite', () => openPglite('memory'));

describe('message id claims across nodes', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openPostgres(testDb.url, { poolSize: 4 });
  });
  afterAll(() => database.close());

  it('lets exactly one of two nodes log a creation of the same message id', async () => {
    const nodes = [createDocLog(database.db), createDocLog(database.db)];
    const entry = (token: string) => ({
      docName: 'claims',
      update: new Uint8Array([1, 2, 3]),
      clientId: 1,
      userId: null,
      claim: { messageIds: ['01JE0000000000000000000009', '01JE000000000000000000000A'], token },
    });
    const results = await Promise.allSettled(nodes.map((log, n) => log.append(entry(`node${n}`))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(MessageIdTaken);
    // The winner re-sending its update passes (same token); a second entry of one batch is refused.
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    await expect(nodes[0]?.append(entry(`node${winner}`))).resolves.toBeGreaterThan(0);
    const log = createDocLog(database.db);
    const pair = await Promise.allSettled([
      log.append({
        ...entry('a'),
        claim: { messageIds: ['01JE000000000000000000000B'], token: 'a' },
      }),
      log.append({
        ...entry('b'),
        claim: { messageIds: ['01JE000000000000000000000B'], token: 'b' },
      }),
      log.append({ ...entry('c'), claim: undefined }),
    ]);
    expect(pair.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

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
