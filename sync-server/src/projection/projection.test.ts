import { docName, schema } from '@confab/db';
import {
  channelMarkerKey,
  deleteMessage,
  editMessage,
  markRead,
  postMessage,
  SEGMENT_BOUND,
  toggleReaction,
} from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { useSyncWorld } from '../sync-test-kit';

const sync = useSyncWorld();
const open = async (userId: string, name: string) => (await sync.open(userId, name)).doc;

const db = () => sync.node.backends.database.db;
const messageRow = async (id: string) =>
  (await db().select().from(schema.messages).where(eq(schema.messages.id, id)))[0];

describe('projection of channel docs into rows', () => {
  it('keeps every version of an edited message, in order, with its editor [S3]', async () => {
    const ada = await open(sync.world.users.ada, sync.world.publicSegment(0));
    const id = postMessage(ada, { author: sync.world.users.ada, text: 'v1' });
    for (const text of ['v2', 'v3', 'v4']) {
      await waitFor('previous version', async () =>
        (await messageRow(id))?.text ? true : undefined,
      );
      editMessage(ada, id, text);
    }
    await waitFor('four versions', async () => {
      const rows = await db()
        .select()
        .from(schema.messageVersions)
        .where(eq(schema.messageVersions.messageId, id));
      return rows.length === 4 ? true : undefined;
    });
    const versions = await db()
      .select()
      .from(schema.messageVersions)
      .where(eq(schema.messageVersions.messageId, id))
      .orderBy(asc(schema.messageVersions.docSeq));
    expect(versions.map((v) => v.text)).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(new Set(versions.map((v) => v.editorId))).toEqual(new Set([sync.world.users.ada]));
    await waitFor('latest text', async () =>
      (await messageRow(id))?.text === 'v4' ? true : undefined,
    );
    const row = await messageRow(id);
    expect(row).toMatchObject({ authorId: sync.world.users.ada, parentId: null, deletedAt: null });
    expect(row?.editedAt).not.toBeNull();
  });

  it('projects reactions, mentions and deletions by a moderator', async () => {
    const bob = await open(sync.world.users.bob, sync.world.publicSegment(1));
    const ada = await open(sync.world.users.ada, sync.world.publicSegment(1));
    const id = postMessage(bob, {
      author: sync.world.users.bob,
      text: `hi <@${sync.world.users.ada}>`,
    });
    await waitFor('message', async () => ((await messageRow(id)) ? true : undefined));
    await waitFor('ada has it', () => (ada.getMap('messages').has(id) ? true : undefined));
    toggleReaction(ada, { messageId: id, userId: sync.world.users.ada, emoji: '👍' });
    await waitFor('reaction row', async () => {
      const rows = await db()
        .select()
        .from(schema.reactions)
        .where(eq(schema.reactions.messageId, id));
      return rows.length === 1 ? rows : undefined;
    });
    const mentions = await db()
      .select()
      .from(schema.messageMentions)
      .where(eq(schema.messageMentions.messageId, id));
    expect(mentions.map((m) => m.userId)).toEqual([sync.world.users.ada]);
    toggleReaction(ada, { messageId: id, userId: sync.world.users.ada, emoji: '👍' });
    await waitFor('reaction gone', async () => {
      const rows = await db()
        .select()
        .from(schema.reactions)
        .where(eq(schema.reactions.messageId, id));
      return rows.length === 0 ? true : undefined;
    });
    deleteMessage(ada, id); // Ada owns the workspace: a moderator's tombstone
    await waitFor('tombstone', async () => ((await messageRow(id))?.deletedAt ? true : undefined));
    expect(await messageRow(id)).toMatchObject({
      text: '',
      deletedBy: sync.world.users.ada,
      authorId: sync.world.users.bob,
    });
    const afterDelete = await db()
      .select()
      .from(schema.messageMentions)
      .where(eq(schema.messageMentions.messageId, id));
    expect(afterDelete).toEqual([]);
  });

  it('clears a plain message’s reaction rows when the last reaction goes (one-statement drain)', async () => {
    const ada = await open(sync.world.users.ada, sync.world.publicSegment(2));
    const id = postMessage(ada, { author: sync.world.users.ada, text: 'plain' });
    const reactionRows = () =>
      db().select().from(schema.reactions).where(eq(schema.reactions.messageId, id));
    toggleReaction(ada, { messageId: id, userId: sync.world.users.ada, emoji: '🎉' });
    await waitFor('reaction row', async () => ((await reactionRows()).length ? true : undefined));
    toggleReaction(ada, { messageId: id, userId: sync.world.users.ada, emoji: '🎉' });
    editMessage(ada, id, 'plain, edited');
    await waitFor('edited', async () =>
      (await messageRow(id))?.text === 'plain, edited' ? true : undefined,
    );
    expect(await reactionRows()).toEqual([]);
  });

  it('opens the next segment past the bound and refuses new messages past the hard cap [S6]', async () => {
    const name = sync.world.publicSegment(3);
    const [channel] = await db()
      .select()
      .from(schema.channels)
      .where(eq(schema.channels.name, 'public'));
    await db()
      .update(schema.channels)
      .set({ headSegment: 3 })
      .where(eq(schema.channels.id, channel?.id ?? ''));
    const { provider, doc } = await sync.open(sync.world.users.ada, name);
    const postMany = (count: number) =>
      doc.transact(() => {
        for (let i = 0; i < count; i++)
          postMessage(doc, { author: sync.world.users.ada, text: `m${i}` });
      });
    postMany(SEGMENT_BOUND.messages);
    const head = async () =>
      (
        await db()
          .select()
          .from(schema.channels)
          .where(eq(schema.channels.id, channel?.id ?? ''))
      )[0]?.headSegment;
    await waitFor('the next segment', async () => ((await head()) === 4 ? true : undefined));
    const segments = await db()
      .select()
      .from(schema.channelSegments)
      .where(eq(schema.channelSegments.channelId, channel?.id ?? ''));
    expect(segments.find((s) => s.index === 3)).toMatchObject({
      messageCount: SEGMENT_BOUND.messages,
    });
    expect(segments.find((s) => s.index === 3)?.closedAt).not.toBeNull();
    expect(segments.find((s) => s.index === 4)).toMatchObject({ messageCount: 0, closedAt: null });

    const closed = new Promise<number>((resolve) =>
      provider.on('connection-close', (event) =>
        resolve((event as { code: number } | null)?.code ?? 0),
      ),
    );
    postMany(SEGMENT_BOUND.hardCap - SEGMENT_BOUND.messages + 1);
    expect(await closed).toBe(4422);
  });

  it('projects a log row nobody woke it for (committed by another process, or before a crash)', async () => {
    const name = sync.world.publicSegment(5);
    const writer = new Y.Doc();
    const id = postMessage(writer, {
      author: sync.world.users.ada,
      text: 'committed, never projected',
    });
    // As a sync node does: the client id is claimed before the update is logged.
    await db()
      .insert(schema.docClientIds)
      .values({ docName: name, clientId: writer.clientID, userId: sync.world.users.ada });
    await db()
      .insert(schema.docUpdates)
      .values({
        docName: name,
        update: Y.encodeStateAsUpdate(writer),
        clientId: writer.clientID,
        userId: sync.world.users.ada,
      });
    const row = await waitFor('the row', async () => await messageRow(id));
    expect(row).toMatchObject({
      text: 'committed, never projected',
      authorId: sync.world.users.ada,
    });
  });

  it('summarises threads and projects read markers', async () => {
    const ada = await open(sync.world.users.ada, sync.world.publicSegment(2));
    const rootId = postMessage(ada, { author: sync.world.users.ada, text: 'root' });
    await waitFor('root', async () => ((await messageRow(rootId)) ? true : undefined));
    const [channel] = await db()
      .select({ id: schema.channels.id })
      .from(schema.channels)
      .where(eq(schema.channels.name, 'public'));
    const channelId = channel?.id ?? '';
    const thread = await open(sync.world.users.bob, docName({ kind: 'thread', channelId, rootId }));
    const first = postMessage(thread, {
      author: sync.world.users.bob,
      text: 'r1',
      parentId: rootId,
    });
    const second = postMessage(thread, {
      author: sync.world.users.bob,
      text: 'r2',
      parentId: rootId,
    });
    const stats = await waitFor('thread stats', async () => {
      const [row] = await db()
        .select()
        .from(schema.threadStats)
        .where(eq(schema.threadStats.rootId, rootId));
      return row?.replyCount === 2 ? row : undefined;
    });
    expect(stats).toMatchObject({ lastReplyId: second, participantIds: [sync.world.users.bob] });
    expect((await messageRow(first))?.parentId).toBe(rootId);

    const mine = await open(
      sync.world.users.bob,
      docName({ kind: 'user', userId: sync.world.users.bob }),
    );
    markRead(mine, channelMarkerKey(channelId), rootId);
    const marker = async () =>
      (
        await db()
          .select({ id: schema.channelMembers.lastReadMessageId })
          .from(schema.channelMembers)
          .where(
            and(
              eq(schema.channelMembers.channelId, channelId),
              eq(schema.channelMembers.userId, sync.world.users.bob),
            ),
          )
      )[0]?.id;
    await waitFor('marker', async () => ((await marker()) === rootId ? true : undefined));
  });
});
