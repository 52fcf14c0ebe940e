import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on a free loopback port and prints the line the benchmark waits for (the same JSON
 * `listening` record Confab's own processes log), then exits on SIGTERM.
 */
export async function announce(server: Server, onStop: () => Promise<void> = async () => {}) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ msg: 'listening', port }));
  process.once('SIGTERM', () => {
    onStop().finally(() => process.exit(0));
  });
}
