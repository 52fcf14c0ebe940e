import { fileURLToPath } from 'node:url';
import { tsEntry, useServerProcesses } from '@confab/db/testing';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const processes = useServerProcesses();

describe('sync-server as its own process', () => {
  it('starts on Postgres and Redis, answers its health check, and stops on SIGTERM', async () => {
    const server = await processes.start(
      tsEntry(MAIN),
      processes.env({ ALLOWED_ORIGINS: 'https://chat.example.com' }),
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
    const result = await processes.run(tsEntry(MAIN), {
      ALLOWED_ORIGINS: 'https://chat.example.com',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ {2}DATABASE_URL: /);
    expect(result.stderr).toMatch(/ {2}REDIS_URL: /);
  }, 60_000);
});
