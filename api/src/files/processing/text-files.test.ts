import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { processTextFile } from './text-files';
import { MAX_EXTRACTED_TEXT_BYTES, PREVIEW_MAX_BYTES, truncateUtf8 } from './text-limits';

const done = async (input: Readable) => {
  const result = await processTextFile(input);
  if (result.outcome !== 'done') throw new Error(JSON.stringify(result));
  return result;
};

describe('processTextFile', () => {
  it('previews the first 20 lines and keeps the text for search', async () => {
    const lines = Array.from({ length: 50 }, (_, index) => `line ${index + 1}`);
    const result = await done(Readable.from([Buffer.from(lines.join('\r\n'))]));
    expect(result.textPreview?.split('\n')).toEqual(lines.slice(0, 20));
    expect(result.extractedText).toBe(lines.join('\n'));
  });

  it('caps the preview at 2 KB without cutting a character in half', async () => {
    const result = await done(Readable.from([Buffer.from('é'.repeat(5000))]));
    expect(Buffer.byteLength(result.textPreview ?? '')).toBe(PREVIEW_MAX_BYTES);
    expect(result.textPreview).not.toContain('\uFFFD');
  });

  it('reads only the first 100 KB of a large file', async () => {
    const result = await done(Readable.from([Buffer.alloc(10 * 1024 * 1024, 'a')]));
    expect(result.extractedText?.length).toBe(MAX_EXTRACTED_TEXT_BYTES);
  });

  it('removes NUL and escape sequences, keeps unicode, replaces bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([
      Buffer.from('ok\u0000\u001b[31mred\ttab 日本\n'),
      Buffer.from([0xff, 0xfe]),
    ]);
    const result = await done(Readable.from([bytes]));
    expect(result.extractedText).toBe('ok[31mred\ttab 日本\n\uFFFD\uFFFD');
  });

  it('truncateUtf8 keeps whole characters', () => {
    expect(truncateUtf8('a😀b', 3)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
  });
});
