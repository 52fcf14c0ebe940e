import { randomUUID } from 'node:crypto';
import { type Database, docName, openPglite, openPostgres, schema } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttachableFiles } from '../persistence/attachable-files';
import { projectPlainMessages, upsertMessages } from './statements';

const testDb = useTestDatabase();

/**
 * The file lookup of the doc room and the projection's file bookkeeping must behave the same on
 * both databases the server runs on (embedded mode is PGlite).
 */
function attachmentsContract(name: string, open: () => Promise<Database>) {
  describe(`attachments on ${name}`, () => {
    let database: Database;
    let ada: string;
    let bob: string;
    let workspaceId: string;
    let channelId: string;
    let otherChannelId: string;
    beforeAll(async () => {
      database = await open();
      await database.migrate();
      const { db } = database;
      const users = await db
        .insert(schema.users)
        .values(['ada', 'bob'].map((n) => ({ email: `${n}-${randomUUID()}@example.com`, name: n })))
        .returning();
      [ada, bob] = users.map((user) => user.id) as [string, string];
      const [workspace] = await db
        .insert(schema.workspaces)
        .values({ name: 'W', slug: `w-${randomUUID()}` })
        .returning();
      workspaceId = workspace?.id ?? '';
      const channels = await db
        .insert(schema.channels)
        .values(['a', 'b'].map((n) => ({ workspaceId, kind: 'public' as const, name: n })))
        .returning();
      [channelId, otherChannelId] = channels.map((channel) => channel.id) as [string, string];
    });
    afterAll(() => database.close());

    const file = async (
      uploaderId: string,
      extra: Partial<typeof schema.files.$inferInsert> = {},
    ) => {
      const id = randomUUID();
      await database.db.insert(schema.files).values({
        id,
        workspaceId,
        channelId,
        uploaderId,
        storageKey: `files/${id}`,
        name: 'notes.txt',
        declaredType: 'text/plain',
        contentType: 'text/plain',
        kind: 'text',
        byteSize: 5,
        sha256: '0'.repeat(64),
        status: 'ready',
        ...extra,
      });
      return id;
    };
    const attachedTo = async (fileId: string) =>
      (
        await database.db
          .select({ messageId: schema.files.messageId })
          .from(schema.files)
          .where(eq(schema.files.id, fileId))
      )[0]?.messageId;
    let clock = 0;
    const row = (id: string, fileIds: string[] | undefined, authorId = ada) => ({
      id,
      channelId,
      docName: docName({ kind: 'segment', channelId, index: 0 }),
      authorId,
      text: 'x',
      fileIds,
      createdAt: new Date(),
      receivedAt: new Date(),
      docSeq: ++clock,
      stateClock: clock,
    });

    it('answers which files the user may attach in the channel', async () => {
      const mine = await file(ada);
      const others = [
        await file(bob),
        await file(ada, { channelId: otherChannelId }),
        await file(ada, { status: 'quarantined' }),
        await file(ada, { deletedAt: new Date() }),
        randomUUID(),
      ];
      const attachable = createAttachableFiles(database.db);
      expect(await attachable({ channelId, userId: ada, fileIds: [mine, ...others] })).toEqual(
        new Set([mine]),
      );
      expect(await attachable({ channelId, userId: ada, fileIds: [] })).toEqual(new Set());
    });

    it('attaches listed files, detaches dropped ones, and leaves others alone', async () => {
      const [first, second, foreign] = [await file(ada), await file(ada), await file(bob)];
      const id = '01JF0000000000000000000001';
      await projectPlainMessages(database.db, [row(id, [first, second, foreign])], [], []);
      expect([await attachedTo(first), await attachedTo(second)]).toEqual([id, id]);
      // Not the author's: the projection does not record it although the row lists it.
      expect(await attachedTo(foreign)).toBeNull();
      await database.db.transaction((tx) => upsertMessages(tx, [row(id, [second])]));
      expect([await attachedTo(first), await attachedTo(second)]).toEqual([null, id]);
      // Another message naming an attached file does not take it over.
      await projectPlainMessages(
        database.db,
        [row('01JF0000000000000000000002', [second])],
        [],
        [],
      );
      expect(await attachedTo(second)).toBe(id);
      await projectPlainMessages(database.db, [row(id, [])], [], []);
      expect(await attachedTo(second)).toBeNull();
    });

    it('moves nothing for a stale row', async () => {
      const fileId = await file(ada);
      const id = '01JF0000000000000000000003';
      const stale = row(id, []);
      await projectPlainMessages(database.db, [row(id, [fileId])], [], []);
      await projectPlainMessages(database.db, [stale], [], []);
      expect(await attachedTo(fileId)).toBe(id);
    });
  });
}

attachmentsContract('postgres', () => openPostgres(testDb.url, { poolSize: 2 }));
attachmentsContract('pglite', () => openPglite('memory'));
