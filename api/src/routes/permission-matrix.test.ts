import { randomUUID } from 'node:crypto';
import { type Backends, docName, Policy, schema } from '@confab/db';
import { useTestDatabase, useTestRedis } from '@confab/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileUrlSigner } from '../files/url-signer';
import { createTestApp, jsonRequest, openTestBackends } from './auth/test-app';

/**
 * Every route and every sync doc kind, against every kind of actor. Each cell runs on a world of
 * its own, so a cell that changes something cannot change the next one's answer.
 */
const testDb = useTestDatabase();
const testRedis = useTestRedis();
let backends: Backends;
let harness: Awaited<ReturnType<typeof createTestApp>>;
let policy: Policy;
/** The installation's URL signer, to sign URLs for any user (as if handed one earlier). */
let signer: FileUrlSigner;

const ACTORS = [
  'outsider',
  'nonMember',
  'guest',
  'member',
  'channelAdmin',
  'workspaceAdmin',
  'owner',
] as const;
type Actor = (typeof ACTORS)[number];
const people = [...ACTORS, 'target', 'extra'] as const;
type Person = (typeof people)[number];
const ids = {} as Record<Person, string>;
const tokens = {} as Record<Person, string>;

beforeAll(async () => {
  backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
  harness = await createTestApp(backends, { redisKeyPrefix: testRedis.prefix });
  policy = new Policy(backends.database.db);
  signer = await FileUrlSigner.open(backends.database.db);
  for (const person of people) {
    const [user] = await backends.database.db
      .insert(schema.users)
      .values({ email: `${person}-${randomUUID()}@example.com`, name: person })
      .returning();
    if (!user) throw new Error('no user');
    ids[person] = user.id;
    const { session } = await harness.auth.sessions.create(user.id, {
      device: 'test',
      ip: '127.0.0.1',
    });
    tokens[person] = (
      await harness.auth.tokens.issue({ userId: user.id, sessionId: session.id })
    ).token;
  }
});
afterAll(() => backends.close());

interface World {
  workspace: string;
  /** Public channel: guest, member, channelAdmin (admin) and target are members. */
  publicChannel: string;
  /** Public channel the guest was not added to. */
  otherPublic: string;
  /** Private channel: guest, member, channelAdmin (admin) and target are members. */
  privateChannel: string;
  /** An open link invitation to W. */
  invitation: string;
  /** A message by the target in the public channel. */
  message: string;
}

/** Workspace W (owner, admin, members, guest, target, extra) and W2 (outsider only). */
async function buildWorld(): Promise<World> {
  const db = backends.database.db;
  const [w, w2] = await db
    .insert(schema.workspaces)
    .values([
      { name: 'W', slug: `w-${randomUUID()}` },
      { name: 'W2', slug: `w2-${randomUUID()}` },
    ])
    .returning();
  if (!w || !w2) throw new Error('no workspace');
  const roles: Array<[Person, 'owner' | 'admin' | 'member' | 'guest']> = [
    ['owner', 'owner'],
    ['workspaceAdmin', 'admin'],
    ['nonMember', 'member'],
    ['member', 'member'],
    ['channelAdmin', 'member'],
    ['guest', 'guest'],
    ['target', 'member'],
    ['extra', 'member'],
  ];
  await db
    .insert(schema.workspaceMembers)
    .values([
      ...roles.map(([person, role]) => ({ workspaceId: w.id, userId: ids[person], role })),
      { workspaceId: w2.id, userId: ids.outsider, role: 'owner' as const },
    ]);
  const [pub, other, priv] = await db
    .insert(schema.channels)
    .values([
      { workspaceId: w.id, kind: 'public' as const, name: 'public' },
      { workspaceId: w.id, kind: 'public' as const, name: 'other' },
      { workspaceId: w.id, kind: 'private' as const, name: 'private' },
    ])
    .returning();
  if (!pub || !other || !priv) throw new Error('no channels');
  const cast: Array<[Person, 'admin' | 'member']> = [
    ['guest', 'member'],
    ['member', 'member'],
    ['channelAdmin', 'admin'],
    ['target', 'member'],
  ];
  await db
    .insert(schema.channelMembers)
    .values(
      [pub, priv].flatMap((channel) =>
        cast.map(([person, role]) => ({ channelId: channel.id, userId: ids[person], role })),
      ),
    );
  const [invitation] = await db
    .insert(schema.invitations)
    .values({
      workspaceId: w.id,
      tokenHash: randomUUID(),
      expiresAt: new Date(Date.now() + 3_600_000),
      invitedBy: ids.owner,
    })
    .returning();
  if (!invitation) throw new Error('no invitation');
  // A projected message of the target's in the public channel, for its edit history.
  const message = `01JE${randomUUID().replace(/-/g, '').slice(0, 22).toUpperCase()}`; // hex is Crockford base32 too
  await db.insert(schema.messages).values({
    id: message,
    channelId: pub.id,
    docName: docName({ kind: 'segment', channelId: pub.id, index: 0 }),
    authorId: ids.target,
    text: 'hello',
    createdAt: new Date(),
    receivedAt: new Date(),
    docSeq: 1,
  });
  return {
    message,
    workspace: w.id,
    publicChannel: pub.id,
    otherPublic: other.id,
    privateChannel: priv.id,
    invitation: invitation.id,
  };
}

type Expected = Record<Actor, number>;
const row = (...statuses: number[]): Expected =>
  Object.fromEntries(ACTORS.map((actor, index) => [actor, statuses[index] ?? 0])) as Expected;

interface Route {
  name: string;
  request: (world: World) => { method: string; path: string; body?: unknown };
  expected: Expected;
}

const get = (path: string) => ({ method: 'GET', path });
const send = (method: string, path: string, body?: unknown) => ({ method, path, body });

//                                    outsider nonMember guest member chAdmin wsAdmin owner
const routes: Route[] = [
  // Public channel
  {
    name: 'view a public channel',
    request: (w) => get(`/api/channels/${w.publicChannel}`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'view a public channel the guest is not in',
    request: (w) => get(`/api/channels/${w.otherPublic}`),
    expected: row(404, 200, 404, 200, 200, 200, 200),
  },
  {
    name: 'rename a public channel',
    request: (w) => send('PATCH', `/api/channels/${w.publicChannel}`, { name: 'renamed' }),
    expected: row(404, 403, 403, 403, 200, 200, 200),
  },
  {
    name: 'set a public channel’s topic',
    request: (w) => send('PATCH', `/api/channels/${w.publicChannel}`, { topic: 'hi' }),
    expected: row(404, 403, 403, 200, 200, 200, 200),
  },
  {
    name: 'make a public channel announcement-only',
    request: (w) => send('PATCH', `/api/channels/${w.publicChannel}`, { postingPolicy: 'admins' }),
    expected: row(404, 403, 403, 403, 200, 200, 200),
  },
  {
    name: 'archive a public channel',
    request: (w) => send('POST', `/api/channels/${w.publicChannel}/archive`),
    expected: row(404, 403, 403, 403, 204, 204, 204),
  },
  {
    name: 'join a public channel the guest is not in',
    request: (w) => send('POST', `/api/channels/${w.otherPublic}/join`),
    expected: row(404, 204, 404, 204, 204, 204, 204),
  },
  {
    name: 'leave a public channel',
    request: (w) => send('POST', `/api/channels/${w.publicChannel}/leave`),
    expected: row(404, 403, 204, 204, 204, 403, 403),
  },
  {
    name: 'read a public channel’s history',
    request: (w) => get(`/api/channels/${w.publicChannel}/messages`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'read a private channel’s history',
    request: (w) => get(`/api/channels/${w.privateChannel}/messages`),
    expected: row(404, 404, 200, 200, 200, 404, 404),
  },
  {
    name: 'find a private channel’s segments',
    request: (w) => get(`/api/channels/${w.privateChannel}/segments`),
    expected: row(404, 404, 200, 200, 200, 404, 404),
  },
  {
    name: 'follow a thread in a public channel',
    request: (w) =>
      send('PUT', `/api/channels/${w.publicChannel}/messages/${w.message}/follow`, {
        following: true,
      }),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'see earlier versions of someone else’s message',
    request: (w) => get(`/api/channels/${w.publicChannel}/messages/${w.message}/versions`),
    expected: row(404, 403, 403, 403, 200, 200, 200),
  },
  {
    name: 'read my unread counts',
    request: (w) => get(`/api/workspaces/${w.workspace}/unread`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'list a public channel’s members',
    request: (w) => get(`/api/channels/${w.publicChannel}/members`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'add someone to a public channel',
    request: (w) =>
      send('POST', `/api/channels/${w.publicChannel}/members`, { userIds: [ids.extra] }),
    expected: row(404, 403, 403, 200, 200, 200, 200),
  },
  {
    name: 'remove someone from a public channel',
    request: (w) => send('DELETE', `/api/channels/${w.publicChannel}/members/${ids.target}`),
    expected: row(404, 403, 403, 403, 204, 204, 204),
  },
  {
    name: 'make someone a public channel’s admin',
    request: (w) =>
      send('PATCH', `/api/channels/${w.publicChannel}/members/${ids.target}`, { role: 'admin' }),
    expected: row(404, 403, 403, 403, 200, 200, 200),
  },
  // Private channel: invisible (404) to everyone not in it, workspace admins included
  {
    name: 'view a private channel',
    request: (w) => get(`/api/channels/${w.privateChannel}`),
    expected: row(404, 404, 200, 200, 200, 404, 404),
  },
  {
    name: 'rename a private channel',
    request: (w) => send('PATCH', `/api/channels/${w.privateChannel}`, { name: 'renamed' }),
    expected: row(404, 404, 403, 403, 200, 404, 404),
  },
  {
    name: 'set a private channel’s topic',
    request: (w) => send('PATCH', `/api/channels/${w.privateChannel}`, { topic: 'hi' }),
    expected: row(404, 404, 403, 200, 200, 404, 404),
  },
  {
    name: 'archive a private channel',
    request: (w) => send('POST', `/api/channels/${w.privateChannel}/archive`),
    expected: row(404, 404, 403, 403, 204, 404, 404),
  },
  {
    name: 'join a private channel',
    request: (w) => send('POST', `/api/channels/${w.privateChannel}/join`),
    expected: row(404, 404, 204, 204, 204, 404, 404),
  },
  {
    name: 'leave a private channel',
    request: (w) => send('POST', `/api/channels/${w.privateChannel}/leave`),
    expected: row(404, 404, 204, 204, 204, 404, 404),
  },
  {
    name: 'list a private channel’s members',
    request: (w) => get(`/api/channels/${w.privateChannel}/members`),
    expected: row(404, 404, 200, 200, 200, 404, 404),
  },
  {
    name: 'add someone to a private channel',
    request: (w) =>
      send('POST', `/api/channels/${w.privateChannel}/members`, { userIds: [ids.extra] }),
    expected: row(404, 404, 403, 403, 200, 404, 404),
  },
  {
    name: 'remove someone from a private channel',
    request: (w) => send('DELETE', `/api/channels/${w.privateChannel}/members/${ids.target}`),
    expected: row(404, 404, 403, 403, 204, 404, 404),
  },
  {
    name: 'make someone a private channel’s admin',
    request: (w) =>
      send('PATCH', `/api/channels/${w.privateChannel}/members/${ids.target}`, { role: 'admin' }),
    expected: row(404, 404, 403, 403, 200, 404, 404),
  },
  // Workspace
  {
    name: 'view the workspace',
    request: (w) => get(`/api/workspaces/${w.workspace}`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'rename the workspace',
    request: (w) => send('PATCH', `/api/workspaces/${w.workspace}`, { name: 'New name' }),
    expected: row(404, 403, 403, 403, 403, 200, 200),
  },
  {
    name: 'list the workspace’s members',
    request: (w) => get(`/api/workspaces/${w.workspace}/members`),
    expected: row(404, 200, 403, 200, 200, 200, 200),
  },
  {
    name: 'make a member a guest',
    request: (w) =>
      send('PATCH', `/api/workspaces/${w.workspace}/members/${ids.target}`, { role: 'guest' }),
    expected: row(404, 403, 403, 403, 403, 200, 200),
  },
  {
    name: 'make a member an admin',
    request: (w) =>
      send('PATCH', `/api/workspaces/${w.workspace}/members/${ids.target}`, { role: 'admin' }),
    expected: row(404, 403, 403, 403, 403, 403, 200),
  },
  {
    name: 'remove a member from the workspace',
    request: (w) => send('DELETE', `/api/workspaces/${w.workspace}/members/${ids.target}`),
    expected: row(404, 403, 403, 403, 403, 204, 204),
  },
  {
    name: 'transfer ownership',
    request: (w) =>
      send('POST', `/api/workspaces/${w.workspace}/transfer-ownership`, { userId: ids.target }),
    expected: row(404, 403, 403, 403, 403, 403, 204),
  },
  {
    name: 'read the audit log',
    request: (w) => get(`/api/workspaces/${w.workspace}/audit`),
    expected: row(404, 403, 403, 403, 403, 200, 200),
  },
  {
    name: 'create a channel',
    request: (w) =>
      send('POST', `/api/workspaces/${w.workspace}/channels`, { name: 'new-channel' }),
    expected: row(404, 201, 403, 201, 201, 201, 201),
  },
  {
    name: 'list my channels',
    request: (w) => get(`/api/workspaces/${w.workspace}/channels`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'browse public channels',
    request: (w) => get(`/api/workspaces/${w.workspace}/channels/browse`),
    expected: row(404, 200, 403, 200, 200, 200, 200),
  },
  {
    name: 'invite people by link',
    request: (w) => send('POST', `/api/workspaces/${w.workspace}/invitations`, {}),
    expected: row(404, 403, 403, 403, 403, 201, 201),
  },
  {
    name: 'invite an admin',
    request: (w) => send('POST', `/api/workspaces/${w.workspace}/invitations`, { role: 'admin' }),
    expected: row(404, 403, 403, 403, 403, 403, 201),
  },
  {
    name: 'list invitations',
    request: (w) => get(`/api/workspaces/${w.workspace}/invitations`),
    expected: row(404, 403, 403, 403, 403, 200, 200),
  },
  {
    name: 'revoke an invitation',
    request: (w) => send('DELETE', `/api/workspaces/${w.workspace}/invitations/${w.invitation}`),
    expected: row(404, 403, 403, 403, 403, 204, 204),
  },
  {
    name: 'open a DM',
    request: (w) => send('POST', `/api/workspaces/${w.workspace}/dms`, { userIds: [ids.target] }),
    expected: row(404, 201, 201, 201, 201, 201, 201),
  },
  {
    name: 'search the workspace',
    request: (w) => get(`/api/workspaces/${w.workspace}/search?q=hello`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'complete a channel name in a search',
    request: (w) => get(`/api/workspaces/${w.workspace}/search/suggest?kind=channel`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  // Notifications: a preference is a member's own; admins outside the channel have none.
  {
    name: 'read my notification preference in a public channel',
    request: (w) => get(`/api/channels/${w.publicChannel}/notification-preference`),
    expected: row(404, 404, 200, 200, 200, 404, 404),
  },
  {
    name: 'set my notification preference in a private channel',
    request: (w) =>
      send('PUT', `/api/channels/${w.privateChannel}/notification-preference`, {
        preference: 'all',
        muted: true,
      }),
    expected: row(404, 404, 200, 200, 200, 404, 404),
  },
  {
    name: 'read my notifications in the workspace',
    request: (w) => get(`/api/workspaces/${w.workspace}/notifications`),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
  {
    name: 'mark my notifications in the workspace read',
    request: (w) =>
      send('POST', `/api/workspaces/${w.workspace}/notifications/read`, { all: true }),
    expected: row(404, 200, 200, 200, 200, 200, 200),
  },
];

describe('permission matrix: routes', () => {
  for (const route of routes) {
    describe(route.name, () => {
      it.each(ACTORS)('as %s', async (actor) => {
        const world = await buildWorld();
        const { method, path, body } = route.request(world);
        const init =
          body === undefined
            ? { method, headers: {} as Record<string, string> }
            : jsonRequest(body);
        init.method = method;
        init.headers = {
          ...(init.headers as Record<string, string>),
          Authorization: `Bearer ${tokens[actor]}`,
        };
        const response = await harness.app.request(path, init);
        expect(response.status).toBe(route.expected[actor]);
      });
    });
  }
});

// Files: every file route against every actor, for a file of the public channel, the private
// channel, a DM (member and target) and a public channel the guest is not in. The target uploaded
// the first three; `extra` the last. Cells that must not leak answer as if the file did not exist.

interface FileWorld extends World {
  /** A DM of the member and the target. */
  dm: string;
  files: Record<FilePlace, string>;
}
const FILE_PLACES = ['public', 'private', 'dm', 'otherPublic'] as const;
type FilePlace = (typeof FILE_PLACES)[number];
const VARIANTS = ['original', 'thumb-small', 'thumb-large', 'preview'] as const;

/** Who may read a file of each place (the channel's readers), by actor. */
const readers: Record<FilePlace, readonly Actor[]> = {
  public: ['nonMember', 'guest', 'member', 'channelAdmin', 'workspaceAdmin', 'owner'],
  private: ['guest', 'member', 'channelAdmin'],
  dm: ['member'],
  otherPublic: ['nonMember', 'member', 'channelAdmin', 'workspaceAdmin', 'owner'],
};
/** The same as statuses: what a reader gets, and 404 for everyone else. */
const readable = (place: FilePlace, ok: number): Expected =>
  Object.fromEntries(
    ACTORS.map((actor) => [actor, readers[place].includes(actor) ? ok : 404]),
  ) as Expected;

/** A promoted file with every variant in the blob store, attached to a message of its channel. */
async function storedFile(world: World, channelId: string, uploader: Person): Promise<string> {
  const id = randomUUID();
  const derived = {
    thumbSmall: `derived/${id}/thumb-small.webp`,
    thumbLarge: `derived/${id}/thumb-large.webp`,
    preview: `derived/${id}/preview.webp`,
  };
  const bytes = new TextEncoder().encode('hello\n');
  await backends.blobs.put(`files/${id}`, bytes, { contentType: 'text/plain' });
  for (const key of Object.values(derived))
    await backends.blobs.put(key, bytes, { contentType: 'image/webp' });
  await backends.database.db.insert(schema.files).values({
    id,
    workspaceId: world.workspace,
    channelId,
    uploaderId: ids[uploader],
    storageKey: `files/${id}`,
    name: 'notes.txt',
    declaredType: 'text/plain',
    contentType: 'text/plain',
    kind: 'text',
    byteSize: bytes.byteLength,
    sha256: '0'.repeat(64),
    status: 'ready',
    processing: 'done',
    derived,
    messageId: `01JE${randomUUID().replace(/-/g, '').slice(0, 22).toUpperCase()}`,
  });
  return id;
}

async function buildFileWorld(): Promise<FileWorld> {
  const world = await buildWorld();
  const db = backends.database.db;
  const members = [ids.member, ids.target].sort();
  const [dm] = await db
    .insert(schema.channels)
    .values({ workspaceId: world.workspace, kind: 'dm' as const, dmKey: members.join(',') })
    .returning();
  if (!dm) throw new Error('no DM');
  await db
    .insert(schema.channelMembers)
    .values(members.map((userId) => ({ channelId: dm.id, userId })));
  await db
    .insert(schema.channelMembers)
    .values({ channelId: world.otherPublic, userId: ids.extra });
  const files = {
    public: await storedFile(world, world.publicChannel, 'target'),
    private: await storedFile(world, world.privateChannel, 'target'),
    dm: await storedFile(world, dm.id, 'target'),
    otherPublic: await storedFile(world, world.otherPublic, 'extra'),
  };
  return { ...world, dm: dm.id, files };
}

const channelOf = (world: FileWorld, place: FilePlace) =>
  ({
    public: world.publicChannel,
    private: world.privateChannel,
    dm: world.dm,
    otherPublic: world.otherPublic,
  })[place];

/** A request as `actor`, its bearer token unless `anonymous` (the content route needs none). */
async function call(
  actor: Person,
  method: string,
  path: string,
  { body, type, anonymous }: { body?: Uint8Array; type?: string; anonymous?: boolean } = {},
) {
  const headers: Record<string, string> = {};
  if (!anonymous) headers.Authorization = `Bearer ${tokens[actor]}`;
  if (type) headers['Content-Type'] = type;
  return harness.app.request(path, { method, headers, body });
}

interface FileRoute {
  name: string;
  run: (world: FileWorld, actor: Actor) => Promise<Response>;
  expected: Expected;
  /** What a successful answer must hold besides its status. */
  check?: (response: Response, world: FileWorld, actor: Actor) => Promise<void>;
}

interface FileInfoBody {
  id: string;
  deleted: boolean;
  urls: Record<'original' | 'thumbSmall' | 'thumbLarge' | 'preview', string | null>;
}

/** Every URL of a FileInfo is signed for its viewer, and for no one else. */
function expectUrlsFor(file: FileInfoBody, userId: string) {
  for (const url of Object.values(file.urls)) {
    expect(url).toBeTruthy();
    expect(new URL(url ?? '', 'http://x').searchParams.get('u')).toBe(userId);
  }
}

const signedUrl = (fileId: string, variant: string, userId: string, exp = signer.expiry()) =>
  signer.url({ fileId, variant, userId, exp });

//                                    outsider nonMember guest member chAdmin wsAdmin owner
const fileRoutes: FileRoute[] = FILE_PLACES.flatMap((place): FileRoute[] => [
  {
    name: `upload a file to the ${place} channel`,
    run: (w, actor) =>
      call(actor, 'POST', `/api/channels/${channelOf(w, place)}/files?name=a.txt`, {
        body: new TextEncoder().encode('some text\n'),
        type: 'text/plain',
      }),
    expected: {
      public: row(404, 403, 201, 201, 201, 403, 403),
      private: row(404, 404, 201, 201, 201, 404, 404),
      dm: row(404, 404, 404, 201, 404, 404, 404),
      otherPublic: row(404, 403, 404, 403, 403, 403, 403),
    }[place],
  },
  {
    name: `see a file of the ${place} channel`,
    run: (w, actor) => call(actor, 'GET', `/api/files/${w.files[place]}`),
    expected: readable(place, 200),
    check: async (response, w, actor) => {
      const { file } = (await response.json()) as { file: FileInfoBody };
      expect(file.id).toBe(w.files[place]);
      expectUrlsFor(file, ids[actor]);
    },
  },
  {
    name: `list the ${place} channel’s files`,
    run: (w, actor) => call(actor, 'GET', `/api/channels/${channelOf(w, place)}/files`),
    expected: readable(place, 200),
    check: async (response, w, actor) => {
      const { files } = (await response.json()) as { files: FileInfoBody[] };
      expect(files.map((file) => file.id)).toEqual([w.files[place]]);
      for (const file of files) expectUrlsFor(file, ids[actor]);
    },
  },
  {
    name: `delete the target’s file of the ${place} channel`,
    run: (w, actor) => call(actor, 'DELETE', `/api/files/${w.files[place]}`),
    // The uploader or an admin of the workspace or of the file's channel, among those who can
    // see the file at all (a private channel stays invisible to workspace admins outside it).
    expected: Object.fromEntries(
      ACTORS.map((actor) => [
        actor,
        !readers[place].includes(actor)
          ? 404
          : actor === 'workspaceAdmin' ||
              actor === 'owner' ||
              (actor === 'channelAdmin' && (place === 'public' || place === 'private'))
            ? 204
            : 403,
      ]),
    ) as Expected,
  },
  ...VARIANTS.map((variant) => ({
    name: `fetch the ${variant} of a file of the ${place} channel with a URL signed for oneself`,
    run: (w: FileWorld, actor: Actor) =>
      call(actor, 'GET', signedUrl(w.files[place], variant, ids[actor]), { anonymous: true }),
    expected: readable(place, 200),
    check: async (response: Response) => {
      expect(await response.text()).toBe('hello\n');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    },
  })),
]);

describe('permission matrix: files', () => {
  for (const route of fileRoutes) {
    describe(route.name, () => {
      it.each(ACTORS)('as %s', async (actor) => {
        const world = await buildFileWorld();
        const response = await route.run(world, actor);
        expect(response.status).toBe(route.expected[actor]);
        if (response.ok && route.check) await route.check(response, world, actor);
      });
    });
  }

  it.each(ACTORS)('lists by ids only the files one may read, as %s', async (actor) => {
    const world = await buildFileWorld();
    const all = FILE_PLACES.map((place) => world.files[place]);
    const response = await call(actor, 'GET', `/api/files?ids=${[...all, randomUUID()].join(',')}`);
    expect(response.status).toBe(200);
    const { files } = (await response.json()) as { files: FileInfoBody[] };
    const expected = FILE_PLACES.filter((place) => readers[place].includes(actor));
    expect(files.map((file) => file.id).sort()).toEqual(
      expected.map((place) => world.files[place]).sort(),
    );
    for (const file of files) expectUrlsFor(file, ids[actor]);
  });

  it('refuses a URL whose user, variant, expiry or signature was changed (403), and serves no unknown file', async () => {
    const world = await buildFileWorld();
    const fileId = world.files.public;
    const good = new URL(signedUrl(fileId, 'original', ids.member), 'http://x');
    const fetchUrl = (url: URL) =>
      call('member', 'GET', `${url.pathname}${url.search}`, {
        anonymous: true,
      });
    expect((await fetchUrl(good)).status).toBe(200);
    const tampered = (edit: (url: URL) => void) => {
      const url = new URL(good);
      edit(url);
      return url;
    };
    const cases = {
      'another user': tampered((url) => url.searchParams.set('u', ids.guest)),
      'another variant': tampered((url) => {
        url.pathname = url.pathname.replace('/original', '/preview');
      }),
      'a later expiry': tampered((url) =>
        url.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 60)),
      ),
      'a changed signature': tampered((url) =>
        url.searchParams.set('sig', `${url.searchParams.get('sig')?.slice(0, -2)}AA`),
      ),
      'no signature': tampered((url) => url.searchParams.delete('sig')),
      expired: new URL(
        signedUrl(fileId, 'original', ids.member, Math.floor(Date.now() / 1000) - 1),
        'http://x',
      ),
    };
    for (const [what, url] of Object.entries(cases))
      expect((await fetchUrl(url)).status, what).toBe(403);
    const unknown = new URL(signedUrl(randomUUID(), 'original', ids.member), 'http://x');
    expect((await fetchUrl(unknown)).status).toBe(404);
  });

  it('lets the uploader delete their file; then nobody gets its bytes, its info says deleted', async () => {
    const world = await buildFileWorld();
    const fileId = world.files.private;
    const url = signedUrl(fileId, 'original', ids.member);
    expect((await call('target', 'DELETE', `/api/files/${fileId}`)).status).toBe(204);
    expect((await call('member', 'GET', url, { anonymous: true })).status).toBe(404);
    for (const variant of VARIANTS) {
      const own = signedUrl(fileId, variant, ids.target);
      expect((await call('target', 'GET', own, { anonymous: true })).status, variant).toBe(404);
    }
    const response = await call('member', 'GET', `/api/files/${fileId}`);
    expect(response.status).toBe(200);
    const { file } = (await response.json()) as { file: FileInfoBody };
    expect(file).toMatchObject({
      deleted: true,
      urls: { original: '', thumbSmall: null, thumbLarge: null, preview: null },
    });
  });

  it('keeps an archived channel’s files readable to its readers, and takes no uploads there', async () => {
    const world = await buildFileWorld();
    expect(
      (await call('owner', 'POST', `/api/channels/${world.publicChannel}/archive`)).status,
    ).toBe(204);
    for (const actor of ['guest', 'member', 'channelAdmin'] as const) {
      const upload = await call(
        actor,
        'POST',
        `/api/channels/${world.publicChannel}/files?name=a.txt`,
        {
          body: new TextEncoder().encode('late\n'),
          type: 'text/plain',
        },
      );
      expect(upload.status, actor).toBe(403);
      const url = signedUrl(world.files.public, 'original', ids[actor]);
      expect((await call(actor, 'GET', url, { anonymous: true })).status, actor).toBe(200);
    }
  });

  // A signed URL lives FILE_URL_LIFETIME_SECONDS (10 minutes, rounded up to the next minute); the
  // content route asks again on every request whether its user may still read the file.
  it('stops a removed member’s still-valid URL at once: removed from the channel, or from the workspace', async () => {
    const world = await buildFileWorld();
    const info = async (actor: Person, fileId: string) => {
      const response = await call(actor, 'GET', `/api/files/${fileId}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { file: FileInfoBody }).file;
    };
    const privateUrls = (await info('member', world.files.private)).urls;
    const publicUrls = (await info('member', world.files.public)).urls;
    for (const url of Object.values(privateUrls))
      expect((await call('member', 'GET', url ?? '', { anonymous: true })).status).toBe(200);

    const removal = await call(
      'channelAdmin',
      'DELETE',
      `/api/channels/${world.privateChannel}/members/${ids.member}`,
    );
    expect(removal.status).toBe(204);
    for (const url of Object.values(privateUrls))
      expect((await call('member', 'GET', url ?? '', { anonymous: true })).status).toBe(404);
    // Still a member of the public channel: that URL still works.
    expect(
      (await call('member', 'GET', publicUrls.original ?? '', { anonymous: true })).status,
    ).toBe(200);

    const gone = await call(
      'owner',
      'DELETE',
      `/api/workspaces/${world.workspace}/members/${ids.member}`,
    );
    expect(gone.status).toBe(204);
    for (const url of Object.values(publicUrls))
      expect((await call('member', 'GET', url ?? '', { anonymous: true })).status).toBe(404);
    expect((await call('member', 'GET', `/api/files/${world.files.public}`)).status).toBe(404);
  });
});

describe('permission matrix: sync docs', () => {
  type Access = 'write' | 'read' | 'none';
  const docs: Array<{ name: string; doc: (w: World) => string; expected: Record<Actor, Access> }> =
    [
      {
        name: 'a public channel’s segment',
        doc: (w) => docName({ kind: 'segment', channelId: w.publicChannel, index: 0 }),
        expected: {
          outsider: 'none',
          nonMember: 'read',
          guest: 'write',
          member: 'write',
          channelAdmin: 'write',
          workspaceAdmin: 'read',
          owner: 'read',
        },
      },
      {
        name: 'a public channel’s thread',
        doc: (w) =>
          docName({
            kind: 'thread',
            channelId: w.publicChannel,
            rootId: '01J00000000000000000000000',
          }),
        expected: {
          outsider: 'none',
          nonMember: 'read',
          guest: 'write',
          member: 'write',
          channelAdmin: 'write',
          workspaceAdmin: 'read',
          owner: 'read',
        },
      },
      {
        name: 'a public channel the guest is not in',
        doc: (w) => docName({ kind: 'segment', channelId: w.otherPublic, index: 3 }),
        expected: {
          outsider: 'none',
          nonMember: 'read',
          guest: 'none',
          member: 'read',
          channelAdmin: 'read',
          workspaceAdmin: 'read',
          owner: 'read',
        },
      },
      {
        name: 'a private channel’s segment',
        doc: (w) => docName({ kind: 'segment', channelId: w.privateChannel, index: 0 }),
        expected: {
          outsider: 'none',
          nonMember: 'none',
          guest: 'write',
          member: 'write',
          channelAdmin: 'write',
          workspaceAdmin: 'none',
          owner: 'none',
        },
      },
      {
        name: 'the member’s user doc',
        doc: () => docName({ kind: 'user', userId: ids.member }),
        expected: {
          outsider: 'none',
          nonMember: 'none',
          guest: 'none',
          member: 'write',
          channelAdmin: 'none',
          workspaceAdmin: 'none',
          owner: 'none',
        },
      },
      {
        name: 'a segment of a channel that does not exist',
        doc: () => docName({ kind: 'segment', channelId: randomUUID(), index: 0 }),
        expected: {
          outsider: 'none',
          nonMember: 'none',
          guest: 'none',
          member: 'none',
          channelAdmin: 'none',
          workspaceAdmin: 'none',
          owner: 'none',
        },
      },
    ];
  for (const doc of docs) {
    it.each(ACTORS)(`${doc.name}, as %s`, async (actor) => {
      const world = await buildWorld();
      expect(await policy.docAccess(ids[actor], doc.doc(world))).toBe(doc.expected[actor]);
    });
  }

  it('makes an archived channel’s docs read-only for its members', async () => {
    const world = await buildWorld();
    await backends.database.db
      .update(schema.channels)
      .set({ archivedAt: new Date() })
      .where((await import('drizzle-orm')).eq(schema.channels.id, world.publicChannel));
    const segment = docName({ kind: 'segment', channelId: world.publicChannel, index: 0 });
    for (const actor of ['member', 'channelAdmin', 'guest', 'nonMember'] as const) {
      expect(await policy.docAccess(ids[actor], segment), actor).toBe('read');
    }
  });

  it.each([
    '',
    'channel:',
    'user:not-a-uuid',
    'channel:x:segment:0',
    `user:${'0'.repeat(36)}`,
    'evil',
  ])('gives no access to the malformed doc name %j', async (name) => {
    expect(await policy.docAccess(ids.owner, name)).toBe('none');
  });
});

// Search: what each actor finds in workspace W, by tab. Permissions are applied inside the
// engine's query, so the count must agree with the page: both are checked, for every place.

/** A word in every seeded message, file text and channel topic, and nowhere else. */
const SEARCH_WORD = 'permissionprobe';
const SEARCH_PLACES = [...FILE_PLACES, 'otherWorkspace'] as const;
type SearchPlace = (typeof SEARCH_PLACES)[number];

interface SearchWorld extends FileWorld {
  /** A message with SEARCH_WORD in each place. */
  messages: Record<SearchPlace, string>;
  /** A public channel of workspace W3, in which every actor is a member. */
  otherWorkspaceChannel: string;
}

/** W plus a message in each place, its files' texts and its channels' topics holding the word. */
async function buildSearchWorld(): Promise<SearchWorld> {
  const world = await buildFileWorld();
  const db = backends.database.db;
  // Everyone is a member of W3 too: only the workspace scoping keeps its message out of W.
  const [w3] = await db
    .insert(schema.workspaces)
    .values({ name: 'W3', slug: `w3-${randomUUID()}` })
    .returning();
  if (!w3) throw new Error('no workspace');
  await db
    .insert(schema.workspaceMembers)
    .values(
      ACTORS.map((actor) => ({ workspaceId: w3.id, userId: ids[actor], role: 'member' as const })),
    );
  const [w3Channel] = await db
    .insert(schema.channels)
    .values({ workspaceId: w3.id, kind: 'public' as const, name: 'public', topic: SEARCH_WORD })
    .returning();
  if (!w3Channel) throw new Error('no channel');
  const { eq, inArray } = await import('drizzle-orm');
  const channelIds = {
    public: world.publicChannel,
    private: world.privateChannel,
    dm: world.dm,
    otherPublic: world.otherPublic,
    otherWorkspace: w3Channel.id,
  };
  await db
    .update(schema.channels)
    .set({ topic: SEARCH_WORD })
    .where(
      inArray(schema.channels.id, [world.publicChannel, world.privateChannel, world.otherPublic]),
    );
  const messages = {} as Record<SearchPlace, string>;
  for (const place of SEARCH_PLACES) {
    const id = `01JF${randomUUID().replace(/-/g, '').slice(0, 22).toUpperCase()}`;
    await db.insert(schema.messages).values({
      id,
      channelId: channelIds[place],
      docName: docName({ kind: 'segment', channelId: channelIds[place], index: 0 }),
      authorId: ids.target,
      text: `${SEARCH_WORD} in the ${place} place`,
      createdAt: new Date(),
      receivedAt: new Date(),
      docSeq: 1,
    });
    messages[place] = id;
  }
  for (const place of FILE_PLACES) {
    await db
      .update(schema.files)
      .set({ extractedText: `${SEARCH_WORD} inside`, messageId: messages[place] })
      .where(eq(schema.files.id, world.files[place]));
  }
  return { ...world, messages, otherWorkspaceChannel: w3Channel.id };
}

interface SearchBody {
  hits: Array<{ id: string }>;
  total: number;
  totalCapped: boolean;
}

async function searchAs(actor: Actor, world: World, query: Record<string, string>) {
  const response = await call(
    actor,
    'GET',
    `/api/workspaces/${world.workspace}/search?${new URLSearchParams(query)}`,
  );
  return { status: response.status, body: (await response.json()) as SearchBody };
}

/** The places whose message (or file, or channel) `actor` may find in W. */
const findable = (actor: Actor): FilePlace[] =>
  FILE_PLACES.filter((place) => readers[place].includes(actor));

/** Asserts that the page and the count both hold exactly `expected`. */
function expectFound(body: SearchBody, expected: string[], label: string) {
  expect(body.hits.map((hit) => hit.id).sort(), label).toEqual([...expected].sort());
  expect(body.total, label).toBe(expected.length);
  expect(body.totalCapped, label).toBe(false);
}

describe('permission matrix: search', () => {
  let world: SearchWorld;
  // The cells only read: one world for all of them.
  beforeAll(async () => {
    world = await buildSearchWorld();
  });

  it.each(ACTORS)('finds only the messages one may read, as %s', async (actor) => {
    for (const sort of ['relevance', 'date']) {
      const { status, body } = await searchAs(actor, world, { q: SEARCH_WORD, sort });
      if (actor === 'outsider') {
        expect(status).toBe(404);
        continue;
      }
      expect(status).toBe(200);
      expectFound(
        body,
        findable(actor).map((place) => world.messages[place]),
        sort,
      );
    }
  });

  it.each(ACTORS.filter((actor) => actor !== 'outsider'))(
    'finds nothing in a channel one may not read, even when naming it, as %s',
    async (actor) => {
      for (const [name, place] of [
        ['#private', 'private'],
        ['#other', 'otherPublic'],
        ['@target', 'dm'],
      ] as const) {
        const { body } = await searchAs(actor, world, { q: SEARCH_WORD, in: name });
        // The DM is the member's with the target: `in:@target` is that DM for the member only.
        const expected = readers[place].includes(actor) ? [world.messages[place]] : [];
        expectFound(body, expected, name);
      }
      // A prefix or a fuzzy guess reaches no further than the word itself.
      const { body: prefixed } = await searchAs(actor, world, { q: 'permissionpro*' });
      expectFound(
        prefixed,
        findable(actor).map((place) => world.messages[place]),
        'prefix',
      );
      const { body: misspelt } = await searchAs(actor, world, { q: 'permisionprobe' });
      for (const hit of misspelt.hits)
        expect(findable(actor).map((place) => world.messages[place])).toContain(hit.id);
    },
  );

  it.each(ACTORS.filter((actor) => actor !== 'outsider'))(
    'finds only the files one may read, as %s',
    async (actor) => {
      const { body } = await searchAs(actor, world, { q: SEARCH_WORD, tab: 'files' });
      expectFound(
        body,
        findable(actor).map((place) => world.files[place]),
        'files',
      );
    },
  );

  it.each(ACTORS.filter((actor) => actor !== 'outsider'))(
    'finds only the channels one may see, never a DM, as %s',
    async (actor) => {
      const { body } = await searchAs(actor, world, { q: SEARCH_WORD, tab: 'channels' });
      const channels = findable(actor)
        .filter((place) => place !== 'dm')
        .map((place) => channelOf(world, place));
      expectFound(body, channels, 'channels');
    },
  );

  it.each(ACTORS.filter((actor) => actor !== 'outsider'))(
    'finds people of the workspace only, as %s',
    async (actor) => {
      const { body: outsider } = await searchAs(actor, world, { q: 'outsider', tab: 'people' });
      expectFound(outsider, [], 'the outsider, of W2 only');
      const { body: target } = await searchAs(actor, world, { q: 'target', tab: 'people' });
      expectFound(target, [ids.target], 'the target, who shares channels with everyone');
    },
  );

  it.each(ACTORS.filter((actor) => actor !== 'outsider'))(
    'suggests only channels one may read and people of the workspace, as %s',
    async (actor) => {
      const suggest = async (kind: string, prefix: string) => {
        const response = await call(
          actor,
          'GET',
          `/api/workspaces/${world.workspace}/search/suggest?kind=${kind}&prefix=${prefix}`,
        );
        expect(response.status).toBe(200);
        return ((await response.json()) as { suggestions: Array<{ id: string }> }).suggestions.map(
          (suggestion) => suggestion.id,
        );
      };
      expect(await suggest('channel', 'priv')).toEqual(
        readers.private.includes(actor) ? [world.privateChannel] : [],
      );
      expect(await suggest('channel', 'oth')).toEqual(
        readers.otherPublic.includes(actor) ? [world.otherPublic] : [],
      );
      expect(await suggest('person', 'outs')).toEqual([]);
    },
  );

  it('takes a channel’s messages, files and name out of a removed member’s results at once', async () => {
    const own = await buildSearchWorld();
    const before = await searchAs('member', own, { q: SEARCH_WORD });
    expect(before.body.hits.map((hit) => hit.id)).toContain(own.messages.private);
    const removal = await call(
      'channelAdmin',
      'DELETE',
      `/api/channels/${own.privateChannel}/members/${ids.member}`,
    );
    expect(removal.status).toBe(204);
    const remaining = findable('member').filter((place) => place !== 'private');
    expectFound(
      (await searchAs('member', own, { q: SEARCH_WORD })).body,
      remaining.map((place) => own.messages[place]),
      'messages',
    );
    expectFound(
      (await searchAs('member', own, { q: SEARCH_WORD, tab: 'files' })).body,
      remaining.map((place) => own.files[place]),
      'files',
    );
    expectFound(
      (await searchAs('member', own, { q: SEARCH_WORD, tab: 'channels' })).body,
      remaining.filter((place) => place !== 'dm').map((place) => channelOf(own, place)),
      'channels',
    );

    // Removed from the workspace: no search of it at all.
    const gone = await call(
      'owner',
      'DELETE',
      `/api/workspaces/${own.workspace}/members/${ids.member}`,
    );
    expect(gone.status).toBe(204);
    for (const tab of ['messages', 'files', 'channels', 'people']) {
      expect((await searchAs('member', own, { q: SEARCH_WORD, tab })).status, tab).toBe(404);
    }
  });
});
