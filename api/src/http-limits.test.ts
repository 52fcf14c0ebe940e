import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { closeServer, createLogger, limitHttpServer, listen } from '@confab/db';
import { useServerProcesses, waitFor } from '@confab/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { loadApiEnv } from './env';
import { httpLimits, type RunningServer, startServer } from './server';

// The server runs in this process (to set its limits); the helper gives it a node's settings.
const processes = useServerProcesses();
const MAX_PER_IP = 4;

let server: RunningServer;
beforeAll(async () => {
  const env = loadApiEnv(
    processes.env({
      PUBLIC_URL: 'http://127.0.0.1',
      DATA_DIR: join(processes.scratch, 'data'),
    }),
  );
  // Short timeouts through the server option, so each case ends in well under a second.
  server = await startServer(env, createLogger('silent'), {
    http: {
      headersTimeoutMs: 200,
      requestTimeoutMs: 400,
      maxConnectionsPerIp: MAX_PER_IP,
    },
  });
});
afterAll(() => server?.stop());

const opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
});

interface RawConnection {
  socket: Socket;
  received: () => string;
  closed: () => boolean;
}

/** A TCP connection to `port` that records what it receives and whether the server closed it. */
async function rawConnection(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  opened.push(socket);
  let received = '';
  let closed = false;
  socket.on('data', (data) => {
    received += data.toString('latin1');
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => received, closed: () => closed };
}

const untilClosed = (connection: RawConnection, what: string) =>
  waitFor(what, () => (connection.closed() ? true : undefined), { timeoutMs: 10_000 });

const HEALTH_REQUEST = 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

describe('slow clients [S8]', () => {
  it('closes a connection that sends half a header line, with 408', async () => {
    const slow = await rawConnection(server.address.port);
    slow.socket.write('GET /api/health HTTP/1.1\r\nHost: 127');
    await untilClosed(slow, 'the half-header connection to be closed');
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection whose body never finishes arriving', async () => {
    const slow = await rawConnection(server.address.port);
    slow.socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":',
    );
    await untilClosed(slow, 'the slow-body connection to be closed');
    expect(slow.received()).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('closes a connection that never sends a byte', async () => {
    const silent = await rawConnection(server.address.port);
    await untilClosed(silent, 'the silent connection to be closed');
    expect(silent.received()).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('still answers a client that sends its request in time', async () => {
    const prompt = await rawConnection(server.address.port);
    prompt.socket.write(HEALTH_REQUEST);
    await waitFor('the health answer', () =>
      prompt.received().includes('{"status":"ok"') ? true : undefined,
    );
    expect(prompt.received()).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('connections per address [S8]', () => {
  /** A connection the server answered (retried while connections of earlier tests wind down). */
  const servedConnection = () =>
    waitFor('a connection the server answers', async () => {
      const connection = await rawConnection(server.address.port);
      connection.socket.write(HEALTH_REQUEST);
      return waitFor(
        'its answer',
        () => {
          if (connection.received().startsWith('HTTP/1.1 200 ')) return connection;
          if (connection.closed()) throw new Error('refused');
          return undefined;
        },
        { timeoutMs: 2_000 },
      );
    });

  it(`refuses connection ${MAX_PER_IP + 1} from one address, and takes one again when one closes`, async () => {
    const held: RawConnection[] = [];
    for (let i = 0; i < MAX_PER_IP; i++) held.push(await servedConnection());
    const extra = await rawConnection(server.address.port);
    extra.socket.write(HEALTH_REQUEST);
    await untilClosed(extra, 'the connection over the cap to be cut');
    expect(extra.received()).toBe('');

    held[0]?.socket.destroy();
    await servedConnection();
  });

  it('sets no cap behind a load balancer, where every connection comes from it', () => {
    expect(httpLimits({ TRUST_PROXY: true }).maxConnectionsPerIp).toBe(0);
    expect(httpLimits({ TRUST_PROXY: false }).maxConnectionsPerIp).toBe(256);
  });
});

describe('WebSockets and the request timeout', () => {
  it('keeps an upgraded connection open past the request timeout', async () => {
    const plain = createServer((_request, response) => response.end());
    limitHttpServer(plain, { headersTimeoutMs: 100, requestTimeoutMs: 200 });
    const wss = new WebSocketServer({ noServer: true });
    plain.on('upgrade', (request, socket, head) =>
      wss.handleUpgrade(request, socket, head, (ws) =>
        ws.on('message', (data) => ws.send(String(data))),
      ),
    );
    const { port } = await listen(plain, 0, '127.0.0.1');
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      let wsClosed = false;
      ws.on('close', () => {
        wsClosed = true;
      });
      // A request whose body never ends, started after the upgrade, is cut by the request
      // timeout: once it is gone, the timeout has had its chance at the WebSocket too.
      const witness = await rawConnection(port);
      witness.socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{');
      await untilClosed(witness, 'the witness request to time out');
      expect(wsClosed).toBe(false);
      const echoed = new Promise<string>((resolve) =>
        ws.once('message', (data) => resolve(String(data))),
      );
      ws.send('still here');
      expect(await echoed).toBe('still here');
      ws.close();
    } finally {
      await closeServer(plain, 1_000);
    }
  });
});
