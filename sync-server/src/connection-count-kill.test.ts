import { fileURLToPath } from 'node:url';
import { createRedisKeyValueStore, type Database, openPostgres, sessionKey } from '@confab/db';
import {
  freePort,
  type ServerProcess,
  tsEntry,
  useServerProcesses,
  waitFor,
} from '@confab/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SYNC_LIMITS } from './limits';
import { seedWorld } from './sync-test-kit';
import { issueSyncTicket } from './tickets';

/**
 * The per-user cap over two sync processes, one of them SIGKILLed: the dead node's connections
 * must stop counting within the TTL of a node's contributions (PRESENCE_TTL_MS), not leak.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TTL_MS = 1_000;
const processes = useServerProcesses();
let database: Database;
let redis: Redis;
const ports: number[] = [];
const nodes: ServerProcess[] = [];

beforeAll(async () => {
  database = await openPostgres(processes.database.url, { poolSize: 2 });
  redis = new Redis(processes.redis.url);
  for (let n = 0; n < 2; n++) {
    const port = await freePort();
    ports.push(port);
    nodes.push(
      await processes.start(
        tsEntry(MAIN),
        processes.env({
          PORT: String(port),
          ALLOWED_ORIGINS: 'https://chat.example.com',
          PRESENCE_TTL_MS: String(TTL_MS),
        }),
      ),
    );
  }
}, 120_000);
afterAll(async () => {
  redis.disconnect();
  await database.close();
});

describe('the per-user connection cap when a node is killed', () => {
  it('frees the killed node’s places within the TTL, on the node that lives', async () => {
    const world = await seedWorld({ database: { db: database.db } } as never);
    const kv = createRedisKeyValueStore(redis, `${processes.redis.prefix}kv:`);
    const principal = { userId: world.users.ada, sessionId: 'cap-kill' };
    await kv.set(sessionKey(principal.sessionId), JSON.stringify({ id: 'cap-kill', ...principal }));
    const max = SYNC_LIMITS.maxConnectionsPerUser;
    // One burst ticket for the whole burst, as the web client does it.
    const { ticket } = await issueSyncTicket(kv, principal, new Date(), max);
    const connect = async (port: number, useTicket: string) => {
      const socket = new WebSocket(
        `ws://127.0.0.1:${port}/sync/${world.publicDoc}?ticket=${useTicket}`,
      );
      socket.on('error', () => {});
      return new Promise<{ status: number; socket: WebSocket }>((resolve) => {
        socket.on('open', () => resolve({ status: 101, socket }));
        socket.on('unexpected-response', (_request, response) =>
          resolve({ status: response.statusCode ?? 0, socket }),
        );
      });
    };
    const [alive, doomed] = ports as [number, number];
    // One socket on the node that lives keeps the user's entry in Redis refreshed throughout.
    const kept = await connect(alive, ticket);
    const held = await Promise.all(Array.from({ length: max - 1 }, () => connect(doomed, ticket)));
    expect([kept, ...held].map(({ status }) => status)).toEqual(Array(max).fill(101));
    const fresh = async () => (await issueSyncTicket(kv, principal)).ticket;
    expect((await connect(alive, await fresh())).status).toBe(429);

    await nodes[1]?.stop('SIGKILL');
    const admitted = await waitFor(
      'the living node admitting the user again',
      async () => {
        const attempt = await connect(alive, await fresh());
        return attempt.status === 101 ? attempt : undefined;
      },
      { timeoutMs: 10 * TTL_MS, intervalMs: 100 },
    );
    admitted.socket.close();
    kept.socket.close();
  });
});
