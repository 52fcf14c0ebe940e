import { fileURLToPath } from 'node:url';
import { type ServerProcess, tsEntry, useServerProcesses } from '@confab/db/testing';
import * as encoding from 'lib0/encoding';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/**
 * [S8] on the real process: waves of hostile sync frames, and /api/health must keep answering
 * within 1 s (an abort deadline, not a timing assertion) while every attacker is cut off.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const processes = useServerProcesses();
let server: ServerProcess;

beforeAll(async () => {
  server = await processes.start(tsEntry(MAIN), processes.env({ PUBLIC_URL: 'http://localhost' }));
}, 120_000);

const bytes = (write: (e: encoding.Encoder) => void) => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};

/** A sync update frame whose update names `clients` client ids. */
const manyClients = (clients: number) =>
  bytes((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(
      e,
      bytes((u) => {
        encoding.writeVarUint(u, clients);
        for (let c = 0; c < clients; c++) {
          encoding.writeVarUint(u, 1);
          encoding.writeVarUint(u, c + 1);
          encoding.writeVarUint(u, 0);
          encoding.writeUint8(u, 4);
          encoding.writeVarUint(u, 1);
          encoding.writeVarString(u, `k${c}`);
          encoding.writeVarString(u, 'x');
        }
        encoding.writeVarUint(u, 0);
      }),
    );
  });

const HOSTILE: Array<[string, Uint8Array]> = [
  ['random bytes', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)],
  ['a huge varint', new Uint8Array([0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])],
  ['a truncated message', new Uint8Array([0, 2, 50, 1, 2, 3])],
  ['an update with 5,000 client ids', manyClients(5000)],
  ['an oversized frame', new Uint8Array(1024 * 1024 + 10)],
];

describe('hostile sync input against the running process', () => {
  it('cuts off every attacker while /api/health keeps answering within 1 s', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const signup = await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: 'mallory@example.com',
        password: 'correct horse battery',
        name: 'Mallory',
      }),
    });
    const { accessToken, user } = (await signup.json()) as {
      accessToken: string;
      user: { id: string };
    };

    let healthChecks = 0;
    let healthFailures = 0;
    let attacking = true;
    const health = (async () => {
      while (attacking) {
        try {
          const response = await fetch(`${base}/api/health`, {
            signal: AbortSignal.timeout(1_000),
          });
          if (response.status !== 200) healthFailures++;
        } catch {
          healthFailures++;
        }
        healthChecks++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const codes: number[] = [];
    // Waves until the health poller has run at least 20 times during the attack.
    let waves = 0;
    for (; healthChecks < 20; waves++) {
      await Promise.all(
        HOSTILE.map(async ([, frame]) => {
          const ticket = await fetch(`${base}/api/sync/tickets`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${accessToken}` },
          });
          const { ticket: value } = (await ticket.json()) as { ticket: string };
          const socket = new WebSocket(
            `ws://127.0.0.1:${server.port}/sync/user:${user.id}?ticket=${value}`,
          );
          await new Promise<void>((resolve, reject) => {
            socket.on('open', () => resolve());
            socket.on('error', reject);
          });
          const closed = new Promise<number>((resolve) =>
            socket.on('close', (code) => resolve(code)),
          );
          socket.send(frame);
          codes.push(await closed);
        }),
      );
    }
    attacking = false;
    await health;
    console.info(
      `hostile sync: ${codes.length} attackers closed (${[...new Set(codes)].sort().join(', ')}), ${healthChecks} health checks, ${healthFailures} late or failed`,
    );
    expect(codes).toHaveLength(HOSTILE.length * waves);
    expect(codes.every((code) => [1009, 4400, 4413].includes(code))).toBe(true);
    expect(healthChecks).toBeGreaterThanOrEqual(20);
    expect(healthFailures).toBe(0);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});
