import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backends, backendEnvSchema, createLogger, openBackends } from '@confab/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachSync } from '../attach-sync';
import { type SyncWorld, seedWorld, ticketFor } from '../sync-test-kit';
import { presenceSocket, report, watch } from './presence-test-kit';

/** Embedded mode (`npm start` without DATABASE_URL or REDIS_URL): one process, PGlite, no Redis. */
let folder: string;
let backends: Backends;
let sync: Awaited<ReturnType<typeof attachSync>>;
const server = createServer((_request, response) => response.end());
let url: string;
let world: SyncWorld;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'confab-presence-embedded-'));
  const env = backendEnvSchema.parse({
    DATA_DIR: folder,
    PRESENCE_GRACE_MS: '300',
    PRESENCE_TTL_MS: '1500',
  });
  backends = await openBackends(env, { logger: createLogger('silent'), connectionName: 'test' });
  sync = await attachSync(server, backends, {
    allowedOrigins: ['https://chat.example.com'],
    logger: createLogger('silent'),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
  world = await seedWorld(backends);
}, 60_000);
afterAll(async () => {
  await sync?.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await backends?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('presence in embedded mode', () => {
  it('works in one process, and the API reads the same store the sync side writes', async () => {
    expect(backends.presence.kind).toBe('in-process');
    const { ada, bob } = world.users;
    const open = async (userId: string) =>
      presenceSocket(url, `user:${userId}`, await ticketFor(backends, userId));
    const bobs = await open(bob);
    bobs.send(watch([ada]));
    await bobs.until(ada, 'offline');
    const adas = await open(ada);
    adas.send(report('away'));
    await bobs.until(ada, 'away');
    // What the API's notifier and mail job ask: the same instance, in this process.
    expect(await backends.presence.read([ada, bob])).toEqual(
      new Map([
        [ada, 'away'],
        [bob, 'active'],
      ]),
    );
    adas.close();
    await bobs.until(ada, 'offline');
    expect((await backends.presence.read([ada])).get(ada)).toBe('offline');
    bobs.close();
  });
});
