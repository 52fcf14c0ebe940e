import { MAX_EXTRACTED_TEXT_BYTES, sanitizeText, truncateUtf8 } from './text-limits';

type Mupdf = typeof import('mupdf');
type MupdfDocument = InstanceType<Mupdf['Document']>;

export const PREVIEW_BOX = 1024;
/** Text is taken from at most this many pages (and at most MAX_EXTRACTED_TEXT_BYTES of it). */
export const MAX_TEXT_PAGES = 50;

export type PdfReading =
  | { kind: 'read'; pages: number; png: Uint8Array; text: string }
  | { kind: 'encrypted' }
  | { kind: 'empty' };

/**
 * What a PDF shows: its first page as a PNG (longer side PREVIEW_BOX px, whatever the page size),
 * its page count and its text. Synchronous and CPU-bound (mupdf is WASM): run it off the main
 * thread (pdf-worker.ts). Throws on a document mupdf cannot open.
 */
export function readPdf(mupdf: Mupdf, bytes: Uint8Array): PdfReading {
  const document = mupdf.Document.openDocument(bytes, 'application/pdf');
  try {
    if (document.needsPassword()) return { kind: 'encrypted' };
    const pages = document.countPages();
    if (pages < 1) return { kind: 'empty' };
    return {
      kind: 'read',
      pages,
      png: renderPage(mupdf, document, 0),
      text: extractText(document, Math.min(pages, MAX_TEXT_PAGES)),
    };
  } finally {
    // mupdf's objects live in WASM memory, which the garbage collector does not see.
    document.destroy();
  }
}

function renderPage(mupdf: Mupdf, document: MupdfDocument, index: number): Uint8Array {
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
      // A copy: the PNG's bytes live in WASM memory until the pixmap is destroyed.
      return pixmap.asPNG().slice();
    } finally {
      pixmap.destroy();
    }
  } finally {
    page.destroy();
  }
}

function extractText(document: MupdfDocument, pageCount: number): string {
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
