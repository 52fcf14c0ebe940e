import { fileURLToPath } from 'node:url';
import { type Database, openPostgres, schema } from '@confab/db';
import {
  freePort,
  type ServerProcess,
  seededRandom,
  tsEntry,
  useServerProcesses,
  waitFor,
} from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { reconnectingClients, say, seedWorld } from './sync-test-kit';

/**
 * [S1] under crashes: clients write 1,000 messages while the sync process is killed with SIGKILL
 * at (seeded) random moments and restarted on the same port. Afterwards every acked update must be
 * in Postgres and every replica must hold all 1,000 messages: lost = 0 and duplicated = 0.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const SEED = Number(process.env.KILL_TEST_SEED ?? 20261126);
const CLIENTS = 4;
const MESSAGES_PER_CLIENT = 250;
const KILLS = 4;

const processes = useServerProcesses();
let database: Database;
let redis: Redis;
let port: number;
let server: ServerProcess | null = null;

async function startServer() {
  server = await processes.start(
    tsEntry(MAIN),
    processes.env({ PORT: String(port), ALLOWED_ORIGINS: 'https://chat.example.com' }),
  );
}

beforeAll(async () => {
  database = await openPostgres(processes.database.url, { poolSize: 4 });
  redis = new Redis(processes.redis.url);
  port = await freePort();
  await startServer();
}, 120_000);
afterAll(async () => {
  redis.disconnect();
  await database.close();
});

describe('kill test [S1]', () => {
  it(`loses and duplicates nothing while the server is killed ${KILLS} times (seed ${SEED})`, async () => {
    const next = seededRandom(SEED);
    // The server process migrated the database; the test seeds a world in it.
    const world = await seedWorld({ database: { db: database.db } } as never);
    const name = world.publicSegment(0);
    const clients = (
      await reconnectingClients({
        redis,
        kvPrefix: `${processes.redis.prefix}kv:`,
        port,
        userId: world.users.ada,
        sessionId: 'kill-test',
        docName: name,
        count: CLIENTS,
      })
    ).map((client) => {
      // Every acked state vector, to check at the end that all of it is in Postgres.
      const acked: Array<ReadonlyMap<number, number>> = [];
      client.tracker.onChange(() => acked.push(new Map(client.tracker.durable)));
      client.provider.connect();
      return { ...client, acked };
    });

    // Writers and the killer run at once; the kills fall at random moments of the writing.
    const writing = Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < MESSAGES_PER_CLIENT; i++) {
          say(client.doc, world.users.ada, `message ${i} of client ${c}`);
          await new Promise((resolve) => setTimeout(resolve, 2 + next() * 8));
        }
      }),
    );
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 200 + next() * 700));
      await server?.stop('SIGKILL');
      await startServer();
    }
    await writing;

    await waitFor(
      'every replica durable and converged',
      () =>
        clients.every(
          (client) =>
            !client.tracker.pending &&
            client.doc.getMap('messages').size === CLIENTS * MESSAGES_PER_CLIENT,
        )
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );

    const rows = await database.db
      .select({ update: schema.docUpdates.update })
      .from(schema.docUpdates)
      .where(eq(schema.docUpdates.docName, name));
    const stored = new Y.Doc();
    const seen = new Map<string, number>();
    for (const { update } of rows) {
      Y.applyUpdate(stored, update);
      for (const struct of Y.decodeUpdate(update).structs) {
        if (struct.constructor.name !== 'Item') continue;
        const key = `${struct.id.client}:${struct.id.clock}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    const expected = CLIENTS * MESSAGES_PER_CLIENT;
    const lost = expected - stored.getMap('messages').size;
    const duplicated = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
    const storedVector = Y.decodeStateVector(Y.encodeStateVector(stored));
    const ackedButMissing = clients
      .flatMap((client) => client.acked)
      .filter((vector) =>
        [...vector].some(([id, clock]) => (storedVector.get(id) ?? 0) < clock),
      ).length;
    console.info(
      `kill test (seed ${SEED}): ${KILLS} kills, ${rows.length} log rows, lost = ${lost}, duplicated = ${duplicated}`,
    );

    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(ackedButMissing).toBe(0);
    for (const client of clients) {
      expect(client.doc.getMap('messages').toJSON()).toEqual(stored.getMap('messages').toJSON());
      client.provider.destroy();
    }
  }, 180_000);
});
