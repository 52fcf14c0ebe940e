import { openPglite, openPostgres } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../parse-query';
import { searchShape } from './messages';
import type { NameFilters } from './search-sql';
import { seedChannel, seedMember, seedMessage, seedUser, seedWorkspace } from './seed';
import { compileTerms } from './text-terms';

const testDatabase = useTestDatabase();
const noNames: NameFilters = { channelIds: null, authorIds: null };

for (const driver of ['Postgres', 'PGlite'] as const) {
  describe(`the search shape: common queries and the (channel_id, search_vector) index (${driver})`, () => {
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
      return searchShape(database.db, terms, names);
    };
    const plain = { byChannelAndWord: false, common: false };

    it('reads the channel-and-word index for one common word only', async () => {
      expect(await choice('meeting')).toEqual({ byChannelAndWord: true, common: true });
      expect(await choice('quokka')).toEqual(plain);
      expect(await choice('meeting number')).toEqual(plain);
      expect(await choice('"meeting number"')).toEqual(plain);
      expect(await choice('-meeting')).toEqual(plain);
      expect(await choice('meeting', { channelIds: null, authorIds: [] })).toEqual(plain);
    });

    it('calls a prefix common when its lexemes together are, without that index', async () => {
      expect(await choice('meet*')).toEqual({ byChannelAndWord: false, common: true });
      expect(await choice('numb*')).toEqual({ byChannelAndWord: false, common: true });
      expect(await choice('quok*')).toEqual(plain);
      expect(await choice('zzz*')).toEqual(plain);
    });
  });
}
