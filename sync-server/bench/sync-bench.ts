import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendEnvSchema, createLogger, openBackends, schema } from '@confab/db';
import { type ServerProcess, startProcess, tsEntry, waitFor } from '@confab/db/testing';
import { writeBenchResults } from '@confab/db/testing/bench-results';
import {
  openServiceBackends,
  startTestServices,
  type TestServices,
} from '@confab/db/testing/services';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { SYNC_TICKET_TTL_MS } from '../src/tickets';
import {
  type BenchClient,
  type Connector,
  confabConnector,
  hocuspocusConnector,
  yWebsocketConnector,
} from './clients';
import { loopDelayOf } from './loop-delay';
import { runRelayPhase, runThroughputPhase } from './phases';
import { peakRssMiB, rssMiB, serviceCpuMs } from './process-stats';
import { round } from './stats';
import { type BigDocRun, type PhaseRun, reportSyncBench, type ServerRun } from './sync-report';
import { type BigDoc, type PhaseShape, seedConfabWorld, type WorldShape } from './sync-world';

const env = process.env;
/** Load shape; each can be overridden from the environment (README: "Benchmark"). */
const config = {
  clients: Number(env.BENCH_CLIENTS ?? 40),
  docs: Number(env.BENCH_DOCS ?? 10),
  ratePerSecond: Number(env.BENCH_RATE ?? 400),
  seconds: Number(env.BENCH_SECONDS ?? 10),
  largeClients: Number(env.BENCH_LARGE_CLIENTS ?? 1_000),
  largeDocs: Number(env.BENCH_LARGE_DOCS ?? 100),
  largeRatePerSecond: Number(env.BENCH_LARGE_RATE ?? 400),
  largeSeconds: Number(env.BENCH_LARGE_SECONDS ?? env.BENCH_SECONDS ?? 10),
  warmupSeconds: 2,
  drainMs: 5_000,
  writers: Number(env.BENCH_WRITERS ?? 200),
  throughputSeconds: Number(env.BENCH_THROUGHPUT_SECONDS ?? 8),
  bigDocMessages: Number(env.BENCH_BIG_DOC_MESSAGES ?? 2_000),
  bigDocChars: Number(env.BENCH_BIG_DOC_CHARS ?? 2_560),
  embedded: env.BENCH_EMBEDDED !== '0',
};

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');

/** Time left on a ticket issued ahead that the clients need to connect with it. */
const TICKET_MARGIN_MS = 15_000;

const relayShape: PhaseShape = { clients: config.clients, docs: config.docs };
const largeShape: PhaseShape | null =
  config.largeClients > 0 ? { clients: config.largeClients, docs: config.largeDocs } : null;

async function connectAll(connector: Connector, names: readonly string[], perDoc: number) {
  const groups: BenchClient[][] = [];
  let index = 0;
  for (const name of names) {
    const group: BenchClient[] = [];
    for (let i = 0; i < perDoc; i++) group.push(await connector.connect(name, index++));
    groups.push(group);
  }
  await Promise.all(groups.flat().map((client) => client.synced));
  return groups;
}

const closeAll = (groups: readonly (readonly BenchClient[])[]) => {
  for (const client of groups.flat()) client.close();
};

/** What a started server offers the phases. */
interface Started {
  process: ServerProcess;
  connector: Connector;
  relayDocs: readonly string[];
  largeDocs: readonly string[];
  /** Null: the server acks nothing, so there is no throughput phase. */
  writerDocs: readonly string[] | null;
  projected?: (ids: string[]) => Promise<string[]>;
  /** Postgres backends the benchmark itself uses during a phase, left out of the services' CPU. */
  ownBackends?: ReadonlySet<number>;
  bigDoc?: {
    name: string;
    clientIndex: number;
    write(): Promise<BigDoc>;
    compact(): Promise<unknown>;
    projectedRows(): Promise<number>;
  };
  cleanUp(): Promise<void>;
}

interface Target {
  label: string;
  role: ServerRun['role'];
  /** Whether it runs the 1,000-client phase too. */
  large: boolean;
  start(): Promise<Started>;
}

/**
 * One relay phase: the clients connect, send for the configured time, and close. Besides what
 * `runRelayPhase` measures, the same window reads Postgres's and Redis's CPU and the server's
 * longest event-loop delay.
 */
async function relayPhase(
  started: Started,
  docs: readonly string[],
  shape: PhaseShape,
  load: { ratePerSecond: number; seconds: number },
  projected?: (ids: string[]) => Promise<string[]>,
): Promise<PhaseRun> {
  const pid = started.process.child.pid;
  if (!pid) throw new Error('server has no pid');
  const groups = await connectAll(started.connector, docs, shape.clients / shape.docs);
  const loop = loopDelayOf(started.process);
  let servicesBefore = 0;
  let servicesUsed = 0;
  let loopMaxMs = 0;
  const relay = await runRelayPhase(groups, pid, {
    ...load,
    warmupSeconds: config.warmupSeconds,
    drainMs: config.drainMs,
    projected,
    window: {
      begin() {
        servicesBefore = serviceCpuMs(started.ownBackends);
        loop.reset();
      },
      async end() {
        servicesUsed = serviceCpuMs(started.ownBackends) - servicesBefore;
        loopMaxMs = (await loop.read()).maxMs;
      },
    },
  });
  closeAll(groups);
  if (relay.expectedDeliveries > 0 && relay.delivered === 0) {
    console.warn(
      `no copy arrived (${shape.clients} clients); the server's last output:\n${started.process.output().slice(-2_000)}`,
    );
  }
  const servicesPerMessage = servicesUsed / Math.max(relay.sent, 1);
  return {
    shape,
    relay,
    servicesCpuMsPerMessage: round(servicesPerMessage, 3) ?? 0,
    allInCpuMsPerMessage: round(relay.serverCpuMsPerMessage + servicesPerMessage, 3) ?? 0,
    loopMaxMs,
  };
}

/**
 * The event loop while the server loads the big doc for its first client (until that client has
 * synced and the projection's catch-up has written the doc's rows) and while it compacts it.
 */
async function bigDocPhase(started: Started): Promise<BigDocRun | null> {
  const big = started.bigDoc;
  if (!big) return null;
  const doc = await big.write();
  const loop = loopDelayOf(started.process);
  loop.reset();
  const loadStart = performance.now();
  const client = await started.connector.connect(big.name, big.clientIndex);
  await client.synced;
  const syncedMs = performance.now() - loadStart;
  const projectedRows = await waitFor(
    'the big doc to be projected',
    async () => {
      const rows = await big.projectedRows();
      return rows >= doc.messages ? rows : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  ).catch(() => big.projectedRows());
  const loadMs = performance.now() - loadStart;
  const load = await loop.read();
  loop.reset();
  const compactStart = performance.now();
  await big.compact();
  const compactMs = performance.now() - compactStart;
  const compaction = await loop.read();
  client.close();
  return {
    messages: doc.messages,
    mib: round(doc.bytes / 2 ** 20, 2) ?? 0,
    syncedMs: round(syncedMs, 0) ?? 0,
    loadMs: round(loadMs, 0) ?? 0,
    projectedRows,
    loadLoopMaxMs: load.maxMs,
    compactMs: round(compactMs, 0) ?? 0,
    compactLoopMaxMs: compaction.maxMs,
  };
}

async function measure(target: Target, started: Started): Promise<ServerRun> {
  const pid = started.process.child.pid;
  if (!pid) throw new Error(`${target.label}: no pid`);
  const rssBeforeClientsMiB = round(rssMiB(pid), 1) ?? 0;
  const relay = await relayPhase(
    started,
    started.relayDocs,
    relayShape,
    { ratePerSecond: config.ratePerSecond, seconds: config.seconds },
    started.projected,
  );
  const relayPeakRss = peakRssMiB(pid);
  const large =
    target.large && largeShape
      ? await relayPhase(started, started.largeDocs, largeShape, {
          ratePerSecond: config.largeRatePerSecond,
          seconds: config.largeSeconds,
        })
      : null;
  const largePeakRss = large ? peakRssMiB(pid) : null;
  let throughput = null;
  if (started.writerDocs?.length) {
    const writers = (await connectAll(started.connector, started.writerDocs, 1)).flat();
    throughput = await runThroughputPhase(writers, config.throughputSeconds);
    closeAll([writers]);
  }
  const bigDoc = await bigDocPhase(started);
  const run: ServerRun = {
    server: target.label,
    role: target.role,
    rssBeforeClientsMiB,
    relay,
    large,
    throughput,
    bigDoc,
    peakRssMiB: round(relayPeakRss, 1) ?? 0,
    peakRssLargeMiB: largePeakRss === null ? null : round(largePeakRss, 1),
  };
  console.info(`done: ${target.label}`);
  return run;
}

/** BENCH_NODE_ARGS go to the servers' node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const serverEntry = (name: string) => {
  const [node = process.execPath, ...rest] = tsEntry(join(here, 'servers', `${name}.ts`));
  const extra = env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return [node, ...extra, ...rest];
};

/** PRESENCE_* settings reach Confab's servers as a deployment's would. */
const presenceEnv = () =>
  Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith('PRESENCE_') && entry[1] !== undefined,
    ),
  );

/** Reads projected rows on one connection of its own, whose backend is left out of the CPU. */
async function projectionReader(url: string) {
  const client = new pg.Client({ connectionString: url, application_name: 'confab-bench-reader' });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return {
    backendPid: Number(rows[0]?.pid),
    projected: async (ids: string[]) =>
      (
        await client.query<{ id: string }>('SELECT id FROM messages WHERE id = ANY($1)', [ids])
      ).rows.map((row) => row.id),
    close: () => client.end(),
  };
}

function confabTarget(
  services: TestServices,
  label: string,
  maxBatch: string,
  role: ServerRun['role'],
  full: boolean,
): Target {
  return {
    label,
    role,
    large: full,
    async start() {
      const database = await services.freshDatabase();
      const prefix = `bench:${randomBytes(4).toString('hex')}:`;
      const backends = await openServiceBackends(
        database.url,
        services.redis.url,
        prefix,
        'confab-bench-driver',
      );
      const shape: WorldShape = {
        relay: relayShape,
        large: full ? largeShape : null,
        writers: config.writers,
        bigDoc:
          full && config.bigDocMessages > 0
            ? { messages: config.bigDocMessages, chars: config.bigDocChars }
            : null,
      };
      const world = await seedConfabWorld(backends, shape);
      const reader = await projectionReader(database.url);
      const server = await startProcess(
        serverEntry('confab'),
        {
          DATABASE_URL: database.url,
          REDIS_URL: services.redis.url,
          REDIS_KEY_PREFIX: prefix,
          BENCH_MAX_BATCH: maxBatch,
          ...presenceEnv(),
        },
        repoRoot,
      );
      const db = backends.database.db;
      const bigDoc = world.bigDoc;
      return {
        process: server,
        connector: confabConnector(`ws://127.0.0.1:${server.port}/sync`, world.identity),
        relayDocs: world.relayDocs,
        largeDocs: world.largeDocs,
        writerDocs: world.writerDocs,
        projected: reader.projected,
        ownBackends: new Set([reader.backendPid]),
        bigDoc: bigDoc
          ? {
              name: bigDoc.docName,
              clientIndex: bigDoc.clientIndex,
              write: bigDoc.write,
              async compact() {
                const response = await fetch(
                  `http://127.0.0.1:${server.port}/bench/compact?doc=${encodeURIComponent(bigDoc.docName)}`,
                  { method: 'POST' },
                );
                if (!response.ok) throw new Error(`compaction failed: ${await response.text()}`);
                return response.json();
              },
              projectedRows: async () =>
                (
                  await db
                    .select({ n: sql<number>`count(*)::int` })
                    .from(schema.messages)
                    .where(eq(schema.messages.docName, bigDoc.docName))
                )[0]?.n ?? 0,
            }
          : undefined,
        async cleanUp() {
          await reader.close();
          await backends.close();
          await database.drop();
        },
      };
    },
  };
}

/**
 * Confab as `npm start` runs it: one process, PGlite in a data folder, no Postgres or Redis. The
 * world is written into that folder before the server opens it (PGlite is one process's), with
 * every client's ticket issued ahead: they live 60 s, far longer than the server takes to start.
 */
function embeddedTarget(): Target {
  return {
    label: 'confab embedded (PGlite, npm start)',
    role: 'embedded',
    large: false,
    async start() {
      const dataDir = await mkdtemp(join(tmpdir(), 'confab-bench-embedded-'));
      const clientDir = await mkdtemp(join(tmpdir(), 'confab-bench-client-'));
      await writeFile(join(clientDir, 'index.html'), '<!doctype html><title>Confab</title>\n');
      const backends = await openBackends(backendEnvSchema.parse({ DATA_DIR: dataDir }), {
        logger: createLogger('silent'),
        connectionName: 'confab-bench-driver',
      });
      const world = await seedConfabWorld(backends, {
        relay: relayShape,
        large: null,
        writers: 0,
        bigDoc: null,
      });
      const tickets = await Promise.all(
        Array.from({ length: relayShape.clients }, (_, i) => world.identity(i)),
      );
      await backends.close();
      const issuedAt = performance.now();
      const server = await startProcess(
        serverEntry('confab-embedded'),
        {
          PORT: '0',
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          CLIENT_DIST_DIR: clientDir,
          ...presenceEnv(),
        },
        repoRoot,
      );
      const startSeconds = (performance.now() - issuedAt) / 1000;
      if (startSeconds > (SYNC_TICKET_TTL_MS - TICKET_MARGIN_MS) / 1000) {
        await server.stop();
        throw new Error(
          `the embedded server took ${startSeconds.toFixed(0)} s to start: the tickets issued before it would lapse while clients connect`,
        );
      }
      return {
        process: server,
        connector: confabConnector(`ws://127.0.0.1:${server.port}/sync`, async (index) => {
          const ticket = tickets[index];
          if (!ticket) throw new Error(`no ticket issued ahead for client ${index}`);
          return ticket;
        }),
        relayDocs: world.relayDocs,
        largeDocs: [],
        writerDocs: null,
        cleanUp: async () => {},
      };
    },
  };
}

function relayTarget(
  label: string,
  entry: string,
  connector: (url: string) => Connector,
  role: ServerRun['role'],
  services?: TestServices,
): Target {
  return {
    label,
    role,
    large: true,
    async start() {
      const database = services ? await services.freshDatabase() : null;
      const server = await startProcess(
        serverEntry(entry),
        database ? { DATABASE_URL: database.url } : {},
        repoRoot,
      );
      return {
        process: server,
        connector: connector(`ws://127.0.0.1:${server.port}`),
        relayDocs: Array.from({ length: config.docs }, (_, i) => `bench-${i}`),
        largeDocs: Array.from({ length: config.largeDocs }, (_, i) => `bench-large-${i}`),
        writerDocs: null,
        cleanUp: async () => {
          await database?.drop();
        },
      };
    },
  };
}

function targets(services: TestServices): Target[] {
  return [
    confabTarget(services, 'confab (group commit)', '', 'confab', true),
    confabTarget(services, 'confab (one commit per update)', '1', 'confab-single', false),
    relayTarget(
      'durable relay floor (group-committed log)',
      'durable-relay',
      yWebsocketConnector,
      'floor',
      services,
    ),
    relayTarget(
      '@y/websocket-server 0.1.1 (relay)',
      'y-websocket-server',
      yWebsocketConnector,
      'relay',
    ),
    relayTarget('@hocuspocus/server 4.7.0 (relay)', 'hocuspocus', hocuspocusConnector, 'relay'),
    ...(config.embedded ? [embeddedTarget()] : []),
  ];
}

async function main() {
  // Every stock y-websocket provider adds a process 'exit' listener; 1,000 of them are expected.
  process.setMaxListeners(0);
  for (const [what, shape] of [
    ['BENCH_CLIENTS', relayShape],
    ['BENCH_LARGE_CLIENTS', largeShape],
  ] as const) {
    if (shape && shape.clients % shape.docs !== 0)
      throw new Error(`${what} must be a multiple of its docs`);
  }
  const only = env.BENCH_ONLY?.toLowerCase().split(',').filter(Boolean);
  const startedAt = performance.now();
  const [loadBefore = 0] = loadavg();
  const services = await startTestServices();
  const runs: ServerRun[] = [];
  const failures: Array<{ server: string; error: string }> = [];
  try {
    for (const target of targets(services)) {
      const label = target.label.toLowerCase();
      if (only && !only.some((part) => label.includes(part))) continue;
      // One server failing (an embedded start too slow on a busy machine) leaves the others'.
      try {
        const started = await target.start();
        try {
          runs.push(await measure(target, started));
        } catch (error) {
          throw new Error(
            `${error}\nlast server output:\n${started.process.output().slice(-2_000)}`,
          );
        } finally {
          await started.process.stop();
          await started.cleanUp();
        }
      } catch (error) {
        console.error(`failed: ${target.label}: ${error}`);
        failures.push({ server: target.label, error: String(error) });
      }
    }
  } finally {
    await services.stop();
  }
  const minutes = (performance.now() - startedAt) / 60_000;
  const [loadAfter = 0] = loadavg();
  reportSyncBench(config, runs, { minutes, loadBefore, loadAfter });
  for (const { server } of failures) console.error(`not measured, failed (above): ${server}`);
  await writeBenchResults('sync', { config, minutes, loadBefore, loadAfter, runs, failures });
  process.exit(failures.length ? 1 : 0);
}

await main();
