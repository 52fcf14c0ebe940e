import { fileURLToPath } from 'node:url';
import { createRedisKeyValueStore, type Database, openPostgres, sessionKey } from '@confab/db';
import { type ServerProcess, tsEntry, useServerProcesses, waitFor } from '@confab/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SyncWorld, seedWorld } from '../sync-test-kit';
import { issueSyncTicket } from '../tickets';
import { presenceSocket, report, watch } from './presence-test-kit';

/**
 * Issue #18's presence across two real sync processes on one Postgres and Redis, with short
 * timings: Ada on node A reaches Bob on node B, a second device keeps her active, away when every
 * device says so, and SIGKILL of node A takes her offline for Bob with nobody cleaning up.
 */
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const GRACE_MS = 1_500;
const TTL_MS = 3_000;

const processes = useServerProcesses();
let database: Database;
let redis: Redis;
let world: SyncWorld;
let nodeA: ServerProcess;
let nodeB: ServerProcess;

const startNode = () =>
  processes.start(
    tsEntry(MAIN),
    processes.env({
      ALLOWED_ORIGINS: 'https://chat.example.com',
      PRESENCE_GRACE_MS: String(GRACE_MS),
      PRESENCE_TTL_MS: String(TTL_MS),
    }),
  );

beforeAll(async () => {
  nodeA = await startNode();
  nodeB = await startNode();
  database = await openPostgres(processes.database.url, { poolSize: 2 });
  redis = new Redis(processes.redis.url);
  // The nodes migrated the database; the test seeds a world in it.
  world = await seedWorld({ database: { db: database.db } } as never);
}, 120_000);
afterAll(async () => {
  redis.disconnect();
  await database.close();
});

/** A user's always-open socket on a node, with a ticket as the API would issue it. */
async function device(node: ServerProcess, userId: string) {
  const kv = createRedisKeyValueStore(redis, `${processes.redis.prefix}kv:`);
  const sessionId = `session-${userId}`;
  await kv.set(sessionKey(sessionId), JSON.stringify({ id: sessionId, userId }));
  const { ticket } = await issueSyncTicket(kv, { userId, sessionId });
  return presenceSocket(`ws://127.0.0.1:${node.port}/sync`, `user:${userId}`, ticket);
}

/** The nodes that hold something of a user in Redis (fields of the user's hash). */
const holders = (userId: string) => redis.hkeys(`${processes.redis.prefix}presence:user:${userId}`);

describe('presence across two nodes', () => {
  it('shows Ada to Bob across nodes, keeps her with a second device, and drops her when her node is killed', async () => {
    const { ada, bob, eve } = world.users;
    const bobs = await device(nodeB, bob);
    bobs.send(watch([ada]));
    await bobs.until(ada, 'offline');

    const connectedAt = Date.now();
    const adaOnA = await device(nodeA, ada);
    adaOnA.send(report('active'));
    await bobs.until(ada, 'active', 2_000);
    console.log(
      `presence: Ada on node A active for Bob on node B after ${Date.now() - connectedAt} ms`,
    );

    // Eve comes and goes on node A: Bob does not watch her and hears nothing of her.
    const evesDevice = await device(nodeA, eve);
    evesDevice.send(report('active'));

    // A second device on the other node; the first one closes: she stays active throughout.
    const adaOnB = await device(nodeB, ada);
    adaOnB.send(report('active'));
    await waitFor('both nodes hold Ada', async () =>
      (await holders(ada)).length === 2 ? true : undefined,
    );
    adaOnA.close();
    await waitFor('node A withdrew Ada after its grace period', async () =>
      (await holders(ada)).length === 1 ? true : undefined,
    );
    expect(bobs.presenceOf(ada)).toBe('active');

    // Away once every device of hers says so.
    const adaOnA2 = await device(nodeA, ada);
    adaOnA2.send(report('away'));
    adaOnB.send(report('away'));
    await bobs.until(ada, 'away');
    adaOnA2.send(report('active'));
    await bobs.until(ada, 'active');

    // Only node A holds her now; then node A dies without a word.
    adaOnB.close();
    await waitFor('node B withdrew Ada after its grace period', async () =>
      (await holders(ada)).length === 1 ? true : undefined,
    );
    const killedAt = Date.now();
    await nodeA.stop('SIGKILL');
    // Grace (none applies to a dead node) + TTL + one sweep, with room for a loaded machine.
    await bobs.until(ada, 'offline', GRACE_MS + TTL_MS + TTL_MS / 3 + 3_000);
    console.log(
      `presence: Ada offline for Bob ${Date.now() - killedAt} ms after SIGKILL of node A (grace ${GRACE_MS} ms, TTL ${TTL_MS} ms, sweep every ${TTL_MS / 3} ms)`,
    );

    const named = new Set(bobs.frames.flatMap((frame) => Object.keys(frame.users ?? {})));
    expect([...named]).toEqual([ada]);
    expect(bobs.frames.flatMap((frame) => frame.statuses ?? [])).toEqual([]);
    bobs.close();
  }, 60_000);

  it('takes a node’s users offline at once when it stops on SIGTERM', async () => {
    const { ada, bob } = world.users;
    nodeA = await startNode();
    const bobs = await device(nodeA, bob);
    bobs.send(watch([ada]));
    const adaOnB = await device(nodeB, ada);
    adaOnB.send(report('active'));
    await bobs.until(ada, 'active');
    // Redis loses everything of presence [S9]: node B writes it again at its next refresh.
    const keys = await redis.keys(`${processes.redis.prefix}presence:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    await waitFor(
      'node B wrote Ada again',
      async () => ((await holders(ada)).length === 1 ? true : undefined),
      { timeoutMs: TTL_MS },
    );
    await bobs.until(ada, 'active');
    const stoppedAt = Date.now();
    expect(await nodeB.stop('SIGTERM')).toBe(0);
    // Well before the grace period and the TTL would have run out.
    await bobs.until(ada, 'offline', GRACE_MS);
    console.log(
      `presence: Ada offline for Bob ${Date.now() - stoppedAt} ms after SIGTERM of node B`,
    );
    bobs.close();
  }, 60_000);
});
