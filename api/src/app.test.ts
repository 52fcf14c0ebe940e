import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backends, backendEnvSchema, createLogger, openBackends } from '@confab/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app';
import { createAuth } from './auth/auth';
import { BackgroundTasks } from './background-tasks';
import { createOutboxMailer } from './mail/mailer';

let dir: string;
let backends: Backends;
let app: ReturnType<typeof createApp>;

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
  app = createApp({
    backends,
    auth,
    mailer,
    tasks,
    logger,
    services: ['api', 'sync', 'client'],
    clientDir,
    version: '9.9.9',
  });
});
afterAll(async () => {
  await backends.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /api/health', () => {
  it('answers ok and names the embedded backends in use', async () => {
    const response = await app.request('/api/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(body).toMatchObject({
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
  });
});
