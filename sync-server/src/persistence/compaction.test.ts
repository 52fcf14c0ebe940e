import { type Database, openPostgres, schema } from '@confab/db';
import { useTestDatabase, useTestRedis, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectProvider, type SyncNode, say, seedWorld, startNode, texts } from '../sync-test-kit';
import { compactDoc } from './compaction';
import { createDocLog } from './doc-log';

const testDb = useTestDatabase();
const testRedis = useTestRedis();
let database: Database;
beforeAll(async () => {
  database = await openPostgres(testDb.url, { poolSize: 8 });
});
afterAll(() => database.close());

const now = { settleMs: 0, minUpdates: 1, chunk: 7 };

/** Logs `count` updates of one doc, as a writer typing would. */
async function writeHistory(name: string, count: number) {
  const log = createDocLog(database.db);
  const doc = new Y.Doc();
  doc.on('update', (update: Uint8Array) => {
    void log.append({ docName: name, update, clientId: doc.clientID, userId: null });
  });
  const text = doc.getText('t');
  for (let i = 0; i < count; i++) {
    text.insert(text.length, `${i},`);
    if (i % 5 === 4) text.delete(0, 1); // deleted content must not survive in the snapshot
  }
  await log.flush();
  return { doc, log };
}

async function stateOf(name: string) {
  const doc = new Y.Doc();
  for (const update of await createDocLog(database.db).load(name)) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

const countRows = async (name: string) => ({
  log: (
    await database.db.select().from(schema.docUpdates).where(eq(schema.docUpdates.docName, name))
  ).length,
  snapshots: await database.db
    .select()
    .from(schema.docSnapshots)
    .where(eq(schema.docSnapshots.docName, name)),
});

describe('compaction', () => {
  it('folds the log into a snapshot that loads the same state, and keeps the log for audit', async () => {
    const { doc: written } = await writeHistory('compaction:a', 150);
    const result = await compactDoc(database.db, 'compaction:a', now);
    expect(result?.folded).toBe(150 + 30);
    const { log, snapshots } = await countRows('compaction:a');
    expect(log).toBe(180);
    expect(snapshots).toHaveLength(1);
    expect(await createDocLog(database.db).load('compaction:a')).toHaveLength(1);
    expect(await stateOf('compaction:a')).toBe(written.getText('t').toString());
  });

  it('loads snapshot plus tail after more writes, and a second compaction replaces the first snapshot', async () => {
    const { doc, log } = await writeHistory('compaction:b', 40);
    await compactDoc(database.db, 'compaction:b', now);
    doc.getText('t').insert(0, 'later:');
    await log.flush();
    expect(await createDocLog(database.db).load('compaction:b')).toHaveLength(2);
    expect(await stateOf('compaction:b')).toBe(doc.getText('t').toString());
    await compactDoc(database.db, 'compaction:b', now);
    const { snapshots } = await countRows('compaction:b');
    expect(snapshots).toHaveLength(1);
    expect(await stateOf('compaction:b')).toBe(doc.getText('t').toString());
  });

  it('leaves rows that have not settled for a later compaction', async () => {
    await writeHistory('compaction:c', 20);
    expect(await compactDoc(database.db, 'compaction:c', { ...now, settleMs: 60_000 })).toBeNull();
    expect((await countRows('compaction:c')).snapshots).toEqual([]);
  });

  it('keeps one snapshot when several nodes compact the same doc at once', async () => {
    const { doc: written } = await writeHistory('compaction:d', 60);
    await Promise.all(
      Array.from({ length: 4 }, () => compactDoc(database.db, 'compaction:d', now)),
    );
    expect((await countRows('compaction:d')).snapshots).toHaveLength(1);
    expect(await stateOf('compaction:d')).toBe(written.getText('t').toString());
  });
});

describe('compaction in the sync service', () => {
  let node: SyncNode;
  beforeAll(async () => {
    node = await startNode(testDb.url, testRedis.url, testRedis.prefix, undefined, {
      compactEvery: 10,
      compaction: now,
    });
  });
  afterAll(() => node.stop());

  it('compacts a busy doc in the background while clients keep writing', async () => {
    const world = await seedWorld(node.backends);
    const name = world.publicSegment(40);
    const { provider, doc } = await connectProvider(node, world.users.ada, name);
    await waitFor('sync', () => (provider.synced ? true : undefined));
    for (let i = 0; i < 35; i++) {
      say(doc, world.users.ada, `${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor('a snapshot', async () =>
      (await countRows(name)).snapshots.length ? true : undefined,
    );
    await waitFor('every write logged', async () =>
      (await countRows(name)).log === 35 ? true : undefined,
    );
    const reader = new Y.Doc();
    for (const update of await createDocLog(database.db).load(name)) Y.applyUpdate(reader, update);
    expect(texts(reader)).toEqual(Array.from({ length: 35 }, (_, i) => `${i}`));
    provider.destroy();
  });
});
