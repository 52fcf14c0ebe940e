import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { createLogger } from '@confab/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachSyncEndpoint, type SyncEndpoint } from './sync-endpoint';

const ORIGIN = 'https://chat.example.com';
let server: Server;
let endpoint: SyncEndpoint;
let port: number;

beforeAll(async () => {
  server = createServer((_request, response) => response.end('plain http'));
  endpoint = attachSyncEndpoint(server, {
    allowedOrigins: [ORIGIN],
    logger: createLogger('silent'),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Sends a WebSocket handshake and returns the HTTP status and JSON error code it got. */
function upgrade(path: string, headers: Record<string, string> = { Origin: ORIGIN }) {
  return new Promise<{ status: number; code: string }>((resolve, reject) => {
    const request = httpRequest({
      port,
      host: '127.0.0.1',
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      response.on('end', () => {
        // Node's own HTTP parser refuses some requests before we see them, with an empty body.
        const code = body ? (JSON.parse(body) as { error: { code: string } }).error.code : '';
        resolve({ status: response.statusCode ?? 0, code });
      });
    });
    request.on('upgrade', () => reject(new Error('the server completed an upgrade')));
    request.on('error', reject);
    request.end();
  });
}

describe('sync endpoint', () => {
  it('refuses a valid doc from an allowed origin without a ticket: 401', async () => {
    expect(await upgrade('/sync/channel:3f2a:segment:0')).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
  });

  it('refuses foreign origins before looking at credentials: 403', async () => {
    for (const origin of [
      'https://evil.example.net',
      'null',
      `${ORIGIN}.evil.net`,
      'http://chat.example.com',
    ]) {
      expect(await upgrade('/sync/channel:3f2a:segment:0', { Origin: origin }), origin).toEqual({
        status: 403,
        code: 'forbidden_origin',
      });
    }
  });

  it.each([
    '/sync/',
    '/sync/..%2F..%2Fetc%2Fpasswd',
    '/sync/channel',
    '/sync/Channel:abc',
    '/sync/channel:a%20b',
    '/sync/channel:%ZZ',
    '/sync/channel:abc/extra',
    `/sync/channel:${'a'.repeat(200)}`,
    '/sync/channel:a:b:c:d:e:f',
    '/sync/channel:%00',
    '/sync/channel:%C3%A9',
    '/sync/channel:abc%2Fdef',
  ])('answers a malformed doc name %j with 400', async (path) => {
    expect(await upgrade(path)).toEqual({ status: 400, code: 'invalid_doc_name' });
  });

  it('answers upgrades outside /sync/ with 404 and leaves plain HTTP alone', async () => {
    expect(await upgrade('/api/health')).toEqual({ status: 404, code: 'not_found' });
    expect(await (await fetch(`http://127.0.0.1:${port}/sync/channel:abc`)).text()).toBe(
      'plain http',
    );
  });

  it('survives garbage on the socket and keeps serving others', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end(
          'GET /sync/x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\u0000\u00ff\r\n\r\n',
        );
      });
      socket.resume(); // read (and drop) the answer, or 'close' never comes
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
    expect((await upgrade('/sync/channel:abc')).status).toBe(401);
  });

  it('refuses new upgrades once closed for shutdown: 503', async () => {
    const other = createServer();
    const closing = attachSyncEndpoint(other, {
      allowedOrigins: [ORIGIN],
      logger: createLogger('silent'),
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const saved = port;
    port = (other.address() as AddressInfo).port;
    try {
      closing.close();
      expect(await upgrade('/sync/channel:abc')).toEqual({ status: 503, code: 'shutting_down' });
    } finally {
      port = saved;
      await new Promise((resolve) => other.close(resolve));
    }
    expect(endpoint).toBeDefined();
  });
});
