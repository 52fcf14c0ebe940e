import { randomUUID } from 'node:crypto';
import { docName, schema } from '@confab/db';
import { and, eq } from 'drizzle-orm';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { UnsubscribeTokens } from '../../notifications/unsubscribe-token';
import { callAs, type Person, signUp, useTestApi } from '../auth/test-app';

const api = useTestApi();
const db = () => api.backends.database.db;
const call = <T = Record<string, unknown>>(
  who: Person | null,
  method: string,
  path: string,
  body?: unknown,
) => callAs<T>(api.app, who, method, path, body);

/** Ada (owner) and Bob in a workspace with #general (both in it) and their DM; Eve elsewhere. */
async function world() {
  const ada = await signUp(api.app, 'Ada');
  const bob = await signUp(api.app, 'Bob');
  const eve = await signUp(api.app, 'Eve');
  const [w, other] = await db()
    .insert(schema.workspaces)
    .values([
      { name: 'W', slug: `w-${randomUUID()}` },
      { name: 'Other', slug: `o-${randomUUID()}` },
    ])
    .returning({ id: schema.workspaces.id });
  const workspaceId = w?.id ?? '';
  const otherWorkspaceId = other?.id ?? '';
  await db()
    .insert(schema.workspaceMembers)
    .values([
      { workspaceId, userId: ada.id, role: 'owner' },
      { workspaceId, userId: bob.id, role: 'member' },
      { workspaceId: otherWorkspaceId, userId: eve.id, role: 'owner' },
      { workspaceId: otherWorkspaceId, userId: ada.id, role: 'member' },
    ]);
  const [general, dm, otherGeneral] = await db()
    .insert(schema.channels)
    .values([
      { workspaceId, kind: 'public', name: 'general' },
      { workspaceId, kind: 'dm', dmKey: [ada.id, bob.id].sort().join(',') },
      { workspaceId: otherWorkspaceId, kind: 'public', name: 'general' },
    ])
    .returning({ id: schema.channels.id });
  const generalId = general?.id ?? '';
  const dmId = dm?.id ?? '';
  const otherGeneralId = otherGeneral?.id ?? '';
  await db()
    .insert(schema.channelMembers)
    .values([
      { channelId: generalId, userId: ada.id },
      { channelId: generalId, userId: bob.id },
      { channelId: dmId, userId: ada.id },
      { channelId: dmId, userId: bob.id },
      { channelId: otherGeneralId, userId: ada.id },
      { channelId: otherGeneralId, userId: eve.id },
    ]);
  return { ada, bob, eve, workspaceId, otherWorkspaceId, generalId, dmId, otherGeneralId };
}

/** A projected message and a notification of it for `userId`, as the notifier records it. */
async function notified(
  userId: string,
  workspaceId: string,
  channelId: string,
  authorId: string,
  text: string,
  { parentId = null as string | null, deleted = false } = {},
) {
  const messageId = ulid();
  await db()
    .insert(schema.messages)
    .values({
      id: messageId,
      channelId,
      docName: docName({ kind: 'segment', channelId, index: 0 }),
      authorId,
      parentId,
      text: deleted ? '' : text,
      createdAt: new Date(),
      receivedAt: new Date(),
      deletedAt: deleted ? new Date() : null,
      docSeq: 1,
    });
  const [row] = await db()
    .insert(schema.notifications)
    .values({ userId, workspaceId, channelId, messageId, reason: 'mention' })
    .returning({ id: schema.notifications.id });
  return { messageId, id: String(row?.id) };
}

interface Preference {
  preference: string;
  effective: string;
  muted: boolean;
}
interface Inbox {
  notifications: Array<{
    id: string;
    messageId: string;
    excerpt: string;
    read: boolean;
    channelName: string | null;
    authorName: string | null;
  }>;
  unreadCount: number;
  nextCursor: string | null;
}

describe('channel notification preference', () => {
  it('reads the kind’s default, sets a preference and mute, and goes back to the default', async () => {
    const { ada, generalId, dmId } = await world();
    const path = `/api/channels/${generalId}/notification-preference`;
    expect((await call<Preference>(ada, 'GET', path)).body).toEqual({
      preference: 'default',
      effective: 'mentions',
      muted: false,
    });
    expect(
      (await call<Preference>(ada, 'GET', `/api/channels/${dmId}/notification-preference`)).body,
    ).toEqual({ preference: 'default', effective: 'all', muted: false });
    const set = await call<Preference>(ada, 'PUT', path, { preference: 'nothing', muted: true });
    expect(set.body).toEqual({ preference: 'nothing', effective: 'nothing', muted: true });
    const back = await call<Preference>(ada, 'PUT', path, { preference: 'default' });
    expect(back.body).toEqual({ preference: 'default', effective: 'mentions', muted: true });
    const [row] = await db()
      .select({ notify: schema.channelMembers.notify })
      .from(schema.channelMembers)
      .where(
        and(
          eq(schema.channelMembers.channelId, generalId),
          eq(schema.channelMembers.userId, ada.id),
        ),
      );
    expect(row?.notify).toBeNull();
    expect((await call<Preference>(ada, 'PUT', path, { muted: false })).body.muted).toBe(false);
  });

  it('refuses a preference in a DM, where every message notifies (the rules ignore it), and mutes it', async () => {
    const { ada, dmId } = await world();
    const path = `/api/channels/${dmId}/notification-preference`;
    for (const preference of ['nothing', 'mentions', 'all']) {
      const answer = await call<{ error: { code: string } }>(ada, 'PUT', path, { preference });
      expect(answer.status, preference).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
    }
    expect((await call<Preference>(ada, 'GET', path)).body).toEqual({
      preference: 'default',
      effective: 'all',
      muted: false,
    });
    // Mute is how a conversation is silenced; `default` stays accepted.
    const muted = await call<Preference>(ada, 'PUT', path, { preference: 'default', muted: true });
    expect(muted.body).toEqual({ preference: 'default', effective: 'all', muted: true });
  });

  it.each([
    ['nothing', {}],
    ['an unknown preference', { preference: 'loud' }],
    ['a string for muted', { muted: 'yes' }],
    ['an unknown field', { muted: true, admin: true }],
    ['an array', [{ muted: true }]],
    ['10 KB of text', { preference: 'x'.repeat(10_240) }],
    ['null', null],
  ])('refuses %s (400) and changes nothing', async (_name, body) => {
    const { ada, generalId } = await world();
    const path = `/api/channels/${generalId}/notification-preference`;
    const answer = await call<{ error: { code: string } }>(ada, 'PUT', path, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect((await call<Preference>(ada, 'GET', path)).body).toEqual({
      preference: 'default',
      effective: 'mentions',
      muted: false,
    });
  });

  it('answers 404 to non-members, outsiders and bad ids, 401 without a token', async () => {
    const { eve, bob, ada, otherGeneralId, generalId } = await world();
    const path = (id: string) => `/api/channels/${id}/notification-preference`;
    expect((await call(eve, 'GET', path(generalId))).status).toBe(404);
    expect((await call(eve, 'PUT', path(generalId), { muted: true })).status).toBe(404);
    // Bob sees the other workspace's channel nowhere; Ada is in it.
    expect((await call(bob, 'GET', path(otherGeneralId))).status).toBe(404);
    expect((await call(ada, 'GET', path(otherGeneralId))).status).toBe(200);
    expect((await call(ada, 'GET', path(randomUUID()))).status).toBe(404);
    expect((await call(ada, 'GET', path('nope'))).status).toBe(404);
    expect((await call(null, 'GET', path(generalId))).status).toBe(401);
  });
});

describe('my notification settings', () => {
  it('reads the defaults, stores trimmed keywords without case duplicates', async () => {
    const { ada } = await world();
    const path = '/api/me/notification-settings';
    expect((await call(ada, 'GET', path)).body).toEqual({ keywords: [], emailMentions: true });
    const put = await call(ada, 'PUT', path, {
      keywords: ['  Deploy ', 'deploy', 'release train', 'DÉPLOIEMENT'],
      emailMentions: false,
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      keywords: ['Deploy', 'release train', 'DÉPLOIEMENT'],
      emailMentions: false,
    });
    expect((await call(ada, 'GET', path)).body).toEqual(put.body);
    expect((await call(null, 'GET', path)).status).toBe(401);
  });

  it.each([
    ['26 keywords', { keywords: Array.from({ length: 26 }, (_, i) => `word${i}`) }],
    ['a one-letter keyword', { keywords: ['a'] }],
    ['a keyword of spaces', { keywords: ['     '] }],
    ['a 41-character keyword', { keywords: ['x'.repeat(41)] }],
    ['10 KB in a keyword', { keywords: ['x'.repeat(10_240)] }],
    ['NUL', { keywords: ['de\u0000ploy'] }],
    ['a line break', { keywords: ['two\nlines'] }],
    ['a lone surrogate', { keywords: ['ab\ud800'] }],
    ['a number', { keywords: [42] }],
    ['an unknown field', { keywords: [], extra: 1 }],
  ])('refuses %s (400) and changes nothing', async (_name, partial) => {
    const { ada } = await world();
    const path = '/api/me/notification-settings';
    await call(ada, 'PUT', path, { keywords: ['kept'], emailMentions: true });
    const answer = await call<{ error: { code: string } }>(ada, 'PUT', path, {
      emailMentions: false,
      ...partial,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect((await call(ada, 'GET', path)).body).toEqual({
      keywords: ['kept'],
      emailMentions: true,
    });
  });
});

describe('the inbox', () => {
  it('lists my notifications newest first with excerpts, pages, and counts unread by read markers too', async () => {
    const { ada, bob, workspaceId, generalId, dmId } = await world();
    const first = await notified(ada.id, workspaceId, generalId, bob.id, `<@${ada.id}> first`);
    const gone = await notified(ada.id, workspaceId, generalId, bob.id, 'x', { deleted: true });
    const long = await notified(ada.id, workspaceId, dmId, bob.id, `<!here> ${'word '.repeat(80)}`);
    const path = `/api/workspaces/${workspaceId}/notifications`;
    const all = await call<Inbox>(ada, 'GET', path);
    expect(all.status).toBe(200);
    expect(all.body.notifications.map((n) => n.id)).toEqual([long.id, gone.id, first.id]);
    expect(all.body.unreadCount).toBe(3);
    const [newest, deleted, oldest] = all.body.notifications;
    expect(oldest).toMatchObject({
      excerpt: '@Ada first',
      channelName: 'general',
      authorName: 'Bob',
    });
    expect(deleted?.excerpt).toBe('');
    expect([...(newest?.excerpt ?? '')].length).toBe(200);
    expect(newest?.excerpt.startsWith('@here word')).toBe(true);
    expect(newest?.channelName).toBeNull();

    const page1 = await call<Inbox>(ada, 'GET', `${path}?limit=2`);
    expect(page1.body.notifications).toHaveLength(2);
    const page2 = await call<Inbox>(ada, 'GET', `${path}?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.notifications.map((n) => n.id)).toEqual([first.id]);
    expect(page2.body.nextCursor).toBeNull();

    // Reading #general up to the first message covers it (and nothing else).
    await db()
      .update(schema.channelMembers)
      .set({ lastReadMessageId: first.messageId })
      .where(
        and(
          eq(schema.channelMembers.channelId, generalId),
          eq(schema.channelMembers.userId, ada.id),
        ),
      );
    const unread = await call<Inbox>(ada, 'GET', `${path}?unread=true`);
    expect(unread.body.notifications.map((n) => n.id)).toEqual([long.id, gone.id]);
    expect(unread.body.unreadCount).toBe(2);
  });

  it('marks some or all read; another user’s ids change nothing', async () => {
    const { ada, bob, workspaceId, generalId } = await world();
    const mine = await notified(ada.id, workspaceId, generalId, bob.id, 'one');
    const also = await notified(ada.id, workspaceId, generalId, bob.id, 'two');
    const bobs = await notified(bob.id, workspaceId, generalId, ada.id, 'three');
    const read = `/api/workspaces/${workspaceId}/notifications/read`;
    const some = await call<{ unreadCount: number }>(ada, 'POST', read, {
      ids: [mine.id, bobs.id],
    });
    expect(some.body).toEqual({ unreadCount: 1 });
    expect(
      (await call(bob, 'GET', `/api/workspaces/${workspaceId}/notifications`)).body,
    ).toMatchObject({ unreadCount: 1 });
    expect((await call(ada, 'POST', read, { all: true })).body).toEqual({ unreadCount: 0 });
    const inbox = await call<Inbox>(ada, 'GET', `/api/workspaces/${workspaceId}/notifications`);
    expect(inbox.body.notifications.find((n) => n.id === also.id)?.read).toBe(true);
  });

  it('keeps workspaces and people apart, and refuses bad input', async () => {
    const { ada, bob, eve, workspaceId, otherWorkspaceId, generalId } = await world();
    await notified(ada.id, workspaceId, generalId, bob.id, 'in W');
    const other = await call<Inbox>(
      ada,
      'GET',
      `/api/workspaces/${otherWorkspaceId}/notifications`,
    );
    expect(other.body).toEqual({ notifications: [], unreadCount: 0, nextCursor: null });
    expect(
      (await call<Inbox>(bob, 'GET', `/api/workspaces/${workspaceId}/notifications`)).body
        .notifications,
    ).toEqual([]);
    expect((await call(eve, 'GET', `/api/workspaces/${workspaceId}/notifications`)).status).toBe(
      404,
    );
    expect(
      (await call(eve, 'POST', `/api/workspaces/${workspaceId}/notifications/read`, { all: true }))
        .status,
    ).toBe(404);
    const path = `/api/workspaces/${workspaceId}/notifications`;
    for (const query of ['cursor=abc', 'cursor=-1', 'limit=0', 'limit=101', 'unread=yes', 'x=1']) {
      expect((await call(ada, 'GET', `${path}?${query}`)).status, query).toBe(400);
    }
    for (const body of [
      {},
      { ids: [] },
      { ids: ['1; DROP'] },
      { all: false },
      { ids: ['1'], all: true },
    ]) {
      expect((await call(ada, 'POST', `${path}/read`, body)).status, JSON.stringify(body)).toBe(
        400,
      );
    }
    // A member who left a channel no longer sees its notifications (nor their excerpts).
    await db()
      .delete(schema.channelMembers)
      .where(
        and(
          eq(schema.channelMembers.channelId, generalId),
          eq(schema.channelMembers.userId, ada.id),
        ),
      );
    expect((await call<Inbox>(ada, 'GET', path)).body.notifications).toEqual([]);
  });
});

describe('unsubscribe', () => {
  const request = (method: string, token: string | null, body?: string) =>
    api.app.request(
      `/api/notifications/unsubscribe${token === null ? '' : `?${new URLSearchParams({ token })}`}`,
      {
        method,
        ...(body === undefined
          ? {}
          : { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      },
    );

  it('shows a page on GET that changes nothing, and stops the mail on a one-click POST', async () => {
    const { ada } = await world();
    const tokens = await UnsubscribeTokens.open(db());
    const token = tokens.token(ada.id, 'email_mentions');
    const page = await request('GET', token);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain(
      `action="/api/notifications/unsubscribe?token=${ada.id}.email_mentions.`,
    );
    expect((await call(ada, 'GET', '/api/me/notification-settings')).body).toMatchObject({
      emailMentions: true,
    });
    const done = await request('POST', token, 'List-Unsubscribe=One-Click');
    expect(done.status).toBe(200);
    expect((await call(ada, 'GET', '/api/me/notification-settings')).body).toMatchObject({
      emailMentions: false,
    });
  });

  it('refuses altered, foreign and missing tokens (400) and changes nothing', async () => {
    const { ada, bob } = await world();
    const tokens = await UnsubscribeTokens.open(db());
    const good = tokens.token(ada.id, 'email_mentions');
    const [, purpose, signature] = good.split('.');
    const bad = [
      `${bob.id}.${purpose}.${signature}`,
      `${ada.id}.other.${signature}`,
      `${good}x`,
      `${good}.extra`,
      'a.b.c',
      `${ada.id}\u0000.${purpose}.${signature}`,
      'x'.repeat(10_240),
      '',
    ];
    for (const token of bad) {
      const answer = await request('POST', token, 'List-Unsubscribe=One-Click');
      expect(answer.status, token.slice(0, 60)).toBe(400);
      expect((await request('GET', token)).status).toBe(400);
    }
    expect((await request('POST', null)).status).toBe(400);
    for (const who of [ada, bob])
      expect((await call(who, 'GET', '/api/me/notification-settings')).body).toMatchObject({
        emailMentions: true,
      });
  });
});
