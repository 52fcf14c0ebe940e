import { openPglite, openPostgres } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageHit, SearchEngine, Searcher } from '../engine';
import { parseQuery } from '../parse-query';
import { createPostgresSearchEngine } from '../postgres-engine';
import { COMMON_CANDIDATES, COMMON_TOTAL_CAP } from './search-sql';
import { seedChannel, seedMember, seedMessage, seedUser, seedWorkspace } from './seed';
import { queryRows } from './sql-rows';

const testDatabase = useTestDatabase();

/** More readable matches than a common query ranks, so its walk finds all its candidates. */
const READABLE_MATCHES = COMMON_CANDIDATES + 50;

for (const driver of ['Postgres', 'PGlite'] as const) {
  describe(`a common word, found by walking the newest messages (${driver})`, () => {
    let database: Awaited<ReturnType<typeof openPostgres>>;
    let engine: SearchEngine;
    let searcher: Searcher;
    let general: string;
    let small: string;
    let secret: string;

    beforeAll(async () => {
      database =
        driver === 'Postgres' ? await openPostgres(testDatabase.url) : await openPglite('memory');
      if (driver === 'PGlite') await database.migrate();
      const db = database.db;
      engine = createPostgresSearchEngine(db);
      const ada = await seedUser(db, 'Ada Lovelace');
      const bob = await seedUser(db, 'Bob Byron');
      const workspaceId = await seedWorkspace(db, 'acme');
      await seedMember(db, workspaceId, ada, 'member');
      await seedMember(db, workspaceId, bob, 'member');
      searcher = { userId: ada, workspaceId };
      general = await seedChannel(db, workspaceId, 'public', 'general', []);
      small = await seedChannel(db, workspaceId, 'private', 'small', [ada]);
      secret = await seedChannel(db, workspaceId, 'private', 'secret', [bob]);
      for (let n = 0; n < READABLE_MATCHES; n++) {
        const text = n % 2 === 0 ? `meeting notes ${n}` : `meeting meeting agenda ${n}`;
        await seedMessage(db, { channelId: general, authorId: bob, text });
        if (n % 5 === 0)
          await seedMessage(db, { channelId: general, authorId: bob, text: 'lunch' });
      }
      for (let n = 0; n < 5; n++) {
        await seedMessage(db, { channelId: small, authorId: bob, text: `meeting small ${n}` });
      }
      // Newer than every readable match: the walk meets these first and must skip them.
      for (let n = 0; n < 150; n++) {
        await seedMessage(db, { channelId: secret, authorId: bob, text: `meeting secret ${n}` });
      }
      await db.execute(sql`ANALYZE messages`);
    });
    afterAll(() => database.close());

    /** The readable matches newest first, as the exact date order has them. */
    const newestMatches = async (channelIds: string[]) => {
      const rows = await queryRows<{ id: string }>(
        database.db,
        sql`SELECT id FROM messages WHERE search_vector @@ to_tsquery('confab_search', 'meeting')
          AND channel_id = ANY(${`{${channelIds.join(',')}}`}::uuid[])
          ORDER BY received_at DESC, id DESC`,
      );
      return rows.map((row) => row.id);
    };

    const everyPage = async (q: string, limit: number) => {
      const query = parseQuery(q, { timeZone: 'UTC' });
      const hits: MessageHit[] = [];
      const totals: Array<[number, boolean]> = [];
      let cursor: string | undefined;
      do {
        const answer = await engine.messages(searcher, query, { limit, cursor });
        hits.push(...answer.hits);
        totals.push([answer.total, answer.totalCapped]);
        cursor = answer.nextCursor ?? undefined;
      } while (cursor);
      return { hits, totals };
    };

    it('pages through every readable match by date, counted up to the lower cap', async () => {
      const { hits, totals } = await everyPage('meeting sort:date', 40);
      expect(hits.map((hit) => hit.id)).toEqual(await newestMatches([general, small]));
      expect(hits.some((hit) => hit.channelId === secret)).toBe(false);
      for (const total of totals) expect(total).toEqual([COMMON_TOTAL_CAP, true]);
    });

    it('ranks the newest candidates by relevance, each once, none hidden', async () => {
      const { hits, totals } = await everyPage('meeting', 30);
      const newest = (await newestMatches([general, small])).slice(0, COMMON_CANDIDATES);
      expect(hits.map((hit) => hit.id).sort()).toEqual([...newest].sort());
      for (const total of totals) expect(total).toEqual([COMMON_TOTAL_CAP, true]);
      // Twice the word ranks above once at the same age: relevance, not only recency, orders.
      const [first] = hits;
      expect(first?.snippet.text).toContain('meeting meeting');
    });

    it('counts exactly when the matches are fewer than the cap (in:)', async () => {
      for (const sort of ['date', 'relevance']) {
        const query = parseQuery(`meeting in:#small sort:${sort}`, { timeZone: 'UTC' });
        const answer = await engine.messages(searcher, query, { limit: 3 });
        expect([answer.total, answer.totalCapped]).toEqual([5, false]);
        const { hits } = await everyPage(`meeting in:#small sort:${sort}`, 3);
        expect(hits.map((hit) => hit.id).sort()).toEqual((await newestMatches([small])).sort());
      }
    });
  });
}
