import { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';

/** What a request body may weigh unless its route declares more: JSON bodies are small. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The body passed its route's limit. Reading stopped there: nothing past the limit was taken off
 * the socket, and the answer closes the connection, so the rest is never read at all.
 */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`Request body is larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The client went away (or broke the framing) before its body arrived: nobody hears an answer. */
export class RequestAbortedError extends Error {
  constructor(cause: unknown) {
    super('The client aborted the request before sending its whole body', { cause });
    this.name = 'RequestAbortedError';
  }
}

export const payloadTooLarge = (maxBytes: number) =>
  new ApiError(413, 'payload_too_large', `The request body must be at most ${maxBytes} bytes`, {
    Connection: 'close',
  });

interface Limit {
  maxBytes: number;
}

/** The limit of each request in flight, raised by `allowBodyUpTo` before the body is read. */
const limits = new WeakMap<Context, Limit>();

/**
 * Puts every request body behind a counting stream: whoever reads it (`parseJson`, a future
 * upload that streams to the blob store) gets `BodyTooLargeError` at the limit instead of the
 * next byte, so no route can buffer more than its limit. The limit is read when the body is first
 * read, after the route's own middleware has had its say; a declared Content-Length over it is
 * refused before a single byte is read.
 */
export function limitRequestBodies({
  maxBytes = DEFAULT_BODY_LIMIT_BYTES,
  nodeBodyReadByRoute = false,
}: {
  maxBytes?: number;
  /**
   * Uploads: under @hono/node-server, leave the body alone so the route reads the Node request
   * itself (files/upload-body.ts), counting every byte against the same limit. Merely touching
   * `c.req.raw.body` attaches the adapter's web stream to the request, after which a second
   * reader stalls. The limit is still registered, so `allowBodyUpTo` refuses a Content-Length.
   */
  nodeBodyReadByRoute?: boolean;
} = {}): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    if (nodeBodyReadByRoute && nodeRequest(c)) {
      // The route refuses a Content-Length over it (`allowBodyUpTo`), in its own words (413
      // file_too_large or quota_exceeded), before reading a byte.
      limits.set(c, { maxBytes });
      return next();
    }
    if (c.req.raw.body) {
      const limit = { maxBytes };
      limits.set(c, limit);
      const body = limitedStream(c.req.raw.body, declaredLength(c), limit, () =>
        lingerBeforeClose(c),
      );
      c.req.raw = new Request(c.req.raw, { body, duplex: 'half' } as RequestInit);
    }
    await next();
  };
}

/** For a route that takes more than the default (uploads): put it before the handler. */
export function allowBodyUpTo(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const limit = limits.get(c);
    if (limit) {
      // Refused here too, so an upload too large for its route is turned away before any work.
      const length = declaredLength(c);
      if (length !== undefined && length > maxBytes) {
        lingerBeforeClose(c);
        throw payloadTooLarge(maxBytes);
      }
      limit.maxBytes = maxBytes;
    }
    await next();
  };
}

/**
 * The body as bytes, at most the route's limit of them. Errors are the client's doing and are
 * typed: 413 over the limit, `RequestAbortedError` when the client went away.
 */
export async function readBody(c: Context): Promise<Uint8Array> {
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  // Counted here as well, for a route mounted without `limitRequestBodies` (a test's own app).
  const maxBytes = limits.get(c)?.maxBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw payloadTooLarge(error.maxBytes);
    throw error;
  }
  return Buffer.concat(chunks, size);
}

function declaredLength(c: Context): number | undefined {
  const header = c.req.header('content-length');
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/** How long a refused request's connection stays half-open so its client can read the 413. */
const LINGER_MS = 2_000;

/**
 * Node ends a `Connection: close` answer with `destroySoon()`: FIN, then destroy at once. With
 * unread body bytes in the kernel's buffer that destroy sends a TCP reset, and a client still
 * writing its body may lose the 413 it has not read yet. So half-close and destroy a moment later
 * instead; nothing more is read from the socket meanwhile.
 */
export function lingerBeforeClose(c: Context): void {
  const socket = nodeRequest(c)?.socket;
  if (!socket) return;
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

function limitedStream(
  source: ReadableStream<Uint8Array>,
  length: number | undefined,
  limit: Limit,
  onLimit: () => void,
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let received = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!reader) {
          if (length !== undefined && length > limit.maxBytes) {
            onLimit();
            controller.error(new BodyTooLargeError(limit.maxBytes));
            return;
          }
          reader = source.getReader();
        }
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          controller.error(new RequestAbortedError(error));
          return;
        }
        if (chunk.done) {
          controller.close();
          return;
        }
        received += chunk.value.byteLength;
        // The source is left as it is, not cancelled: cancelling would destroy the socket before
        // the 413 is written. The answer's `Connection: close` ends it once the 413 is out.
        if (received > limit.maxBytes) {
          onLimit();
          controller.error(new BodyTooLargeError(limit.maxBytes));
          return;
        }
        controller.enqueue(chunk.value);
      },
      // Nothing is pulled before a reader asks: the limit is checked when a route reads, after
      // `allowBodyUpTo` had its say, not when the stream is made.
    },
    { highWaterMark: 0 },
  );
}

/** The Node request under @hono/node-server; undefined elsewhere (a test's `app.request`). */
export function nodeRequest(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof IncomingMessage ? incoming : undefined;
}
