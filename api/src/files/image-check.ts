import type { Readable } from 'node:stream';
import sharp from 'sharp';

/** Images larger than this are not decoded here (nor thumbnailed): a decompression bomb's guard. */
export const MAX_INLINE_PIXELS = 50_000_000;

export interface DecodedImage {
  /** As displayed, EXIF orientation applied. */
  width: number;
  height: number;
}

/**
 * Decodes an image all the way (to an 8x8 sample, which costs memory for the pixels only up to
 * `MAX_INLINE_PIXELS`): null when it does not decode or is too large. Only an image that decodes
 * is served inline, so a file that merely starts like a PNG never reaches a page as one.
 */
export async function decodeImage(body: Readable): Promise<DecodedImage | null> {
  const image = sharp({ limitInputPixels: MAX_INLINE_PIXELS, failOn: 'error' });
  body.on('error', (error) => image.destroy(error));
  body.pipe(image);
  try {
    const [metadata] = await Promise.all([
      image.metadata(),
      image.clone().resize(8, 8, { fit: 'fill' }).raw().toBuffer(),
    ]);
    const { width, height, orientation = 1 } = metadata;
    if (!width || !height) return null;
    // EXIF orientations 5 to 8 turn the picture a quarter: it shows height-by-width.
    return orientation >= 5 ? { width: height, height: width } : { width, height };
  } catch {
    return null;
  } finally {
    body.destroy();
  }
}
