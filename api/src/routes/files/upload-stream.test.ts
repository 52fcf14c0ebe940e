import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { closeServer, listen, schema } from '@confab/db';
import { waitFor } from '@confab/db/testing';
import { createAdaptorServer } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Person } from '../auth/test-app';
import {
  expectNoStrayBytes,
  type FileTestApi,
  person,
  type StoreKind,
  teamWith,
  useFileTestApis,
} from './file-test-app';

/**
 * Uploads read from the Node request itself (files/upload-body.ts) when served by
 * @hono/node-server: the limit, a client that goes away and the 413 reaching its client hold there
 * as they do behind the web body's limit (which `app.request` tests exercise).
 */
const MAX_BYTES = 1024 * 1024;
const apis = useFileTestApis({ maxBytes: MAX_BYTES });

const stores: StoreKind[] = ['local', 's3'];

describe.each(stores)('uploads through a real HTTP server (%s store)', (store) => {
  let api: FileTestApi;
  let server: Server;
  let port: number;
  let ada: Person;
  let channelId: string;
  beforeAll(async () => {
    api = apis(store);
    server = createAdaptorServer({ fetch: api.app.fetch }) as Server;
    port = ((await listen(server, 0, '127.0.0.1')) as AddressInfo).port;
    ada = await person(api, 'ada');
    ({ channelId } = await teamWith(api, ada));
  });
  afterAll(() => closeServer(server, 1_000));

  const fileRows = () =>
    api.backends.database.db
      .select({ id: schema.files.id })
      .from(schema.files)
      .where(eq(schema.files.uploaderId, ada.id));

  /** Sends `chunks` without a Content-Length (chunked), keeps writing, and reads the answer. */
  function postChunked(chunks: number, chunkBytes: number) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/channels/${channelId}/files?name=big.bin`,
        headers: { Authorization: `Bearer ${ada.token}` },
      });
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      let sent = 0;
      const writeMore = () => {
        while (sent < chunks) {
          sent++;
          if (!request.write(randomBytes(chunkBytes))) {
            request.once('drain', writeMore);
            return;
          }
        }
        request.end();
      };
      writeMore();
    });
  }

  it('stores a chunked body under the limit byte for byte', async () => {
    const answer = await postChunked(4, 200 * 1024);
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).file.size).toBe(800 * 1024);
  });

  it('refuses a Content-Length over the limit 413 file_too_large before reading the body', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/channels/${channelId}/files?name=huge.bin`,
        headers: { Authorization: `Bearer ${ada.token}`, 'Content-Length': MAX_BYTES + 1 },
      });
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      // The body is never sent: the answer must come from the declared length alone.
      request.on('error', reject);
      request.flushHeaders();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('file_too_large');
  });

  it('reads the Node request itself: no web stream is made of the body on the way', async () => {
    // The adapter makes its web body with Readable.toWeb, the fallback converts back with
    // Readable.fromWeb: neither may run, or the bytes take the three slow hops upload-body.ts avoids.
    const toWeb = vi.spyOn(Readable, 'toWeb');
    const fromWeb = vi.spyOn(Readable, 'fromWeb');
    try {
      const answer = await postChunked(2, 64 * 1024);
      expect(answer.status).toBe(201);
      expect(toWeb).not.toHaveBeenCalled();
      expect(fromWeb).not.toHaveBeenCalled();
    } finally {
      toWeb.mockRestore();
      fromWeb.mockRestore();
    }
  });

  it('answers a chunked body over the limit 413 file_too_large, leaving nothing', async () => {
    const before = (await fileRows()).length;
    // 64 MiB offered against a 1 MiB limit: the 413 arrives while the client is still writing.
    const answer = await postChunked(1024, 64 * 1024);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('file_too_large');
    expect((await fileRows()).length).toBe(before);
    await expectNoStrayBytes(api);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
  });

  it('forgets an upload whose client goes away mid-body, and keeps serving', async () => {
    const before = (await fileRows()).length;
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/channels/${channelId}/files?name=gone.bin`,
      headers: { Authorization: `Bearer ${ada.token}`, 'Content-Length': String(MAX_BYTES) },
    });
    request.on('error', () => {});
    request.write(randomBytes(256 * 1024));
    // The row exists once the body is being read; then the client vanishes.
    await waitFor('the upload to start', async () =>
      (await fileRows()).length > before ? true : undefined,
    );
    request.destroy();
    await waitFor('the upload to be discarded', async () =>
      (await fileRows()).length === before ? true : undefined,
    );
    await expectNoStrayBytes(api);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
  });
});
