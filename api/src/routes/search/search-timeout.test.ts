import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backends, createLogger } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BackgroundTasks } from '../../background-tasks';
import { composeApp } from '../../compose-app';
import { createOutboxMailer } from '../../mail/mailer';
import { SearchTimeoutError } from '../../search/engine';
import { createPostgresSearchEngine } from '../../search/postgres-engine';
import { callAs, openTestBackends, signUp } from '../auth/test-app';

/**
 * A search the database cancels at its statement timeout (search-snapshot.ts) answers 503
 * search_timeout, not 500: the engine here times out on every message search, as a real one does
 * after 5 s on a pathological query (which a test cannot afford to wait for).
 */
const testDb = useTestDatabase();
const testRedis = useTestRedis();
let backends: Backends;
let app: Awaited<ReturnType<typeof composeApp>>['app'];

beforeAll(async () => {
  backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
  const engine = createPostgresSearchEngine(backends.database.db);
  ({ app } = await composeApp({
    backends,
    auth: {
      publicUrl: 'https://chat.example.com',
      allowedOrigins: ['https://chat.example.com'],
      trustProxy: true,
      passwordScheme: 'argon2id',
      redisKeyPrefix: testRedis.prefix,
    },
    mailer: await createOutboxMailer(
      await mkdtemp(join(tmpdir(), 'confab-outbox-')),
      'Confab <no-reply@chat.example.com>',
    ),
    tasks: new BackgroundTasks(createLogger('silent')),
    logger: createLogger('silent'),
    services: ['api'],
    clientDir: '/nonexistent',
    version: 'test',
    checkResponses: true,
    search: {
      ...engine,
      name: engine.name,
      messages: async () => {
        throw new SearchTimeoutError();
      },
    },
  }));
});
afterAll(() => backends?.close());

it('answers a search cancelled at its timeout 503 search_timeout, saying to narrow it', async () => {
  const ada = await signUp(app, 'Ada Lovelace', `ada-${randomUUID()}@example.com`);
  const { body: created } = await callAs<{ workspace: { id: string } }>(
    app,
    ada,
    'POST',
    '/api/workspaces',
    { name: 'Timeouts', slug: `timeouts-${Date.now()}` },
  );
  const answer = await callAs<{ error: { code: string; message: string } }>(
    app,
    ada,
    'GET',
    `/api/workspaces/${created.workspace.id}/search?q=meeting`,
  );
  expect(answer.status).toBe(503);
  expect(answer.body.error.code).toBe('search_timeout');
  expect(answer.body.error.message).toMatch(/more specific/);
});
