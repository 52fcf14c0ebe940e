import { schema } from '@confab/db';
import { expect, it } from 'vitest';
import { InvalidCursorError } from '../engine';
import { parseQuery } from '../parse-query';
import { searchChannels } from './channels';
import { describeOnBothDatabases } from './directory-suites';
import type { PersonKey } from './directory-world';

describeOnBothDatabases('searchChannels', (seeded) => {
  const search = (as: PersonKey, q: string, limit = 20, cursor?: string) =>
    searchChannels(
      seeded.db,
      seeded.world.as(as),
      parseQuery(q, { timeZone: 'UTC' }),
      cursor ? { limit, cursor } : { limit },
    );
  const names = async (as: PersonKey, q: string) =>
    (await search(as, q)).hits.map((hit) => hit.name.text).sort();

  // Who sees which channel, in hits and in the total alike.
  const matrix: Array<[PersonKey, string[]]> = [
    ['owner', ['general', 'old-launch', 'random']],
    ['admin', ['general', 'old-launch', 'random', 'secret-plans']],
    ['ada', ['general', 'old-launch', 'random', 'secret-plans']],
    ['bob', ['general', 'old-launch', 'random']],
    ['guest', ['general']],
    ['removed', []],
    ['outsider', []],
  ];
  it.each(matrix)('%s browses exactly %j, never DMs or other workspaces', async (as, visible) => {
    const answer = await search(as, '');
    expect(answer.hits.map((hit) => hit.name.text).sort()).toEqual(visible);
    expect(answer.total).toBe(visible.length);
  });

  it.each(matrix)('%s finds "launch" only where allowed (count too)', async (as, visible) => {
    const answer = await search(as, 'launch');
    const expected = visible.filter((name) => name === 'secret-plans' || name === 'old-launch');
    expect(answer.hits.map((hit) => hit.name.text).sort()).toEqual(expected);
    expect(answer.total).toBe(expected.length);
  });

  it('matches topics and purposes by stem and accent-insensitively, names by substring', async () => {
    expect(await names('ada', 'announcement')).toEqual(['general']);
    expect(await names('ada', 'cat')).toEqual(['random']);
    expect(await names('ada', 'plan')).toEqual(['secret-plans']);
    expect(await names('ada', 'cret')).toEqual(['secret-plans']);
    expect(await names('ada', 'gen*')).toEqual(['general', 'random']);
    expect(await names('ada', '"general chatter"')).toEqual(['random']);
    expect(await names('ada', 'launch -secret')).toEqual(['old-launch']);
    expect(await names('ada', 'ánnouncements')).toEqual(['general']);
  });

  it('ranks the exact name first and archived channels last, and flags them', async () => {
    const answer = await search('ada', 'general');
    expect(answer.hits.map((hit) => hit.name.text)).toEqual(['general', 'random']);
    const launch = await search('ada', 'launch');
    expect(launch.hits.map((hit) => [hit.name.text, hit.archived])).toEqual([
      ['secret-plans', false],
      ['old-launch', true],
    ]);
  });

  it('describes each hit: kind, membership, member count (active members only), highlights', async () => {
    const [hit] = (await search('bob', 'announcements')).hits;
    expect(hit).toEqual({
      id: seeded.world.channels.general,
      kind: 'public',
      name: { text: 'general', ranges: [] },
      topic: { text: 'Company-wide announcements', ranges: [[13, 26]] },
      purpose: 'Everyone',
      memberCount: 6,
      isMember: true,
      archived: false,
    });
    const [random] = (await search('bob', 'rand')).hits;
    expect(random).toMatchObject({ isMember: false, name: { text: 'random', ranges: [[0, 4]] } });
    const [secret] = (await search('ada', 'secret')).hits;
    expect(secret).toMatchObject({ kind: 'private', name: { ranges: [[0, 6]] } });
  });

  it('falls back to similar names when nothing matches, and says so', async () => {
    const answer = await search('ada', 'genral');
    expect(answer.fuzzy).toBe(true);
    expect(answer.hits.map((hit) => hit.name.text)).toEqual(['general']);
    const hidden = await search('bob', 'secrat');
    expect(hidden.hits.map((hit) => hit.name.text)).not.toContain('secret-plans');
  });

  it('reports filters that do not apply to channels instead of applying them', async () => {
    const answer = await search('ada', 'general from:@bob has:file in:#random on:2026-01-01');
    expect(answer.hits.map((hit) => hit.name.text)).toEqual(['general', 'random']);
    expect(answer.unused).toEqual([
      { text: 'in:#random', reason: 'not_for_this_tab' },
      { text: 'from:@bob', reason: 'not_for_this_tab' },
      { text: 'has:file', reason: 'not_for_this_tab' },
      { text: 'on:2026-01-01', reason: 'not_for_this_tab' },
    ]);
  });

  it('pages with a cursor bound to the query: no duplicates, no gaps, foreign cursors refused', async () => {
    for (const q of ['', 'sort:date']) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const answer = await search('ada', q, 1, cursor);
        expect(answer.hits.length).toBeLessThanOrEqual(1);
        seen.push(...answer.hits.map((hit) => hit.name.text));
        cursor = answer.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(4);
      expect(new Set(seen).size).toBe(4);
    }
    const first = await search('ada', '', 1);
    await expect(search('ada', 'launch', 1, first.nextCursor ?? '')).rejects.toThrow(
      InvalidCursorError,
    );
    for (const bad of ['x', 'e30', '%%%', Buffer.from('{"v":1}').toString('base64url')]) {
      await expect(search('ada', '', 1, bad)).rejects.toThrow(InvalidCursorError);
    }
  });

  it('sorts by last activity with sort:date', async () => {
    const answer = await search('ada', 'sort:date');
    expect(answer.hits.map((hit) => hit.name.text)).toEqual([
      'general',
      'random',
      'secret-plans',
      'old-launch',
    ]);
  });

  it('answers hostile queries without throwing', async () => {
    const hostile = [
      'x'.repeat(10_000),
      '"""unbalanced',
      "'); DROP TABLE channels;--",
      'a & b | !c <-> d:*',
      'a*'.repeat(5_000),
      '%_\\ %%',
      '\u0000gen\u0000',
      'שלום \u202egeneral',
      'e\u0301\u0301\u0301\u0301',
      'タワー 中文',
    ];
    for (const q of hostile) {
      const answer = await search('ada', q);
      expect(answer.total).toBeGreaterThanOrEqual(0);
    }
    // LIKE wildcards in a word are literal: 'gener_l' finds #general only as a similar name.
    expect((await search('ada', 'gener_l')).fuzzy).toBe(true);
    const { channels } = schema;
    expect(await seeded.db.$count(channels)).toBeGreaterThan(0);
  });
});
