import { openPglite, openPostgres } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../parse-query';
import { byChannelAndWord } from './messages';
import type { NameFilters } from './search-sql';
import { seedChannel, seedMember, seedMessage, seedUser, seedWorkspace } from './seed';
import { compileTerms } from './text-terms';

const testDatabase = useTestDatabase();
const noNames: NameFilters = { channelIds: null, authorIds: null };

for (const driver of ['Postgres', 'PGlite'] as const) {
  describe(`the (channel_id, search_vector) index choice (${driver})`, () => {
    let database: Awaited<ReturnType<typeof openPostgres>>;

    beforeAll(async () => {
      database =
        driver === 'Postgres' ? await openPostgres(testDatabase.url) : await openPglite('memory');
      if (driver === 'PGlite') await database.migrate();
      const db = database.db;
      const ada = await seedUser(db, 'Ada Lovelace');
      const workspaceId = await seedWorkspace(db, 'acme');
      await seedMember(db, workspaceId, ada, 'member');
      const general = await seedChannel(db, workspaceId, 'public', 'general', []);
      for (let n = 0; n < 150; n++) {
        const text = n === 0 ? 'meeting quokka' : `meeting number ${n} word${n}`;
        await seedMessage(db, { channelId: general, authorId: ada, text });
      }
      await db.execute(sql`ANALYZE messages`);
    });
    afterAll(() => database.close());

    const choice = async (q: string, names = noNames) => {
      const terms = await compileTerms(database.db, parseQuery(q, { timeZone: 'UTC' }).terms);
      return byChannelAndWord(database.db, terms, names);
    };

    it('takes it for one common word only', async () => {
      expect(await choice('meeting')).toBe(true);
      expect(await choice('quokka')).toBe(false);
      expect(await choice('meeting number')).toBe(false);
      expect(await choice('"meeting number"')).toBe(false);
      expect(await choice('meet*')).toBe(false);
      expect(await choice('-meeting')).toBe(false);
      expect(await choice('meeting', { channelIds: null, authorIds: [] })).toBe(false);
    });
  });
}
