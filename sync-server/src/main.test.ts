import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { openPostgres, schema } from '@confab/db';
import { tsEntry, useServerProcesses, waitFor } from '@confab/db/testing';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { rowsBehindTail } from './projection/tail-test-kit';

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

  it('projects the log from its worker thread (the node runs TypeScript through tsx)', async () => {
    const env = processes.env({ ALLOWED_ORIGINS: 'https://chat.example.com' });
    const server = await processes.start(tsEntry(MAIN), env);
    const database = await openPostgres(env.DATABASE_URL ?? '', { poolSize: 1 });
    try {
      const doc = new Y.Doc();
      doc.getMap('probe').set('written', true);
      await database.db.insert(schema.docUpdates).values({
        docName: `user:${randomUUID()}`,
        update: Y.encodeStateAsUpdate(doc),
        clientId: doc.clientID,
      });
      // Nobody wakes the worker for a row it did not commit: its poll must find it.
      await waitFor('the worker to pass the row', async () =>
        (await rowsBehindTail(database.db)) === 0 ? true : undefined,
      );
    } finally {
      await database.close();
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
