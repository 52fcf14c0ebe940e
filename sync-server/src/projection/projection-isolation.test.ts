import { Writable } from 'node:stream';
import { createLogger, schema } from '@confab/db';
import { MESSAGES, postMessage } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { nextCloseCode, useSyncWorld } from '../sync-test-kit';

/**
 * One bad change never costs other people's messages their rows: a hostile post is refused, and
 * a change whose rows fail anyway is isolated from the rest of its drain, quarantined (counted,
 * logged, recorded) and projected again when its doc next loads.
 */
const lines: string[] = [];
const logger = createLogger(
  'error',
  {},
  new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  }),
);
const sync = useSyncWorld(undefined, { logger });
const db = () => sync.node.backends.database.db;
const messageRow = async (id: string) =>
  (await db().select().from(schema.messages).where(eq(schema.messages.id, id)))[0];
const quarantineOf = (docName: string) =>
  db()
    .select()
    .from(schema.projectionQuarantine)
    .where(eq(schema.projectionQuarantine.docName, docName));

/** A message written raw, as a hostile client would, with no writer to normalize it. */
function rawPost(doc: Y.Doc, author: string, text: string): string {
  const id = '01JE000000000000000000HOST';
  doc.transact(() => {
    const message = new Y.Map<unknown>();
    message.set('author', author);
    message.set('text', text);
    message.set('createdAt', Date.now());
    doc.getMap(MESSAGES).set(id, message);
  });
  return id;
}

describe('projection isolation', () => {
  it('refuses a NUL post and projects the honest post of the same drain window [S2] [S8]', async () => {
    const { ada, bob } = sync.world.users;
    const name = sync.world.publicSegment(10);
    const hostile = await sync.open(ada, name);
    const honest = await sync.open(bob, name);
    const closed = nextCloseCode(hostile.provider);
    const hostileId = rawPost(hostile.doc, ada, 'hidden\u0000text');
    const honestId = postMessage(honest.doc, { author: bob, text: 'an honest message' });
    expect(await closed).toBe(4422);
    const row = await waitFor('the honest row', () => messageRow(honestId));
    expect(row).toMatchObject({ text: 'an honest message', authorId: bob });
    expect(await messageRow(hostileId)).toBeUndefined();
    expect(sync.node.sync.projector.quarantined).toBe(0);
  });

  it('stores a NUL the log already holds without it, next to its neighbours', async () => {
    const { ada } = sync.world.users;
    const name = sync.world.publicSegment(11);
    // Written past the validator (as a server without the text rules accepted it).
    const writer = new Y.Doc();
    const bad = rawPost(writer, ada, 'a\u0000b');
    const good = postMessage(writer, { author: ada, text: 'good' });
    await db()
      .insert(schema.docClientIds)
      .values({ docName: name, clientId: writer.clientID, userId: ada });
    await db()
      .insert(schema.docUpdates)
      .values({
        docName: name,
        update: Y.encodeStateAsUpdate(writer),
        clientId: writer.clientID,
        userId: ada,
      });
    await sync.open(sync.world.users.bob, name);
    await waitFor('both rows', async () =>
      (await messageRow(good)) && (await messageRow(bad)) ? true : undefined,
    );
    expect((await messageRow(bad))?.text).toBe('ab');
  });

  it('quarantines a change whose rows fail, projects the rest of its drain, and repairs it on the next load', async () => {
    const { ada, bob } = sync.world.users;
    const name = sync.world.publicSegment(12);
    const other = sync.world.publicSegment(13);
    // A fault only this change meets: Postgres refuses its row, whatever the validator said.
    await db().execute(sql`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.text LIKE '%poison-pill%' THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = '22000'; END IF;
        RETURN NEW;
      END $$`);
    await db().execute(
      sql`CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION refuse_poison()`,
    );
    const adaDoc = (await sync.open(ada, name)).doc;
    const bobDoc = (await sync.open(bob, name)).doc;
    const elsewhere = (await sync.open(bob, other)).doc;
    const projector = sync.node.sync.projector;
    const before = projector.quarantined;
    // Same drain window: one doc with a good and a failing message, and another doc.
    let poison = '';
    let sameUpdate = '';
    adaDoc.transact(() => {
      poison = postMessage(adaDoc, { author: ada, text: 'poison-pill' });
      sameUpdate = postMessage(adaDoc, { author: ada, text: 'honest, same update' });
    });
    const honest = postMessage(bobDoc, { author: bob, text: 'honest, same doc' });
    const neighbour = postMessage(elsewhere, { author: bob, text: 'honest, other doc' });
    await waitFor('the honest rows', async () =>
      (await messageRow(honest)) && (await messageRow(neighbour)) && (await messageRow(sameUpdate))
        ? true
        : undefined,
    );
    await waitFor('the quarantine', async () =>
      (await quarantineOf(name)).length ? true : undefined,
    );
    expect(projector.quarantined).toBe(before + 1);
    expect(await messageRow(poison)).toBeUndefined();
    expect(await quarantineOf(name)).toEqual([
      expect.objectContaining({
        itemKey: poison,
        error: expect.stringContaining('22000'),
        attempts: 1,
      }),
    ]);
    const logged = lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'projection quarantined');
    expect(logged).toEqual([
      expect.objectContaining({ level: 50, docName: name, itemKey: poison }),
    ]);
    expect(logged[0]).toHaveProperty('seq');

    // Fixed; another node loading the doc projects it again and clears the quarantine.
    await db().execute(sql`DROP TRIGGER refuse_poison ON messages`);
    const second = await sync.addNode();
    await sync.open(bob, name, second);
    const row = await waitFor('the repaired row', () => messageRow(poison));
    expect(row).toMatchObject({ text: 'poison-pill', authorId: ada });
    await waitFor('the quarantine cleared', async () =>
      (await quarantineOf(name)).length ? undefined : true,
    );
    expect(second.sync.projector.quarantined).toBe(0);
  });
});
