import { Writable } from 'node:stream';
import { createLogger, type Database, type Db, openPglite, openPostgres, schema } from '@confab/db';
import { editMessage, postMessage } from '@confab/db/model';
import { useTestDatabase, waitFor } from '@confab/db/testing';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ActivityEvent } from '../activity';
import { compactDoc } from '../persistence/compaction';
import { seedWorld } from '../sync-test-kit';
import { DocCopies } from './doc-copies';
import { LogTailer, type LogTailerOptions } from './log-tailer';
import { Quarantine } from './quarantine';
import { rowsBehindTail, versionsAgainstLog } from './tail-test-kit';

/**
 * The projector tails the log [S1]: rows committed out of sequence order are all projected, two
 * tailers at once write each row once, and a new tailer resumes where the last commit left off,
 * even past a snapshot that folds rows it has not projected yet.
 */
const testDb = useTestDatabase();
const silent = createLogger('silent');

/** The update `change` makes on `writer`, as a client would send it. */
function updateOf(writer: Y.Doc, change: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const collect = (update: Uint8Array) => updates.push(update);
  writer.on('update', collect);
  change();
  writer.off('update', collect);
  return Y.mergeUpdates(updates);
}

/** Claims the writer's client id (as a node does first), then logs the update. */
async function logUpdate(
  db: Db,
  docName: string,
  writer: Y.Doc,
  userId: string,
  update: Uint8Array,
) {
  await db
    .insert(schema.docClientIds)
    .values({ docName, clientId: writer.clientID, userId })
    .onConflictDoNothing();
  await db.insert(schema.docUpdates).values({ docName, update, clientId: writer.clientID, userId });
}

/** A logger at warn level whose lines the test reads. */
function loggerSpy() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('warn', {}, stream), lines };
}

const messageRow = async (db: Db, id: string) =>
  (await db.select().from(schema.messages).where(eq(schema.messages.id, id)))[0];

/** Flushes until the tail passed every log row (other transactions may hold the horizon). */
const caughtUp = (db: Db, ...tailers: LogTailer[]) =>
  waitFor('the tail past every log row', async () => {
    for (const tailer of tailers) await tailer.flush();
    return (await rowsBehindTail(db)) === 0 ? true : undefined;
  });

function tailerOn(db: Db, extra: Partial<LogTailerOptions> = {}) {
  // A poll slower than any test: the tests drive it with `flush`.
  return new LogTailer({ db, logger: silent, pollMs: 60_000, ...extra });
}

function resumeContract(name: string, open: () => Promise<Database>) {
  describe(`the log tailer on ${name}`, () => {
    let database: Database;
    let world: Awaited<ReturnType<typeof seedWorld>>;
    beforeAll(async () => {
      database = await open();
      await database.migrate();
      world = await seedWorld({ database } as never);
      // Opening and migrating PGlite is slow on a busy machine.
    }, 180_000);
    afterAll(() => database?.close());

    it('resumes after a restart where its last commit left off, past a snapshot ahead of it', async () => {
      const { db } = database;
      const docName = world.publicSegment(1);
      const ada = world.users.ada;
      const writer = new Y.Doc();
      let id = '';
      const log = (change: () => void) =>
        logUpdate(db, docName, writer, ada, updateOf(writer, change));
      await log(() => {
        id = postMessage(writer, { author: ada, text: 'v1' });
      });
      await log(() => editMessage(writer, id, 'v2'));
      const first = tailerOn(db);
      await caughtUp(db, first);
      await first.stop();
      await log(() => editMessage(writer, id, 'v3'));
      await log(() => editMessage(writer, id, 'v4'));
      // Compaction folds rows by sequence and age, not by the projector's progress: this
      // snapshot holds v3 and v4, which a copy loaded from it would never see change.
      expect(await compactDoc(db, docName, { settleMs: 0, minUpdates: 1 })).not.toBeNull();
      const second = tailerOn(db);
      await caughtUp(db, second);
      await second.stop();
      const versions = await db
        .select({ text: schema.messageVersions.text })
        .from(schema.messageVersions)
        .where(eq(schema.messageVersions.messageId, id))
        .orderBy(schema.messageVersions.docSeq);
      expect(versions.map((v) => v.text)).toEqual(['v1', 'v2', 'v3', 'v4']);
      expect((await messageRow(db, id))?.text).toBe('v4');
      const counts = await versionsAgainstLog(db, [docName]);
      expect(counts).toMatchObject({ expected: 4, stored: 4, missing: 0, extra: 0 });
    });
  });
}

resumeContract('Postgres', () => openPostgres(testDb.url, { poolSize: 4 }));
resumeContract('PGlite', () => openPglite('memory'));

describe('the log tailer on Postgres, with concurrent writers and tailers', () => {
  let database: Database;
  let other: Database;
  let pool: pg.Pool;
  let world: Awaited<ReturnType<typeof seedWorld>>;
  beforeAll(async () => {
    database = await openPostgres(testDb.url, { poolSize: 4 });
    other = await openPostgres(testDb.url, { poolSize: 4 });
    pool = new pg.Pool({ connectionString: testDb.url, max: 2 });
    world = await seedWorld({ database } as never);
  }, 180_000);
  afterAll(async () => {
    await pool?.end();
    await other?.close();
    await database?.close();
  });

  it('projects a row whose lower sequence commits after a higher one', async () => {
    const { db } = database;
    const docName = world.publicSegment(2);
    const ada = world.users.ada;
    const [early, late] = [new Y.Doc(), new Y.Doc()];
    let earlyId = '';
    let lateId = '';
    const earlyUpdate = updateOf(early, () => {
      earlyId = postMessage(early, { author: ada, text: 'sequenced first, committed last' });
    });
    const lateUpdate = updateOf(late, () => {
      lateId = postMessage(late, { author: ada, text: 'sequenced last, committed first' });
    });
    for (const writer of [early, late])
      await db
        .insert(schema.docClientIds)
        .values({ docName, clientId: writer.clientID, userId: ada });
    const insert = (client: pg.PoolClient, writer: Y.Doc, update: Uint8Array) =>
      client.query<{ seq: string }>(
        'INSERT INTO doc_updates (doc_name, update, client_id, user_id) VALUES ($1, $2, $3, $4) RETURNING seq',
        [docName, Buffer.from(update), writer.clientID, ada],
      );
    const a = await pool.connect();
    const b = await pool.connect();
    const tailer = tailerOn(db);
    try {
      await a.query('BEGIN');
      const lowSeq = Number((await insert(a, early, earlyUpdate)).rows[0]?.seq);
      await b.query('BEGIN');
      const highSeq = Number((await insert(b, late, lateUpdate)).rows[0]?.seq);
      await b.query('COMMIT');
      expect(lowSeq).toBeLessThan(highSeq);
      // The higher sequence is visible, the lower still in flight: a cursor "seq > last" would
      // project the first now and skip the second for good. The tail waits at the horizon.
      await tailer.flush();
      expect(await messageRow(db, lateId)).toBeUndefined();
      await a.query('COMMIT');
    } finally {
      a.release();
      b.release();
    }
    await caughtUp(db, tailer);
    await tailer.stop();
    expect(await messageRow(db, earlyId)).toMatchObject({ authorId: ada });
    expect(await messageRow(db, lateId)).toMatchObject({ authorId: ada });
    expect(await versionsAgainstLog(db, [docName])).toMatchObject({
      expected: 2,
      stored: 2,
      missing: 0,
      extra: 0,
    });
  });

  it('hands the tail from one tailer to another and back without losing a version', async () => {
    const docName = world.publicSegment(6);
    const ada = world.users.ada;
    const writer = new Y.Doc();
    const log = (change: () => void) =>
      logUpdate(database.db, docName, writer, ada, updateOf(writer, change));
    // Leases lapse at once, so each flush below is done by the tailer flushed.
    const [first, second] = [database, other].map(({ db }) => tailerOn(db, { leaseMs: 1 }));
    if (!first || !second) throw new Error('two tailers');
    let id = '';
    await log(() => {
      id = postMessage(writer, { author: ada, text: 'v1' });
    });
    await caughtUp(database.db, first);
    await log(() => editMessage(writer, id, 'v2'));
    await caughtUp(database.db, second);
    // The first tailer's copy lacks v2: it must notice the tail moved without it.
    await log(() => editMessage(writer, id, 'v3'));
    await caughtUp(database.db, first);
    for (const tailer of [first, second]) await tailer.stop();
    const counts = await versionsAgainstLog(database.db, [docName]);
    expect(counts).toMatchObject({ expected: 3, stored: 3, missing: 0, extra: 0 });
    expect((await messageRow(database.db, id))?.text).toBe('v3');
  });

  it('writes each row once with two tailers racing for every batch', async () => {
    const docNames = [3, 4, 5].map((index) => world.publicSegment(index));
    const ada = world.users.ada;
    const published: string[] = [];
    const activity = (events: ActivityEvent[]) => {
      for (const event of events) if (event.kind === 'message') published.push(event.messageId);
    };
    // A lease of 1 ms lapses before every batch: both tailers work at once, and only the cursor
    // check in each transaction keeps their rows apart.
    const tailers = [database, other].map(({ db }) =>
      tailerOn(db, { activity, leaseMs: 1, batchSize: 7, windowMs: 0 }),
    );
    let writing = true;
    const racing = tailers.map(async (tailer) => {
      while (writing) await tailer.flush();
    });
    const posted: string[] = [];
    await Promise.all(
      docNames.map(async (docName, d) => {
        const writer = new Y.Doc();
        const log = (change: () => void) =>
          logUpdate(database.db, docName, writer, ada, updateOf(writer, change));
        for (let i = 0; i < 30; i++) {
          let id = '';
          await log(() => {
            id = postMessage(writer, { author: ada, text: `post ${i} in doc ${d}` });
          });
          posted.push(id);
          if (i % 2) await log(() => editMessage(writer, id, `post ${i} in doc ${d}, edited`));
        }
      }),
    );
    writing = false;
    await Promise.all(racing);
    await caughtUp(database.db, ...tailers);
    for (const tailer of tailers) await tailer.stop();
    const counts = await versionsAgainstLog(database.db, docNames);
    console.info(`two tailers: ${JSON.stringify(counts)}`);
    expect(counts).toMatchObject({ expected: 135, stored: 135, missing: 0, extra: 0 });
    // Each message's activity was published once, by whichever tailer inserted its row.
    expect(published.toSorted()).toEqual(posted.toSorted());
  });

  it('retries a batch a deadlock broke instead of quarantining, so every version exists [S1]', async () => {
    const { db } = database;
    const docName = world.publicSegment(7);
    const ada = world.users.ada;
    // A deadlock that strikes every statement on a 'deadlock-once' message in the first
    // transaction meeting one (as a lock held elsewhere would), and never again. A sequence
    // remembers that transaction, since it keeps its value when the savepoint rolls back.
    await db.execute(sql`CREATE SEQUENCE deadlock_tx MINVALUE 0 START 0`);
    await db.execute(sql`
      CREATE FUNCTION deadlock_once() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE struck bigint;
      BEGIN
        IF NEW.text LIKE '%deadlock-once%' THEN
          SELECT CASE WHEN is_called THEN last_value END INTO struck FROM deadlock_tx;
          IF struck IS NULL THEN
            PERFORM setval('deadlock_tx', txid_current());
            struck := txid_current();
          END IF;
          IF struck = txid_current() THEN
            RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await db.execute(
      sql`CREATE TRIGGER deadlock_once BEFORE INSERT OR UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION deadlock_once()`,
    );
    const tailer = tailerOn(db);
    try {
      const writer = new Y.Doc();
      const log = (change: () => void) =>
        logUpdate(db, docName, writer, ada, updateOf(writer, change));
      let id = '';
      await log(() => {
        id = postMessage(writer, { author: ada, text: 'deadlock-once' });
        postMessage(writer, { author: ada, text: 'a neighbour' });
      });
      await log(() => editMessage(writer, id, 'deadlock-once, edited'));
      await caughtUp(db, tailer);
      const struck = await db.execute(sql`SELECT is_called FROM deadlock_tx`);
      expect((struck as unknown as { rows: Array<{ is_called: boolean }> }).rows[0]).toEqual({
        is_called: true,
      });
    } finally {
      await tailer.stop();
      await db.execute(sql`DROP TRIGGER deadlock_once ON messages`);
      await db.execute(sql`DROP FUNCTION deadlock_once()`);
      await db.execute(sql`DROP SEQUENCE deadlock_tx`);
    }
    expect(tailer.quarantined).toBe(0);
    const quarantined = await db
      .select()
      .from(schema.projectionQuarantine)
      .where(eq(schema.projectionQuarantine.docName, docName));
    expect(quarantined).toEqual([]);
    expect(await versionsAgainstLog(db, [docName])).toMatchObject({
      expected: 3,
      stored: 3,
      missing: 0,
      extra: 0,
    });
  });

  it('keeps the seq a change was first quarantined at when it fails again (a repair has none)', async () => {
    const { db } = database;
    const quarantine = new Quarantine(silent);
    const docName = world.publicSegment(8);
    const change = { docName, itemKeys: ['01JE0000000000000000000SEQ'] };
    await quarantine.record(db, { ...change, seq: 42 }, new Error('first'));
    await quarantine.record(db, { ...change, seq: 0 }, new Error('again'));
    const rows = await db
      .select()
      .from(schema.projectionQuarantine)
      .where(eq(schema.projectionQuarantine.docName, docName));
    expect(rows).toEqual([expect.objectContaining({ seq: 42, attempts: 2 })]);
    await quarantine.clear(db, change);
  });

  it('warns once when an open transaction holds the horizon, naming the oldest, and projects after it ends', async () => {
    const { db } = database;
    const docName = world.publicSegment(9);
    const ada = world.users.ada;
    const { logger, lines } = loggerSpy();
    const warnings = () =>
      lines.filter((line) => line.msg === 'projection held back by an open transaction');
    const tailer = tailerOn(db, { logger, heldWarnMs: 50 });
    const holder = await pool.connect();
    const writer = new Y.Doc();
    let id = '';
    try {
      await holder.query("SET application_name = 'held-horizon-test'");
      await holder.query('BEGIN');
      const started = await holder.query<{ xact_start: Date }>(
        'SELECT pg_current_xact_id(), now() AS xact_start',
      );
      await logUpdate(
        db,
        docName,
        writer,
        ada,
        updateOf(writer, () => {
          id = postMessage(writer, { author: ada, text: 'behind an idle transaction' });
        }),
      );
      await waitFor('the held-back warning', async () => {
        await tailer.flush();
        return warnings().length ? true : undefined;
      });
      await tailer.flush();
      expect(warnings()).toHaveLength(1);
      const oldest = warnings()[0]?.oldest as { pid: number; xactStart: string } | undefined;
      // Another suite's transaction may be older than ours: the named one started no later.
      expect(oldest?.pid).toEqual(expect.any(Number));
      const ours = started.rows[0]?.xact_start ?? new Date();
      expect(new Date(oldest?.xactStart ?? '').getTime()).toBeLessThanOrEqual(ours.getTime());
      expect(await messageRow(db, id)).toBeUndefined();
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    await caughtUp(db, tailer);
    await tailer.stop();
    expect(await messageRow(db, id)).toMatchObject({ authorId: ada });
  });

  it('keeps doc copies within their byte bound, the least recently used going first', async () => {
    const { db } = database;
    const ada = world.users.ada;
    const names = [14, 15, 16].map((index) => world.publicSegment(index));
    const sizes: number[] = [];
    for (const docName of names) {
      const writer = new Y.Doc();
      const update = updateOf(writer, () => {
        postMessage(writer, { author: ada, text: 'x'.repeat(1_000) });
      });
      sizes.push(update.byteLength);
      await logUpdate(db, docName, writer, ada, update);
    }
    const [at] = (
      (await db.execute(
        sql`SELECT tx::text AS tx, seq::int AS seq FROM doc_updates ORDER BY tx DESC, seq DESC LIMIT 1`,
      )) as unknown as { rows: Array<{ tx: string; seq: number }> }
    ).rows;
    if (!at) throw new Error('no log row');
    const [first = 0, second = 0, third = 0] = sizes;
    // Room for the two newest by bytes, for a thousand by count.
    const copies = new DocCopies(db, 1_000, second + third);
    for (const name of names) await copies.get(name, at);
    expect(copies.bytes).toBe(first + second + third);
    copies.trim();
    expect(names.map((name) => copies.has(name))).toEqual([false, true, true]);
    expect(copies.bytes).toBe(second + third);
    copies.clear();
    expect(copies.bytes).toBe(0);
  });
});
