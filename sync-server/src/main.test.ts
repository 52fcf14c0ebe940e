import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  runProcess,
  startProcess,
  tsEntry,
  useTestDatabase,
  useTestRedis,
} from '@confab/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const testDb = useTestDatabase();
const testRedis = useTestRedis();
let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'confab-sync-main-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe('sync-server as its own process', () => {
  it('starts on Postgres and Redis, answers its health check, and stops on SIGTERM', async () => {
    const server = await startProcess(
      tsEntry(MAIN),
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: testDb.url,
        REDIS_URL: testRedis.url,
        REDIS_KEY_PREFIX: testRedis.prefix,
        ALLOWED_ORIGINS: 'https://chat.example.com',
      },
      cwd,
    );
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ok',
        database: { kind: 'postgres', ok: true },
        redis: { kind: 'redis', ok: true },
      });
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  }, 60_000);

  it('refuses to start without the services it shares with the API', async () => {
    const result = await runProcess(
      tsEntry(MAIN),
      { ALLOWED_ORIGINS: 'https://chat.example.com' },
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ {2}DATABASE_URL: /);
    expect(result.stderr).toMatch(/ {2}REDIS_URL: /);
  }, 60_000);
});
