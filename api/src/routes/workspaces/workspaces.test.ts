import { randomUUID } from 'node:crypto';
import { docName, MEMBERSHIP_CHANGED_TOPIC, type MembershipChangedEvent, Policy } from '@confab/db';
import { waitFor } from '@confab/db/testing';
import { describe, expect, it } from 'vitest';
import { callAs, type Person, signUp, useTestApi } from '../auth/test-app';

const api = useTestApi();
const person = (name: string, email?: string) => signUp(api.app, name, email);
const call = <T = Record<string, unknown>>(
  who: Person | null,
  method: string,
  path: string,
  body?: unknown,
) => callAs<T>(api.app, who, method, path, body);

/** A workspace owned by `owner` with `members` in it (added directly, as an accepted invitation would). */
async function workspaceWith(owner: Person, ...members: Person[]) {
  const created = await call<{ workspace: { id: string } }>(owner, 'POST', '/api/workspaces', {
    name: 'Acme',
    slug: `acme-${randomUUID().slice(0, 8)}`,
  });
  expect(created.status).toBe(201);
  const workspaceId = created.body.workspace.id;
  const { schema } = await import('@confab/db');
  if (members.length) {
    await api.backends.database.db
      .insert(schema.workspaceMembers)
      .values(
        members.map((member) => ({ workspaceId, userId: member.id, role: 'member' as const })),
      );
  }
  return workspaceId;
}

describe('workspaces', () => {
  it('makes the creator owner and creates #general with them as its admin', async () => {
    const ada = await person('ada');
    const workspaceId = await workspaceWith(ada);
    const mine = await call<{ workspaces: Array<{ id: string; role: string }> }>(
      ada,
      'GET',
      '/api/workspaces',
    );
    expect(mine.body.workspaces).toEqual([
      expect.objectContaining({ id: workspaceId, role: 'owner' }),
    ]);
    const channels = await call<{ channels: Array<{ name: string; myRole: string }> }>(
      ada,
      'GET',
      `/api/workspaces/${workspaceId}/channels`,
    );
    expect(channels.body.channels).toEqual([
      expect.objectContaining({ name: 'general', myRole: 'admin' }),
    ]);
  });

  it('refuses a slug that is taken, in any case', async () => {
    const ada = await person('ada');
    const slug = `taken-${randomUUID().slice(0, 8)}`;
    expect((await call(ada, 'POST', '/api/workspaces', { name: 'One', slug })).status).toBe(201);
    const again = await call<{ error: { code: string } }>(ada, 'POST', '/api/workspaces', {
      name: 'Two',
      slug: slug.toUpperCase(),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('slug_taken');
  });

  it('transfers ownership: the new owner rules, the old one is an admin and can transfer no more', async () => {
    const ada = await person('ada');
    const bob = await person('bob');
    const workspaceId = await workspaceWith(ada, bob);
    expect(
      (
        await call(ada, 'POST', `/api/workspaces/${workspaceId}/transfer-ownership`, {
          userId: bob.id,
        })
      ).status,
    ).toBe(204);
    const roles = await call<{ members: Array<{ userId: string; role: string }> }>(
      bob,
      'GET',
      `/api/workspaces/${workspaceId}/members`,
    );
    expect(
      Object.fromEntries(roles.body.members.map((member) => [member.userId, member.role])),
    ).toEqual({
      [ada.id]: 'admin',
      [bob.id]: 'owner',
    });
    expect(
      (
        await call(ada, 'POST', `/api/workspaces/${workspaceId}/transfer-ownership`, {
          userId: ada.id,
        })
      ).status,
    ).toBe(403);
    expect(
      (await call(bob, 'DELETE', `/api/workspaces/${workspaceId}/members/${bob.id}`)).status,
    ).toBe(403);
    expect(
      (
        await call(bob, 'PATCH', `/api/workspaces/${workspaceId}/members/${ada.id}`, {
          role: 'member',
        })
      ).status,
    ).toBe(200);
  });

  it('refuses to hand ownership to a guest or an outsider', async () => {
    const ada = await person('ada');
    const outsider = await person('eve');
    const workspaceId = await workspaceWith(ada);
    const refused = await call<{ error: { code: string } }>(
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/transfer-ownership`,
      { userId: outsider.id },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_new_owner');
  });

  it('answers a workspace one is not in exactly like one that does not exist', async () => {
    const ada = await person('ada');
    const eve = await person('eve');
    const workspaceId = await workspaceWith(ada);
    const hidden = await call(eve, 'GET', `/api/workspaces/${workspaceId}`);
    const missing = await call(eve, 'GET', `/api/workspaces/${randomUUID()}`);
    const malformed = await call(eve, 'GET', '/api/workspaces/not-a-uuid');
    expect([hidden.status, missing.status, malformed.status]).toEqual([404, 404, 404]);
    expect(hidden.body).toEqual(missing.body);
    expect(malformed.body).toEqual(missing.body);
  });
});

describe('direct messages', () => {
  it('gives the same people the same conversation, whoever opens it and in any order', async () => {
    const [ada, bob, cyd] = [await person('ada'), await person('bob'), await person('cyd')];
    const workspaceId = await workspaceWith(ada, bob, cyd);
    const first = await call<{ channel: { id: string; kind: string } }>(
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/dms`,
      { userIds: [bob.id] },
    );
    expect(first.status).toBe(201);
    expect(first.body.channel.kind).toBe('dm');
    const again = await call<{ channel: { id: string } }>(
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/dms`,
      { userIds: [bob.id] },
    );
    const fromBob = await call<{ channel: { id: string } }>(
      bob,
      'POST',
      `/api/workspaces/${workspaceId}/dms`,
      { userIds: [ada.id, ada.id] },
    );
    expect(again.status).toBe(200);
    expect([again.body.channel.id, fromBob.body.channel.id]).toEqual([
      first.body.channel.id,
      first.body.channel.id,
    ]);

    const group = await call<{ channel: { id: string; kind: string } }>(
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/dms`,
      { userIds: [bob.id, cyd.id] },
    );
    const groupAgain = await call<{ channel: { id: string } }>(
      cyd,
      'POST',
      `/api/workspaces/${workspaceId}/dms`,
      { userIds: [bob.id, ada.id] },
    );
    expect(group.body.channel.kind).toBe('group_dm');
    expect(groupAgain.body.channel.id).toBe(group.body.channel.id);
    expect(group.body.channel.id).not.toBe(first.body.channel.id);
  });

  it('creates one conversation when the same people open it at the same instant', async () => {
    const [ada, bob] = [await person('ada'), await person('bob')];
    const workspaceId = await workspaceWith(ada, bob);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call<{ channel: { id: string } }>(
          i % 2 ? ada : bob,
          'POST',
          `/api/workspaces/${workspaceId}/dms`,
          { userIds: [i % 2 ? bob.id : ada.id] },
        ),
      ),
    );
    expect(new Set(results.map((result) => result.body.channel.id)).size).toBe(1);
    expect(results.filter((result) => result.status === 201)).toHaveLength(1);
  });

  it('refuses more than 9 people, nobody else, and people outside the workspace', async () => {
    const ada = await person('ada');
    const eve = await person('eve');
    const workspaceId = await workspaceWith(ada);
    const tooMany = Array.from({ length: 9 }, () => randomUUID());
    expect(
      (await call(ada, 'POST', `/api/workspaces/${workspaceId}/dms`, { userIds: tooMany })).status,
    ).toBe(400);
    expect(
      (await call(ada, 'POST', `/api/workspaces/${workspaceId}/dms`, { userIds: [] })).status,
    ).toBe(400);
    expect(
      (await call(ada, 'POST', `/api/workspaces/${workspaceId}/dms`, { userIds: [ada.id] })).status,
    ).toBe(400);
    const outsider = await call<{ error: { code: string } }>(
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/dms`,
      { userIds: [eve.id] },
    );
    expect(outsider.status).toBe(400);
    expect(outsider.body.error.code).toBe('invalid_members');
  });
});

describe('channels', () => {
  it('makes an archived channel read-only until it is unarchived', async () => {
    const [ada, bob] = [await person('ada'), await person('bob')];
    const workspaceId = await workspaceWith(ada, bob);
    const created = await call<{ channel: { id: string } }>(
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/channels`,
      { name: 'launch' },
    );
    const channelId = created.body.channel.id;
    expect((await call(bob, 'POST', `/api/channels/${channelId}/join`)).status).toBe(204);
    const policy = new Policy(api.backends.database.db);
    const segment = docName({ kind: 'segment', channelId, index: 0 });
    expect(await policy.docAccess(bob.id, segment)).toBe('write');

    expect((await call(ada, 'POST', `/api/channels/${channelId}/archive`)).status).toBe(204);
    expect(await policy.docAccess(bob.id, segment)).toBe('read');
    expect((await call(bob, 'GET', `/api/channels/${channelId}`)).status).toBe(200);
    expect(
      (await call(bob, 'PATCH', `/api/channels/${channelId}`, { topic: 'still here?' })).status,
    ).toBe(403);
    expect(
      (await call(ada, 'PATCH', `/api/channels/${channelId}`, { name: 'renamed' })).status,
    ).toBe(403);
    expect(
      (await call(ada, 'POST', `/api/channels/${channelId}/members`, { userIds: [bob.id] })).status,
    ).toBe(403);

    expect((await call(ada, 'POST', `/api/channels/${channelId}/unarchive`)).status).toBe(204);
    expect(await policy.docAccess(bob.id, segment)).toBe('write');
  });

  it('tells each reader of a channel what the sync server will let them do in it', async () => {
    const ada = await person('ada');
    const bob = await person('bob');
    const workspaceId = await workspaceWith(ada, bob);
    const created = await call<{ channel: { id: string } }>(
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/channels`,
      { name: 'news', postingPolicy: 'admins' },
    );
    const channelId = created.body.channel.id;
    expect((await call(bob, 'POST', `/api/channels/${channelId}/join`)).status).toBe(204);
    const may = async (who: Person) =>
      (await call<{ channel: { may: unknown } }>(who, 'GET', `/api/channels/${channelId}`)).body
        .channel.may;
    expect(await may(ada)).toEqual({ post: true, react: true, moderate: true });
    expect(await may(bob)).toEqual({ post: false, react: true, moderate: false });
  });

  it('publishes membership changes after they commit', async () => {
    const [ada, bob] = [await person('ada'), await person('bob')];
    const workspaceId = await workspaceWith(ada, bob);
    const events: MembershipChangedEvent[] = [];
    const unsubscribe = await api.backends.bus.subscribe(MEMBERSHIP_CHANGED_TOPIC, (message) => {
      events.push(JSON.parse(new TextDecoder().decode(message)) as MembershipChangedEvent);
    });
    try {
      const created = await call<{ channel: { id: string } }>(
        ada,
        'POST',
        `/api/workspaces/${workspaceId}/channels`,
        { name: 'events', kind: 'private' },
      );
      const channelId = created.body.channel.id;
      await call(ada, 'POST', `/api/channels/${channelId}/members`, { userIds: [bob.id] });
      await call(ada, 'DELETE', `/api/channels/${channelId}/members/${bob.id}`);
      await waitFor('three events', () =>
        events.filter((event) => event.channelId === channelId).length >= 3 ? true : undefined,
      );
      expect(events.filter((event) => event.channelId === channelId)).toEqual([
        { workspaceId, channelId, userIds: [ada.id], change: 'joined' },
        { workspaceId, channelId, userIds: [bob.id], change: 'joined' },
        { workspaceId, channelId, userIds: [bob.id], change: 'removed' },
      ]);
    } finally {
      await unsubscribe();
    }
  });

  it('answers a private channel one is not in exactly like a random id', async () => {
    const [ada, bob] = [await person('ada'), await person('bob')];
    const workspaceId = await workspaceWith(ada, bob);
    const secret = await call<{ channel: { id: string } }>(
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/channels`,
      { name: 'secret', kind: 'private' },
    );
    for (const suffix of ['', '/members', '/join']) {
      const method = suffix === '/join' ? 'POST' : 'GET';
      const hidden = await call(bob, method, `/api/channels/${secret.body.channel.id}${suffix}`);
      const random = await call(bob, method, `/api/channels/${randomUUID()}${suffix}`);
      expect(hidden.status).toBe(404);
      expect(hidden).toEqual(random);
    }
  });

  it('lets people discover public channels by name, topic or purpose, with member counts', async () => {
    const [ada, bob] = [await person('ada'), await person('bob')];
    const workspaceId = await workspaceWith(ada, bob);
    await call(ada, 'POST', `/api/workspaces/${workspaceId}/channels`, {
      name: 'design',
      purpose: 'Pixels and 100% fun',
    });
    await call(ada, 'POST', `/api/workspaces/${workspaceId}/channels`, {
      name: 'secret',
      kind: 'private',
    });
    const all = await call<{
      channels: Array<{ name: string; memberCount: number; isMember: boolean }>;
    }>(bob, 'GET', `/api/workspaces/${workspaceId}/channels/browse`);
    expect(all.body.channels.map((channel) => channel.name).sort()).toEqual(['design', 'general']);
    expect(all.body.channels.find((channel) => channel.name === 'design')).toMatchObject({
      memberCount: 1,
      isMember: false,
    });
    const search = await call<{ channels: Array<{ name: string }> }>(
      bob,
      'GET',
      `/api/workspaces/${workspaceId}/channels/browse?q=${encodeURIComponent('100%')}`,
    );
    expect(search.body.channels.map((channel) => channel.name)).toEqual(['design']);
    const wildcard = await call<{ channels: unknown[] }>(
      bob,
      'GET',
      `/api/workspaces/${workspaceId}/channels/browse?q=_`,
    );
    expect(wildcard.body.channels).toEqual([]);
  });

  it('refuses hostile channel input and changes nothing', async () => {
    const ada = await person('ada');
    const workspaceId = await workspaceWith(ada);
    for (const body of [
      { name: 'has space' },
      { name: '' },
      { name: 'x'.repeat(81) },
      { name: 'ok', kind: 'dm' },
      { name: 'ok', postingPolicy: 'root' },
      { name: '#hash' },
    ]) {
      expect(
        (await call(ada, 'POST', `/api/workspaces/${workspaceId}/channels`, body)).status,
        JSON.stringify(body),
      ).toBe(400);
    }
    const channels = await call<{ channels: unknown[] }>(
      ada,
      'GET',
      `/api/workspaces/${workspaceId}/channels`,
    );
    expect(channels.body.channels).toHaveLength(1);
    expect(
      (await call(ada, 'POST', `/api/workspaces/${workspaceId}/channels`, { name: 'General' }))
        .status,
    ).toBe(409);
  });
});

describe('audit log', () => {
  it('records who changed what, with before and after, for admins only', async () => {
    const [ada, bob] = [await person('ada'), await person('bob')];
    const workspaceId = await workspaceWith(ada, bob);
    await call(ada, 'PATCH', `/api/workspaces/${workspaceId}`, { name: 'Acme Inc' });
    await call(ada, 'PATCH', `/api/workspaces/${workspaceId}/members/${bob.id}`, { role: 'guest' });
    const log = await call<{
      entries: Array<{
        action: string;
        actorId: string;
        targetId: string;
        before: unknown;
        after: unknown;
      }>;
    }>(ada, 'GET', `/api/workspaces/${workspaceId}/audit`);
    expect(log.body.entries.map((entry) => entry.action)).toEqual([
      'workspace_member.role_change',
      'workspace.rename',
      'workspace.create',
    ]);
    expect(log.body.entries[0]).toMatchObject({
      actorId: ada.id,
      targetId: bob.id,
      before: { role: 'member' },
      after: { role: 'guest' },
    });
    expect(log.body.entries[1]).toMatchObject({
      before: { name: 'Acme' },
      after: { name: 'Acme Inc' },
    });
    expect((await call(bob, 'GET', `/api/workspaces/${workspaceId}/audit`)).status).toBe(403);
  });
});
