import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from './config';
import type { Logger } from './logger';

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
