import { type Database, openPglite, openPostgres, schema } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocLog } from './doc-log';

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
