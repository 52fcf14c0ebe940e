import { type Database, openPglite, openPostgres, schema } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
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
      it(`gives a burst of appends increasing sequences in call order (maxBatch ${maxBatch})`, async () => {
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
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(20);
        expect((await log.load(doc)).map((update) => [...update])).toEqual(
          updates.map((u) => [...u]),
        );
        const rows = await database.db.select().from(schema.docUpdates);
        const mine = rows.filter((row) => row.docName === doc).sort((a, b) => a.seq - b.seq);
        expect(mine.map((row) => row.clientId)).toEqual(updates.map((_, i) => 4_000_000_000 + i));
        expect(mine.map((row) => row.userId)).toEqual(
          updates.map((_, i) => (i % 2 ? userId : null)),
        );
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
