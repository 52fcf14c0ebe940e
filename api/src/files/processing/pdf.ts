import type { Readable } from 'node:stream';
import sharp from 'sharp';
import type { ProcessingResult } from './processing-result';
import { readBytes } from './read-bytes';
import { MAX_EXTRACTED_TEXT_BYTES, sanitizeText, truncateUtf8 } from './text-limits';

/**
 * Larger PDFs get no preview (processing 'skipped'): mupdf needs the whole document in its WASM
 * memory, and a job should not hold more than this.
 */
export const MAX_PDF_BYTES = 50 * 1024 * 1024;
export const PREVIEW_BOX = 1024;
/** Text is taken from at most this many pages (and at most MAX_EXTRACTED_TEXT_BYTES of it). */
export const MAX_TEXT_PAGES = 50;

/** The first page as a WebP (longer side PREVIEW_BOX px), the page count and the text. */
export async function processPdf(input: Readable | Uint8Array): Promise<ProcessingResult> {
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) {
    bytes = input;
  } else {
    const read = await readBytes(input, MAX_PDF_BYTES);
    if (read.truncated) return { outcome: 'skipped', reason: 'PDF too large to preview' };
    bytes = read.bytes;
  }
  if (bytes.length > MAX_PDF_BYTES)
    return { outcome: 'skipped', reason: 'PDF too large to preview' };
  // Loaded on first use: the WASM module costs start-up time and memory a node without PDFs never needs.
  const mupdf = await loadMupdf();
  let document: InstanceType<typeof mupdf.Document> | undefined;
  try {
    document = mupdf.Document.openDocument(bytes, 'application/pdf');
    if (document.needsPassword()) return { outcome: 'skipped', reason: 'PDF is encrypted' };
    const pages = document.countPages();
    if (pages < 1) return { outcome: 'failed', reason: 'PDF has no pages' };
    const preview = await renderPage(mupdf, document, 0);
    return {
      outcome: 'done',
      pages,
      width: preview.width,
      height: preview.height,
      extractedText: extractText(document, Math.min(pages, MAX_TEXT_PAGES)),
      derived: { preview: preview.webp },
    };
  } catch (error) {
    return { outcome: 'failed', reason: `PDF refused: ${(error as Error).message}` };
  } finally {
    // mupdf's objects live in WASM memory, which the garbage collector does not see.
    document?.destroy();
  }
}

type Mupdf = typeof import('mupdf');

let loaded: Promise<Mupdf> | undefined;

function loadMupdf(): Promise<Mupdf> {
  loaded ??= import('mupdf').then((mupdf) => {
    // mupdf writes every repair of a broken file to stderr; a refused file's reason is in the result.
    mupdf.setLog(() => {});
    return mupdf;
  });
  return loaded;
}

async function renderPage(
  mupdf: Mupdf,
  document: InstanceType<Mupdf['Document']>,
  index: number,
): Promise<{ webp: Buffer; width: number; height: number }> {
  const page = document.loadPage(index);
  try {
    const [x0, y0, x1, y1] = page.getBounds();
    const longer = Math.max(x1 - x0, y1 - y0);
    if (!(longer > 0)) throw new Error('page has no area');
    // Scaled to the box whatever the page size, so a hostile 14400 pt page renders no larger.
    const scale = PREVIEW_BOX / longer;
    const pixmap = page.toPixmap(
      mupdf.Matrix.scale(scale, scale),
      mupdf.ColorSpace.DeviceRGB,
      false,
      true,
    );
    try {
      const { data, info } = await sharp(pixmap.asPNG()).webp({ quality: 80 }).toBuffer({
        resolveWithObject: true,
      });
      return { webp: data, width: info.width, height: info.height };
    } finally {
      pixmap.destroy();
    }
  } finally {
    page.destroy();
  }
}

function extractText(document: InstanceType<Mupdf['Document']>, pageCount: number): string {
  let text = '';
  for (let index = 0; index < pageCount; index++) {
    const page = document.loadPage(index);
    try {
      const structured = page.toStructuredText('preserve-whitespace');
      try {
        text += `${sanitizeText(structured.asText())}\n`;
      } finally {
        structured.destroy();
      }
    } finally {
      page.destroy();
    }
    if (Buffer.byteLength(text) >= MAX_EXTRACTED_TEXT_BYTES) break;
  }
  return truncateUtf8(text.trim(), MAX_EXTRACTED_TEXT_BYTES);
}
