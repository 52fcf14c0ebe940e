import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite, openPostgres } from './database';
import { ensureInstallation } from './installation';
import { asSql, rawQuery, SqlParams } from './raw-sql';
import { channels, docUpdates, users, workspaces } from './schema/index';
import { useTestDatabase } from './testing/index';

const testDb = useTestDatabase();

/** One suite, run against every database the app can use. */
function databaseContract(name: string, open: () => Promise<Database>) {
  describe(`database contract: ${name}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
      await database.migrate();
    });
    afterAll(() => database.close());

    it('migrates idempotently, so every start may run migrate()', async () => {
      await database.migrate();
      await database.ping();
    });

    it('keeps one installation id however often it is ensured', async () => {
      const first = await ensureInstallation(database.db);
      const again = await Promise.all([
        ensureInstallation(database.db),
        ensureInstallation(database.db),
      ]);
      expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(again.map((i) => i.id)).toEqual([first.id, first.id]);
    });

    it('treats emails as unique regardless of case', async () => {
      await database.db.insert(users).values({ email: 'Ada@Example.com', name: 'Ada' });
      await expect(
        database.db.insert(users).values({ email: 'ada@example.COM', name: 'Impostor' }),
      ).rejects.toThrow();
    });

    it('refuses a DM without a member key and a public channel without a name', async () => {
      const [workspace] = await database.db
        .insert(workspaces)
        .values({ name: 'Acme', slug: `acme-${name}` })
        .returning();
      if (!workspace) throw new Error('no workspace');
      await expect(
        database.db.insert(channels).values({ workspaceId: workspace.id, kind: 'dm' }),
      ).rejects.toThrow();
      await expect(
        database.db.insert(channels).values({ workspaceId: workspace.id, kind: 'public' }),
      ).rejects.toThrow();
      await database.db
        .insert(channels)
        .values({ workspaceId: workspace.id, kind: 'public', name: 'general' });
      await expect(
        database.db
          .insert(channels)
          .values({ workspaceId: workspace.id, kind: 'private', name: 'GENERAL' }),
      ).rejects.toThrow();
    });

    it('stores update bytes and uint32 client ids exactly', async () => {
      const bytes = new Uint8Array([0, 255, 1, 128, 0, 7]);
      await database.db.insert(docUpdates).values({
        docName: 'contract-doc',
        seq: 1,
        update: bytes,
        clientId: 4_294_967_295,
      });
      const [row] = await database.db
        .select()
        .from(docUpdates)
        .where(eq(docUpdates.docName, 'contract-doc'));
      expect(new Uint8Array(row?.update ?? [])).toEqual(bytes);
      expect(row?.clientId).toBe(4_294_967_295);
      await expect(
        database.db
          .insert(docUpdates)
          .values({ docName: 'contract-doc', seq: 1, update: bytes, clientId: 1 }),
      ).rejects.toThrow();
    });

    it('answers the channel-history query from its index', async () => {
      const rows = await database.db.execute(
        sql`SELECT indexname FROM pg_indexes WHERE tablename = 'messages' ORDER BY indexname`,
      );
      const names = (rows as unknown as { rows: Array<{ indexname: string }> }).rows.map(
        (r) => r.indexname,
      );
      expect(names).toEqual(
        expect.arrayContaining(['messages_channel_history_idx', 'messages_thread_idx']),
      );
    });

    it('runs raw statements with array parameters, named or not, alone or in a transaction', async () => {
      const run = async (name?: string) => {
        const p = new SqlParams();
        return rawQuery<{ n: number; label: string }>(
          database.db,
          `SELECT n, label FROM unnest(${p.add([1, 2])}::int[], ${p.add(['a', "b'; DROP TABLE users; --"])}::text[]) AS t(n, label) ORDER BY n`,
          p,
          name,
        );
      };
      const expected = [
        { n: 1, label: 'a' },
        { n: 2, label: "b'; DROP TABLE users; --" },
      ];
      // A named statement is prepared once per connection and reused.
      expect(await run('contract_raw')).toEqual(expected);
      expect(await run('contract_raw')).toEqual(expected);
      expect(await run()).toEqual(expected);
      const p = new SqlParams();
      const inTransaction = await database.db.transaction((tx) =>
        tx.execute(asSql(`SELECT ${p.add(41)}::int + ${p.add(1)}::int AS answer`, p)),
      );
      expect((inTransaction as unknown as { rows: unknown[] }).rows).toEqual([{ answer: 42 }]);
      await expect(
        rawQuery(database.db, 'SELECT * FROM no_such_table', new SqlParams()),
      ).rejects.toThrow(/no_such_table/);
    });
  });
}

databaseContract('postgres', () => openPostgres(testDb.url, { poolSize: 4 }));
databaseContract('pglite', () => openPglite('memory'));

describe('pglite in a data folder', () => {
  it('keeps data across a close and reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'confab-pglite-'));
    try {
      const first = await openPglite(dir);
      await first.migrate();
      const installation = await ensureInstallation(first.db);
      await first.db.insert(users).values({ email: 'kept@example.com', name: 'Kept' });
      await first.close();

      const second = await openPglite(dir);
      await second.migrate();
      expect((await ensureInstallation(second.db)).id).toBe(installation.id);
      const kept = await second.db.select().from(users).where(eq(users.email, 'kept@example.com'));
      expect(kept).toHaveLength(1);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
