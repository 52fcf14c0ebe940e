import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { BodyTooLargeError } from '../http/body-limit';

/** Enough of the start of a file for file-type to tell containers (zip-based Office files) apart. */
export const HEAD_BYTES = 64 * 1024;

export interface Inspection {
  size: number;
  sha256: string;
  /** The first `HEAD_BYTES` (fewer for a shorter file). */
  head: Uint8Array;
  /** Every byte was valid UTF-8 and none was NUL. */
  isText: boolean;
}

/**
 * Passes the bytes on unchanged while it counts them, hashes them, keeps their start and checks
 * whether they are text, so the upload is read once and never held whole in memory. It fails
 * with `BodyTooLargeError` past `maxBytes`: the request body's own limit does the same, but may
 * have let a first chunk through under the default limit before the route lowered it.
 */
export class InspectStream extends Transform {
  // Not `size`: @aws-sdk/lib-storage takes a body's `size` for its total length.
  private seenBytes = 0;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headSize = 0;
  private decoder: TextDecoder | null = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seenBytes += chunk.byteLength;
    if (this.seenBytes > this.maxBytes) {
      callback(new BodyTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    if (this.headSize < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headSize);
      this.headChunks.push(Buffer.from(part));
      this.headSize += part.byteLength;
    }
    this.checkText(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.checkText(undefined);
    callback();
  }

  /** What was seen; call after the stream ended. */
  result(): Inspection {
    return {
      size: this.seenBytes,
      sha256: this.hash.digest('hex'),
      head: Buffer.concat(this.headChunks, this.headSize),
      isText: this.decoder !== null,
    };
  }

  /** Once a byte is not text, the rest is not checked: binary files cost nothing more. */
  private checkText(chunk: Buffer | undefined): void {
    if (!this.decoder) return;
    if (chunk?.includes(0)) {
      this.decoder = null;
      return;
    }
    try {
      // With `stream`, a character split across chunks is completed by the next one.
      this.decoder.decode(chunk, { stream: chunk !== undefined });
    } catch {
      this.decoder = null;
    }
  }
}
