import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, tsEntry, useServerProcesses, waitFor } from '@confab/db/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const processes = useServerProcesses();
// Each test's servers go with it: the next test starts on a machine with nothing of it running.
afterEach(() => processes.stopAll());

interface Health {
  status: string;
  installationId: string;
  backends: Record<string, { kind: string; embedded: boolean; ok: boolean }>;
}

async function health(port: number): Promise<Health> {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`);
  expect(response.status).toBe(200);
  return (await response.json()) as Health;
}

describe('npm start', () => {
  it('serves client, API and health on embedded defaults with no services configured', async () => {
    const dataDir = join(processes.scratch, 'npm-start-data');
    const server = await processes.start(
      ['npm', 'start', '--silent'],
      { PORT: '0', DATA_DIR: dataDir },
      { cwd: REPO },
    );
    const body = await health(server.port);
    expect(body.status).toBe('ok');
    expect(body.backends.database).toMatchObject({ kind: 'pglite', embedded: true });
    expect(body.backends.bus).toMatchObject({ kind: 'in-process', embedded: true });
    const page = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(await page.text()).toContain('<div id="root">');
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
  }, 120_000);
});

describe('the one-process server', () => {
  it('keeps its data in ./.confab across a restart, and exits 0 on SIGTERM', async () => {
    const cwd = await mkdtemp(join(processes.scratch, 'cwd-'));
    const first = await processes.start(tsEntry(MAIN), { PORT: '0' }, { cwd });
    const before = await health(first.port);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    expect(existsSync(join(cwd, '.confab', 'pglite'))).toBe(true);

    const second = await processes.start(tsEntry(MAIN), { PORT: '0' }, { cwd });
    expect((await health(second.port)).installationId).toBe(before.installationId);
    expect(await second.stop('SIGINT')).toBe(0);
  }, 120_000);

  it('keeps sessions and signing keys across a restart in embedded mode', async () => {
    const cwd = await mkdtemp(join(processes.scratch, 'sessions-'));
    const first = await processes.start(tsEntry(MAIN), { PORT: '0' }, { cwd });
    const signup = await fetch(`http://127.0.0.1:${first.port}/api/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: 'kept@example.com',
        password: 'correct horse battery',
        name: 'Kept',
        tokenTransport: 'body',
      }),
    });
    expect(signup.status).toBe(201);
    const { accessToken, refreshToken } = (await signup.json()) as {
      accessToken: string;
      refreshToken: string;
    };
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await processes.start(tsEntry(MAIN), { PORT: '0' }, { cwd });
    const base = `http://127.0.0.1:${second.port}/api/auth`;
    expect(
      (await fetch(`${base}/me`, { headers: { Authorization: `Bearer ${accessToken}` } })).status,
    ).toBe(200);
    const refreshed = await fetch(`${base}/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(refreshed.status).toBe(200);
  }, 120_000);

  it('uses the Postgres and Redis named by DATABASE_URL and REDIS_URL', async () => {
    const server = await processes.start(
      tsEntry(MAIN),
      processes.env({
        PUBLIC_URL: 'http://localhost',
        DATA_DIR: join(processes.scratch, 'unused'),
      }),
    );
    const body = await health(server.port);
    expect(body.backends).toMatchObject({
      database: { kind: 'postgres', embedded: false, ok: true },
      redis: { kind: 'redis', embedded: false, ok: true },
      bus: { kind: 'redis', embedded: false, ok: true },
    });

    // The installation row is in that very database...
    const client = new pg.Client({ connectionString: processes.database.url });
    await client.connect();
    const { rows } = await client.query(
      "SELECT value->>'id' AS id FROM system_settings WHERE key = 'installation'",
    );
    await client.end();
    expect(rows).toEqual([{ id: body.installationId }]);
    // ...and the server holds named connections to that very Redis.
    const redis = new Redis(processes.redis.url);
    const clients = String(await redis.call('CLIENT', 'LIST'));
    redis.disconnect();
    expect(clients).toMatch(/name=confab /);
    expect(existsSync(join(processes.scratch, 'unused', 'pglite'))).toBe(false);
    // The projector tails the log in a worker thread, on connections of its own in that database.
    await waitFor('the projector worker in this database', async () => {
      const probe = new pg.Client({ connectionString: processes.database.url });
      await probe.connect();
      try {
        const { rows: projectors } = await probe.query(
          `SELECT 1 FROM pg_stat_activity
           WHERE application_name = 'confab-projector' AND datname = current_database()`,
        );
        return projectors.length ? true : undefined;
      } finally {
        await probe.end();
      }
    });
  }, 60_000);

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '99999' }, 'PORT'],
    [{ DATABASE_URL: 'nonsense' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ SERVICES: 'api,bogus' }, 'SERVICES'],
    [{ SERVICES: 'api' }, 'DATABASE_URL'],
    [{ ALLOWED_ORIGINS: 'https://chat.example.com/path' }, 'ALLOWED_ORIGINS'],
    [{ OIDC_PROVIDERS: 'not json' }, 'OIDC_PROVIDERS'],
    [{ OIDC_PROVIDERS: '[{"id":"Bad Id"}]' }, 'OIDC_PROVIDERS'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ PASSWORD_HASH: 'md5' }, 'PASSWORD_HASH'],
  ])(
    'exits 1 on %j, naming %s',
    async (env, variable) => {
      const result = await processes.run(tsEntry(MAIN), env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`^Invalid configuration:\\n(.*\\n)*  ${variable}: `),
      );
      expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    },
    60_000,
  );

  it('exits 1 at start when DATABASE_URL names a server that does not answer', async () => {
    const port = await freePort();
    const result = await processes.run(tsEntry(MAIN), {
      PORT: '0',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/confab`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach Postgres at DATABASE_URL');
  }, 60_000);

  it('refuses sync upgrades before the 101: foreign origin 403, no ticket 401', async () => {
    const server = await processes.start(tsEntry(MAIN), {
      PORT: '0',
      DATA_DIR: join(processes.scratch, 'sync-data'),
      PUBLIC_URL: 'https://chat.example.com',
    });
    const upgrade = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest({
          port: server.port,
          host: '127.0.0.1',
          path: '/sync/channel:00000000-0000-4000-8000-000000000000:segment:0',
          headers: {
            Connection: 'Upgrade',
            Upgrade: 'websocket',
            Origin: origin,
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          },
        });
        request.on('response', (response) => resolve(response.statusCode ?? 0));
        request.on('upgrade', () => reject(new Error('upgraded')));
        request.on('error', reject);
        request.end();
      });
    expect(await upgrade('https://evil.example.net')).toBe(403);
    expect(await upgrade('https://chat.example.com')).toBe(401);
  }, 60_000);
});
