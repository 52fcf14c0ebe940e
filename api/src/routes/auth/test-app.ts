import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backends, createLogger } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { openServiceBackends } from '@confab/db/testing/services';
import { afterAll, beforeAll } from 'vitest';
import type { AuthConfig } from '../../auth/auth';
import { BackgroundTasks } from '../../background-tasks';
import { composeApp } from '../../compose-app';
import { createOutboxMailer } from '../../mail/mailer';

export const ORIGIN = 'https://chat.example.com';

/** The whole API on real Postgres and Redis, as a test file's own instance. */
export async function openTestBackends(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
): Promise<Backends> {
  return openServiceBackends(databaseUrl, redisUrl, prefix, 'confab-test');
}

export async function createTestApp(backends: Backends, overrides: Partial<AuthConfig> = {}) {
  const outbox = await mkdtemp(join(tmpdir(), 'confab-outbox-'));
  const tasks = new BackgroundTasks(createLogger('silent'));
  const mailer = await createOutboxMailer(outbox, 'Confab <no-reply@chat.example.com>');
  const { app, auth } = await composeApp({
    backends,
    auth: {
      publicUrl: ORIGIN,
      allowedOrigins: [ORIGIN],
      trustProxy: true,
      passwordScheme: 'argon2id',
      redisKeyPrefix: 'test:',
      ...overrides,
    },
    mailer,
    tasks,
    logger: createLogger('silent'),
    services: ['api'],
    clientDir: '/nonexistent',
    version: 'test',
    checkResponses: true,
  });
  return { app, auth, outbox, tasks };
}

/** A JSON request as a browser or app would send it, from `ip`. */
export function jsonRequest(
  body: unknown,
  { ip = '203.0.113.10', headers = {} }: { ip?: string; headers?: Record<string, string> } = {},
): RequestInit {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Forwarded-For': ip,
      Origin: ORIGIN,
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

export function refreshCookie(response: Response): string | undefined {
  const header = response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('confab_refresh='));
  return header?.split(';')[0]?.slice('confab_refresh='.length) || undefined;
}

/**
 * The calling test file's own API on real Postgres and Redis (its own database and key prefix),
 * opened before its tests and closed after them.
 */
export function useTestApi(overrides: Partial<AuthConfig> = {}) {
  const testDb = useTestDatabase();
  const testRedis = useTestRedis();
  let backends: Backends | undefined;
  let harness: Awaited<ReturnType<typeof createTestApp>> | undefined;
  beforeAll(async () => {
    backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
    harness = await createTestApp(backends, { redisKeyPrefix: testRedis.prefix, ...overrides });
  });
  afterAll(() => backends?.close());
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestApi: use it inside a test or hook');
    return value;
  };
  return {
    get backends() {
      return ready(backends);
    },
    get harness() {
      return ready(harness);
    },
    get app() {
      return ready(harness).app;
    },
    testRedis,
  };
}

export interface Person {
  id: string;
  email: string;
  token: string;
}

let signUps = 0;

/** Signs a new user up (each from its own address, so sign-up limits stay out of the way). */
export async function signUp(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  name: string,
  email = `${name}-${randomUUID()}@example.com`,
): Promise<Person> {
  signUps++;
  const ip = `10.${(signUps >> 8) & 255}.${signUps & 255}.1`;
  const response = await app.request(
    '/api/auth/signup',
    jsonRequest({ email, password: 'correct horse battery', name }, { ip }),
  );
  if (response.status !== 201)
    throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { accessToken: string; user: { id: string } };
  return { id: body.user.id, email, token: body.accessToken };
}

/** Calls the API as `who` (or anonymously) and parses the JSON answer, if any. */
export async function callAs<T = Record<string, unknown>>(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  who: Person | null,
  method: string,
  path: string,
  body?: unknown,
) {
  const init =
    body === undefined ? { method, headers: {} as Record<string, string> } : jsonRequest(body);
  init.method = method;
  if (who)
    init.headers = {
      ...(init.headers as Record<string, string>),
      Authorization: `Bearer ${who.token}`,
    };
  const response = await app.request(path, init);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}
