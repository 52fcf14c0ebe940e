import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@confab/db';
import { freePort, tsEntry, useServerProcesses } from '@confab/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadApiEnv } from './env';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const processes = useServerProcesses();

describe('PUBLIC_URL on a node that is not alone', () => {
  it.each([
    [{ REDIS_URL: 'redis://redis:6379', DATABASE_URL: 'postgres://db/confab' }],
    [{ SERVICES: 'api', REDIS_URL: 'redis://redis:6379', DATABASE_URL: 'postgres://db/confab' }],
    [{ SERVICES: 'sync,client' }],
  ])('is required with %j, so that every node issues and accepts the same tokens', (source) => {
    const attempt = () => loadApiEnv(source);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/\n {2}PUBLIC_URL: required when REDIS_URL is set or SERVICES is not/);
  });

  it('is the token issuer and the one allowed origin when given', () => {
    const env = loadApiEnv({
      REDIS_URL: 'redis://redis:6379',
      PUBLIC_URL: 'https://chat.example.com/',
    });
    expect(env.PUBLIC_URL).toBe('https://chat.example.com/');
    expect(env.ALLOWED_ORIGINS).toEqual(['https://chat.example.com']);
  });

  it('stops two nodes that share Redis without PUBLIC_URL, both with the message', async () => {
    const env = processes.env();
    const nodes = await Promise.all([
      processes.run(tsEntry(MAIN), env),
      processes.run(tsEntry(MAIN), env),
    ]);
    for (const node of nodes) {
      expect(node.code).toBe(1);
      expect(node.stderr).toMatch(/^Invalid configuration:\n(.*\n)* {2}PUBLIC_URL: required when/);
    }
  }, 60_000);
});

describe('one process on this machine (no PUBLIC_URL)', () => {
  it('allows both loopback spellings, and [::1], as origins; tokens keep one issuer', () => {
    const env = loadApiEnv({ PORT: '3000' });
    expect(env.PUBLIC_URL).toBe('http://localhost:3000');
    expect(env.ALLOWED_ORIGINS).toEqual([
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
    ]);
  });

  it('keeps ALLOWED_ORIGINS when it is set', () => {
    expect(loadApiEnv({ ALLOWED_ORIGINS: 'http://chat.lan:3000' }).ALLOWED_ORIGINS).toEqual([
      'http://chat.lan:3000',
    ]);
  });

  describe('opened at http://127.0.0.1:PORT', () => {
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      await processes.start(tsEntry(MAIN), {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: join(processes.scratch, 'loopback'),
      });
    }, 120_000);

    async function signUpWithCookie(email: string): Promise<string> {
      const response = await fetch(`http://127.0.0.1:${port}/api/auth/signup`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${port}` },
        body: JSON.stringify({
          email,
          password: 'correct horse battery',
          name: 'Loopback',
          tokenTransport: 'cookie',
        }),
      });
      expect(response.status).toBe(201);
      const cookie = response.headers
        .getSetCookie()
        .find((line) => line.startsWith('confab_refresh='));
      if (!cookie) throw new Error('no refresh cookie');
      return cookie.split(';')[0] ?? '';
    }

    const refresh = (cookie: string, origin: string) =>
      fetch(`http://127.0.0.1:${port}/api/auth/refresh`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: origin },
      });

    it('keeps the user signed in: the cookie refresh from that origin is accepted', async () => {
      const cookie = await signUpWithCookie('loopback-ip@example.com');
      expect((await refresh(cookie, `http://127.0.0.1:${port}`)).status).toBe(200);
    });

    it('still refuses the cookie refresh from a foreign origin', async () => {
      const cookie = await signUpWithCookie('loopback-foreign@example.com');
      const response = await refresh(cookie, `http://127.0.0.1.evil.example:${port}`);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
    });
  });
});

describe('file limits', () => {
  it('default to 100 MiB a file, 10 GiB a workspace and a day of grace before a purge', () => {
    const env = loadApiEnv({});
    expect(env.FILE_MAX_BYTES).toBe(100 * 1024 * 1024);
    expect(env.FILE_WORKSPACE_QUOTA_BYTES).toBe(10 * 1024 ** 3);
    expect(env.FILE_PURGE_GRACE_SECONDS).toBe(86_400);
  });

  it('take whole numbers of bytes and seconds', () => {
    const env = loadApiEnv({
      FILE_MAX_BYTES: '1048576',
      FILE_WORKSPACE_QUOTA_BYTES: '5000000000',
      FILE_PURGE_GRACE_SECONDS: '0',
    });
    expect(env.FILE_MAX_BYTES).toBe(1_048_576);
    expect(env.FILE_WORKSPACE_QUOTA_BYTES).toBe(5_000_000_000);
    expect(env.FILE_PURGE_GRACE_SECONDS).toBe(0);
  });

  it.each([
    ['FILE_MAX_BYTES', '100MB'],
    ['FILE_MAX_BYTES', '0'],
    ['FILE_WORKSPACE_QUOTA_BYTES', '-1'],
    ['FILE_PURGE_GRACE_SECONDS', '1.5'],
  ])('refuse %s=%s, naming it', (name, value) => {
    expect(() => loadApiEnv({ [name]: value })).toThrow(new RegExp(`${name}: expected a`));
  });
});
