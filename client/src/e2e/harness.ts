import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database, openPostgres, schema } from '@confab/db';
import { freePort, type ServerProcess, tsEntry, useServerProcesses } from '@confab/db/testing';
import { and, eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type CuttableProxy, startCuttableProxy } from './cuttable-proxy';
import { CHROMIUM, launchChromium } from './ui';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The built client; CLIENT_DIST_DIR points elsewhere (a build of one's own while others build). */
const clientDist = process.env.CLIENT_DIST_DIR ?? join(repoRoot, 'client', 'dist');
/** Screenshots of test runs, for people to look at; never committed. */
export const artifacts = join(repoRoot, 'test-artifacts');

/**
 * A whole Confab process (API, sync, built client on one port) on the test file's own database
 * and Redis prefix, and Debian's Chromium driven by playwright-core. The process can be
 * restarted on the same port and data (`restartServer`), and pages that open `proxyUrl` reach
 * it through a proxy whose cut closes their sockets like a dropped network (`network.cut`).
 */
export function useBrowserHarness(
  /** More settings for the Confab process, read when it starts (after earlier hooks ran). */
  extraEnv: () => Record<string, string> = () => ({}),
) {
  const processes = useServerProcesses();
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let database: Database | undefined;
  let proxy: CuttableProxy | undefined;
  let baseUrl = '';
  let env: Record<string, string> = {};
  const start = async () => {
    server = await processes.start(tsEntry(join(repoRoot, 'api', 'src', 'main.ts')), env, {
      cwd: repoRoot,
    });
  };
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Browser tests need Chromium at ${CHROMIUM}: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH).`,
      );
    if (!existsSync(join(clientDist, 'index.html')))
      throw new Error(
        'Browser tests need the built client: npm run build --workspace @confab/client',
      );
    await mkdir(artifacts, { recursive: true });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    proxy = await startCuttableProxy(() => port);
    env = processes.env({
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      ALLOWED_ORIGINS: `${baseUrl},http://127.0.0.1:${proxy.port}`,
      CLIENT_DIST_DIR: clientDist,
      DATA_DIR: join(processes.scratch, 'data'),
      ...extraEnv(),
    });
    await start();
    browser = await launchChromium();
    database = await openPostgres(processes.database.url, { poolSize: 2 });
  }, 120_000);
  afterAll(async () => {
    // The server is stopped by useServerProcesses, after this.
    await browser?.close();
    await proxy?.stop();
    await database?.close();
  });
  return {
    get baseUrl() {
      return baseUrl;
    },
    /** The same server through the cuttable proxy (another origin: its own storage). */
    get proxyUrl() {
      if (!proxy) throw new Error('useBrowserHarness: use it inside a test or hook');
      return `http://127.0.0.1:${proxy.port}`;
    },
    /** The network between `proxyUrl` pages and the server. */
    get network(): Pick<CuttableProxy, 'cut' | 'restore'> {
      if (!proxy) throw new Error('useBrowserHarness: use it inside a test or hook');
      return proxy;
    },
    /** Stops the server as Ctrl+C does; `startServer` brings it back on the same port and data. */
    async stopServer() {
      await server?.stop('SIGINT');
      server = undefined;
    },
    startServer: start,
    get browser(): Browser {
      if (!browser) throw new Error('useBrowserHarness: use it inside a test or hook');
      return browser;
    },
    /** The server's database, for setting up what the UI cannot do yet. */
    get db() {
      if (!database) throw new Error('useBrowserHarness: use it inside a test or hook');
      return database.db;
    },
    /** The ids of a workspace (by its unique name in the test) and of its #general. */
    async general(workspaceName: string) {
      const db = this.db;
      const [row] = await db
        .select({ workspaceId: schema.workspaces.id, channelId: schema.channels.id })
        .from(schema.workspaces)
        .innerJoin(schema.channels, eq(schema.channels.workspaceId, schema.workspaces.id))
        .where(and(eq(schema.workspaces.name, workspaceName), eq(schema.channels.name, 'general')));
      if (!row) throw new Error(`no #general in workspace ${workspaceName}`);
      return row;
    },
  };
}
