import type { Readable } from 'node:stream';

/**
 * Reads a stream into one buffer, stopping after `maxBytes` (then `truncated` is true and the
 * stream is destroyed, so a blob store connection is not held for bytes nobody reads). Read errors
 * propagate: they are the store's, not the file's, and worth a retry.
 */
export async function readBytes(
  input: Readable,
  maxBytes: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of input) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (length + buffer.length > maxBytes) {
        chunks.push(buffer.subarray(0, maxBytes - length));
        return { bytes: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(buffer);
      length += buffer.length;
    }
  } finally {
    input.destroy();
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
