import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export interface CuttableProxy {
  readonly port: number;
  /** Like a dropped network: every open connection is reset and new ones are refused. */
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

/**
 * A TCP proxy in front of the Confab process, for browser tests: the page talks to the server
 * through it, so cutting it closes the page's sockets, which Chromium's own offline mode does
 * not do (it stalls them).
 */
export async function startCuttableProxy(targetPort: () => number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server = createServer((client) => {
    track(client);
    if (!open) return client.resetAndDestroy();
    const upstream = connect(targetPort(), '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      open = false;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      open = true;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
