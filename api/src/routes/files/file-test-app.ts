import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backends, type BlobStore, createLogger, createS3BlobStore, schema } from '@confab/db';
import { useTestDatabase, useTestRedis, useTestS3 } from '@confab/db/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { BackgroundTasks } from '../../background-tasks';
import { composeApp } from '../../compose-app';
import { enqueueFileProcessing, registerFileJobs } from '../../files/file-jobs';
import { type JobQueue, openJobQueue } from '../../jobs/job-queue';
import { createOutboxMailer } from '../../mail/mailer';
import { callAs, ORIGIN, openTestBackends, type Person, signUp } from '../auth/test-app';
import { DEFAULT_FILE_SETTINGS, type FileSettings } from './files-deps';

export type StoreKind = 'local' | 's3';
type App = Awaited<ReturnType<typeof composeApp>>['app'];

export interface FileTestApi {
  app: App;
  backends: Backends;
  blobs: BlobStore;
  /** Keys the app has stored and not deleted since the test file began. */
  storedKeys: Set<string>;
}

/** The store, noting which keys hold bytes, so a test can tell that a refusal left none behind. */
function tracked(store: BlobStore, keys: Set<string>): BlobStore {
  return {
    kind: store.kind,
    async put(key, body, meta) {
      await store.put(key, body, meta);
      keys.add(key);
    },
    async copy(from, to) {
      await store.copy(from, to);
      keys.add(to);
    },
    get: (key) => store.get(key),
    async delete(key) {
      await store.delete(key);
      keys.delete(key);
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/**
 * The API twice over one test database: once storing files in the local folder, once in a real
 * S3-protocol server (s3rver), so every file test runs against both stores.
 */
export function useFileTestApis(
  settings: Partial<FileSettings> = {},
  {
    processIn,
  }: {
    /** Runs file processing jobs (a real queue on the test database) for this store's app. */
    processIn?: StoreKind;
  } = {},
) {
  const testDb = useTestDatabase();
  const testRedis = useTestRedis();
  const s3 = useTestS3();
  const apis = new Map<StoreKind, FileTestApi>();
  let backends: Backends | undefined;
  let s3Store: BlobStore | undefined;
  let queue: JobQueue | undefined;
  beforeAll(async () => {
    backends = await openTestBackends(testDb.url, testRedis.url, testRedis.prefix);
    s3Store = createS3BlobStore({
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    for (const kind of ['local', 's3'] as const) {
      const storedKeys = new Set<string>();
      const blobs = tracked(kind === 'local' ? backends.blobs : s3Store, storedKeys);
      const withStore: Backends = { ...backends, blobs };
      let enqueueProcessing: ((fileId: string) => Promise<void>) | undefined;
      if (kind === processIn) {
        const jobs = await openJobQueue(backends.database, {
          logger: createLogger('silent'),
          pollingIntervalSeconds: 0.5,
        });
        queue = jobs;
        await registerFileJobs(jobs, {
          db: backends.database.db,
          blobs,
          logger: createLogger('silent'),
          bus: backends.bus,
        });
        enqueueProcessing = (fileId) => enqueueFileProcessing(jobs, fileId);
      }
      const { app } = await composeApp({
        backends: withStore,
        auth: {
          publicUrl: ORIGIN,
          allowedOrigins: [ORIGIN],
          trustProxy: true,
          passwordScheme: 'argon2id',
          redisKeyPrefix: testRedis.prefix,
        },
        mailer: await createOutboxMailer(
          await mkdtemp(join(tmpdir(), 'confab-outbox-')),
          'Confab <no-reply@chat.example.com>',
        ),
        tasks: new BackgroundTasks(createLogger('silent')),
        logger: createLogger('silent'),
        services: ['api'],
        clientDir: '/nonexistent',
        version: 'test',
        checkResponses: true,
        files: {
          settings: { ...DEFAULT_FILE_SETTINGS, ...settings },
          ...(enqueueProcessing ? { enqueueProcessing } : {}),
        },
      });
      apis.set(kind, { app, backends: withStore, blobs, storedKeys });
    }
  }, 60_000);
  afterAll(async () => {
    await queue?.stop();
    await s3Store?.close();
    await backends?.close();
  });
  return (kind: StoreKind): FileTestApi => {
    const api = apis.get(kind);
    if (!api) throw new Error('useFileTestApis: use it inside a test or hook');
    return api;
  };
}

/** A workspace of `owner` (who gets #general) with `members` added as members of it. */
export async function teamWith(api: FileTestApi, owner: Person, ...members: Person[]) {
  const created = await callAs<{ workspace: { id: string } }>(
    api.app,
    owner,
    'POST',
    '/api/workspaces',
    {
      name: 'Acme',
      slug: `acme-${randomUUID().slice(0, 8)}`,
    },
  );
  expect(created.status).toBe(201);
  const workspaceId = created.body.workspace.id;
  if (members.length) {
    await api.backends.database.db
      .insert(schema.workspaceMembers)
      .values(
        members.map((member) => ({ workspaceId, userId: member.id, role: 'member' as const })),
      );
  }
  const channel = await callAs<{ channel: { id: string } }>(
    api.app,
    owner,
    'POST',
    `/api/workspaces/${workspaceId}/channels`,
    { name: `files-${randomUUID().slice(0, 8)}`, kind: 'private' },
  );
  expect(channel.status).toBe(201);
  const channelId = channel.body.channel.id;
  if (members.length) {
    const added = await callAs(api.app, owner, 'POST', `/api/channels/${channelId}/members`, {
      userIds: members.map((member) => member.id),
    });
    expect(added.status).toBe(200);
  }
  return { workspaceId, channelId };
}

export const person = (api: FileTestApi, name: string) => signUp(api.app, name);

export interface UploadAnswer {
  status: number;
  headers: Headers;
  body: {
    file?: import('../../files/file-info').FileInfo;
    error?: { code: string; message: string };
  };
}

/** Uploads `bytes` as `who` to the channel, named `name`, sent as `type`. */
export async function upload(
  api: FileTestApi,
  who: Person,
  channelId: string,
  name: string,
  bytes: Uint8Array | string,
  type = 'application/octet-stream',
): Promise<UploadAnswer> {
  const body = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const response = await api.app.request(
    `/api/channels/${channelId}/files?name=${encodeURIComponent(name)}`,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${who.token}`,
        'Content-Type': type,
        'Content-Length': String(body.byteLength),
      },
      body,
    },
  );
  const answer = (await response.json()) as UploadAnswer['body'];
  return { status: response.status, headers: response.headers, body: answer };
}

/** Fetches a signed URL the way a browser's <img> or link would: no token. */
export async function fetchContent(api: FileTestApi, url: string) {
  const response = await api.app.request(url);
  return {
    status: response.status,
    headers: response.headers,
    bytes: new Uint8Array(await response.arrayBuffer()),
  };
}

/** Whether the store holds bytes under `key`. */
export async function blobExists(api: FileTestApi, key: string): Promise<boolean> {
  const blob = await api.blobs.get(key);
  blob?.body.destroy();
  return blob !== null;
}

/** Every key holding bytes belongs to a file row: nothing was left by a refused upload. */
export async function expectNoStrayBytes(api: FileTestApi) {
  const rows = await api.backends.database.db
    .select({ storageKey: schema.files.storageKey })
    .from(schema.files);
  const owned = new Set(rows.map((row) => row.storageKey));
  expect([...api.storedKeys].filter((key) => !owned.has(key))).toEqual([]);
}

/** The process still answers its health check. */
export async function expectHealthy(api: FileTestApi) {
  const response = await api.app.request('/api/health');
  expect(response.status).toBe(200);
}
