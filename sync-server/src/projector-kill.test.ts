import { fileURLToPath } from 'node:url';
import { type Database, openPostgres, schema } from '@confab/db';
import { editMessage } from '@confab/db/model';
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
import type * as Y from 'yjs';
import { rowsBehindTail, versionsAgainstLog } from './projection/tail-test-kit';
import { reconnectingClients, say, seedWorld } from './sync-test-kit';

/**
 * Every version exists exactly once [S1] while projectors die: clients post and edit while the
 * sync node (whose worker thread tails the log) and a projector process beside it are killed
 * with SIGKILL at seeded random moments, each while log rows are committed but not yet
 * projected, and restarted. Afterwards each text a log row wrote has exactly one version row,
 * and no version row stems from nothing.
 */
const SYNC_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const PROJECTOR_MAIN = fileURLToPath(new URL('./projection/projector-main.ts', import.meta.url));
const SEED = Number(process.env.KILL_TEST_SEED ?? 20261130);
const CLIENTS = 3;
/** Posts go on until the last restart, within these bounds (a segment holds 1,000). */
const MIN_POSTS_PER_CLIENT = 60;
const MAX_POSTS_PER_CLIENT = 150;
const KILLS = 6;

const processes = useServerProcesses();
let database: Database;
let redis: Redis;
let port: number;
let sync: ServerProcess | null = null;
let projector: ServerProcess | null = null;

async function startSync() {
  sync = await processes.start(
    tsEntry(SYNC_MAIN),
    processes.env({ PORT: String(port), ALLOWED_ORIGINS: 'https://chat.example.com' }),
  );
}
async function startProjector() {
  projector = await processes.start(tsEntry(PROJECTOR_MAIN), processes.env({ PORT: '0' }));
}

beforeAll(async () => {
  database = await openPostgres(processes.database.url, { poolSize: 4 });
  redis = new Redis(processes.redis.url);
  port = await freePort();
  await startSync();
  await startProjector();
}, 120_000);
afterAll(async () => {
  redis.disconnect();
  await database.close();
});

describe('projector kill test [S1]', () => {
  it(`keeps every version once while sync node and projector are killed ${KILLS} times (seed ${SEED})`, async () => {
    const next = seededRandom(SEED);
    const world = await seedWorld({ database } as never);
    const name = world.publicSegment(0);
    const clients = await reconnectingClients({
      redis,
      kvPrefix: `${processes.redis.prefix}kv:`,
      port,
      userId: world.users.ada,
      sessionId: 'projector-kill',
      docName: name,
      count: CLIENTS,
    });
    for (const client of clients) client.provider.connect();

    // Each client posts and edits its own posts (one, two or three versions each), paced so
    // that writing goes on through every kill and restart.
    let killing = true;
    const written = clients.map(() => 0);
    const writing = Promise.all(
      clients.map(async (client, c) => {
        const pause = () => new Promise((resolve) => setTimeout(resolve, 40 + next() * 80));
        for (let i = 0; i < MAX_POSTS_PER_CLIENT && (killing || i < MIN_POSTS_PER_CLIENT); i++) {
          const id = say(client.doc, world.users.ada, `post ${i} of client ${c}`);
          written[c] = i + 1;
          const edits = Math.floor(next() * 3);
          for (let e = 1; e <= edits; e++) {
            await pause();
            editMessage(client.doc, id, `post ${i} of client ${c}, edit ${e}`);
          }
          await pause();
        }
      }),
    );
    let killedWithRowsPending = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 300 + next() * 600));
      // Committed and not projected: the window a crash used to lose versions in.
      const pending = await rowsBehindTail(database.db);
      if (pending > 0) killedWithRowsPending++;
      if (kill % 2 === 0) {
        await sync?.stop('SIGKILL');
        await startSync();
      } else {
        await projector?.stop('SIGKILL');
        await startProjector();
      }
    }
    killing = false;
    await writing;

    await waitFor(
      'every replica durable',
      () => (clients.every((client) => !client.tracker.pending) ? true : undefined),
      { timeoutMs: 60_000 },
    );
    await waitFor(
      'the tail past every log row',
      async () => ((await rowsBehindTail(database.db)) === 0 ? true : undefined),
      { timeoutMs: 60_000 },
    );
    const counts = await versionsAgainstLog(database.db, [name]);
    const messages = await database.db
      .select({ id: schema.messages.id, text: schema.messages.text })
      .from(schema.messages)
      .where(eq(schema.messages.docName, name));
    console.info(
      `projector kill test (seed ${SEED}): ${written.join('+')} posts, ${KILLS} kills (${killedWithRowsPending} with rows ` +
        `committed and not projected), ${counts.logRows} log rows, ${counts.textRows} of them ` +
        `wrote texts: ${counts.expected} versions expected, ${counts.stored} stored, ` +
        `missing = ${counts.missing}, extra = ${counts.extra}, duplicated = ${counts.duplicated}`,
    );
    expect(killedWithRowsPending).toBeGreaterThan(0);
    expect(counts.missing).toBe(0);
    expect(counts.extra).toBe(0);
    expect(counts.duplicated).toBe(0);
    const posts = written.reduce((sum, count) => sum + count, 0);
    expect(counts.expected).toBeGreaterThanOrEqual(posts);
    // The rows show the final texts of the replicas.
    const [first] = clients;
    const texts = new Map(messages.map((row) => [row.id, row.text]));
    expect(texts.size).toBe(posts);
    for (const [id, message] of first?.doc.getMap<Y.Map<unknown>>('messages') ?? [])
      expect(texts.get(id)).toBe(message.get('text'));
    for (const client of clients) client.provider.destroy();
  }, 300_000);
});
