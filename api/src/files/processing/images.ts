import type { Readable } from 'node:stream';
import sharp from 'sharp';
import type { ProcessingResult } from './processing-result';
import { readBytes } from './read-bytes';

/**
 * Images above this many pixels are refused before decoding: a 50 MP photo is bigger than any
 * phone takes, and the limit is what stops a decompression bomb (a few KB of PNG that decodes to
 * gigabytes) from taking the process's memory.
 */
export const MAX_INPUT_PIXELS = 50_000_000;

export const THUMB_SMALL_BOX = 200;
export const THUMB_LARGE_BOX = 1024;
export const PLACEHOLDER_BOX = 16;

/**
 * Larger originals are not thumbnailed. Above the upload limit anyway; the bound keeps what one
 * job holds in memory known (sharp collects a stream into one buffer before decoding too).
 */
export const MAX_IMAGE_BYTES = 100 * 1024 * 1024;

/** Raster types handed to sharp; anything else (SVG above all: scripts, external references) is not. */
export const THUMBNAILED_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
]);

/**
 * Thumbnails of an image: EXIF orientation applied, metadata (GPS, camera, comments) dropped,
 * because sharp writes none unless asked to. Width and height are those of the upright image.
 */
export async function processImage(input: Readable | Uint8Array): Promise<ProcessingResult> {
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) {
    bytes = input;
  } else {
    const read = await readBytes(input, MAX_IMAGE_BYTES);
    if (read.truncated) return { outcome: 'skipped', reason: 'image too large to thumbnail' };
    bytes = read.bytes;
  }
  // failOn 'error': a phone photo with a harmless warning (a truncated trailer) still gets a thumbnail.
  const source = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
  const webp = (box: number, quality: number) =>
    source
      .clone()
      .resize(box, box, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality })
      .toBuffer();
  try {
    const [metadata, thumbSmall, thumbLarge, placeholder] = await Promise.all([
      source.metadata(),
      webp(THUMB_SMALL_BOX, 80),
      webp(THUMB_LARGE_BOX, 82),
      webp(PLACEHOLDER_BOX, 40),
    ]);
    const { width, height } = metadata.autoOrient;
    return {
      outcome: 'done',
      width,
      height,
      placeholder: `data:image/webp;base64,${placeholder.toString('base64')}`,
      derived: { thumbSmall, thumbLarge },
    };
  } catch (error) {
    return { outcome: 'failed', reason: `image refused: ${(error as Error).message}` };
  }
}
