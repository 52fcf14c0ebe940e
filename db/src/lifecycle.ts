import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigError } from './config';
import type { Logger } from './logger';

export interface HttpLimits {
  /**
   * The request line and headers must arrive within this, counted from the connection or the
   * previous answer, or the answer is 408: a connection that sends nothing is closed too.
   */
  headersTimeoutMs?: number;
  /**
   * The whole request, body included. An upgraded (WebSocket) connection is no longer a request
   * and is not cut; an upload must arrive within it.
   */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs?: number;

  /**
   * Open connections one peer address may hold (WebSockets included); more are cut at once.
   * 0: no cap, for a server behind a load balancer, where every connection comes from it.
   */
  maxConnectionsPerIp?: number;
}

/**
 * Bounds what a slow or greedy client can hold: connections that never finish their headers or
 * body, and connections by the hundred from one address. Call before `listen` (Node reads the
 * checking interval when listening starts).
 */
export function limitHttpServer(
  server: Server,
  {
    headersTimeoutMs = 20_000,
    requestTimeoutMs = 300_000,
    keepAliveTimeoutMs = 5_000,
    maxConnectionsPerIp = 256,
  }: HttpLimits = {},
): void {
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  server.keepAliveTimeout = keepAliveTimeoutMs;
  // Node checks both timeouts on this interval (30 s by default: a timeout late by up to that).
  // It is the `connectionsCheckingInterval` option, read when listening starts; not in the types.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.max(10, Math.min(1_000, headersTimeoutMs / 4));
  if (maxConnectionsPerIp > 0) capConnectionsPerIp(server, maxConnectionsPerIp);
}

function capConnectionsPerIp(server: Server, max: number): void {
  const open = new Map<string, number>();
  // Before Node's own listener: a refused socket gets no parser, no timers, not one byte read.
  server.prependListener('connection', (socket: Socket) => {
    const ip = socket.remoteAddress;
    if (ip === undefined) return;
    const count = open.get(ip) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(ip, count + 1);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left === 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Stops accepting connections, lets requests in flight finish for up to `timeoutMs`, then cuts
 * whatever is left. Idle keep-alive connections are closed at once, or `close` would wait on them.
 */
export async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `stop` once on the first SIGTERM or SIGINT and exits 0 when it finishes (1 if it throws);
 * a second signal exits at once for an operator who does not want to wait.
 */
export function exitOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * The top of every main.ts: a bad configuration prints its message (naming each variable) and
 * exits 1 without a stack trace; any other start failure is logged and exits 1 too.
 */
export async function runMain(start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`Confab failed to start: ${(error as Error).stack ?? String(error)}\n`);
    }
    process.exit(1);
  }
}
