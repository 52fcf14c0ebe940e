import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Context } from 'hono';
import {
  BodyTooLargeError,
  lingerBeforeClose,
  nodeRequest,
  RequestAbortedError,
} from '../http/body-limit';

export interface UploadBody {
  stream: Readable;
  /**
   * What a failure while reading means for the client: the body's own limit and a client that
   * went away get the same errors as through `limitRequestBodies`; anything else is as it was.
   */
  explain(error: unknown): unknown;
}

/**
 * The request body as one Node stream. Under @hono/node-server that is the Node request itself
 * (`c.env.incoming`) when nothing has read from it yet: the bytes then reach the upload's
 * inspection as the socket delivers them (64 KiB reads), instead of through the adapter's web
 * stream, the body limit's web stream and `Readable.fromWeb` (three hops, each one promise per
 * chunk, on a machine that has the S3 server on its other core). The limit is the same: the upload
 * counts its bytes from the first one (`InspectStream`), a Content-Length over it was refused
 * before (`allowBodyUpTo`), and Node's parser holds a body to its Content-Length. Elsewhere (a
 * test's `app.request`) the web body, behind its limit.
 */
export function uploadBody(c: Context): UploadBody | null {
  const incoming = nodeRequest(c);
  // Only while nobody else reads it: once the adapter's web body is attached (its 'data' listener
  // pauses the request whenever its own queue fills), a second reader would stall for good.
  if (incoming && !incoming.readableDidRead && incoming.listenerCount('data') === 0) {
    return {
      stream: incoming,
      explain(error) {
        if (error instanceof BodyTooLargeError) {
          // Bytes past the limit are still arriving: let the 413 reach the client before closing.
          lingerBeforeClose(c);
          return error;
        }
        // Node's own error for a request whose connection closed before its body ended.
        const aborted =
          error instanceof Error &&
          (error as NodeJS.ErrnoException).code === 'ECONNRESET' &&
          error.message === 'aborted';
        return aborted ? new RequestAbortedError(error) : error;
      },
    };
  }
  const body = c.req.raw.body;
  if (!body) return null;
  return {
    stream: Readable.fromWeb(body as WebReadableStream<Uint8Array>),
    explain: (error) => error,
  };
}
