import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, docName, schema } from '@confab/db';
import {
  channelMarkerKey,
  deleteMessage,
  editMessage,
  localStatus,
  markRead,
  postMessage,
  toggleReaction,
  trackPersistence,
} from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { attachSync } from '@confab/sync-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { callAs, ORIGIN, type Person, signUp, useTestApi } from '../auth/test-app';

const api = useTestApi();
let server: Server;
let stopSync: () => Promise<void>;
let syncUrl: string;
const providers: WebsocketProvider[] = [];

beforeAll(async () => {
  server = createServer();
  const sync = await attachSync(server, api.backends, {
    allowedOrigins: [ORIGIN],
    logger: createLogger('silent'),
  });
  stopSync = sync.stop;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  syncUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
});
afterAll(async () => {
  for (const provider of providers) provider.destroy();
  await stopSync();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A stock provider for `who`, with a ticket from the API as the web client gets one. */
async function open(who: Person, name: string): Promise<Y.Doc> {
  const ticket = await callAs<{ ticket: string }>(api.app, who, 'POST', '/api/sync/tickets');
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(syncUrl, name, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: { ticket: ticket.body.ticket },
  });
  providers.push(provider);
  await waitFor('sync', () => (provider.synced ? true : undefined));
  return doc;
}

/** A workspace (with #general, where both are members) and the two people in it. */
async function team() {
  const ada = await signUp(api.app, 'ada');
  const bob = await signUp(api.app, 'bob');
  const created = await callAs<{ workspace: { id: string } }>(
    api.app,
    ada,
    'POST',
    '/api/workspaces',
    {
      name: 'Acme',
      slug: `acme-${randomUUID().slice(0, 8)}`,
    },
  );
  const workspaceId = created.body.workspace.id;
  await api.backends.database.db
    .insert(schema.workspaceMembers)
    .values({ workspaceId, userId: bob.id, role: 'member' });
  const channels = await callAs<{ channels: Array<{ id: string; name: string }> }>(
    api.app,
    ada,
    'GET',
    `/api/workspaces/${workspaceId}/channels`,
  );
  const general = channels.body.channels.find((channel) => channel.name === 'general')?.id ?? '';
  expect((await callAs(api.app, bob, 'POST', `/api/channels/${general}/join`)).status).toBe(204);
  return {
    ada,
    bob,
    workspaceId,
    general,
    segment: docName({ kind: 'segment', channelId: general, index: 0 }),
  };
}

interface HistoryPage {
  messages: Array<{
    id: string;
    status?: string;
    text: string;
    authorId: string;
    editedAt: string | null;
    deletedAt: string | null;
    reactions: Array<{ emoji: string; count: number; userIds: string[] }>;
    thread: { replyCount: number; participantIds: string[] } | null;
  }>;
  nextCursor: string | null;
}

describe('history API on the projection', () => {
  it('pages a channel newest first, with reactions and thread summaries', async () => {
    const { ada, bob, general, segment } = await team();
    const doc = await open(ada, segment);
    const ids = ['one', 'two', 'three'].map((text) => postMessage(doc, { author: ada.id, text }));
    const history = (query = '') =>
      callAs<HistoryPage>(api.app, bob, 'GET', `/api/channels/${general}/messages${query}`);
    await waitFor('projection', async () =>
      (await history()).body.messages.length === 3 ? true : undefined,
    );
    const first = await history('?limit=2');
    expect(first.body.messages.map((m) => m.text)).toEqual(['three', 'two']);
    const second = await history(`?limit=2&before=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({
      messages: [{ text: 'one', authorId: ada.id }],
      nextCursor: null,
    });

    const bobs = await open(bob, segment);
    toggleReaction(bobs, { messageId: ids[0] ?? '', userId: bob.id, emoji: '🎉' });
    const thread = await open(
      bob,
      docName({ kind: 'thread', channelId: general, rootId: ids[0] ?? '' }),
    );
    postMessage(thread, { author: bob.id, text: 'reply', parentId: ids[0] });
    const oldest = await waitFor('reaction and thread', async () => {
      const message = (await history()).body.messages.at(-1);
      return message?.reactions.length && message.thread ? message : undefined;
    });
    expect(oldest.reactions).toEqual([{ emoji: '🎉', count: 1, userIds: [bob.id] }]);
    expect(oldest.thread).toMatchObject({ replyCount: 1, participantIds: [bob.id] });
    const replies = await callAs<{ replies: Array<{ text: string; authorId: string }> }>(
      api.app,
      ada,
      'GET',
      `/api/channels/${general}/messages/${ids[0]}/replies`,
    );
    expect(replies.body.replies).toEqual([
      expect.objectContaining({ text: 'reply', authorId: bob.id }),
    ]);
  });

  it('gives three edits of a message four versions, in order, to its author and admins only', async () => {
    const { ada, bob, general, segment } = await team();
    const doc = await open(bob, segment);
    const id = postMessage(doc, { author: bob.id, text: 'draft' });
    const versions = (who: Person) =>
      callAs<{ versions: Array<{ version: number; text: string; editorId: string }> }>(
        api.app,
        who,
        'GET',
        `/api/channels/${general}/messages/${id}/versions`,
      );
    for (const [n, text] of ['second', 'third', 'final'].entries()) {
      await waitFor(`version ${n + 1}`, async () =>
        (await versions(bob)).body.versions?.length === n + 1 ? true : undefined,
      );
      editMessage(doc, id, text);
    }
    const all = await waitFor('four versions', async () => {
      const response = await versions(bob);
      return response.body.versions?.length === 4 ? response.body.versions : undefined;
    });
    expect(all.map((v) => [v.version, v.text, v.editorId])).toEqual([
      [1, 'draft', bob.id],
      [2, 'second', bob.id],
      [3, 'third', bob.id],
      [4, 'final', bob.id],
    ]);
    expect((await versions(ada)).status).toBe(200); // owner of the workspace
    const carol = await signUp(api.app, 'carol');
    expect((await versions(carol)).status).toBe(404);
    const page = await callAs<HistoryPage>(
      api.app,
      ada,
      'GET',
      `/api/channels/${general}/messages`,
    );
    expect(page.body.messages[0]).toMatchObject({ text: 'final' });
    expect(page.body.messages[0]?.editedAt).not.toBeNull();
  });

  it('counts unread messages and mentions after the read marker', async () => {
    const { ada, bob, workspaceId, general, segment } = await team();
    const doc = await open(ada, segment);
    postMessage(doc, { author: ada.id, text: 'morning' });
    const last = postMessage(doc, { author: ada.id, text: `<@${bob.id}> standup?` });
    const gone = postMessage(doc, { author: ada.id, text: 'oops' });
    deleteMessage(doc, gone);
    const unread = async () =>
      (
        await callAs<{
          channels: Array<{ channelId: string; unreadCount: number; mentionCount: number }>;
        }>(api.app, bob, 'GET', `/api/workspaces/${workspaceId}/unread`)
      ).body.channels.find((channel) => channel.channelId === general);
    expect(
      await waitFor('counts', async () => {
        const counts = await unread();
        return counts?.unreadCount === 2 && counts.mentionCount === 1 ? counts : undefined;
      }),
    ).toMatchObject({ unreadCount: 2, mentionCount: 1 });
    const mine = await open(bob, docName({ kind: 'user', userId: bob.id }));
    markRead(mine, channelMarkerKey(general), last);
    await waitFor('read', async () => {
      const counts = await unread();
      return counts?.unreadCount === 0 && counts.mentionCount === 0 ? true : undefined;
    });
  });

  it('shows message status in a DM: sending, sent, delivered, read', async () => {
    const { ada, bob, workspaceId } = await team();
    const dm = await callAs<{ channel: { id: string } }>(
      api.app,
      ada,
      'POST',
      `/api/workspaces/${workspaceId}/dms`,
      {
        userIds: [bob.id],
      },
    );
    const channelId = dm.body.channel.id;
    const segment = docName({ kind: 'segment', channelId, index: 0 });
    const ticket = await callAs<{ ticket: string }>(api.app, ada, 'POST', '/api/sync/tickets');
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(syncUrl, segment, doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      connect: false,
      params: { ticket: ticket.body.ticket },
    });
    providers.push(provider);
    const tracker = trackPersistence(provider, doc);
    const id = postMessage(doc, { author: ada.id, text: 'are you there?' });
    expect(localStatus(doc, tracker.durable, id)).toBe('sending');
    provider.connect();
    await waitFor('sent', () =>
      localStatus(doc, tracker.durable, id) === 'sent' ? true : undefined,
    );
    const status = async () =>
      (
        await callAs<HistoryPage>(api.app, ada, 'GET', `/api/channels/${channelId}/messages`)
      ).body.messages.find((message) => message.id === id)?.status;
    await waitFor('projected as sent', async () =>
      (await status()) === 'sent' ? true : undefined,
    );
    await open(bob, segment);
    await waitFor('delivered', async () => ((await status()) === 'delivered' ? true : undefined));
    const bobs = await open(bob, docName({ kind: 'user', userId: bob.id }));
    markRead(bobs, channelMarkerKey(channelId), id);
    await waitFor('read', async () => ((await status()) === 'read' ? true : undefined));
    // Bob sees Ada's message without a status: it is not his.
    const forBob = await callAs<HistoryPage>(
      api.app,
      bob,
      'GET',
      `/api/channels/${channelId}/messages`,
    );
    expect(forBob.body.messages[0]?.status).toBeUndefined();
  });

  it('lets readers follow and unfollow a thread; replying makes one a follower, unfollowing sticks', async () => {
    const { ada, bob, general, segment } = await team();
    const doc = await open(ada, segment);
    const root = postMessage(doc, { author: ada.id, text: 'root' });
    const path = `/api/channels/${general}/messages/${root}/follow`;
    const following = async (who: Person) =>
      (await callAs<{ following: boolean }>(api.app, who, 'GET', path)).body.following;
    await waitFor('root projected', async () =>
      (await callAs(api.app, bob, 'GET', path)).status === 200 ? true : undefined,
    );
    expect(await following(bob)).toBe(false);
    // Bob replies: the projector makes him (and the root's author) a follower.
    const thread = await open(bob, docName({ kind: 'thread', channelId: general, rootId: root }));
    postMessage(thread, { author: bob.id, text: 'first reply', parentId: root });
    await waitFor('follower', async () => ((await following(bob)) ? true : undefined));
    expect(await following(ada)).toBe(true);
    // He stops following; a later reply of his does not make him follow again.
    const put = (body: unknown) => callAs(api.app, bob, 'PUT', path, body);
    expect((await put({ following: false })).body).toEqual({ following: false });
    postMessage(thread, { author: bob.id, text: 'second reply', parentId: root });
    await waitFor('second reply projected', async () => {
      const replies = await callAs<{ replies: unknown[] }>(
        api.app,
        ada,
        'GET',
        `/api/channels/${general}/messages/${root}/replies`,
      );
      return replies.body.replies.length === 2 ? true : undefined;
    });
    expect(await following(bob)).toBe(false);
    // Bad bodies change nothing; a reply is not a thread root.
    expect((await put({ following: 'yes' })).status).toBe(400);
    expect((await put({})).status).toBe(400);
    expect(await following(bob)).toBe(false);
    const [reply] = (
      await callAs<{ replies: Array<{ id: string }> }>(
        api.app,
        ada,
        'GET',
        `/api/channels/${general}/messages/${root}/replies`,
      )
    ).body.replies;
    const onReply = await callAs(
      api.app,
      bob,
      'PUT',
      `/api/channels/${general}/messages/${reply?.id}/follow`,
      { following: true },
    );
    expect(onReply.status).toBe(400);
  });

  it('answers bad cursors with 400 and unknown messages with 404', async () => {
    const { ada, general } = await team();
    expect(
      (await callAs(api.app, ada, 'GET', `/api/channels/${general}/messages?before=nope`)).status,
    ).toBe(400);
    expect(
      (await callAs(api.app, ada, 'GET', `/api/channels/${general}/messages?limit=5000`)).status,
    ).toBe(400);
    expect(
      (
        await callAs(
          api.app,
          ada,
          'GET',
          `/api/channels/${general}/messages/01JE0000000000000000000000/versions`,
        )
      ).status,
    ).toBe(404);
    expect(
      (await callAs(api.app, ada, 'GET', `/api/channels/${general}/messages/x/replies`)).status,
    ).toBe(404);
  });
});
