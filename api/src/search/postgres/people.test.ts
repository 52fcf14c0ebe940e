import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { InvalidCursorError } from '../engine';
import { parseQuery } from '../parse-query';
import { describeOnBothDatabases } from './directory-suites';
import type { PersonKey } from './directory-world';
import { searchPeople } from './people';

const MAIN_ACTIVE = [
  'Ada Byron',
  'Ada Lovelace',
  'Adam Admin',
  'Bob Builder',
  'Gus Guest',
  'José María',
  'Olive Owner',
  "Pat O'Brien",
];

describeOnBothDatabases('searchPeople', (seeded) => {
  const search = (as: PersonKey, q: string, limit = 20, cursor?: string) =>
    searchPeople(
      seeded.db,
      seeded.world.as(as),
      parseQuery(q, { timeZone: 'UTC' }),
      cursor ? { limit, cursor } : { limit },
    );
  const names = async (as: PersonKey, q: string) =>
    (await search(as, q)).hits.map((hit) => hit.name.text).sort();

  // Guests see the people of their channels (#general, the DM with bob); removed members and
  // other workspaces are never listed.
  const guestSees = [
    'Ada Lovelace',
    'Adam Admin',
    'Bob Builder',
    'Gus Guest',
    'José María',
    'Olive Owner',
  ];
  const matrix: Array<[PersonKey, string[]]> = [
    ['owner', MAIN_ACTIVE],
    ['admin', MAIN_ACTIVE],
    ['ada', MAIN_ACTIVE],
    ['guest', guestSees],
    ['removed', []],
    ['outsider', []],
  ];
  it.each(matrix)(
    '%s lists exactly the people they may see (hits and total)',
    async (as, visible) => {
      const answer = await search(as, '');
      expect(answer.hits.map((hit) => hit.name.text).sort()).toEqual(visible);
      expect(answer.total).toBe(visible.length);
    },
  );

  it.each(matrix)('%s finds "ada" only among them', async (as, visible) => {
    const answer = await search(as, 'ada');
    const expected = visible.filter((name) => name.toLowerCase().includes('ada'));
    expect(answer.hits.map((hit) => hit.name.text).sort()).toEqual(expected);
    expect(answer.total).toBe(expected.length);
  });

  it('matches names by substring, prefix, phrase and handle, ignoring case and accents', async () => {
    expect(await names('bob', 'jose')).toEqual(['José María']);
    expect(await names('bob', 'MARÍA')).toEqual(['José María']);
    expect(await names('bob', 'love*')).toEqual(['Ada Lovelace']);
    expect(await names('bob', '"ada lovelace"')).toEqual(['Ada Lovelace']);
    expect(await names('bob', 'ada.lo')).toEqual(['Ada Lovelace']);
    expect(await names('bob', 'pat.o.brien')).toEqual(["Pat O'Brien"]);
    expect(await names('bob', "o'brien")).toEqual(["Pat O'Brien"]);
    expect(await names('bob', 'ada -byron')).toEqual(['Ada Lovelace', 'Adam Admin']);
  });

  it('ranks the whole name, then names starting with the word, then later words', async () => {
    const answer = await search('bob', 'ada');
    expect(answer.hits.map((hit) => hit.name.text)).toEqual([
      'Ada Byron',
      'Ada Lovelace',
      'Adam Admin',
    ]);
    expect((await search('bob', 'ada lovelace')).hits[0]?.name.text).toBe('Ada Lovelace');
  });

  it('describes each hit with its handle, role and highlights; emails for owners and admins only', async () => {
    const [forMember] = (await search('bob', 'jose')).hits;
    expect(forMember).toEqual({
      id: seeded.world.people.jose.id,
      name: { text: 'José María', ranges: [[0, 4]] },
      handle: 'josé.maría',
      role: 'member',
    });
    for (const as of ['owner', 'admin'] as const) {
      const [hit] = (await search(as, 'jose')).hits;
      expect(hit?.email).toBe(seeded.world.people.jose.email);
    }
    const [guestHit] = (await search('guest', 'gus')).hits;
    expect(guestHit).toMatchObject({ role: 'guest' });
    expect(guestHit).not.toHaveProperty('email');
  });

  it('matches emails only for owners and admins', async () => {
    const email = seeded.world.people.bob.email;
    expect(await names('admin', email)).toEqual(['Bob Builder']);
    expect(await names('owner', email.split('@')[0] ?? '')).toEqual(['Bob Builder']);
    expect(await names('ada', email)).toEqual([]);
    expect((await search('ada', 'example.com')).hits).toEqual([]);
  });

  it('falls back to similar names when nothing matches, and says so', async () => {
    const answer = await search('bob', 'lovelase');
    expect(answer.fuzzy).toBe(true);
    expect(answer.hits.map((hit) => hit.name.text)).toEqual(['Ada Lovelace']);
    expect((await search('bob', 'remmy')).hits).toEqual([]);
  });

  it('leaves deactivated accounts out', async () => {
    const { users } = schema;
    await seeded.db
      .update(users)
      .set({ deactivatedAt: new Date() })
      .where(eq(users.id, seeded.world.people.byron.id));
    try {
      expect(await names('bob', 'byron')).toEqual([]);
    } finally {
      await seeded.db
        .update(users)
        .set({ deactivatedAt: null })
        .where(eq(users.id, seeded.world.people.byron.id));
    }
  });

  it('reports filters as unused and pages without duplicates or gaps', async () => {
    expect((await search('bob', 'ada in:#general from:me')).unused).toEqual([
      { text: 'in:#general', reason: 'not_for_this_tab' },
      { text: 'from:me', reason: 'not_for_this_tab' },
    ]);
    for (const q of ['', 'a', 'sort:date']) {
      const all = (await search('ada', q)).hits.map((hit) => hit.id);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const answer = await search('ada', q, 3, cursor);
        paged.push(...answer.hits.map((hit) => hit.id));
        cursor = answer.nextCursor ?? undefined;
      } while (cursor);
      expect(paged).toEqual(all);
    }
    const first = await search('ada', '', 1);
    await expect(search('ada', 'ada', 1, first.nextCursor ?? '')).rejects.toThrow(
      InvalidCursorError,
    );
  });

  it('answers hostile queries without throwing', async () => {
    const hostile = [
      'x'.repeat(10_000),
      '"""',
      "'); DROP TABLE users;--",
      'a & b | !c <-> d:*',
      'a*'.repeat(5_000),
      '%_\\ 100%',
      '\u0000ada\u0000',
      'שלום \u202eada',
      'e\u0301\u0301\u0301\u0301',
      'タワー',
      '(a+)+$ .*.*.*',
    ];
    for (const q of hostile) {
      const answer = await search('ada', q);
      expect(answer.total).toBeGreaterThanOrEqual(0);
    }
    expect(await names('ada', 'x_y')).toEqual([]);
  });
});
