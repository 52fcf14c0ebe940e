import { Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_PDF_BYTES, processPdf } from './pdf';
import { textPdf } from './testing/sample-files';

describe('processPdf', () => {
  it('renders the first page to a WebP of 1024 px and reads the page count and text', async () => {
    const pdf = textPdf(['Quarterly report', 'Second page words']);
    const result = await processPdf(Readable.from([pdf]));
    if (result.outcome !== 'done') throw new Error(JSON.stringify(result));
    expect(result.pages).toBe(2);
    const preview = await sharp(result.derived.preview).metadata();
    expect(preview.format).toBe('webp');
    // Letter is 612 x 792 pt: the longer side fills the box (mupdf rounds the other side outward).
    expect(preview.height).toBe(1024);
    expect(preview.width).toBeGreaterThanOrEqual(791);
    expect(preview.width).toBeLessThanOrEqual(792);
    expect([result.width, result.height]).toEqual([preview.width, preview.height]);
    expect(result.extractedText).toContain('Quarterly report');
    expect(result.extractedText).toContain('Second page words');
  });

  it('renders a hostile 14400 pt square page no larger than the box', async () => {
    const result = await processPdf(textPdf(['huge'], { mediaBox: [0, 0, 14_400, 14_400] }));
    if (result.outcome !== 'done') throw new Error(JSON.stringify(result));
    expect([result.width, result.height]).toEqual([1024, 1024]);
  });

  it('refuses a PDF that takes longer than its time limit, and stops reading it', async () => {
    const result = await processPdf(textPdf(['slow']), { timeoutMs: 1 });
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/longer than/),
    });
  });

  it('skips an encrypted PDF', async () => {
    const mupdf = await import('mupdf');
    const plain = mupdf.Document.openDocument(textPdf(['secret']), 'application/pdf');
    const encrypted = (plain as InstanceType<typeof mupdf.PDFDocument>)
      .saveToBuffer('encrypt=aes-256,user-password=pw,owner-password=owner')
      .asUint8Array();
    plain.destroy();
    expect(await processPdf(encrypted)).toMatchObject({ outcome: 'skipped' });
  });

  it('skips a PDF over the size limit without reading all of it', async () => {
    let served = 0;
    const huge = new Readable({
      read() {
        served += 1024 * 1024;
        this.push(Buffer.alloc(1024 * 1024, 0x20));
      },
    });
    const result = await processPdf(huge);
    expect(result).toMatchObject({ outcome: 'skipped' });
    expect(served).toBeLessThanOrEqual(MAX_PDF_BYTES + 2 * 1024 * 1024);
  });

  it('fails cleanly on bytes that are not a PDF', async () => {
    const result = await processPdf(Buffer.from('%PDF-1.4\nnot really\n'));
    expect(result.outcome).toBe('failed');
    // mupdf is still usable afterwards.
    expect((await processPdf(textPdf(['fine']))).outcome).toBe('done');
  });
});
