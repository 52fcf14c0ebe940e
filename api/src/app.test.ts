import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  type Backends,
  backendEnvSchema,
  closeServer,
  createLogger,
  listen,
  openBackends,
} from '@confab/db';
import { waitFor } from '@confab/db/testing';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AppOptions, createApp } from './app';
import { createAuth } from './auth/auth';
import { BackgroundTasks } from './background-tasks';
import { allowBodyUpTo, limitRequestBodies } from './http/body-limit';
import { parseJson } from './http/request';
import { securityHeaders } from './http/security-headers';
import { createOutboxMailer } from './mail/mailer';
import { contract, type RouteContract } from './openapi/contract';
import { healthRoute } from './routes/health/health-route';

let dir: string;
let backends: Backends;
let app: ReturnType<typeof createApp>;
let appOptions: AppOptions;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'confab-app-'));
  const clientDir = join(dir, 'client');
  await mkdir(join(clientDir, 'assets'), { recursive: true });
  await writeFile(join(clientDir, 'index.html'), '<!doctype html><title>Confab</title>');
  await writeFile(join(clientDir, 'assets', 'app-abc123.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'outside the client folder');
  const logger = createLogger('silent');
  backends = await openBackends(backendEnvSchema.parse({ DATA_DIR: join(dir, 'data') }), {
    logger,
    connectionName: 'test',
  });
  const mailer = await createOutboxMailer(join(dir, 'outbox'), 'test');
  const tasks = new BackgroundTasks(logger);
  const auth = await createAuth(
    backends,
    {
      publicUrl: 'http://localhost',
      allowedOrigins: ['http://localhost'],
      trustProxy: false,
      passwordScheme: 'argon2id',
      redisKeyPrefix: 'unused:',
    },
    {
      mailer: await createOutboxMailer(join(dir, 'outbox'), 'test'),
      tasks: new BackgroundTasks(logger),
    },
  );
  appOptions = {
    backends,
    auth,
    mailer,
    tasks,
    logger,
    services: ['api', 'sync', 'client'],
    clientDir,
    version: '9.9.9',
    checkResponses: true,
  };
  app = createApp(appOptions);
});
afterAll(async () => {
  await backends.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the Node adapter passes an app: the socket the request came in on. */
const fromAddress = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

describe('GET /api/health', () => {
  it('tells anyone only whether it is healthy: no version, installation id or backends', async () => {
    for (const env of [undefined, fromAddress('203.0.113.7'), fromAddress('::ffff:10.0.0.1')]) {
      const response = await app.request('/api/health', {}, env);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('names version, installation and embedded backends to a caller on this machine', async () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await app.request('/api/health', {}, fromAddress(address));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ok',
        version: '9.9.9',
        installationId: backends.installation.id,
        services: ['api', 'sync', 'client'],
        backends: {
          database: { kind: 'pglite', embedded: true, ok: true },
          redis: { kind: 'in-process', embedded: true, ok: true },
          bus: { kind: 'in-process', embedded: true, ok: true },
          blobs: { kind: 'local', embedded: true, ok: true },
        },
      });
    }
  });

  it('behind a proxy, judges the forwarded client, not the proxy on loopback', async () => {
    const route = new Hono().route(
      '/health',
      healthRoute({
        backends,
        services: ['api'],
        version: '9.9.9',
        startedAt: new Date(),
        trustProxy: true,
      }),
    );
    const proxied = await route.request(
      '/health',
      { headers: { 'X-Forwarded-For': '127.0.0.1, 203.0.113.7' } },
      fromAddress('127.0.0.1'),
    );
    expect(await proxied.json()).toEqual({ status: 'ok' });
    const local = await route.request('/health', {}, fromAddress('127.0.0.1'));
    expect(await local.json()).toMatchObject({ version: '9.9.9' });
  });

  it('answers 503 degraded, to anyone, when a backend does not answer', async () => {
    const down: Backends = {
      ...backends,
      health: async () => ({ ...(await backends.health()), ok: false }),
    };
    const route = new Hono().route(
      '/health',
      healthRoute({
        backends: down,
        services: ['api'],
        version: '9.9.9',
        startedAt: new Date(),
        trustProxy: false,
      }),
    );
    const response = await route.request('/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'degraded' });
  });
});

describe('errors', () => {
  it('answers unknown API routes with a typed 404, never the client page', async () => {
    for (const path of ['/api/nope', '/api', '/api/health/extra']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: 'not_found', message: expect.stringContaining('No route') },
      });
    }
  });

  it('answers an unknown method on a known API path with a typed 404', async () => {
    const response = await app.request('/api/health', { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

describe('web client', () => {
  it('serves index.html at / and for client routes, revalidated on every load', async () => {
    for (const path of ['/', '/w/acme/c/general']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<title>Confab</title>');
    }
  });

  it('lets browsers cache hashed assets for a year, and 404s missing ones', async () => {
    const found = await app.request('/assets/app-abc123.js');
    expect(found.status).toBe(200);
    expect(found.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await app.request('/assets/app-old.js');
    expect(missing.status).toBe(404);
  });

  it('never serves files outside the client folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const response = await app.request(path);
      expect(await response.text(), path).not.toContain('outside the client folder');
    }
  });

  it('sends a content security policy and no-sniff on every response', async () => {
    const response = await app.request('/');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('security headers', () => {
  it('forbids framing consistently: X-Frame-Options DENY with frame-ancestors none', async () => {
    for (const path of ['/', '/api/health', '/api/nope']) {
      const response = await app.request(path);
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('content-security-policy'), path).toContain(
        "frame-ancestors 'none'",
      );
    }
  });

  it('switches off camera, microphone, geolocation and the like, keeping clipboard writes', async () => {
    const policy = (await app.request('/')).headers.get('permissions-policy') ?? '';
    for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb']) {
      expect(policy).toContain(`${feature}=()`);
    }
    expect(policy).toContain('clipboard-write=(self)');
  });

  it('sends no HSTS over plain http', async () => {
    const response = await app.request('/', { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  const hstsFor = async (
    options: { publicUrl: string; trustProxy: boolean },
    headers: Record<string, string> = {},
  ) => {
    const site = new Hono().use(securityHeaders(options)).get('/', (c) => c.text('ok'));
    const response = await site.request('http://node.internal/', { headers });
    return response.headers.get('strict-transport-security');
  };

  it('sends HSTS when users reach Confab over https', async () => {
    expect(await hstsFor({ publicUrl: 'https://chat.example.com', trustProxy: false })).toMatch(
      /^max-age=\d+; includeSubDomains$/,
    );
    expect(await hstsFor({ publicUrl: 'http://chat.example.com', trustProxy: false })).toBeNull();
  });

  it('behind a proxy, sends HSTS only when the proxy says the request came over https', async () => {
    const options = { publicUrl: 'https://chat.example.com', trustProxy: true };
    expect(await hstsFor(options, { 'X-Forwarded-Proto': 'https' })).not.toBeNull();
    expect(await hstsFor(options, { 'X-Forwarded-Proto': 'http' })).toBeNull();
    // The proxy appends its own value; one the client sent before it does not count.
    expect(await hstsFor(options, { 'X-Forwarded-Proto': 'https, http' })).toBeNull();
    expect(await hstsFor(options)).toBeNull();
  });
});

describe('request bodies [S8]', () => {
  const bigLogin = () =>
    JSON.stringify({ email: 'x@example.com', password: 'p'.repeat(70 * 1024) });

  it('refuses a JSON body over 64 KiB with 413 payload_too_large and closes the connection', async () => {
    const response = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: bigLogin(),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
  });

  it('lets a route declare a larger limit, and holds every other route to the default', async () => {
    const site = new Hono()
      .use(limitRequestBodies({ maxBytes: 100 }))
      .post('/small', async (c) => c.json(await parseJson(c, z.object({ text: z.string() }))))
      .post('/upload', allowBodyUpTo(1_000), async (c) =>
        c.json(await parseJson(c, z.object({ text: z.string() }))),
      );
    site.onError((error, c) =>
      c.json({ code: (error as { code?: string }).code }, (error as { status?: 413 }).status),
    );
    const post = (path: string, length: number, declare: boolean) => {
      const body = JSON.stringify({ text: 'x'.repeat(length) });
      return site.request(path, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(declare ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}),
        },
        body,
      });
    };
    for (const declare of [false, true]) {
      expect((await post('/small', 50, declare)).status).toBe(200);
      expect((await post('/small', 500, declare)).status).toBe(413);
      expect((await post('/upload', 500, declare)).status).toBe(200);
      expect((await post('/upload', 5_000, declare)).status).toBe(413);
    }
  });

  describe('on a real socket', () => {
    let server: Server;
    let port: number;
    const logLines: Array<{ level: number; msg: string; err?: unknown }> = [];
    beforeAll(async () => {
      const logStream = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean))
            logLines.push(JSON.parse(line));
          done();
        },
      });
      const logged = createApp({ ...appOptions, logger: pino({ level: 'debug' }, logStream) });
      server = createAdaptorServer({ fetch: logged.fetch }) as Server;
      port = ((await listen(server, 0, '127.0.0.1')) as AddressInfo).port;
    });
    afterAll(() => closeServer(server, 1_000));

    /** Sends `head` on a fresh connection and resolves with everything the server sent back. */
    const exchange = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(head));
        let answer = '';
        socket.on('data', (data) => {
          answer += data.toString('latin1');
        });
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });

    it('refuses a declared Content-Length over the limit before reading any of the body', async () => {
      // No body follows: a server that waited to read it would never answer.
      const answer = await exchange(
        'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 300000000\r\n\r\n',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toContain('"code":"payload_too_large"');
    });

    it('logs a request the client aborted mid-body at info, without a stack, not as an error', async () => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email":',
          () => socket.destroy(),
        ),
      );
      const aborted = await waitFor('the abort to be logged', () =>
        logLines.find((line) => line.msg === 'request aborted'),
      );
      expect(aborted).toMatchObject({ level: 30 });
      expect(aborted.err).toBeUndefined();
      expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
    });
  });
});

describe('GET /api/openapi.json', () => {
  it('documents every route the API serves, with its method', async () => {
    const document = (await (await app.request('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toBe('3.1.0');
    const served = app.routes
      .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
      .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served.length).toBeGreaterThan(10);
    expect(new Set(documented)).toEqual(new Set(served));
    // The contract names the same routes: each has its schemas, checked on every answer.
    expect(new Set(Object.keys(contract))).toEqual(new Set(served));
  });

  it('describes every success answer with a body by its response schema, as sent', async () => {
    const document = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
    for (const [key, route] of Object.entries(contract) as [string, RouteContract][]) {
      const [method = '', path = ''] = key.split(' ');
      const responses = document.paths[path]?.[method.toLowerCase()]?.responses ?? {};
      const successes = Object.keys(responses).filter((status) => /^[23]/.test(status));
      expect(successes.sort(), key).toEqual(
        Object.keys(route.responses)
          .filter((status) => /^[23]/.test(status))
          .sort(),
      );
      for (const [status, schema] of Object.entries(route.responses)) {
        const content = responses[status]?.content?.['application/json'];
        expect(content, `${key} ${status}`).toEqual(
          schema
            ? { schema: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) }
            : undefined,
        );
      }
    }
  });

  it('keeps the shape OpenAPI 3.1 requires: a summary and described responses on each operation', async () => {
    const document = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { summary?: string; responses?: object }>>;
    };
    for (const [path, operations] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\//);
      for (const [method, operation] of Object.entries(operations)) {
        expect(['get', 'put', 'post', 'delete', 'patch'], path).toContain(method);
        expect(typeof operation.summary, `${method} ${path}`).toBe('string');
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(typeof (response as { description?: unknown }).description).toBe('string');
        }
      }
    }
  });
});
