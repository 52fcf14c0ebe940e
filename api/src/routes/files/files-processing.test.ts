import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listen } from '@confab/db';
import { waitFor } from '@confab/db/testing';
import { createAdaptorServer } from '@hono/node-server';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileInfo } from '../../files/file-info';
import { callAs, type Person } from '../auth/test-app';
import { fetchContent, person, teamWith, upload, useFileTestApis } from './file-test-app';
import { FILE_CSP } from './files-routes';

const apis = useFileTestApis({}, { processIn: 's3' });

describe('an uploaded image, processed by the job queue (S3 store)', () => {
  it('gets thumbnails that are served inline as WebP, with the file headers', async () => {
    const api = apis('s3');
    const ada = await person(api, 'ada');
    const { channelId } = await teamWith(api, ada);
    const jpeg = await sharp({
      create: { width: 1600, height: 900, channels: 3, background: { r: 10, g: 120, b: 60 } },
    })
      .jpeg()
      .toBuffer();
    const sent = await upload(api, ada, channelId, 'landscape.jpg', jpeg, 'image/jpeg');
    expect(sent.status).toBe(201);
    const id = sent.body.file?.id;

    const processed = await waitFor(
      'the thumbnail job',
      async () => {
        const got = await callAs<{ file: FileInfo }>(api.app, ada, 'GET', `/api/files/${id}`);
        return got.body.file.processing === 'done' ? got.body.file : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(processed.placeholder).toMatch(/^data:image\//);
    for (const url of [processed.urls.thumbSmall, processed.urls.thumbLarge]) {
      const thumb = await fetchContent(api, url ?? '');
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      expect(thumb.headers.get('content-disposition')).toBe(
        "inline; filename*=UTF-8''landscape.jpg",
      );
      expect(thumb.headers.get('content-security-policy')).toBe(FILE_CSP);
      expect((await sharp(thumb.bytes).metadata()).format).toBe('webp');
    }
  });
});

describe('uploads through a real HTTP server', () => {
  let base: string;
  let server: Server;
  beforeAll(async () => {
    server = createAdaptorServer({ fetch: apis('s3').app.fetch }) as Server;
    base = `http://127.0.0.1:${((await listen(server, 0, '127.0.0.1')) as AddressInfo).port}`;
  });
  afterAll(() => closeServer(server, 1_000));

  async function post(who: Person, channelId: string, bytes: Uint8Array, declare: boolean) {
    const response = await fetch(`${base}/api/channels/${channelId}/files?name=big.bin`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${who.token}`,
        ...(declare ? { 'Content-Length': String(bytes.byteLength) } : {}),
      },
      body: declare
        ? bytes
        : new ReadableStream({
            start(controller) {
              for (let at = 0; at < bytes.byteLength; at += 1 << 20)
                controller.enqueue(bytes.subarray(at, at + (1 << 20)));
              controller.close();
            },
          }),
      duplex: 'half',
    } as RequestInit);
    return { status: response.status, body: (await response.json()) as { file?: FileInfo } };
  }

  it.each([
    ['with', true],
    ['without', false],
  ])(
    'stores a 9 MiB file in S3 (multipart) sent %s a Content-Length, byte for byte',
    async (_, declare) => {
      const api = apis('s3');
      const ada = await person(api, 'ada');
      const { channelId } = await teamWith(api, ada);
      const bytes = randomBytes(9 * 1024 * 1024 + 7);
      const sent = await post(ada, channelId, bytes, declare);
      expect(sent.status).toBe(201);
      expect(sent.body.file?.size).toBe(bytes.byteLength);
      const got = await fetch(`${base}${sent.body.file?.urls.original}`);
      const back = Buffer.from(await got.arrayBuffer());
      expect(back.equals(bytes)).toBe(true);
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
    },
  );
});

describe('a declared Content-Length over the file limit, through a real HTTP server', () => {
  it('is answered 413 file_too_large before the body is read, and the server stays healthy', async () => {
    const api = apis('s3');
    const ada = await person(api, 'ada');
    const { channelId } = await teamWith(api, ada);
    const server = createAdaptorServer({ fetch: api.app.fetch }) as Server;
    const { port } = (await listen(server, 0, '127.0.0.1')) as AddressInfo;
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/api/channels/${channelId}/files?name=huge.bin`,
          headers: {
            Authorization: `Bearer ${ada.token}`,
            'Content-Length': String(200 * 1024 * 1024),
          },
        });
        request.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on('error', reject);
        request.write(Buffer.alloc(64 * 1024));
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.code).toBe('file_too_large');
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      await closeServer(server, 1_000);
    }
  });
});
