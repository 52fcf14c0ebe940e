/**
 * Test support for the resolver, channel and people search and suggestions: one workspace with a
 * person of every role, channels of every kind, and a second workspace, seeded straight into the
 * tables (no commands, no sync). Names chosen so that first names collide (`ada`).
 */
import { randomUUID } from 'node:crypto';
import { type Db, schema } from '@confab/db';
import type { Searcher } from '../engine';

const { users, workspaces, workspaceMembers, channels, channelMembers } = schema;

export type PersonKey =
  | 'owner'
  | 'admin'
  | 'ada'
  | 'byron'
  | 'bob'
  | 'guest'
  | 'removed'
  | 'jose'
  | 'obrien'
  | 'outsider';

export type ChannelKey =
  | 'general'
  | 'random'
  | 'secret'
  | 'archived'
  | 'dmAdaBob'
  | 'dmBobGuest'
  | 'groupDm'
  | 'otherGeneral';

export interface DirectoryWorld {
  workspaceId: string;
  otherWorkspaceId: string;
  people: Record<PersonKey, { id: string; name: string; email: string }>;
  channels: Record<ChannelKey, string>;
  /** The searcher `key` in the main workspace (the outsider searches there too, as a stranger). */
  as(key: PersonKey): Searcher;
}

const PEOPLE: Record<PersonKey, { name: string; role: 'owner' | 'admin' | 'member' | 'guest' }> = {
  owner: { name: 'Olive Owner', role: 'owner' },
  admin: { name: 'Adam Admin', role: 'admin' },
  ada: { name: 'Ada Lovelace', role: 'member' },
  byron: { name: 'Ada Byron', role: 'member' },
  bob: { name: 'Bob Builder', role: 'member' },
  guest: { name: 'Gus Guest', role: 'guest' },
  removed: { name: 'Remy Removed', role: 'member' },
  jose: { name: 'José María', role: 'member' },
  obrien: { name: "Pat O'Brien", role: 'member' },
  outsider: { name: 'Otto Outsider', role: 'member' },
};

export async function seedDirectoryWorld(db: Db): Promise<DirectoryWorld> {
  const tag = randomUUID().slice(0, 8);
  const people = Object.fromEntries(
    Object.entries(PEOPLE).map(([key, { name }]) => [
      key,
      { id: randomUUID(), name, email: `${key}.${tag}@example.com` },
    ]),
  ) as DirectoryWorld['people'];
  await db.insert(users).values(Object.values(people));
  const workspaceId = randomUUID();
  const otherWorkspaceId = randomUUID();
  await db.insert(workspaces).values([
    { id: workspaceId, name: 'Main', slug: `main-${tag}` },
    { id: otherWorkspaceId, name: 'Other', slug: `other-${tag}` },
  ]);
  const removedAt = new Date();
  await db.insert(workspaceMembers).values([
    ...(Object.keys(PEOPLE) as PersonKey[])
      .filter((key) => key !== 'outsider')
      .map((key) => ({
        workspaceId,
        userId: people[key].id,
        role: PEOPLE[key].role,
        removedAt: key === 'removed' ? removedAt : null,
      })),
    { workspaceId: otherWorkspaceId, userId: people.outsider.id, role: 'member' as const },
    { workspaceId: otherWorkspaceId, userId: people.ada.id, role: 'member' as const },
  ]);

  const ids = Object.fromEntries(
    (
      [
        'general',
        'random',
        'secret',
        'archived',
        'dmAdaBob',
        'dmBobGuest',
        'groupDm',
        'otherGeneral',
      ] as const
    ).map((key) => [key, randomUUID()]),
  ) as Record<ChannelKey, string>;
  const dmKey = (...keys: PersonKey[]) =>
    keys
      .map((key) => people[key].id)
      .sort()
      .join(',');
  const hourAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
  const createdAt = hourAgo(1_000);
  const rows: Array<typeof channels.$inferInsert> = [
    {
      id: ids.general,
      workspaceId,
      kind: 'public',
      name: 'general',
      topic: 'Company-wide announcements',
      purpose: 'Everyone',
      lastMessageAt: hourAgo(1),
    },
    {
      id: ids.random,
      workspaceId,
      kind: 'public',
      name: 'random',
      topic: 'Cats and general chatter',
      lastMessageAt: hourAgo(2),
    },
    {
      id: ids.secret,
      workspaceId,
      kind: 'private',
      name: 'secret-plans',
      topic: 'Launch plans',
      lastMessageAt: hourAgo(3),
    },
    {
      id: ids.archived,
      workspaceId,
      kind: 'public',
      name: 'old-launch',
      topic: 'Launch of last year',
      archivedAt: hourAgo(100),
    },
    { id: ids.dmAdaBob, workspaceId, kind: 'dm', dmKey: dmKey('ada', 'bob') },
    { id: ids.dmBobGuest, workspaceId, kind: 'dm', dmKey: dmKey('bob', 'guest') },
    { id: ids.groupDm, workspaceId, kind: 'group_dm', dmKey: dmKey('ada', 'bob', 'byron') },
    {
      id: ids.otherGeneral,
      workspaceId: otherWorkspaceId,
      kind: 'public',
      name: 'general',
      topic: 'The other general',
    },
  ];
  await db.insert(channels).values(rows.map((channel) => ({ ...channel, createdAt })));
  const seat = (channel: ChannelKey, ...keys: PersonKey[]) =>
    keys.map((key) => ({ channelId: ids[channel], userId: people[key].id }));
  await db
    .insert(channelMembers)
    .values([
      ...seat('general', 'owner', 'admin', 'ada', 'bob', 'guest', 'jose'),
      ...seat('random', 'owner', 'ada', 'byron'),
      ...seat('secret', 'admin', 'ada'),
      ...seat('archived', 'ada'),
      ...seat('dmAdaBob', 'ada', 'bob'),
      ...seat('dmBobGuest', 'bob', 'guest'),
      ...seat('groupDm', 'ada', 'bob', 'byron'),
      ...seat('otherGeneral', 'outsider', 'ada'),
    ]);
  return {
    workspaceId,
    otherWorkspaceId,
    people,
    channels: ids,
    as: (key) => ({ userId: people[key].id, workspaceId }),
  };
}
