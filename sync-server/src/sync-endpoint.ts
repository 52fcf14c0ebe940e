import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type ConnectionCounts,
  createInProcessConnectionCounts,
  type DocGrant,
  type KeyValueStore,
  type Logger,
  type Policy,
  parseDocRef,
} from '@confab/db';
import { WebSocketServer } from 'ws';
import type { BurstGrants } from './burst-grants';
import { CloseCode, UpgradeStatus } from './close-codes';
import { NodeConnections } from './connection-count';
import type { SyncConnection } from './engine/ports';
import { frameBudget, SYNC_LIMITS, type SyncLimits } from './limits';
import { isOriginAllowed } from './origin';
import type { SyncService } from './sync-service';
import { redeemSyncTicket } from './tickets';

export const SYNC_PATH_PREFIX = '/sync/';

export interface SyncEndpointOptions {
  allowedOrigins: readonly string[];
  logger: Logger;
  kv: KeyValueStore;
  policy: Policy;
  service: SyncService;
  limits?: SyncLimits;
  /** Connections per user over all nodes (`backends.connections`); this node's alone if absent. */
  connectionCounts?: ConnectionCounts;
  /** One policy query per user's burst of sockets; every socket asks the policy if absent. */
  grants?: BurstGrants;
}

export interface SyncEndpoint {
  /** Refuses new upgrades; used at shutdown. */
  close(): void;
}

/**
 * Serves `/sync/<docName>?ticket=…` on an existing HTTP server. Every check runs before the 101,
 * so a refused client gets a plain HTTP status and never holds a WebSocket. Checks, in order:
 * path, shutdown, doc name, Origin, ticket, access to the doc.
 */
export function attachSyncEndpoint(server: Server, options: SyncEndpointOptions): SyncEndpoint {
  const { allowedOrigins, logger, kv, policy, service, grants, limits = SYNC_LIMITS } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes });
  const connections = new NodeConnections(
    options.connectionCounts ?? createInProcessConnectionCounts(),
    limits.maxConnectionsPerUser,
    logger,
  );
  let closing = false;
  const alive = new WeakMap<object, boolean>();
  // Peers that vanished without a close (a phone going into a tunnel) are found by ping/pong.
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, limits.pingIntervalMs);
  heartbeat.unref();

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
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
    const docName = decodeURIComponentSafe(url.pathname.slice(SYNC_PATH_PREFIX.length));
    if (!parseDocRef(docName)) {
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
    try {
      const ticket = url.searchParams.get('ticket');
      const principal = ticket ? await redeemSyncTicket(kv, ticket) : null;
      if (!principal) {
        return refuse(
          socket,
          UpgradeStatus.unauthenticated,
          'unauthenticated',
          'A valid sync ticket is required',
        );
      }
      const { userId } = principal;
      const version = grants?.version ?? 0;
      // The count and the grant at once; a refused doc gives its count back.
      const counted = connections.acquire(userId);
      const granted = grants ? grants.grant(userId, docName) : policy.docGrant(userId, docName);
      const [grant, release] = await Promise.all([
        granted.catch((error: unknown) => {
          counted.then((giveBack) => giveBack?.()).catch(() => {});
          throw error;
        }),
        counted,
      ]);
      const { access, may } = grant;
      // A doc one may not open answers like one that does not exist.
      if (access === 'none') {
        release?.();
        return refuse(socket, UpgradeStatus.notFound, 'not_found', 'No such document');
      }
      if (!release) {
        return refuse(
          socket,
          UpgradeStatus.tooManyConnections,
          'too_many_connections',
          'Too many open documents',
        );
      }
      // Counted before the upgrade; a handshake that dies midway uncounts itself here.
      if (socket.destroyed) return release();
      socket.once('close', release);
      wss.handleUpgrade(request, socket, head, (ws) => {
        alive.set(ws, true);
        ws.on('pong', () => alive.set(ws, true));
        const budget = frameBudget(limits);
        const connection: SyncConnection = {
          userId,
          sessionId: principal.sessionId,
          readOnly: access === 'read',
          may,
          wantsAcks: url.searchParams.get('acks') === '1',
          send(frame) {
            if (ws.readyState === ws.OPEN) ws.send(frame);
          },
          close(code, reason) {
            ws.close(code, reason);
          },
        };
        // Frames that arrive while the doc loads wait for it, in order.
        const early: Uint8Array[] = [];
        let receive: ((frame: Uint8Array) => void) | null = null;
        let leave: (() => void) | null = null;
        ws.on('message', (data, isBinary) => {
          if (!isBinary) return connection.close(CloseCode.malformed, 'binary frames only');
          if (!budget.take()) return connection.close(CloseCode.rateLimited, 'too many messages');
          const frame = new Uint8Array(data as Buffer);
          if (receive) receive(frame);
          else early.push(frame);
        });
        ws.on('close', () => {
          release();
          leave?.();
          leave = () => {};
        });
        ws.on('error', () => {});
        service.connect(docName, connection).then(
          (handle) => {
            if (leave) return handle.close(); // the socket closed while the doc loaded
            receive = handle.receive;
            leave = handle.close;
            for (const frame of early.splice(0)) handle.receive(frame);
            if (grants?.changedSince(version)) recheck(connection, docName, grant);
          },
          (error: unknown) => {
            logger.error({ err: error, docName }, 'could not open doc');
            ws.close(CloseCode.persistenceFailed, 'could not open document');
          },
        );
      });
    } catch (error) {
      logger.error({ err: error, docName }, 'sync authentication failed');
      return refuse(socket, UpgradeStatus.unavailable, 'unavailable', 'Authentication unavailable');
    }
  };
  /**
   * A membership change arrived between this socket's grant and its joining the doc, when the
   * service's recheck may not have seen it yet: the policy decides again, and a socket whose
   * access changed closes (for good when it has none left, else to reconnect with its new rights).
   */
  const recheck = (connection: SyncConnection, docName: string, granted: DocGrant) => {
    policy.docGrant(connection.userId, docName).then(
      (fresh) => {
        if (fresh.access === 'none') connection.close(CloseCode.forbidden, 'access withdrawn');
        else if (JSON.stringify(fresh) !== JSON.stringify(granted))
          connection.close(CloseCode.goingAway, 'access changed');
      },
      (error: unknown) => {
        logger.error({ err: error, docName }, 'access recheck failed');
        connection.close(CloseCode.goingAway, 'access recheck failed');
      },
    );
  };
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    void onUpgrade(request, socket, head);
  });
  return {
    close() {
      closing = true;
      clearInterval(heartbeat);
      connections.stop();
      void grants?.stop();
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

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
