import { waitFor } from '@confab/db/testing';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { FileInfo } from '../../files/file-info';
import { callAs } from '../auth/test-app';
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
