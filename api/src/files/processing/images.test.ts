import { Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_PIXELS, processImage } from './images';
import type { ProcessedFile } from './processing-result';
import { noiseJpeg, phoneJpeg, zeroPng } from './testing/sample-files';

/** Byte pairs of the EXIF GPS IFD pointer tag (0x8825), in either byte order. */
const hasGpsTag = (exif: Buffer) =>
  exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));

async function processed(input: Readable | Uint8Array): Promise<ProcessedFile> {
  const result = await processImage(input);
  if (result.outcome !== 'done') throw new Error(`expected done, got ${JSON.stringify(result)}`);
  return result;
}

describe('processImage', () => {
  it('applies EXIF orientation and strips EXIF and GPS from every thumbnail', async () => {
    const jpeg = await phoneJpeg({ width: 400, height: 200 });
    const original = await sharp(jpeg).metadata();
    expect(original.orientation).toBe(6);
    expect(original.exif && hasGpsTag(original.exif)).toBe(true);

    const result = await processed(Readable.from([jpeg]));
    // Orientation 6 is a quarter turn: the upright image is 200 wide and 400 high.
    expect({ width: result.width, height: result.height }).toEqual({ width: 200, height: 400 });
    for (const thumb of [result.derived.thumbSmall, result.derived.thumbLarge]) {
      if (!thumb) throw new Error('thumbnail missing');
      const metadata = await sharp(thumb).metadata();
      expect(metadata.format).toBe('webp');
      expect(metadata.exif).toBeUndefined();
      expect(metadata.xmp).toBeUndefined();
      expect(metadata.orientation).toBeUndefined();
      expect(metadata.height).toBeGreaterThan(metadata.width);
    }
  });

  it('makes a small and a large WebP within their boxes and a placeholder under 1 KB', async () => {
    const result = await processed(await noiseJpeg(1500, 1000));
    const small = await sharp(result.derived.thumbSmall).metadata();
    const large = await sharp(result.derived.thumbLarge).metadata();
    expect([small.width, small.height]).toEqual([200, 133]);
    expect([large.width, large.height]).toEqual([1024, 683]);
    expect(result.placeholder).toMatch(/^data:image\/webp;base64,[A-Za-z0-9+/=]+$/);
    expect(result.placeholder?.length).toBeLessThan(1024);
    const placeholder = Buffer.from(result.placeholder?.split(',')[1] ?? '', 'base64');
    expect((await sharp(placeholder).metadata()).width).toBe(16);
  });

  it('does not enlarge a small image', async () => {
    const png = await sharp({
      create: { width: 50, height: 30, channels: 4, background: '#0000' },
    })
      .png()
      .toBuffer();
    const result = await processed(png);
    expect((await sharp(result.derived.thumbLarge).metadata()).width).toBe(50);
  });

  it('refuses a 20000x20000 PNG by its pixel count, before decoding it', async () => {
    // Only the header and one row are real: the limit must refuse the image from its header.
    const result = await processImage(Readable.from([zeroPng(20_000, 20_000, { rows: 1 })]));
    expect(result).toMatchObject({ outcome: 'failed' });
    if (result.outcome === 'failed') expect(result.reason).toMatch(/pixel limit/i);
  });

  it('refuses a decompression bomb with its memory bounded', async () => {
    // 8000x8000 is 64 MP (over the limit) in about 70 KB of PNG.
    const bomb = zeroPng(8_000, 8_000);
    expect(8_000 * 8_000).toBeGreaterThan(MAX_INPUT_PIXELS);
    expect(bomb.length).toBeLessThan(200_000);
    const before = process.memoryUsage().rss;
    const results = await Promise.all([1, 2, 3].map(() => processImage(bomb)));
    expect(results.map((result) => result.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    // The process is still healthy: the next image is processed.
    expect((await processImage(await phoneJpeg())).outcome).toBe('done');
  });

  it('fails cleanly on bytes that are not an image', async () => {
    const result = await processImage(Buffer.from('<svg onload="alert(1)"></svg>'));
    expect(result.outcome).toBe('failed');
  });

  it('throws (for a retry) when the source stream breaks, instead of calling the file broken', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(processImage(broken)).rejects.toThrow('connection reset');
  });
});
