import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Backends,
  createLogger,
  createRedisKeyValueStore,
  type Db,
  docName,
  schema,
  sessionKey,
} from '@confab/db';
import { postMessage, readMessages, trackPersistence } from '@confab/db/model';
import { useTestDatabase, useTestRedis, waitFor } from '@confab/db/testing';
import { openServiceBackends } from '@confab/db/testing/services';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type AttachSyncOptions, attachSync } from './attach-sync';
import { encode } from './engine/protocol';
import type { SyncLimits } from './limits';
import { issueSyncTicket } from './tickets';

/** One sync node: its own backends (sharing the test's database and Redis) and HTTP server. */
export async function startNode(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
  limits?: SyncLimits,
  extra: Partial<AttachSyncOptions> = {},
  /** Its Redis connections' name (CLIENT LIST), for a test that cuts them. */
  connectionName = 'confab-sync-test',
) {
  const backends = await openServiceBackends(databaseUrl, redisUrl, prefix, connectionName);
  const server: Server = createServer((_request, response) => response.end());
  const sync = await attachSync(server, backends, {
    allowedOrigins: ['https://chat.example.com'],
    logger: createLogger(process.env.SYNC_TEST_LOG ?? 'silent'),
    limits,
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    backends,
    sync,
    port,
    url: `ws://127.0.0.1:${port}/sync`,
    async stop() {
      await sync.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await backends.close();
    },
  };
}
export type SyncNode = Awaited<ReturnType<typeof startNode>>;

/** A workspace with a public channel (ada and bob in it) and a private one (only ada). */
export async function seedWorld(backends: Backends) {
  const db = backends.database.db;
  const people = await db
    .insert(schema.users)
    .values(
      ['ada', 'bob', 'eve'].map((name) => ({ email: `${name}-${randomUUID()}@example.com`, name })),
    )
    .returning();
  const [ada, bob, eve] = people.map((user) => user.id) as [string, string, string];
  const [workspace] = await db
    .insert(schema.workspaces)
    .values({ name: 'W', slug: `w-${randomUUID()}` })
    .returning();
  if (!workspace) throw new Error('no workspace');
  await db.insert(schema.workspaceMembers).values([
    { workspaceId: workspace.id, userId: ada, role: 'owner' },
    { workspaceId: workspace.id, userId: bob, role: 'member' },
    { workspaceId: workspace.id, userId: eve, role: 'member' },
  ]);
  const [pub, priv] = await db
    .insert(schema.channels)
    .values([
      { workspaceId: workspace.id, kind: 'public' as const, name: 'public' },
      { workspaceId: workspace.id, kind: 'private' as const, name: 'private' },
    ])
    .returning();
  if (!pub || !priv) throw new Error('no channels');
  await db.insert(schema.channelMembers).values([
    { channelId: pub.id, userId: ada },
    { channelId: pub.id, userId: bob },
    { channelId: priv.id, userId: ada },
  ]);
  return {
    users: { ada, bob, eve },
    workspaceId: workspace.id,
    publicDoc: docName({ kind: 'segment', channelId: pub.id, index: 0 }),
    publicSegment: (index: number) => docName({ kind: 'segment', channelId: pub.id, index }),
    privateDoc: docName({ kind: 'segment', channelId: priv.id, index: 0 }),
  };
}

/** A sync ticket for a session of `userId` (the API issues these; the test stands in for it). */
/** A channel of the world's workspace with these members; returns its id and head segment doc. */
export async function addChannel(
  db: Db,
  world: SyncWorld,
  channel: Omit<typeof schema.channels.$inferInsert, 'workspaceId'>,
  members: readonly string[],
) {
  const [row] = await db
    .insert(schema.channels)
    .values({ ...channel, workspaceId: world.workspaceId })
    .returning({ id: schema.channels.id });
  if (!row) throw new Error('no channel');
  if (members.length)
    await db
      .insert(schema.channelMembers)
      .values(members.map((userId) => ({ channelId: row.id, userId })));
  return { channelId: row.id, doc: docName({ kind: 'segment', channelId: row.id, index: 0 }) };
}

/** The code of the provider's next socket close. */
export const nextCloseCode = (provider: WebsocketProvider) =>
  new Promise<number>((resolve) =>
    provider.once('connection-close', (event) =>
      resolve((event as { code: number } | null)?.code ?? 0),
    ),
  );

export async function ticketFor(
  backends: Backends,
  userId: string,
  sessionId = `session-${userId}`,
) {
  // A live session behind the ticket, as the API keeps one (its content is the API's business).
  await backends.kv.set(sessionKey(sessionId), JSON.stringify({ id: sessionId, userId }));
  return (await issueSyncTicket(backends.kv, { userId, sessionId })).ticket;
}

/**
 * The stock y-websocket provider, as a browser would use it: a fresh ticket before every
 * (re)connect, since tickets are single use. BroadcastChannel off, so only the server syncs.
 */
export async function connectProvider(
  node: SyncNode,
  userId: string,
  name: string,
  {
    doc = new Y.Doc(),
    url = node.url,
    track = false,
  }: { doc?: Y.Doc; url?: string; track?: boolean } = {},
) {
  const provider = new WebsocketProvider(url, name, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: false,
    params: { ticket: await ticketFor(node.backends, userId) },
  });
  // The tracker must be attached before the first connect: it asks for acks in the URL.
  const tracker = track ? trackPersistence(provider, doc) : null;
  provider.on('connection-close', () => {
    ticketFor(node.backends, userId).then(
      (ticket) => {
        provider.params = { ...provider.params, ticket };
      },
      // The node is shutting down: no ticket, and no reconnect to use it.
      () => {},
    );
  });
  provider.connect();
  return { provider, doc, tracker };
}

/** A Yjs update (v1) in which each of `count` client ids writes one map entry: hostile past 256. */
export function updateNamingClients(count: number): Uint8Array {
  return encode((e) => {
    encoding.writeVarUint(e, count);
    for (let c = 0; c < count; c++) {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, c + 1);
      encoding.writeVarUint(e, 0);
      encoding.writeUint8(e, 4);
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, `k${c}`);
      encoding.writeVarString(e, 'x');
    }
    encoding.writeVarUint(e, 0);
  });
}

/** Posts a message as `author` through the model's writer, the only way clients write. */
export const say = (doc: Y.Doc, author: string, text: string) => postMessage(doc, { author, text });

/** The texts of a doc's messages, oldest first. */
export const texts = (doc: Y.Doc) => readMessages(doc).map((message) => message.text);

export type SyncWorld = Awaited<ReturnType<typeof seedWorld>>;

/**
 * The usual setup of a sync test file: its own database and Redis prefix, one node, the seeded
 * world, and `open` for synced stock providers that are destroyed after the file's tests.
 */
export function useSyncWorld(
  limits?: SyncLimits,
  extra: Partial<AttachSyncOptions> = {},
  /** More than one: nodes joined by Redis, as in a deployment of several processes. */
  nodeCount = 1,
) {
  const testDb = useTestDatabase();
  const testRedis = useTestRedis();
  const nodes: SyncNode[] = [];
  let world: SyncWorld | undefined;
  const providers: WebsocketProvider[] = [];
  beforeAll(async () => {
    for (let n = 0; n < nodeCount; n++)
      nodes.push(await startNode(testDb.url, testRedis.url, testRedis.prefix, limits, extra));
    world = await seedWorld((nodes[0] as SyncNode).backends);
  });
  afterAll(async () => {
    for (const provider of providers) provider.destroy();
    for (const node of nodes) await node.stop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useSyncWorld: use it inside a test or hook');
    return value;
  };
  return {
    testDb,
    testRedis,
    get node() {
      return ready(nodes[0]);
    },
    /** Every node (`addNode` adds one, stopped with the others). */
    nodes,
    /**
     * Starts one more node. On a `prefix` of its own it never hears the others' fan-out (the
     * widest window between a commit on one node and its arrival on another); `cutBus` kills its
     * Redis subscriber connection.
     */
    async addNode(prefix = testRedis.prefix) {
      const connectionName = `confab-sync-test-${randomUUID()}`;
      const node = await startNode(
        testDb.url,
        testRedis.url,
        prefix,
        limits,
        extra,
        connectionName,
      );
      nodes.push(node);
      return { ...node, cutBus: () => cutBus(testRedis.url, connectionName) };
    },
    get world() {
      return ready(world);
    },
    /** A stock provider of `userId` on doc `name`, once it has synced. */
    async open(
      userId: string,
      name: string,
      on: SyncNode = ready(nodes[0]),
      options: { track?: boolean } = {},
    ) {
      const connected = await connectProvider(on, userId, name, options);
      providers.push(connected.provider);
      await waitFor('sync', () => (connected.provider.synced ? true : undefined));
      return connected;
    },
  };
}

/** A doc rebuilt from everything the log holds for `name`. */
export async function storedDoc(db: Db, name: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const rows = await db
    .select({ update: schema.docUpdates.update })
    .from(schema.docUpdates)
    .where(eq(schema.docUpdates.docName, name));
  for (const row of rows) Y.applyUpdate(doc, row.update);
  return doc;
}

/**
 * Kills the Redis subscriber connection of the node whose connections carry this name, as a
 * network blip would: ioredis connects and subscribes again, and what was published meanwhile
 * is lost.
 */
async function cutBus(redisUrl: string, connectionName: string): Promise<void> {
  const admin = new Redis(redisUrl);
  try {
    const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const line = clients.split('\n').find((entry) => entry.includes(` name=${connectionName} `));
    const clientId = line?.match(/\bid=(\d+)/)?.[1];
    if (!clientId) throw new Error(`no subscriber named ${connectionName}`);
    await admin.call('CLIENT', 'KILL', 'ID', clientId);
  } finally {
    admin.disconnect();
  }
}

/**
 * `count` stock providers of one user on one doc, for tests that kill the server under them:
 * the user's session lives in Redis (the API would keep it), and each closed socket fetches a
 * fresh ticket for the next reconnect. Not connected yet: the caller adds its listeners first.
 */
export async function reconnectingClients(options: {
  redis: Redis;
  kvPrefix: string;
  port: number;
  userId: string;
  sessionId: string;
  docName: string;
  count: number;
}) {
  const { userId, sessionId } = options;
  const kv = createRedisKeyValueStore(options.redis, options.kvPrefix);
  await kv.set(sessionKey(sessionId), JSON.stringify({ id: sessionId, userId }));
  const ticket = async () => (await issueSyncTicket(kv, { userId, sessionId })).ticket;
  return Promise.all(
    Array.from({ length: options.count }, async () => {
      const doc = new Y.Doc();
      const url = `ws://127.0.0.1:${options.port}/sync`;
      const provider = new WebsocketProvider(url, options.docName, doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        connect: false,
        maxBackoffTime: 300,
        params: { ticket: await ticket() },
      });
      const tracker = trackPersistence(provider, doc);
      provider.on('connection-close', () => {
        void ticket().then((fresh) => {
          provider.params = { ...provider.params, ticket: fresh };
        });
      });
      return { doc, provider, tracker };
    }),
  );
}
