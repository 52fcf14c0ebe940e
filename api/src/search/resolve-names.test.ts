import { randomUUID } from 'node:crypto';
import { schema } from '@confab/db';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { parseQuery } from './parse-query';
import { describeOnBothDatabases } from './postgres/directory-suites';
import type { PersonKey } from './postgres/directory-world';
import { resolveNames } from './resolve-names';

describeOnBothDatabases('resolveNames', (seeded) => {
  const resolve = (as: PersonKey, q: string) =>
    resolveNames(seeded.db, seeded.world.as(as), parseQuery(q, { timeZone: 'UTC' }));
  const person = (key: PersonKey) => seeded.world.people[key].id;

  it('leaves both lists null when the query has no in: or from:', async () => {
    expect(await resolve('ada', 'hello world')).toEqual({
      channelIds: null,
      authorIds: null,
      resolutions: [],
    });
  });

  it('resolves in:#name to the readable channel of this workspace only', async () => {
    const resolved = await resolve('ada', 'in:#general');
    expect(resolved.channelIds).toEqual([seeded.world.channels.general]);
    expect(resolved.resolutions).toEqual([
      {
        text: 'in:#general',
        matches: [{ kind: 'channel', id: seeded.world.channels.general, label: '#general' }],
      },
    ]);
    expect((await resolve('ada', 'in:#old-launch')).channelIds).toEqual([
      seeded.world.channels.archived,
    ]);
  });

  // Who may name which channel: a hidden one resolves exactly like a missing one.
  const channelMatrix: Array<[PersonKey, string, boolean]> = [
    ['owner', 'general', true],
    ['owner', 'random', true],
    ['owner', 'secret-plans', false],
    ['admin', 'secret-plans', true],
    ['admin', 'random', true],
    ['ada', 'secret-plans', true],
    ['bob', 'secret-plans', false],
    ['bob', 'random', true],
    ['guest', 'general', true],
    ['guest', 'random', false],
    ['guest', 'secret-plans', false],
    ['removed', 'general', false],
    ['outsider', 'general', false],
  ];
  it.each(channelMatrix)('%s naming in:#%s resolves: %s', async (as, name, visible) => {
    const resolved = await resolve(as, `in:#${name}`);
    expect(resolved.channelIds).toHaveLength(visible ? 1 : 0);
    expect(resolved.resolutions[0]?.matches).toHaveLength(visible ? 1 : 0);
  });

  it('resolves in:@handle to the DM with that person, never a group DM or others’ DMs', async () => {
    const resolved = await resolve('ada', 'in:@bob');
    expect(resolved.channelIds).toEqual([seeded.world.channels.dmAdaBob]);
    expect(resolved.resolutions[0]).toEqual({
      text: 'in:@bob',
      matches: [{ kind: 'dm', id: seeded.world.channels.dmAdaBob, label: 'Bob Builder' }],
    });
    // byron shares only a group DM with ada; the owner has no DM with bob.
    expect((await resolve('ada', 'in:@ada.byron')).channelIds).toEqual([]);
    expect((await resolve('owner', 'in:@bob')).channelIds).toEqual([]);
    expect((await resolve('guest', 'in:@bob')).channelIds).toEqual([
      seeded.world.channels.dmBobGuest,
    ]);
    expect((await resolve('removed', 'in:@bob')).channelIds).toEqual([]);
    expect((await resolve('ada', 'in:@me')).channelIds).toEqual([]);
  });

  it('resolves several in: values to any of them, in one answer per value', async () => {
    const resolved = await resolve('ada', 'in:#general in:#nope in:@bob');
    expect(new Set(resolved.channelIds)).toEqual(
      new Set([seeded.world.channels.general, seeded.world.channels.dmAdaBob]),
    );
    expect(resolved.resolutions.map((r) => [r.text, r.matches.length])).toEqual([
      ['in:#general', 1],
      ['in:#nope', 0],
      ['in:@bob', 1],
    ]);
  });

  it('resolves from:@first-name to everyone with that first name, not to longer names', async () => {
    const resolved = await resolve('bob', 'from:@ada');
    expect(new Set(resolved.authorIds)).toEqual(new Set([person('ada'), person('byron')]));
    expect(resolved.resolutions[0]?.matches.map((m) => m.label).sort()).toEqual([
      'Ada Byron',
      'Ada Lovelace',
    ]);
    expect((await resolve('bob', 'from:@ada.lovelace')).authorIds).toEqual([person('ada')]);
    expect((await resolve('bob', 'from:@adam')).authorIds).toEqual([person('admin')]);
    expect((await resolve('bob', 'from:@lovelace')).authorIds).toEqual([]);
  });

  it('matches accents, apostrophes and mixed case the way handles are made', async () => {
    expect((await resolve('bob', 'from:@josé.maría')).authorIds).toEqual([person('jose')]);
    expect((await resolve('bob', 'from:@JOSÉ')).authorIds).toEqual([person('jose')]);
    expect((await resolve('bob', 'from:@pat.o.brien')).authorIds).toEqual([person('obrien')]);
    expect((await resolve('bob', 'from:@jose')).authorIds).toEqual([]);
  });

  it('finds a name stored decomposed (NFD) by its composed handle', async () => {
    const { users, workspaceMembers } = schema;
    const id = randomUUID();
    await seeded.db.insert(users).values({
      id,
      name: 'Rene\u0301e Noe\u0308l',
      email: `${id}@example.com`,
    });
    await seeded.db
      .insert(workspaceMembers)
      .values({ workspaceId: seeded.world.workspaceId, userId: id });
    expect((await resolve('bob', 'from:@renée.noël')).authorIds).toEqual([id]);
    expect((await resolve('bob', 'from:@RENÉE')).authorIds).toEqual([id]);
  });

  it('keeps removed members as authors (their messages stay), never other workspaces', async () => {
    expect((await resolve('bob', 'from:@remy')).authorIds).toEqual([person('removed')]);
    expect((await resolve('bob', 'from:@otto')).authorIds).toEqual([]);
  });

  it('resolves from:me to the searcher, and nothing for someone not in the workspace', async () => {
    const mine = await resolve('bob', 'from:me');
    expect(mine.authorIds).toEqual([person('bob')]);
    expect(mine.resolutions).toEqual([
      { text: 'from:me', matches: [{ kind: 'person', id: person('bob'), label: 'Bob Builder' }] },
    ]);
    expect((await resolve('removed', 'from:me from:@ada')).authorIds).toEqual([]);
    expect((await resolve('outsider', 'from:@ada')).authorIds).toEqual([]);
  });

  it('lets a guest name only the people who share a channel with them', async () => {
    expect((await resolve('guest', 'from:@ada')).authorIds).toEqual([person('ada')]);
    expect((await resolve('guest', 'from:@bob')).authorIds).toEqual([person('bob')]);
    expect((await resolve('guest', 'from:@remy')).authorIds).toEqual([]);
    expect((await resolve('guest', 'from:me')).authorIds).toEqual([person('guest')]);
  });

  it('takes a removal from a channel into account at once', async () => {
    const { channelMembers } = schema;
    const general = seeded.world.channels.general;
    await seeded.db
      .delete(channelMembers)
      .where(
        and(eq(channelMembers.channelId, general), eq(channelMembers.userId, person('guest'))),
      );
    try {
      expect((await resolve('guest', 'in:#general')).channelIds).toEqual([]);
      expect((await resolve('guest', 'from:@ada')).authorIds).toEqual([]);
    } finally {
      await seeded.db
        .insert(channelMembers)
        .values({ channelId: general, userId: person('guest') });
    }
  });

  it('answers hostile names without throwing', async () => {
    const hostile = [
      `from:@${'a'.repeat(10_000)}`,
      `in:#${'x.'.repeat(3_000)}y`,
      "from:@a'); DROP TABLE users;--",
      'from:@%_\\ in:#%',
      'from:@a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a',
      'from:@עברית in:@\u202eada',
      'from:@e\u0301\u0301\u0301\u0301',
      `from:@${'ab.'.repeat(66)}c`,
    ];
    for (const q of hostile) {
      const resolved = await resolve('ada', q);
      expect(resolved.resolutions.flatMap((r) => r.matches)).toEqual([]);
    }
    // Control characters are cleaned by the parser: what is left is a name like any other.
    expect((await resolve('bob', 'from:@\u0000ada.lovelace')).authorIds).toEqual([person('ada')]);
  });
});
