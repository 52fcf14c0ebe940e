import { expect, it } from 'vitest';
import { describeOnBothDatabases } from './directory-suites';
import type { PersonKey } from './directory-world';
import { suggest } from './suggest';

describeOnBothDatabases('suggest', (seeded) => {
  const values = async (as: PersonKey, kind: 'channel' | 'person', prefix: string, limit = 20) =>
    (await suggest(seeded.db, seeded.world.as(as), { kind, prefix, limit })).map((s) => s.value);

  const channelMatrix: Array<[PersonKey, string[]]> = [
    ['owner', ['#general', '#random', '#old-launch']],
    ['admin', ['#general', '#secret-plans', '#random', '#old-launch']],
    ['ada', ['#general', '#random', '#secret-plans', '#old-launch']],
    ['bob', ['#general', '#random', '#old-launch']],
    ['guest', ['#general']],
    ['removed', []],
    ['outsider', []],
  ];
  it.each(channelMatrix)(
    '%s is offered exactly the channels they may read: %j',
    async (as, visible) => {
      expect(await values(as, 'channel', '')).toEqual(visible);
    },
  );

  it('completes channel names by prefix first, then substring, archived last', async () => {
    expect(await values('ada', 'channel', 'ge')).toEqual(['#general']);
    expect(await values('ada', 'channel', '#se')).toEqual(['#secret-plans']);
    expect(await values('ada', 'channel', 'la')).toEqual(['#secret-plans', '#old-launch']);
    expect(await values('ada', 'channel', 'l')).toEqual([
      '#general',
      '#secret-plans',
      '#old-launch',
    ]);
    expect(await values('bob', 'channel', 'secret')).toEqual([]);
    const [general] = await suggest(seeded.db, seeded.world.as('ada'), {
      kind: 'channel',
      prefix: 'gen',
      limit: 5,
    });
    expect(general).toEqual({
      kind: 'channel',
      id: seeded.world.channels.general,
      value: '#general',
      label: '#general',
    });
  });

  it('completes people by handle and by any word of the name, handle matches first, then by shared conversations', async () => {
    // All three handles start with "ada"; bob shares three conversations with ada.lovelace.
    expect(await values('bob', 'person', 'ada')).toEqual([
      '@ada.lovelace',
      '@ada.byron',
      '@adam.admin',
    ]);
    expect(await values('bob', 'person', '@ada.lo')).toEqual(['@ada.lovelace']);
    expect(await values('bob', 'person', 'ada lo')).toEqual(['@ada.lovelace']);
    expect(await values('bob', 'person', 'love')).toEqual(['@ada.lovelace']);
    expect(await values('bob', 'person', 'mari')).toEqual(['@josé.maría']);
    expect(await values('bob', 'person', 'jose')).toEqual(['@josé.maría']);
    expect(await values('bob', 'person', 'brien')).toEqual(['@pat.o.brien']);
    const [ada] = await suggest(seeded.db, seeded.world.as('bob'), {
      kind: 'person',
      prefix: 'ada.l',
      limit: 1,
    });
    expect(ada).toEqual({
      kind: 'person',
      id: seeded.world.people.ada.id,
      value: '@ada.lovelace',
      label: 'Ada Lovelace',
    });
  });

  it('offers people sharing the most channels first, oneself last, when nothing is typed', async () => {
    const offered = await values('byron', 'person', '');
    // byron shares #random and the group DM with ada, #random with the owner, the group DM with bob.
    expect(offered.slice(0, 3)).toEqual(['@ada.lovelace', '@bob.builder', '@olive.owner']);
    expect(offered.at(-1)).toBe('@ada.byron');
    expect(offered).not.toContain('@remy.removed');
    expect(await values('byron', 'person', '', 2)).toHaveLength(2);
  });

  it('offers guests only the people of their channels, and strangers nobody', async () => {
    expect((await values('guest', 'person', '')).sort()).toEqual([
      '@ada.lovelace',
      '@adam.admin',
      '@bob.builder',
      '@gus.guest',
      '@josé.maría',
      '@olive.owner',
    ]);
    expect(await values('guest', 'person', 'ada')).toEqual(['@ada.lovelace', '@adam.admin']);
    expect(await values('removed', 'person', '')).toEqual([]);
    expect(await values('outsider', 'person', 'ada')).toEqual([]);
    expect(await values('bob', 'person', 'remy')).toEqual([]);
    expect(await values('bob', 'person', 'otto')).toEqual([]);
  });

  it('answers hostile prefixes without throwing', async () => {
    const hostile = [
      'x'.repeat(10_240),
      '\u0000',
      '%',
      '_',
      '\\',
      "'); DROP TABLE users;--",
      '\u202egeneral',
      'שלום',
      'e\u0301\u0301\u0301',
      '(a+)+$',
      'a.'.repeat(40),
      '..',
    ];
    for (const prefix of hostile) {
      for (const kind of ['channel', 'person'] as const) {
        const offered = await values('ada', kind, prefix);
        expect(Array.isArray(offered)).toBe(true);
      }
    }
    expect(await values('ada', 'channel', '%')).toEqual([]);
    expect(await values('ada', 'person', '_')).toEqual([]);
    expect(await values('ada', 'channel', '\u0000gen')).toEqual(['#general']);
  });
});
