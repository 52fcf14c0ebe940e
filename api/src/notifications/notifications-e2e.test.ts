import { join } from 'node:path';
import { createLogger, type Database, docName, openPostgres, schema } from '@confab/db';
import { type ClientActivity, postMessage, trackPersistence } from '@confab/db/model';
import { useServerProcesses, waitFor } from '@confab/db/testing';
import { MessageType } from '@confab/sync-server';
import { eq } from 'drizzle-orm';
import * as decoding from 'lib0/decoding';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type ApiEnv, loadApiEnv } from '../env';
import { type RunningServer, startServer } from '../server';

/**
 * Notifications the real way: the whole server (API and sync on one port), Bob's message written
 * by a stock Yjs provider, the projector queueing it in the commit of its row, the notifier
 * recording it, the inbox route serving it and Ada's own user-doc socket hearing it.
 */
const processes = useServerProcesses();
let env: ApiEnv;
let server: RunningServer;
let database: Database;
let base: string;
const providers: WebsocketProvider[] = [];

interface Person {
  id: string;
  token: string;
}
let ada: Person;
let bob: Person;
let workspaceId: string;
let channelId: string;
let mutedId: string;

async function call<T>(who: Person, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      Authorization: `Bearer ${who.token}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function signUp(name: string): Promise<Person> {
  const response = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      email: `${name}-${Date.now()}@example.com`,
      password: 'correct horse battery',
      name,
    }),
  });
  const body = (await response.json()) as { accessToken: string; user: { id: string } };
  return { id: body.user.id, token: body.accessToken };
}

/** A provider on `name` with persistence acks, as the web client opens its docs. */
async function open(who: Person, name: string, doc = new Y.Doc()) {
  const { ticket } = await call<{ ticket: string }>(who, 'POST', '/api/sync/tickets');
  const provider = new WebsocketProvider(`ws://127.0.0.1:${server.address.port}/sync`, name, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: false,
    params: { ticket },
  });
  const tracker = trackPersistence(provider, doc);
  providers.push(provider);
  return { provider, tracker, doc };
}

/** Ada's always-open socket (her user doc), collecting activity. */
async function activityOf(who: Person) {
  const heard: ClientActivity[] = [];
  const { provider } = await open(who, `user:${who.id}`);
  provider.messageHandlers[MessageType.activity] = (_e: unknown, decoder: decoding.Decoder) => {
    // Several events of one tick come as one array (sync-server PROTOCOL.md "Activity").
    const events = JSON.parse(decoding.readVarString(decoder)) as ClientActivity | ClientActivity[];
    heard.push(...(Array.isArray(events) ? events : [events]));
  };
  provider.connect();
  await waitFor('the user doc to sync', () => (provider.synced ? true : undefined));
  return heard;
}

/** Bob posts `text` in a channel through the sync server; resolves at the persisted ack. */
async function posted(channel: string, text: string) {
  const { head } = await call<{ head: number }>(bob, 'GET', `/api/channels/${channel}/segments`);
  const { provider, tracker, doc } = await open(
    bob,
    docName({ kind: 'segment', channelId: channel, index: head }),
  );
  provider.connect();
  await waitFor('the segment to sync', () => (provider.synced ? true : undefined));
  const id = postMessage(doc, { author: bob.id, text });
  await waitFor('the ack', () => (tracker.pending ? undefined : true));
  provider.destroy();
  return id;
}

interface Inbox {
  notifications: Array<{ messageId: string; reason: string; excerpt: string; read: boolean }>;
  unreadCount: number;
}
const inbox = () => call<Inbox>(ada, 'GET', `/api/workspaces/${workspaceId}/notifications`);
const recorded = async (messageId: string) =>
  database.db
    .select({ userId: schema.notifications.userId, reason: schema.notifications.reason })
    .from(schema.notifications)
    .where(eq(schema.notifications.messageId, messageId));

async function start() {
  server = await startServer(env, createLogger('silent'));
  base = `http://127.0.0.1:${server.address.port}`;
}

beforeAll(async () => {
  env = loadApiEnv(
    processes.env({
      PUBLIC_URL: 'http://127.0.0.1',
      DATA_DIR: join(processes.scratch, 'data'),
      SERVICES: 'api,sync',
    }),
  );
  await start();
  database = await openPostgres(env.DATABASE_URL ?? '');
  ada = await signUp('Ada');
  bob = await signUp('Bob');
  workspaceId = (
    await call<{ workspace: { id: string } }>(ada, 'POST', '/api/workspaces', {
      name: 'Notify',
      slug: `notify-${Date.now()}`,
    })
  ).workspace.id;
  const create = async (name: string) =>
    (
      await call<{ channel: { id: string } }>(
        ada,
        'POST',
        `/api/workspaces/${workspaceId}/channels`,
        {
          name,
        },
      )
    ).channel.id;
  channelId = await create('general-talk');
  mutedId = await create('noisy');
  await database.db
    .insert(schema.workspaceMembers)
    .values({ workspaceId, userId: bob.id, role: 'member' });
  await database.db.insert(schema.channelMembers).values([
    { channelId, userId: bob.id },
    { channelId: mutedId, userId: bob.id },
  ]);
  await call(ada, 'PUT', `/api/channels/${mutedId}/notification-preference`, {
    preference: 'all',
    muted: true,
  });
}, 60_000);
afterAll(async () => {
  for (const provider of providers) provider.destroy();
  await server?.stop();
  await database?.close();
});

describe('notifications through the sync server', () => {
  it('records a mention once, serves it in the inbox and tells Ada’s own socket', async () => {
    const heard = await activityOf(ada);
    const id = await posted(channelId, `<@${ada.id}> can you look at this?`);
    await waitFor('the notification activity', () =>
      heard.some((event) => event.kind === 'notification') ? true : undefined,
    );
    expect(await recorded(id)).toEqual([{ userId: ada.id, reason: 'mention' }]);
    const answer = await inbox();
    expect(answer.unreadCount).toBe(1);
    expect(answer.notifications).toMatchObject([
      { messageId: id, reason: 'mention', excerpt: '@Ada can you look at this?', read: false },
    ]);
    const event = heard.find((candidate) => candidate.kind === 'notification');
    expect(event).toMatchObject({
      kind: 'notification',
      channelId,
      messageId: id,
      parentId: null,
      authorId: bob.id,
      reason: 'mention',
    });
    // The message activity still says "mention" too (the badge), exactly once.
    expect(heard.filter((e) => e.kind === 'message' && e.messageId === id)).toHaveLength(1);
    expect(heard.filter((e) => e.kind === 'notification')).toHaveLength(1);
  }, 60_000);

  it('records nothing for a muted channel', async () => {
    const id = await posted(mutedId, `<@${ada.id}> in the noisy channel`);
    // A later mention elsewhere is recorded after it: the muted one was decided by then.
    const fence = await posted(channelId, `<@${ada.id}> fence`);
    await waitFor('the fence', async () => ((await recorded(fence)).length ? true : undefined));
    await waitFor('the queue drained', async () =>
      (await database.db.select().from(schema.notificationQueue)).length === 0 ? true : undefined,
    );
    expect(await recorded(id)).toEqual([]);
  }, 60_000);

  it('still records a message queued by a process that died before its notifier ran', async () => {
    await server.stop();
    // What the projector commits: the row and its queue row, with no notifier left to drain it.
    const id = ulid();
    await database.db.transaction(async (tx) => {
      await tx.insert(schema.messages).values({
        id,
        channelId,
        docName: docName({ kind: 'segment', channelId, index: 0 }),
        authorId: bob.id,
        text: `<@${ada.id}> while you were down`,
        createdAt: new Date(),
        receivedAt: new Date(),
        docSeq: 1,
      });
      await tx.insert(schema.notificationQueue).values({ messageId: id });
    });
    await start();
    await waitFor('the notifier at start', async () =>
      (await recorded(id)).length ? true : undefined,
    );
    expect(await recorded(id)).toEqual([{ userId: ada.id, reason: 'mention' }]);
  }, 60_000);
});
