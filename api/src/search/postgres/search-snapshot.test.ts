import { openPglite, openPostgres } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchTimeoutError } from '../engine';
import { parseQuery } from '../parse-query';
import { inSearchSnapshot } from './search-snapshot';
import { seedChannel, seedMember, seedUser, seedWorkspace } from './seed';
import { queryRows } from './sql-rows';

const testDatabase = useTestDatabase();

for (const driver of ['Postgres', 'PGlite'] as const) {
  describe(`search snapshot (${driver})`, () => {
    let database: Awaited<ReturnType<typeof openPostgres>>;
    let searcher: { userId: string; workspaceId: string };
    let general: string;

    beforeAll(async () => {
      database =
        driver === 'Postgres' ? await openPostgres(testDatabase.url) : await openPglite('memory');
      if (driver === 'PGlite') await database.migrate();
      const db = database.db;
      const userId = await seedUser(db, 'Ada Lovelace');
      const workspaceId = await seedWorkspace(db, 'acme');
      await seedMember(db, workspaceId, userId, 'member');
      general = await seedChannel(db, workspaceId, 'public', 'general', []);
      searcher = { userId, workspaceId };
    });
    afterAll(() => database.close());

    it('reads the readable channels and the terms in a read-only transaction, JIT off', async () => {
      const query = parseQuery('the reports "code review" タワー', { timeZone: 'UTC' });
      const seen = await inSearchSnapshot(database.db, searcher, query.terms, async (tx, open) => {
        const [row] = await queryRows<{ jit: string; ro: string; iso: string; timeout: string }>(
          tx,
          sql`SELECT current_setting('jit') AS jit, current_setting('transaction_read_only') AS ro,
            current_setting('transaction_isolation') AS iso,
            current_setting('statement_timeout') AS timeout`,
        );
        return { row, open };
      });
      expect(seen.row).toEqual({ jit: 'off', ro: 'on', iso: 'repeatable read', timeout: '5s' });
      expect(seen.open.readable).toEqual([general]);
      expect(seen.open.terms.lexical.map((term) => term.tsquery)).toEqual([
        "'report'",
        "'code' <-> 'review'",
      ]);
      expect(seen.open.terms.substrings.map((term) => term.text)).toEqual(['タワー']);
      expect(seen.open.terms.unused).toEqual([{ text: 'the', reason: 'no_searchable_text' }]);
    });

    // PGlite runs in this process without timer signals and does not enforce statement_timeout,
    // so the timeout is a Postgres test only (the README says embedded mode has no timeout).
    if (driver === 'Postgres') {
      it('answers a statement past the timeout with SearchTimeoutError', async () => {
        const slow = inSearchSnapshot(
          database.db,
          searcher,
          [],
          (tx) => queryRows(tx, sql`SELECT pg_sleep(2)`),
          50,
        );
        await expect(slow).rejects.toBeInstanceOf(SearchTimeoutError);
      });
    }
  });
}
