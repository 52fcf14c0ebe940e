import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FlakyProxyOptions {
  /** Where to forward to. */
  targetPort: number;
  /** Seeded randomness, so a failing run can be replayed. */
  random: () => number;
  /** Extra delay per chunk, up to this many milliseconds. */
  maxLatencyMs: number;
  /** Chance per chunk that both sides of the connection are reset. */
  resetChance: number;
  /** Chunks are cut into pieces of at most this many bytes (frames arrive sliced). */
  maxSliceBytes: number;
}

/**
 * A TCP proxy for tests that behaves like a bad mobile network: it delays, slices, and now and
 * then resets connections. Order within a connection is kept (it is TCP), everything else is not.
 */
export async function startFlakyProxy(
  options: FlakyProxyOptions,
): Promise<{ port: number; resets: () => number; stop(): Promise<void> }> {
  const { targetPort, random, maxLatencyMs, resetChance, maxSliceBytes } = options;
  const sockets = new Set<Socket>();
  let resets = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    const reset = () => {
      resets++;
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    };
    const relay = (from: Socket, to: Socket) => {
      // A per-direction queue keeps byte order while each piece waits its own delay.
      let tail = Promise.resolve();
      from.on('data', (chunk: Buffer) => {
        if (random() < resetChance) return reset();
        const pieces: Buffer[] = [];
        for (let at = 0; at < chunk.length; ) {
          const size = 1 + Math.floor(random() * maxSliceBytes);
          pieces.push(chunk.subarray(at, at + size));
          at += size;
        }
        // One delay per chunk, then its pieces as separate writes a turn of the event loop apart,
        // so the receiver's parser sees frames cut anywhere.
        const delay = random() * maxLatencyMs;
        tail = tail.then(async () => {
          await new Promise((resolve) => setTimeout(resolve, delay));
          for (const piece of pieces) {
            if (to.destroyed) return;
            to.write(piece);
            await new Promise((resolve) => setImmediate(resolve));
          }
        });
      });
      from.on('end', () => {
        void tail.then(() => to.end());
      });
    };
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    resets: () => resets,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
