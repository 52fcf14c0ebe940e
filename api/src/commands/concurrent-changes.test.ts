import { randomUUID } from 'node:crypto';
import { schema } from '@confab/db';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { callAs, type Person, signUp, useTestApi } from '../routes/auth/test-app';

/**
 * Two requests that change the same thing at once, through the HTTP API: each command decides
 * inside its transaction, so the audit tells what happened and no invariant breaks.
 */
const api = useTestApi();
const call = <T = Record<string, unknown>>(
  who: Person,
  method: string,
  path: string,
  body?: unknown,
) => callAs<T>(api.app, who, method, path, body);
const db = () => api.backends.database.db;

let ada: Person;
let bob: Person;
beforeAll(async () => {
  ada = await signUp(api.app, 'ada');
  bob = await signUp(api.app, 'bob');
});

/** A fresh workspace owned by ada with bob as a member, and a public channel made by ada. */
async function world() {
  const created = await call<{ workspace: { id: string } }>(ada, 'POST', '/api/workspaces', {
    name: 'Acme',
    slug: `acme-${randomUUID().slice(0, 8)}`,
  });
  const workspaceId = created.body.workspace.id;
  await db()
    .insert(schema.workspaceMembers)
    .values({ workspaceId, userId: bob.id, role: 'member' });
  const channel = await call<{ channel: { id: string } }>(
    ada,
    'POST',
    `/api/workspaces/${workspaceId}/channels`,
    { name: 'news' },
  );
  return { workspaceId, channelId: channel.body.channel.id };
}

async function audit(workspaceId: string, action: string) {
  return db()
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.workspaceId, workspaceId), eq(schema.auditLog.action, action)))
    .orderBy(asc(schema.auditLog.id));
}

async function owners(workspaceId: string) {
  return db()
    .select({ userId: schema.workspaceMembers.userId })
    .from(schema.workspaceMembers)
    .where(
      and(
        eq(schema.workspaceMembers.workspaceId, workspaceId),
        eq(schema.workspaceMembers.role, 'owner'),
        isNull(schema.workspaceMembers.removedAt),
      ),
    );
}

const ROUNDS = 4;

describe('concurrent changes', () => {
  it('archives a channel once when archive requests race: one audit row', async () => {
    const { workspaceId, channelId } = await world();
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => call(ada, 'POST', `/api/channels/${channelId}/archive`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204, 204]);
    expect(await audit(workspaceId, 'channel.archive')).toHaveLength(1);
  });

  it('joins a channel once when two join requests race: one audit row', async () => {
    const { workspaceId, channelId } = await world();
    const answers = await Promise.all(
      [1, 2].map(() => call(bob, 'POST', `/api/channels/${channelId}/join`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([204, 204]);
    expect(await audit(workspaceId, 'channel_member.join')).toHaveLength(1);
  });

  it('records as "before" of each rename the name it replaced, when renames race', async () => {
    const { workspaceId, channelId } = await world();
    await Promise.all([
      call(ada, 'PATCH', `/api/workspaces/${workspaceId}`, { name: 'Beta' }),
      call(ada, 'PATCH', `/api/workspaces/${workspaceId}`, { name: 'Gamma' }),
      call(ada, 'PATCH', `/api/channels/${channelId}`, { name: 'beta' }),
      call(ada, 'PATCH', `/api/channels/${channelId}`, { name: 'gamma' }),
    ]);
    for (const [action, first] of [
      ['workspace.rename', 'Acme'],
      ['channel.update', 'news'],
    ] as const) {
      const rows = await audit(workspaceId, action);
      const names = rows.map((row) => [
        (row.before as { name: string }).name,
        (row.after as { name: string }).name,
      ]);
      expect(names).toHaveLength(2);
      expect(names[0]?.[0]).toBe(first);
      expect(names[1]?.[0]).toBe(names[0]?.[1]);
    }
  });

  it('never changes a channel archived meanwhile: an update racing the archive is refused or comes first', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { workspaceId, channelId } = await world();
      const [update] = await Promise.all([
        call(ada, 'PATCH', `/api/channels/${channelId}`, { topic: 'late' }),
        call(ada, 'POST', `/api/channels/${channelId}/archive`),
      ]);
      const [archived] = await audit(workspaceId, 'channel.archive');
      const updates = await audit(workspaceId, 'channel.update');
      if (update.status === 403) {
        expect(updates).toEqual([]);
      } else {
        expect(update.status).toBe(200);
        expect(updates.every((row) => row.id < (archived?.id ?? 0))).toBe(true);
      }
    }
  });

  it('keeps exactly one owner when a role change or removal races a transfer of ownership', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [method, body] of [
        ['PATCH', { role: 'guest' }],
        ['DELETE', undefined],
      ] as const) {
        const { workspaceId } = await world();
        const [transfer, change] = await Promise.all([
          call(ada, 'POST', `/api/workspaces/${workspaceId}/transfer-ownership`, {
            userId: bob.id,
          }),
          call<{ error?: { code: string } }>(
            ada,
            method,
            `/api/workspaces/${workspaceId}/members/${bob.id}`,
            body,
          ),
        ]);
        expect(await owners(workspaceId)).toHaveLength(1);
        if (transfer.status === 204) {
          // Bob owned the workspace before the change was written: it was refused, not applied.
          expect(change.status).toBeGreaterThanOrEqual(400);
          expect(['member_changed', 'forbidden']).toContain(change.body.error?.code);
        }
      }
    }
  });
});
