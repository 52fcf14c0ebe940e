import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { type Backends, createLogger } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { createOutboxMailer } from '../mail/mailer';
import { callAs, createTestApp, openTestBackends, type Person, signUp } from './auth/test-app';

/**
 * NUL and other edge text in every text field of the API: a 400 that names the field, never a
 * 500 (Postgres cannot store NUL), and no log line carrying a password, a hash or an email.
 */
const testDb = useTestDatabase();
const testRedis = useTestRedis();
const lines: string[] = [];
let backends: Backends;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
  const harness = await createTestApp(backends, { redisKeyPrefix: testRedis.prefix });
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  // The harness's app, but logging into `lines` at info level.
  app = createApp({
    backends,
    auth: harness.auth,
    mailer: await createOutboxMailer(harness.outbox, 'Confab <no-reply@chat.example.com>'),
    tasks: harness.tasks,
    logger: createLogger('info', {}, stream),
    services: ['api'],
    clientDir: '/nonexistent',
    version: 'test',
    checkResponses: true,
  });
});
afterAll(() => backends?.close());

const PASSWORD = 'correct horse battery';
const NUL = 'a\u0000b';
const EDGE = ['\u0000', 'esc\u001b[2J', 'c1\u0085', 'line\nbreak', 'half\ud83d'];

interface Answer {
  error: { code: string; message: string };
  workspace: { id: string; name: string };
  channel: { id: string };
}

const call = (who: Person | null, method: string, path: string, body?: unknown) =>
  callAs<Answer>(app, who, method, path, body);

function expectRefused(answer: { status: number; body: Answer }, field: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body.error.code).toBe('invalid_request');
  expect(answer.body.error.message).toContain(field);
}

describe('edge text in the API', () => {
  it('refuses NUL in a sign-up name, email and password with 400, and logs no secret', async () => {
    const email = `eve-${randomUUID()}@example.com`;
    for (const name of EDGE)
      expectRefused(
        await call(null, 'POST', '/api/auth/signup', { email, password: PASSWORD, name }),
        'name',
      );
    expectRefused(
      await call(null, 'POST', '/api/auth/signup', {
        email: `e\u0000${email}`,
        password: PASSWORD,
        name: 'Eve',
      }),
      'email',
    );
    expectRefused(
      await call(null, 'POST', '/api/auth/signup', {
        email,
        password: `${PASSWORD}\u0000`,
        name: 'Eve',
      }),
      'password',
    );
    expectRefused(
      await call(null, 'POST', '/api/auth/login', { email: NUL, password: PASSWORD }),
      'email',
    );
    expectRefused(
      await call(null, 'POST', '/api/auth/login', { email, password: NUL }),
      'password',
    );
    expectRefused(await call(null, 'POST', '/api/auth/password-reset', { email: NUL }), 'email');
    expectRefused(
      await call(null, 'POST', '/api/auth/password-reset/confirm', {
        token: NUL,
        password: PASSWORD,
      }),
      'token',
    );
    for (const line of lines) {
      expect(line).not.toContain(PASSWORD);
      expect(line).not.toContain(email);
      expect(line).not.toMatch(/\$argon2|\$2[aby]\$/);
    }
  });

  it('trims names and keeps a clean one as written', async () => {
    const ada = await signUp(app, '  Ada Lovelace 👩🏽‍💻 ', `ada-${randomUUID()}@example.com`);
    const created = await call(ada, 'POST', '/api/workspaces', {
      name: '  Analytical Engines ½ ',
      slug: `ae-${randomUUID().slice(0, 8)}`,
    });
    expect(created.status).toBe(201);
    expect(created.body.workspace.name).toBe('Analytical Engines ½');
  });

  it('refuses NUL and control characters in workspace, channel and invitation fields', async () => {
    const ada = await signUp(app, 'ada');
    const slug = `acme-${randomUUID().slice(0, 8)}`;
    for (const name of EDGE)
      expectRefused(await call(ada, 'POST', '/api/workspaces', { name, slug }), 'name');
    const created = await call(ada, 'POST', '/api/workspaces', { name: 'Acme', slug });
    expect(created.status).toBe(201);
    const workspaceId = created.body.workspace.id as string;
    expectRefused(
      await call(ada, 'PATCH', `/api/workspaces/${workspaceId}`, { name: NUL }),
      'name',
    );

    const channels = `/api/workspaces/${workspaceId}/channels`;
    expectRefused(await call(ada, 'POST', channels, { name: NUL }), 'name');
    for (const topic of EDGE)
      expectRefused(await call(ada, 'POST', channels, { name: 'random', topic }), 'topic');
    expectRefused(await call(ada, 'POST', channels, { name: 'random', purpose: NUL }), 'purpose');
    const channel = await call(ada, 'POST', channels, {
      name: 'random',
      topic: 'lunch',
      purpose: 'Anything\n\tat all',
    });
    expect(channel.status).toBe(201);
    const channelId = channel.body.channel.id as string;
    expectRefused(await call(ada, 'PATCH', `/api/channels/${channelId}`, { topic: NUL }), 'topic');
    expectRefused(
      await call(ada, 'PATCH', `/api/channels/${channelId}`, { purpose: NUL }),
      'purpose',
    );
    const browse = await call(ada, 'GET', `${channels}/browse?q=a%00b`);
    expect(browse.status).toBe(400);
    expectRefused(
      await call(ada, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
        email: `bob\u0000@example.com`,
      }),
      'email',
    );
  });
});
