import { createHash } from 'node:crypto';
import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { purgeFiles, UNATTACHED_TTL_MS } from '../../files/purge';
import { callAs, type Person } from '../auth/test-app';
import {
  blobExists,
  fetchContent,
  person,
  type StoreKind,
  teamWith,
  upload,
  useFileTestApis,
} from './file-test-app';
import { FILE_CSP } from './files-routes';

const QUOTA = 64 * 1024;
const apis = useFileTestApis({ maxBytes: 48 * 1024, workspaceQuotaBytes: QUOTA });

let png: Uint8Array;
beforeAll(async () => {
  png = await sharp({
    create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 30 } },
  })
    .png()
    .toBuffer();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(['local', 's3'] as StoreKind[])('files in the %s store', (store) => {
  const api = () => apis(store);
  let ada: Person;
  let bob: Person;
  let eve: Person;
  let channelId: string;
  let workspaceId: string;
  beforeAll(async () => {
    ada = await person(api(), 'ada');
    bob = await person(api(), 'bob');
    eve = await person(api(), 'eve');
    ({ workspaceId, channelId } = await teamWith(api(), ada, bob));
  });

  it('stores, validates and promotes an image, and serves it inline with the file headers', async () => {
    const sent = await upload(api(), ada, channelId, 'red.png', png, 'image/png');
    expect(sent.status).toBe(201);
    const file = sent.body.file;
    expect(file).toMatchObject({
      name: 'red.png',
      contentType: 'image/png',
      kind: 'image',
      inline: true,
      size: png.byteLength,
      sha256: sha256(png),
      status: 'ready',
      processing: 'pending',
      width: 40,
      height: 30,
      deleted: false,
      channelId,
      uploaderId: ada.id,
    });
    if (!file) throw new Error('no file');
    expect(await blobExists(api(), `files/${file.id}`)).toBe(true);
    expect(await blobExists(api(), `quarantine/${file.id}`)).toBe(false);

    // Bob reads it through his own signed URL.
    const asBob = await callAs<{ file: { urls: { original: string } } }>(
      api().app,
      bob,
      'GET',
      `/api/files/${file.id}`,
    );
    expect(asBob.status).toBe(200);
    const got = await fetchContent(api(), asBob.body.file.urls.original);
    expect(got.status).toBe(200);
    expect(sha256(got.bytes)).toBe(sha256(png));
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-security-policy')).toBe(FILE_CSP);
    expect(got.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''red.png");
    expect(got.headers.get('cache-control')).toBe('private, max-age=600');
  });

  it('serves text as a text/plain download, whatever it was sent as', async () => {
    const text = 'line one\nzweite Zeile ü\n{"json": true}\n';
    const sent = await upload(api(), ada, channelId, 'notes (1).log', text, 'text/html');
    expect(sent.status).toBe(201);
    expect(sent.body.file).toMatchObject({
      kind: 'text',
      inline: false,
      contentType: 'text/plain; charset=utf-8',
    });
    const got = await fetchContent(api(), sent.body.file?.urls.original ?? '');
    expect(new TextDecoder().decode(got.bytes)).toBe(text);
    expect(got.headers.get('content-disposition')).toBe(
      "attachment; filename*=UTF-8''notes%20%281%29.log",
    );
  });

  it('lists files by id, leaving out those the caller may not read', async () => {
    const mine = await upload(api(), ada, channelId, 'a.txt', 'a');
    const id = mine.body.file?.id;
    const asBob = await callAs<{ files: Array<{ id: string }> }>(
      api().app,
      bob,
      'GET',
      `/api/files?ids=${id},00000000-0000-4000-8000-000000000000`,
    );
    expect(asBob.body.files.map((file) => file.id)).toEqual([id]);
    const asEve = await callAs<{ files: unknown[] }>(api().app, eve, 'GET', `/api/files?ids=${id}`);
    expect(asEve.body.files).toEqual([]);
    expect((await callAs(api().app, eve, 'GET', `/api/files/${id}`)).status).toBe(404);
  });

  it('refuses uploads from people who may not post in the channel', async () => {
    expect((await upload(api(), eve, channelId, 'x.txt', 'x')).status).toBe(404);
    const anonymous = await api().app.request(`/api/channels/${channelId}/files?name=x.txt`, {
      method: 'POST',
      body: 'x',
    });
    expect(anonymous.status).toBe(401);
  });

  it('lists the channel’s attached files newest first, a page at a time', async () => {
    const ids: string[] = [];
    for (const name of ['1.txt', '2.txt', '3.txt']) {
      const sent = await upload(api(), ada, channelId, name, name);
      const id = sent.body.file?.id ?? '';
      ids.push(id);
      await api()
        .backends.database.db.update(schema.files)
        .set({ messageId: '01HZZZZZZZZZZZZZZZZZZZZZZZ' })
        .where(eq(schema.files.id, id));
    }
    const first = await callAs<{ files: Array<{ id: string }>; next: string | null }>(
      api().app,
      bob,
      'GET',
      `/api/channels/${channelId}/files?limit=2`,
    );
    expect(first.body.files.map((file) => file.id)).toEqual([ids[2], ids[1]]);
    const second = await callAs<{ files: Array<{ id: string }>; next: string | null }>(
      api().app,
      bob,
      'GET',
      `/api/channels/${channelId}/files?limit=2&before=${first.body.next}`,
    );
    expect(second.body.files.map((file) => file.id)).toEqual([ids[0]]);
    expect(second.body.next).toBeNull();
  });

  it('ends access at once when a member leaves the channel, signed URL or not', async () => {
    const carl = await person(api(), 'carl');
    await api()
      .backends.database.db.insert(schema.workspaceMembers)
      .values({ workspaceId, userId: carl.id, role: 'member' });
    expect(
      (
        await callAs(api().app, ada, 'POST', `/api/channels/${channelId}/members`, {
          userIds: [carl.id],
        })
      ).status,
    ).toBe(200);
    const sent = await upload(api(), ada, channelId, 'secret.txt', 'secret');
    const forCarl = await callAs<{ file: { urls: { original: string } } }>(
      api().app,
      carl,
      'GET',
      `/api/files/${sent.body.file?.id}`,
    );
    const url = forCarl.body.file.urls.original;
    expect((await fetchContent(api(), url)).status).toBe(200);
    const removed = await callAs(
      api().app,
      ada,
      'DELETE',
      `/api/channels/${channelId}/members/${carl.id}`,
    );
    expect(removed.status).toBe(204);
    expect((await fetchContent(api(), url)).status).toBe(404);
  });

  it('refuses a tampered, re-targeted or expired signed URL', async () => {
    const sent = await upload(api(), ada, channelId, 'doc.txt', 'words');
    const url = new URL(sent.body.file?.urls.original ?? '', 'http://x');
    const variant = (change: (params: URLSearchParams) => void, path = url.pathname) => {
      const params = new URLSearchParams(url.search);
      change(params);
      return `${path}?${params}`;
    };
    const sig = url.searchParams.get('sig') ?? '';
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    expect(
      (
        await fetchContent(
          api(),
          variant((p) => p.set('sig', flipped)),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await fetchContent(
          api(),
          variant((p) => p.set('u', bob.id)),
        )
      ).status,
    ).toBe(403);
    const exp = Number(url.searchParams.get('exp'));
    expect(
      (
        await fetchContent(
          api(),
          variant((p) => p.set('exp', String(exp + 60))),
        )
      ).status,
    ).toBe(403);
    const other = url.pathname.replace(/original$/, 'preview');
    expect(
      (
        await fetchContent(
          api(),
          variant(() => {}, other),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await fetchContent(
          api(),
          variant((p) => p.delete('sig')),
        )
      ).status,
    ).toBe(403);
    // Expired: a URL signed correctly for a moment already past.
    const { FileUrlSigner } = await import('../../files/url-signer');
    const signer = await FileUrlSigner.open(api().backends.database.db);
    const fileId = sent.body.file?.id ?? '';
    const past = Math.floor(Date.now() / 1000) - 1;
    const expired = signer.url({ fileId, variant: 'original', userId: ada.id, exp: past });
    expect((await fetchContent(api(), expired)).status).toBe(403);
    expect((await fetchContent(api(), url.pathname + url.search)).status).toBe(200);
  });

  it('lets the uploader or an admin delete a file, then purges its bytes after the grace period', async () => {
    const sent = await upload(api(), ada, channelId, 'old.txt', 'old');
    const id = sent.body.file?.id ?? '';
    expect((await callAs(api().app, bob, 'DELETE', `/api/files/${id}`)).status).toBe(403);
    expect((await callAs(api().app, ada, 'DELETE', `/api/files/${id}`)).status).toBe(204);
    const after = await callAs<{ file: Record<string, unknown> }>(
      api().app,
      bob,
      'GET',
      `/api/files/${id}`,
    );
    expect(after.body.file).toMatchObject({
      deleted: true,
      name: 'old.txt',
      urls: { original: '', thumbSmall: null, thumbLarge: null, preview: null },
    });
    expect((await fetchContent(api(), sent.body.file?.urls.original ?? '')).status).toBe(404);
    const audit = await callAs<{ entries: Array<{ action: string; targetId: string }> }>(
      api().app,
      ada,
      'GET',
      `/api/workspaces/${workspaceId}/audit`,
    );
    expect(audit.body.entries).toContainEqual(
      expect.objectContaining({ action: 'file.delete', targetId: id }),
    );

    const deps = { db: api().backends.database.db, blobs: api().blobs };
    await purgeFiles(deps, new Date());
    expect(await blobExists(api(), `files/${id}`)).toBe(true);
    await purgeFiles(deps, new Date(Date.now() + 25 * 3600_000));
    expect(await blobExists(api(), `files/${id}`)).toBe(false);
  });

  it('lets a workspace owner delete a member’s file', async () => {
    const sent = await upload(api(), bob, channelId, 'bobs.txt', 'bob');
    const id = sent.body.file?.id ?? '';
    expect((await callAs(api().app, ada, 'DELETE', `/api/files/${id}`)).status).toBe(204);
    expect((await callAs(api().app, ada, 'DELETE', `/api/files/${id}`)).status).toBe(204);
    const rows = await api()
      .backends.database.db.select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.targetId, id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorId: ada.id, action: 'file.delete', targetType: 'file' });
  });

  it('refuses uploads to an archived channel', async () => {
    const archived = await teamWith(api(), ada);
    expect(
      (await callAs(api().app, ada, 'POST', `/api/channels/${archived.channelId}/archive`)).status,
    ).toBe(204);
    const sent = await upload(api(), ada, archived.channelId, 'late.txt', 'late');
    expect(sent.status).toBe(403);
    expect(sent.body.error?.message).toBe('This channel is archived');
  });

  it('purges uploads never attached to a message after a day, row and bytes', async () => {
    const loose = await upload(api(), ada, channelId, 'loose.txt', 'loose');
    const kept = await upload(api(), ada, channelId, 'kept.txt', 'kept');
    const looseId = loose.body.file?.id ?? '';
    const keptId = kept.body.file?.id ?? '';
    const { db } = api().backends.database;
    await db
      .update(schema.files)
      .set({ messageId: '01HZZZZZZZZZZZZZZZZZZZZZZZ' })
      .where(eq(schema.files.id, keptId));
    await purgeFiles({ db, blobs: api().blobs }, new Date(Date.now() + UNATTACHED_TTL_MS + 60_000));
    expect(await blobExists(api(), `files/${looseId}`)).toBe(false);
    expect(await blobExists(api(), `files/${keptId}`)).toBe(true);
    expect((await callAs(api().app, ada, 'GET', `/api/files/${looseId}`)).status).toBe(404);
  });
});

describe('limits', () => {
  const api = () => apis('local');
  it('refuses a file over FILE_MAX_BYTES while streaming, closing the connection, and keeps nothing', async () => {
    const ada = await person(api(), 'ada');
    const { channelId } = await teamWith(api(), ada);
    const piece = new Uint8Array(16 * 1024).fill(97);
    // Streamed without a Content-Length, so the limit must stop the reading itself.
    const response = await api().app.request(`/api/channels/${channelId}/files?name=big.txt`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ada.token}` },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 3; i++) controller.enqueue(piece);
          controller.enqueue(new Uint8Array(1));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'file_too_large',
    );
    const rows = await api()
      .backends.database.db.select()
      .from(schema.files)
      .where(eq(schema.files.channelId, channelId));
    expect(rows).toEqual([]);
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const ada = await person(api(), 'ada');
    const { channelId } = await teamWith(api(), ada);
    const sent = await upload(api(), ada, channelId, 'big.txt', new Uint8Array(48 * 1024 + 1));
    expect(sent.status).toBe(413);
    expect(sent.body.error?.code).toBe('file_too_large');
  });

  it('refuses an upload that would take the workspace over its quota', async () => {
    const ada = await person(api(), 'ada');
    const { channelId } = await teamWith(api(), ada);
    const chunk = 'x'.repeat(30 * 1024);
    expect((await upload(api(), ada, channelId, '1.txt', chunk)).status).toBe(201);
    expect((await upload(api(), ada, channelId, '2.txt', chunk)).status).toBe(201);
    const third = await upload(api(), ada, channelId, '3.txt', chunk);
    expect(third.status).toBe(413);
    expect(third.body.error?.code).toBe('quota_exceeded');
  });
});
