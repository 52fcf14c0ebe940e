import { randomUUID } from 'node:crypto';
import { activityUserTopic, createLogger, Policy, presenceUserTopic, schema } from '@confab/db';
import { waitFor } from '@confab/db/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, errorBody } from '../../errors';
import { type JobQueue, openJobQueue } from '../../jobs/job-queue';
import { type StatusExpiryJob, scheduleStatusExpiry } from '../../status/status-jobs';
import { callAs, type Person, signUp, useTestApi } from '../auth/test-app';
import { meStatusRoutes, workspaceStatusesRoutes } from './status-routes';

const api = useTestApi();
const logger = createLogger('silent');
let queue: JobQueue;
let statusApp: Hono;
const scheduled: StatusExpiryJob[] = [];

beforeAll(async () => {
  queue = await openJobQueue(api.backends.database, { logger, pollingIntervalSeconds: 0.5 });
  const deps = {
    db: api.backends.database.db,
    bus: api.backends.bus,
    logger,
    auth: api.harness.auth,
    policy: new Policy(api.backends.database.db),
    scheduleExpiry: (job: Omit<StatusExpiryJob, 'at'>, at: Date) => {
      scheduled.push({ ...job, at: at.toISOString() });
      return scheduleStatusExpiry(queue, job, at);
    },
  };
  // The routes as app.ts renders their errors.
  statusApp = new Hono()
    .route('/api/me', meStatusRoutes(deps))
    .route('/api/workspaces', workspaceStatusesRoutes(deps));
  statusApp.onError((error, c) =>
    error instanceof ApiError
      ? c.json(errorBody(error.code, error.message), error.status)
      : c.json(errorBody('internal', String(error)), 500),
  );
}, 60_000);
afterAll(() => queue?.stop());

const call = <T = Record<string, unknown>>(
  who: Person | null,
  method: string,
  path: string,
  body?: unknown,
) => callAs<T>(statusApp, who, method, path, body);
const person = (name: string) => signUp(api.app, name);

const base = { emoji: '📅', text: 'Meeting', expiry: null, timeZone: 'UTC' };

interface StatusAnswer {
  status: { emoji: string | null; text: string | null; expiresAt: string | null } | null;
  dnd: { until: string | null; schedule: unknown; now: boolean };
  version: number;
}

describe('my status', () => {
  it('sets, reads and clears a status, telling my devices each time', async () => {
    const ada = await person('ada');
    const events: string[] = [];
    await api.backends.bus.subscribe(activityUserTopic(ada.id), (payload) => {
      events.push(new TextDecoder().decode(payload));
    });
    // Whoever watches Ada's presence hears it too (as `statuses` in a 105).
    const watchers: string[] = [];
    await api.backends.bus.subscribe(presenceUserTopic(ada.id), (payload) => {
      watchers.push(new TextDecoder().decode(payload));
    });
    const set = await call<StatusAnswer>(ada, 'PUT', '/api/me/status', {
      emoji: '🌴',
      text: 'On holiday',
      expiry: '1h',
      timeZone: 'Europe/Berlin',
    });
    expect(set.status).toBe(200);
    expect(set.body.status).toMatchObject({ emoji: '🌴', text: 'On holiday' });
    const expiresIn = Date.parse(set.body.status?.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(50 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
    expect((await call<StatusAnswer>(ada, 'GET', '/api/me/status')).body).toEqual(set.body);
    expect(scheduled).toContainEqual({
      userId: ada.id,
      part: 'status',
      at: set.body.status?.expiresAt,
    });
    const cleared = await call<StatusAnswer>(ada, 'DELETE', '/api/me/status');
    expect(cleared.body.status).toBeNull();
    expect(events).toEqual([
      JSON.stringify({ kind: 'user_status', userId: ada.id }),
      JSON.stringify({ kind: 'user_status', userId: ada.id }),
    ]);
    await waitFor('the presence topic', () => (watchers.length === 2 ? true : undefined));
    expect(watchers).toEqual([
      JSON.stringify({ kind: 'status', userId: ada.id }),
      JSON.stringify({ kind: 'status', userId: ada.id }),
    ]);
  });

  it('answers an empty status before any was set, and 401 without a token', async () => {
    const ada = await person('ada');
    expect((await call<StatusAnswer>(ada, 'GET', '/api/me/status')).body).toEqual({
      status: null,
      dnd: { until: null, schedule: null, now: false },
      version: 0,
    });
    expect((await call(null, 'GET', '/api/me/status')).status).toBe(401);
  });

  it.each([
    ['10 KB of text', { ...base, text: 'x'.repeat(10_240) }],
    ['101 characters', { ...base, text: 'x'.repeat(101) }],
    ['NUL', { ...base, text: 'a\u0000b' }],
    ['a right-to-left override', { ...base, text: 'evil\u202eexe.txt' }],
    ['an isolate in the emoji', { ...base, emoji: '\u2067🙂' }],
    ['a newline', { ...base, text: 'two\nlines' }],
    ['no emoji and no text', { ...base, emoji: null, text: '' }],
    ['an unknown zone', { ...base, timeZone: 'Mars/Olympus' }],
    ['a missing zone', { emoji: '📅', text: 'Meeting', expiry: null }],
    ['an unknown field', { ...base, admin: true }],
    ['a past date', { ...base, expiry: '2020-01-01T00:00:00Z' }],
    ['a date without offset', { ...base, expiry: '2099-01-01T00:00:00' }],
    ['a bad date', { ...base, expiry: '2027-02-30T10:00:00Z' }],
    ['a date in 5 years', { ...base, expiry: '2031-01-01T00:00:00Z' }],
    ['an unknown preset', { ...base, expiry: 'forever' }],
    ['a number for text', { ...base, text: 42 }],
  ])('refuses a status with %s (400)', async (_name, body) => {
    const ada = await person('ada');
    const answer = await call<{ error: { code: string } }>(ada, 'PUT', '/api/me/status', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect((await call<StatusAnswer>(ada, 'GET', '/api/me/status')).body.status).toBeNull();
  });

  it('sets DND until a time and a schedule, and clears both', async () => {
    const ada = await person('ada');
    const until = new Date(Date.now() + 3600_000).toISOString();
    const first = await call<StatusAnswer>(ada, 'PUT', '/api/me/dnd', { until });
    expect(first.body.dnd).toEqual({ until, schedule: null, now: true });
    expect(scheduled).toContainEqual({ userId: ada.id, part: 'dnd', at: until });
    const schedule = { start: '00:00', end: '00:00', timeZone: 'Asia/Tokyo' };
    const second = await call<StatusAnswer>(ada, 'PUT', '/api/me/dnd', { schedule });
    expect(second.body.dnd).toEqual({ until, schedule, now: true });
    const cleared = await call<StatusAnswer>(ada, 'DELETE', '/api/me/dnd');
    expect(cleared.body.dnd).toEqual({ until: null, schedule: null, now: false });
  });

  it.each([
    ['a past end', { until: '2020-01-01T00:00:00Z' }],
    ['a bad end', { until: 'tomorrow' }],
    ['both', { until: '2099-01-01T00:00:00Z', schedule: null }],
    ['a bad time', { schedule: { start: '24:00', end: '07:00', timeZone: 'UTC' } }],
    ['a bad zone', { schedule: { start: '22:00', end: '07:00', timeZone: 'UTC\u0000' } }],
    ['half a schedule', { schedule: { start: '22:00', timeZone: 'UTC' } }],
    ['nothing', {}],
  ])('refuses DND with %s (400)', async (_name, body) => {
    const ada = await person('ada');
    expect((await call(ada, 'PUT', '/api/me/dnd', body)).status).toBe(400);
  });
});

describe('statuses in a workspace', () => {
  it('shows members their workspace, guests only people sharing a channel, outsiders nothing', async () => {
    const ada = await person('ada');
    const bob = await person('bob');
    const gil = await person('gil');
    const eve = await person('eve');
    const created = await callAs<{ workspace: { id: string } }>(
      api.app,
      ada,
      'POST',
      '/api/workspaces',
      {
        name: 'Status',
        slug: `status-${randomUUID().slice(0, 8)}`,
      },
    );
    const workspaceId = created.body.workspace.id;
    await api.backends.database.db.insert(schema.workspaceMembers).values([
      { workspaceId, userId: bob.id, role: 'member' },
      { workspaceId, userId: gil.id, role: 'guest' },
    ]);
    await call(ada, 'PUT', '/api/me/status', { ...base, expiry: 'today' });
    const ids = [ada.id, bob.id, gil.id, eve.id, randomUUID()].join(',');
    const path = `/api/workspaces/${workspaceId}/statuses?ids=${ids}`;

    const asBob = await call<{ statuses: Array<{ userId: string } & StatusAnswer> }>(
      bob,
      'GET',
      path,
    );
    expect(asBob.status).toBe(200);
    const seen = Object.fromEntries(asBob.body.statuses.map((s) => [s.userId, s.status?.text]));
    expect(seen).toEqual({ [ada.id]: 'Meeting', [bob.id]: undefined, [gil.id]: undefined });

    const asGil = await call<{ statuses: Array<{ userId: string }> }>(gil, 'GET', path);
    expect(asGil.body.statuses.map((s) => s.userId)).toEqual([gil.id]);
    expect((await call(eve, 'GET', path)).status).toBe(404);
    expect(
      (await call(bob, 'GET', `/api/workspaces/${workspaceId}/statuses?ids=nope`)).status,
    ).toBe(400);
    const tooMany = Array.from({ length: 101 }, () => randomUUID()).join(',');
    expect(
      (await call(bob, 'GET', `/api/workspaces/${workspaceId}/statuses?ids=${tooMany}`)).status,
    ).toBe(400);
  });
});
