import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerProcess, startProcess, tsEntry } from '@confab/db/testing';
import { writeBenchResults } from '@confab/db/testing/bench-results';
import { startTestServices, type TestServices } from '@confab/db/testing/services';
import { type ConnectClient, hocuspocusClient, yWebsocketClient } from './connect-clients';
import { ownCpuMs, round, rssMiB } from './connect-stats';
import { type ConnectShape, docCount, docsOf, seedConnectWorld } from './connect-world';
import { cpuMs } from './process-stats';

/**
 * Connect benchmark (README "Connect benchmark"): how long 3,000 sockets over 300 docs take to
 * open and sync, how long they take to come back after the server restarts, and what each idle
 * connection costs in memory, for Confab as deployed and for two plain relays, in one run.
 */
const shape: ConnectShape = {
  users: Number(process.env.BENCH_CONNECT_USERS ?? 300),
  docsPerUser: Number(process.env.BENCH_CONNECT_DOCS_PER_USER ?? 10),
};
const config = {
  ...shape,
  perDoc: Number(process.env.BENCH_CONNECT_PER_DOC ?? 10),
  /** Users connecting at once, each with all of its sockets together (as the web app opens). */
  parallelUsers: Number(process.env.BENCH_CONNECT_PARALLEL ?? 50),
  /** Idle time before the memory is read, for the connect's garbage to be collected. */
  settleMs: Number(process.env.BENCH_CONNECT_SETTLE_MS ?? 5_000),
  /** What the web client asks for (`TICKET_BURST_USES` in client/src/sync/sync-tickets.ts). */
  ticketUses: 20,
};
const connections = config.users * config.docsPerUser;
const TARGET_TIME_RATIO = 2;
const TARGET_RSS_RATIO = 0.5;

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');
const serverEntry = (name: string) => {
  const [node = process.execPath, ...rest] = tsEntry(join(here, 'servers', `${name}.ts`));
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return [node, ...extra, ...rest];
};

interface Started {
  /** The process that is restarted (Confab's sync node, or the relay). */
  server: ServerProcess;
  /** Processes that stay up and count as the server's too (Confab's API). */
  companions: ServerProcess[];
  restart(): Promise<ServerProcess>;
  /** The client of user `user` for doc `doc`. */
  client(doc: number): ConnectClient;
  /** A ticket with `config.ticketUses` uses for one user's burst, from the API; none for relays. */
  ticket?(user: number): Promise<string>;
  cleanUp(): Promise<void>;
}

interface Target {
  label: string;
  relay: boolean;
  start(services: TestServices): Promise<Started>;
}

interface PhaseResult {
  seconds: number;
  /** CPU seconds over the phase: the restarted server, its companions, the load generator. */
  serverCpuSeconds: number;
  companionCpuSeconds: number;
  clientCpuSeconds: number;
}

interface Run {
  server: string;
  relay: boolean;
  connect: PhaseResult;
  reconnect: PhaseResult;
  rssBeforeMiB: number;
  rssWithClientsMiB: number;
  idleKiBPerConnection: number;
}

const pidOf = (process: ServerProcess) => {
  if (!process.child.pid) throw new Error('a server without a pid');
  return process.child.pid;
};

/**
 * Connects every user's sockets, `parallelUsers` users at a time: a user asks for its ticket
 * (Confab), then opens all of its docs at once; the phase ends when every doc synced.
 */
async function connectAll(
  started: Started,
  clients: ConnectClient[][],
  server: ServerProcess,
): Promise<PhaseResult> {
  const serverCpu = cpuMs(pidOf(server));
  const companionCpu = () => started.companions.reduce((sum, p) => sum + cpuMs(pidOf(p)), 0);
  const companionBefore = companionCpu();
  const clientCpu = ownCpuMs();
  const begin = performance.now();
  let next = 0;
  const worker = async () => {
    for (let user = next++; user < clients.length; user = next++) {
      const ticket = await started.ticket?.(user);
      await Promise.all((clients[user] ?? []).map((client) => client.connect(ticket)));
    }
  };
  await Promise.all(Array.from({ length: config.parallelUsers }, worker));
  return {
    seconds: round((performance.now() - begin) / 1000),
    serverCpuSeconds: round((cpuMs(pidOf(server)) - serverCpu) / 1000),
    companionCpuSeconds: round((companionCpu() - companionBefore) / 1000),
    clientCpuSeconds: round((ownCpuMs() - clientCpu) / 1000),
  };
}

async function measure(target: Target, services: TestServices): Promise<Run> {
  const started = await target.start(services);
  const clients = Array.from({ length: config.users }, (_, user) =>
    docsOf(shape, config.perDoc, user).map((doc) => started.client(doc)),
  );
  try {
    // The server as it starts, before any client: what the connections add is measured from here.
    const rssBeforeMiB = rssMiB(pidOf(started.server));
    const connect = await connectAll(started, clients, started.server);
    await new Promise((resolve) => setTimeout(resolve, config.settleMs));
    const rssWithClientsMiB = rssMiB(pidOf(started.server));
    // The reconnect storm: every socket drops, the server restarts, everyone comes back at once.
    for (const client of clients.flat()) client.disconnect();
    const restarted = await started.restart();
    const reconnect = await connectAll(started, clients, restarted);
    console.info(`done: ${target.label}`);
    return {
      server: target.label,
      relay: target.relay,
      connect,
      reconnect,
      rssBeforeMiB: round(rssBeforeMiB, 1),
      rssWithClientsMiB: round(rssWithClientsMiB, 1),
      idleKiBPerConnection: round(((rssWithClientsMiB - rssBeforeMiB) * 1024) / connections, 1),
    };
  } finally {
    for (const client of clients.flat()) client.destroy();
    await started.cleanUp();
  }
}

const confab: Target = {
  label: 'confab (API burst tickets, Postgres, Redis)',
  relay: false,
  async start(services) {
    const database = await services.freshDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'confab-connect-'));
    const publicUrl = 'http://localhost';
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: services.redis.url,
      REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:`,
    };
    const api = await startProcess(
      tsEntry(join(repoRoot, 'api/src/main.ts')),
      {
        ...env,
        SERVICES: 'api',
        PUBLIC_URL: publicUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
      },
      repoRoot,
    );
    const world = await seedConnectWorld(
      env.DATABASE_URL,
      env.REDIS_URL,
      env.REDIS_KEY_PREFIX,
      publicUrl,
      shape,
      config.perDoc,
    );
    const startSync = () => startProcess(serverEntry('confab'), env, repoRoot);
    let sync = await startSync();
    const syncUrl = () => `ws://127.0.0.1:${sync.port}/sync`;
    const apiUrl = `http://127.0.0.1:${api.port}/api/sync/tickets`;
    return {
      server: sync,
      companions: [api],
      async restart() {
        await sync.stop();
        sync = await startSync();
        return sync;
      },
      client: (doc) => {
        const name = world.docNames[doc];
        if (!name) throw new Error(`no doc ${doc}`);
        return yWebsocketClient(syncUrl, name, true);
      },
      async ticket(user) {
        // As the web client asks (`syncTickets`): one burst ticket for the sockets it (re)opens.
        const ask = () =>
          fetch(apiUrl, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${world.accessToken(user)}`,
              'Content-Type': 'application/json',
            },
            body: JSON.stringify({ uses: config.ticketUses }),
          });
        // A kept-alive connection the API closed as idle (between the phases) fails at once: the
        // request never reached it, so it is sent again on a new connection.
        const response = await ask().catch(ask);
        if (response.status !== 201) throw new Error(`ticket refused: ${response.status}`);
        return ((await response.json()) as { ticket: string }).ticket;
      },
      async cleanUp() {
        await sync.stop();
        await api.stop();
        await world.close();
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};

function relay(
  label: string,
  entry: string,
  client: (url: () => string, docName: string) => ConnectClient,
): Target {
  return {
    label,
    relay: true,
    async start() {
      let server = await startProcess(serverEntry(entry), {}, repoRoot);
      return {
        server,
        companions: [],
        async restart() {
          await server.stop();
          server = await startProcess(serverEntry(entry), {}, repoRoot);
          return server;
        },
        client: (doc) => client(() => `ws://127.0.0.1:${server.port}`, `connect-${doc}`),
        cleanUp: async () => {
          await server.stop();
        },
      };
    },
  };
}

const targets: Target[] = [
  confab,
  relay('@y/websocket-server 0.1.1 (relay)', 'y-websocket-server', (url, name) =>
    yWebsocketClient(url, name, false),
  ),
  relay('@hocuspocus/server 4.7.0 (relay)', 'hocuspocus', hocuspocusClient),
];

function report(runs: readonly Run[]) {
  console.info(
    `\nconnect benchmark: ${connections} connections, ${config.users} users x ${config.docsPerUser} docs, ` +
      `${docCount(shape, config.perDoc)} docs x ${config.perDoc}; ${config.parallelUsers} users ` +
      `(${config.parallelUsers * config.docsPerUser} sockets) connecting at a time\n`,
  );
  console.table(
    runs.map((run) => ({
      server: run.server,
      'connect s': run.connect.seconds,
      'reconnect s': run.reconnect.seconds,
      'server CPU s (connect/reconnect)': `${run.connect.serverCpuSeconds} / ${run.reconnect.serverCpuSeconds}`,
      'API CPU s': run.relay
        ? null
        : `${run.connect.companionCpuSeconds} / ${run.reconnect.companionCpuSeconds}`,
      'client CPU s': `${run.connect.clientCpuSeconds} / ${run.reconnect.clientCpuSeconds}`,
      'RSS before / with MiB': `${run.rssBeforeMiB} / ${run.rssWithClientsMiB}`,
      'idle KiB/conn': run.idleKiBPerConnection,
    })),
  );
  const subject = runs.find((run) => !run.relay);
  if (!subject) return;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const peer of runs.filter((run) => run.relay)) {
    for (const phase of ['connect', 'reconnect'] as const) {
      const ratio = subject[phase].seconds / peer[phase].seconds;
      console.info(
        `${phase}: confab ${ratio.toFixed(2)}x ${peer.server} (target <= ${TARGET_TIME_RATIO}x: ${verdict(ratio <= TARGET_TIME_RATIO)})`,
      );
    }
  }
  const yWebsocket = runs.find((run) => run.server.includes('y/websocket'));
  for (const run of runs) {
    if (!yWebsocket || run === yWebsocket) continue;
    const ratio = run.idleKiBPerConnection / yWebsocket.idleKiBPerConnection;
    const target = run.relay
      ? ''
      : ` (target <= ${TARGET_RSS_RATIO}x: ${verdict(ratio <= TARGET_RSS_RATIO)})`;
    console.info(
      `idle RSS per connection: ${run.server} ${ratio.toFixed(2)}x y-websocket-server's${target}`,
    );
  }
}

async function main() {
  if (
    connections % config.perDoc !== 0 ||
    docCount(shape, config.perDoc) % config.docsPerUser !== 0
  )
    throw new Error('users x docs per user must fill every doc with BENCH_CONNECT_PER_DOC people');
  const only = process.env.BENCH_ONLY?.toLowerCase();
  const services = await startTestServices();
  const runs: Run[] = [];
  try {
    for (const target of targets) {
      if (only && !target.label.toLowerCase().includes(only)) continue;
      runs.push(await measure(target, services));
    }
  } finally {
    await services.stop();
  }
  report(runs);
  await writeBenchResults('connect', { config, runs });
  process.exit(0);
}

await main();
