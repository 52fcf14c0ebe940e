import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backends, backendEnvSchema, createLogger, openBackends } from '@confab/db';
import { createApp } from '../../app';
import { type AuthConfig, createAuth } from '../../auth/auth';
import { BackgroundTasks } from '../../background-tasks';
import { createOutboxMailer } from '../../mail/mailer';

export const ORIGIN = 'https://chat.example.com';

/** The whole API on real Postgres and Redis, as a test file's own instance. */
export async function openTestBackends(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
): Promise<Backends> {
  const env = backendEnvSchema.parse({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    DATA_DIR: await mkdtemp(join(tmpdir(), 'confab-auth-')),
  });
  return openBackends(env, { logger: createLogger('silent'), connectionName: 'confab-test' });
}

export async function createTestApp(backends: Backends, overrides: Partial<AuthConfig> = {}) {
  const outbox = await mkdtemp(join(tmpdir(), 'confab-outbox-'));
  const tasks = new BackgroundTasks(createLogger('silent'));
  const mailer = await createOutboxMailer(outbox, 'Confab <no-reply@chat.example.com>');
  const auth = await createAuth(
    backends,
    {
      publicUrl: ORIGIN,
      allowedOrigins: [ORIGIN],
      trustProxy: true,
      passwordScheme: 'argon2id',
      redisKeyPrefix: `${overrides.redisKeyPrefix ?? 'test:'}`,
      ...overrides,
    },
    { mailer, tasks },
  );
  const app = createApp({
    backends,
    auth,
    mailer,
    tasks,
    logger: createLogger('silent'),
    services: ['api'],
    clientDir: '/nonexistent',
    version: 'test',
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
