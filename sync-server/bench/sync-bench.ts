import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docName, schema, sessionKey } from '@confab/db';
import { type ServerProcess, startProcess, tsEntry } from '@confab/db/testing';
import { writeBenchResults } from '@confab/db/testing/bench-results';
import {
  openServiceBackends,
  startTestServices,
  type TestServices,
} from '@confab/db/testing/services';
import { inArray } from 'drizzle-orm';
import { issueSyncTicket } from '../src/tickets';
import {
  type BenchClient,
  type Connector,
  confabConnector,
  hocuspocusConnector,
  yWebsocketConnector,
} from './clients';
import {
  type RelayResult,
  runRelayPhase,
  runThroughputPhase,
  type ThroughputResult,
} from './phases';
import { peakRssMiB } from './process-stats';

/** Load shape; each can be overridden from the environment (README: "Benchmark"). */
const config = {
  clients: Number(process.env.BENCH_CLIENTS ?? 40),
  docs: Number(process.env.BENCH_DOCS ?? 10),
  ratePerSecond: Number(process.env.BENCH_RATE ?? 400),
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  warmupSeconds: 2,
  drainMs: 5_000,
  writers: Number(process.env.BENCH_WRITERS ?? 200),
  throughputSeconds: Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 8),
};

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');

interface ServerRun {
  server: string;
  relay: RelayResult;
  throughput: ThroughputResult | null;
  /** Peak RSS through the relay phase, and after the throughput phase's writers. */
  peakRssMiB: number;
  peakRssWithWritersMiB: number | null;
}

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

/** Runs the relay phase (and, when the server acks persistence, the throughput phase). */
async function measure(
  label: string,
  process: ServerProcess,
  connector: Connector,
  relayDocs: readonly string[],
  writerDocs: readonly string[] | null,
  projected?: (ids: string[]) => Promise<string[]>,
): Promise<ServerRun> {
  const pid = process.child.pid;
  if (!pid) throw new Error(`${label}: no pid`);
  const relayGroups = await connectAll(connector, relayDocs, config.clients / config.docs);
  const relay = await runRelayPhase(relayGroups, pid, { ...config, projected });
  closeAll(relayGroups);
  const relayPeakRss = peakRssMiB(pid);
  let throughput: ThroughputResult | null = null;
  if (writerDocs) {
    const writers = (await connectAll(connector, writerDocs, 1)).flat();
    throughput = await runThroughputPhase(writers, config.throughputSeconds);
    closeAll([writers]);
  }
  const run = {
    server: label,
    relay,
    throughput,
    peakRssMiB: Number(relayPeakRss.toFixed(1)),
    peakRssWithWritersMiB: throughput ? Number(peakRssMiB(pid).toFixed(1)) : null,
  };
  await process.stop();
  console.info(`done: ${label}`);
  return run;
}

/** A workspace whose users are members of every channel, and a ticket source for them. */
async function seedConfab(databaseUrl: string, redisUrl: string, prefix: string) {
  const backends = await openServiceBackends(databaseUrl, redisUrl, prefix, 'confab-bench-driver');
  const db = backends.database.db;
  const people = Math.max(config.clients, config.writers);
  const users = await db
    .insert(schema.users)
    .values(
      Array.from({ length: people }, (_, i) => ({
        email: `bench-${i}-${randomUUID()}@example.com`,
        name: `bench ${i}`,
      })),
    )
    .returning({ id: schema.users.id });
  const [workspace] = await db
    .insert(schema.workspaces)
    .values({ name: 'Bench', slug: `bench-${randomUUID()}` })
    .returning();
  if (!workspace) throw new Error('no workspace');
  await db
    .insert(schema.workspaceMembers)
    .values(
      users.map(({ id }) => ({ workspaceId: workspace.id, userId: id, role: 'member' as const })),
    );
  const channelCount = config.docs + config.writers;
  const channels = await db
    .insert(schema.channels)
    .values(
      Array.from({ length: channelCount }, (_, i) => ({
        workspaceId: workspace.id,
        kind: 'public' as const,
        name: `bench-${i}`,
      })),
    )
    .returning({ id: schema.channels.id });
  for (const channel of channels) {
    await db
      .insert(schema.channelMembers)
      .values(users.map(({ id }) => ({ channelId: channel.id, userId: id })));
  }
  const names = channels.map(({ id }) => docName({ kind: 'segment', channelId: id, index: 0 }));
  return {
    relayDocs: names.slice(0, config.docs),
    writerDocs: names.slice(config.docs),
    identity: async (clientIndex: number) => {
      const user = users[clientIndex % users.length];
      if (!user) throw new Error('no user');
      const sessionId = `bench-${clientIndex}`;
      // Tickets are honoured only while their session lives (the API would keep this one).
      await backends.kv.set(
        sessionKey(sessionId),
        JSON.stringify({ id: sessionId, userId: user.id }),
      );
      const { ticket } = await issueSyncTicket(backends.kv, { userId: user.id, sessionId });
      return { userId: user.id, ticket };
    },
    projected: async (ids: string[]) =>
      (
        await db
          .select({ id: schema.messages.id })
          .from(schema.messages)
          .where(inArray(schema.messages.id, ids))
      ).map((row) => row.id),
    close: () => backends.close(),
  };
}

/** BENCH_NODE_ARGS go to the servers' node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const serverEntry = (name: string) => {
  const [node = process.execPath, ...rest] = tsEntry(join(here, 'servers', `${name}.ts`));
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return [node, ...extra, ...rest];
};

interface Target {
  label: string;
  /** Starts the server; returns it, a connector for it, and what runs once it stopped. */
  start(): Promise<{
    process: ServerProcess;
    connector: Connector;
    relayDocs: readonly string[];
    writerDocs: readonly string[] | null;
    projected?: (ids: string[]) => Promise<string[]>;
    cleanUp(): Promise<void>;
  }>;
}

function targets(services: TestServices): Target[] {
  const confab = (label: string, maxBatch: string): Target => ({
    label,
    async start() {
      const database = await services.freshDatabase();
      const prefix = `bench:${randomBytes(4).toString('hex')}:`;
      const world = await seedConfab(database.url, services.redis.url, prefix);
      const server = await startProcess(
        serverEntry('confab'),
        {
          DATABASE_URL: database.url,
          REDIS_URL: services.redis.url,
          REDIS_KEY_PREFIX: prefix,
          BENCH_MAX_BATCH: maxBatch,
        },
        repoRoot,
      );
      return {
        process: server,
        connector: confabConnector(`ws://127.0.0.1:${server.port}/sync`, world.identity),
        relayDocs: world.relayDocs,
        writerDocs: world.writerDocs,
        projected: world.projected,
        async cleanUp() {
          await world.close();
          await database.drop();
        },
      };
    },
  });
  const relay = (label: string, entry: string, connector: (url: string) => Connector): Target => ({
    label,
    async start() {
      const server = await startProcess(serverEntry(entry), {}, repoRoot);
      return {
        process: server,
        connector: connector(`ws://127.0.0.1:${server.port}`),
        relayDocs: Array.from({ length: config.docs }, (_, i) => `bench-${i}`),
        writerDocs: null,
        cleanUp: async () => {},
      };
    },
  });
  const durableRelay: Target = {
    label: 'durable relay floor (group-committed log)',
    async start() {
      const database = await services.freshDatabase();
      const server = await startProcess(
        serverEntry('durable-relay'),
        { DATABASE_URL: database.url },
        repoRoot,
      );
      return {
        process: server,
        connector: yWebsocketConnector(`ws://127.0.0.1:${server.port}`),
        relayDocs: Array.from({ length: config.docs }, (_, i) => `bench-${i}`),
        writerDocs: null,
        cleanUp: () => database.drop(),
      };
    },
  };
  return [
    confab('confab (group commit)', ''),
    confab('confab (one commit per update)', '1'),
    durableRelay,
    relay('@y/websocket-server 0.1.1 (relay)', 'y-websocket-server', yWebsocketConnector),
    relay('@hocuspocus/server 4.7.0 (relay)', 'hocuspocus', hocuspocusConnector),
  ];
}

async function main() {
  if (config.clients % config.docs !== 0)
    throw new Error('BENCH_CLIENTS must be a multiple of BENCH_DOCS');
  const only = process.env.BENCH_ONLY?.toLowerCase();
  const services = await startTestServices();
  const runs: ServerRun[] = [];
  try {
    for (const target of targets(services)) {
      if (only && !target.label.toLowerCase().includes(only)) continue;
      const started = await target.start();
      try {
        runs.push(
          await measure(
            target.label,
            started.process,
            started.connector,
            started.relayDocs,
            started.writerDocs,
            started.projected,
          ),
        );
      } finally {
        await started.cleanUp();
      }
    }
  } finally {
    await services.stop();
  }
  report(runs);
  await writeBenchResults('sync', { config, runs });
  process.exit(0);
}

function report(runs: readonly ServerRun[]) {
  console.info(
    `\nsync benchmark: ${config.clients} clients over ${config.docs} docs, ${config.ratePerSecond} msg/s for ${config.seconds} s ` +
      `(after ${config.warmupSeconds} s warm-up); throughput: ${config.writers} writers, one message in flight each\n`,
  );
  console.table(
    runs.map(({ server, relay, throughput, peakRssMiB }) => ({
      server,
      'p50 ms': relay.latencyP50Ms,
      'p99 ms': relay.latencyP99Ms,
      'CPU ms/msg': relay.serverCpuMsPerMessage,
      'peak RSS MiB': peakRssMiB,
      delivered: `${relay.delivered}/${relay.expectedDeliveries}`,
      'ack p50 ms': relay.ackP50Ms,
      'ack p99 ms': relay.ackP99Ms,
      'projected p50/p99 ms':
        relay.projectedP50Ms === null ? null : `${relay.projectedP50Ms} / ${relay.projectedP99Ms}`,
      'max acks/s': throughput?.ackedPerSecond ?? null,
      'acks p99 ms (max load)': throughput?.ackP99Ms ?? null,
    })),
  );
  const [group, single] = runs;
  if (group?.throughput && single?.throughput) {
    const gain = group.throughput.ackedPerSecond / single.throughput.ackedPerSecond;
    console.info(`group commit: ${gain.toFixed(1)}x the persisted acks/s of one commit per update`);
  }
}

await main();
