import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@confab/db';
import { UpgradeStatus } from './close-codes';
import { parseDocName } from './doc-name';
import { isOriginAllowed } from './origin';

export const SYNC_PATH_PREFIX = '/sync/';

export interface SyncEndpointOptions {
  allowedOrigins: readonly string[];
  logger: Logger;
}

export interface SyncEndpoint {
  /** Refuses new upgrades; used at shutdown. */
  close(): void;
}

/**
 * Serves `/sync/<docName>` on an existing HTTP server. Every check runs before the 101, so a
 * refused client gets a plain HTTP status and never holds a WebSocket. Checks, in order: path,
 * shutdown, doc name, Origin, credentials.
 */
export function attachSyncEndpoint(server: Server, options: SyncEndpointOptions): SyncEndpoint {
  const { allowedOrigins, logger } = options;
  let closing = false;
  const onUpgrade = async (request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(SYNC_PATH_PREFIX)) {
      return refuse(
        socket,
        UpgradeStatus.notFound,
        'not_found',
        'No WebSocket endpoint at this path',
      );
    }
    if (closing) {
      return refuse(socket, UpgradeStatus.unavailable, 'shutting_down', 'Server is shutting down');
    }
    const docName = parseDocName(
      decodeURIComponentSafe(url.pathname.slice(SYNC_PATH_PREFIX.length)),
    );
    if (!docName) {
      return refuse(
        socket,
        UpgradeStatus.badRequest,
        'invalid_doc_name',
        'Malformed document name',
      );
    }
    if (!isOriginAllowed(request.headers.origin, allowedOrigins)) {
      logger.warn(
        { origin: request.headers.origin, docName },
        'sync upgrade from a foreign origin',
      );
      return refuse(
        socket,
        UpgradeStatus.forbiddenOrigin,
        'forbidden_origin',
        'Origin not allowed',
      );
    }
    // Sync tickets (README: "Authentication") are not issued yet, so no request carries a valid
    // credential; refusing here keeps every doc closed until they are.
    return refuse(
      socket,
      UpgradeStatus.unauthenticated,
      'unauthenticated',
      'A valid sync ticket is required',
    );
  };
  const listener = (request: IncomingMessage, socket: Duplex) => {
    void onUpgrade(request, socket);
  };
  server.on('upgrade', listener);
  return {
    close() {
      closing = true;
    },
  };
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return '';
  }
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      503: 'Service Unavailable',
    }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
