import { randomUUID } from 'node:crypto';
import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { readOutbox } from '../../mail/mailer';
import { callAs, type Person, signUp, useTestApi } from '../auth/test-app';

const api = useTestApi();
const person = (name: string, email?: string) => signUp(api.app, name, email);
const call = <T = Record<string, unknown>>(
  who: Person | null,
  method: string,
  path: string,
  body?: unknown,
) => callAs<T>(api.app, who, method, path, body);

async function workspace(owner: Person) {
  const created = await call<{ workspace: { id: string } }>(owner, 'POST', '/api/workspaces', {
    name: 'Acme',
    slug: `acme-${randomUUID().slice(0, 8)}`,
  });
  return created.body.workspace.id;
}

async function invite(owner: Person, workspaceId: string, body: Record<string, unknown> = {}) {
  const response = await call<{ url: string; invitation: { id: string; status: string } }>(
    owner,
    'POST',
    `/api/workspaces/${workspaceId}/invitations`,
    body,
  );
  expect(response.status).toBe(201);
  return { ...response.body, token: response.body.url.split('/invite/')[1] ?? '' };
}

const accept = (who: Person, token: string) =>
  call<{ alreadyMember: boolean; channelIds: string[]; role: string }>(
    who,
    'POST',
    `/api/invitations/${token}/accept`,
  );

async function channelNames(who: Person, workspaceId: string) {
  const response = await call<{ channels: Array<{ name: string }> }>(
    who,
    'GET',
    `/api/workspaces/${workspaceId}/channels`,
  );
  return response.body.channels.map((channel) => channel.name).sort();
}

describe('invitations', () => {
  it('admits a new user (after sign-up) and an existing one through a link, into #general', async () => {
    const owner = await person('owner');
    const existing = await person('existing');
    const workspaceId = await workspace(owner);
    const { token } = await invite(owner, workspaceId);
    const preview = await call<{ invitation: Record<string, unknown> }>(
      null,
      'GET',
      `/api/invitations/${token}`,
    );
    expect(preview.status).toBe(200);
    expect(preview.body.invitation).toMatchObject({
      workspace: 'Acme',
      role: 'member',
      invitedBy: 'owner',
    });
    expect(JSON.stringify(preview.body)).not.toMatch(/tokenHash|token_hash/);

    const newcomer = await person('newcomer');
    for (const who of [existing, newcomer]) {
      const accepted = await accept(who, token);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ alreadyMember: false, role: 'member' });
      expect(await channelNames(who, workspaceId)).toEqual(['general']);
    }
  });

  it('gives a guest only the channels of the invitation', async () => {
    const owner = await person('owner');
    const workspaceId = await workspace(owner);
    const project = await call<{ channel: { id: string } }>(
      owner,
      'POST',
      `/api/workspaces/${workspaceId}/channels`,
      { name: 'project', kind: 'private' },
    );
    const { token } = await invite(owner, workspaceId, {
      role: 'guest',
      channelIds: [project.body.channel.id],
    });
    const guest = await person('guest');
    expect((await accept(guest, token)).body).toMatchObject({
      role: 'guest',
      channelIds: [project.body.channel.id],
    });
    expect(await channelNames(guest, workspaceId)).toEqual(['project']);
  });

  it('mails an email invitation, admits only that address, once, and verifies it', async () => {
    const owner = await person('owner');
    const workspaceId = await workspace(owner);
    const email = `invited-${randomUUID()}@example.com`;
    const { token, url } = await invite(owner, workspaceId, { email });
    await api.harness.tasks.drain();
    const mail = (await readOutbox(api.harness.outbox)).find((candidate) => candidate.to === email);
    expect(mail?.subject).toBe('owner invited you to Acme on Confab');
    expect(mail?.text).toContain(url);

    const someoneElse = await person('else');
    const wrong = await call<{ error: { code: string } }>(
      someoneElse,
      'POST',
      `/api/invitations/${token}/accept`,
    );
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('invitation_for_another_email');

    const invited = await person('invited', email.toUpperCase());
    expect((await accept(invited, token)).status).toBe(200);
    const me = await call<{ user: { emailVerified: boolean } }>(invited, 'GET', '/api/auth/me');
    expect(me.body.user.emailVerified).toBe(true);
    const other = await person('other', email.replace('invited-', 'second-'));
    expect((await accept(other, token)).status).toBe(404);
  });

  it('admits exactly one person through a single-use link, even when several accept at once', async () => {
    const owner = await person('owner');
    const workspaceId = await workspace(owner);
    const { token } = await invite(owner, workspaceId, { maxUses: 1 });
    const crowd = await Promise.all(Array.from({ length: 5 }, (_, i) => person(`p${i}`)));
    const results = await Promise.all(crowd.map((who) => accept(who, token)));
    expect(results.map((result) => result.status).sort()).toEqual([200, 404, 404, 404, 404]);
    const members = await call<{ members: unknown[] }>(
      owner,
      'GET',
      `/api/workspaces/${workspaceId}/members`,
    );
    expect(members.body.members).toHaveLength(2);
  });

  it('admits as many people as a multi-use link allows, then no more', async () => {
    const owner = await person('owner');
    const workspaceId = await workspace(owner);
    const { token } = await invite(owner, workspaceId, { maxUses: 3 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await accept(await person(`m${i}`), token)).status);
    expect(statuses).toEqual([200, 200, 200, 404]);
    const list = await call<{ invitations: Array<{ status: string; useCount: number }> }>(
      owner,
      'GET',
      `/api/workspaces/${workspaceId}/invitations`,
    );
    expect(list.body.invitations[0]).toMatchObject({ status: 'used_up', useCount: 3 });
  });

  it('previews an invitation to anyone holding it, telling only workspace, inviter, role and expiry; unknown, expired, used and revoked ones get one identical error', async () => {
    const owner = await signUp(api.app, 'Grace Owner', `grace-${randomUUID()}@example.com`);
    const workspaceId = await workspace(owner);
    const link = await invite(owner, workspaceId, { role: 'member', maxUses: 1 });
    const preview = await call<{ invitation: Record<string, unknown> }>(
      null,
      'GET',
      `/api/invitations/${link.token}`,
    );
    expect(preview.status).toBe(200);
    expect(Object.keys(preview.body.invitation).sort()).toEqual([
      'email',
      'expiresAt',
      'invitedBy',
      'role',
      'workspace',
    ]);
    expect(preview.body.invitation).toMatchObject({
      workspace: 'Acme',
      invitedBy: 'Grace Owner',
      role: 'member',
      email: null,
    });

    const used = link;
    expect((await accept(await person('first'), used.token)).status).toBe(200);
    const expired = await invite(owner, workspaceId);
    await api.backends.database.db
      .update(schema.invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.invitations.id, expired.invitation.id));
    const revoked = await invite(owner, workspaceId);
    await call(
      owner,
      'DELETE',
      `/api/workspaces/${workspaceId}/invitations/${revoked.invitation.id}`,
    );
    const answers = await Promise.all(
      [used.token, expired.token, revoked.token, 'a'.repeat(32), 'nope', '%00'].map((token) =>
        call<{ error: { code: string; message: string } }>(
          null,
          'GET',
          `/api/invitations/${token}`,
        ),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(answers[0]?.body);
    }
    expect(answers[0]?.body.error.code).toBe('invalid_invitation');
  });

  it('refuses an expired or revoked invitation, and does not spend a use on a member', async () => {
    const owner = await person('owner');
    const workspaceId = await workspace(owner);
    const expired = await invite(owner, workspaceId);
    await api.backends.database.db
      .update(schema.invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.invitations.id, expired.invitation.id));
    const late = await person('late');
    expect((await call(null, 'GET', `/api/invitations/${expired.token}`)).status).toBe(404);
    expect((await accept(late, expired.token)).status).toBe(404);

    const revoked = await invite(owner, workspaceId);
    expect(
      (
        await call(
          owner,
          'DELETE',
          `/api/workspaces/${workspaceId}/invitations/${revoked.invitation.id}`,
        )
      ).status,
    ).toBe(204);
    expect((await accept(late, revoked.token)).status).toBe(404);

    const single = await invite(owner, workspaceId, { maxUses: 1 });
    expect((await accept(owner, single.token)).body.alreadyMember).toBe(true);
    expect((await accept(late, single.token)).status).toBe(200);
  });

  it('brings a removed member back through a new invitation', async () => {
    const owner = await person('owner');
    const bob = await person('bob');
    const workspaceId = await workspace(owner);
    expect((await accept(bob, (await invite(owner, workspaceId)).token)).status).toBe(200);
    expect(
      (await call(owner, 'DELETE', `/api/workspaces/${workspaceId}/members/${bob.id}`)).status,
    ).toBe(204);
    expect((await call(bob, 'GET', `/api/workspaces/${workspaceId}`)).status).toBe(404);
    expect((await accept(bob, (await invite(owner, workspaceId)).token)).status).toBe(200);
    expect((await call(bob, 'GET', `/api/workspaces/${workspaceId}`)).status).toBe(200);
  });

  it('refuses malformed invitations and tokens, and changes nothing', async () => {
    const owner = await person('owner');
    const workspaceId = await workspace(owner);
    const elsewhere = await workspace(await person('other-owner'));
    const foreign = await call<{ channels: Array<{ id: string }> }>(
      owner,
      'GET',
      `/api/workspaces/${workspaceId}/channels`,
    );
    expect(foreign.body.channels).toHaveLength(1);
    const otherGeneral = (
      await api.backends.database.db
        .select()
        .from(schema.channels)
        .where(eq(schema.channels.workspaceId, elsewhere))
    )[0]?.id;
    for (const body of [
      { role: 'guest' },
      { role: 'owner' },
      { email: 'not-an-email' },
      { email: 'a@example.com', maxUses: 5 },
      { expiresInHours: 0 },
      { expiresInHours: 100_000 },
      { channelIds: [otherGeneral] },
    ]) {
      const response = await call(
        owner,
        'POST',
        `/api/workspaces/${workspaceId}/invitations`,
        body,
      );
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    const list = await call<{ invitations: unknown[] }>(
      owner,
      'GET',
      `/api/workspaces/${workspaceId}/invitations`,
    );
    expect(list.body.invitations).toEqual([]);
    for (const token of ['x', 'A'.repeat(32), '../../etc', `${'a'.repeat(32)}%00`]) {
      expect(
        (await call(owner, 'GET', `/api/invitations/${encodeURIComponent(token)}`)).status,
        token,
      ).toBe(404);
      expect(
        (await call(owner, 'POST', `/api/invitations/${encodeURIComponent(token)}/accept`)).status,
        token,
      ).toBe(404);
    }
    expect((await call(null, 'POST', `/api/invitations/${'a'.repeat(32)}/accept`)).status).toBe(
      401,
    );
  });
});
