import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerProcess, seededRandom, startProcess, tsEntry } from '@confab/db/testing';
import { writeBenchResults } from '@confab/db/testing/bench-results';
import { startTestServices } from '@confab/db/testing/services';
import { type ChurnShape, type LoadResult, runPresenceLoad } from './presence-load';
import { watchLists } from './presence-plan';
import { rssMiB, serviceCpu } from './presence-stats';
import { seedPresenceWorld } from './presence-world';
import { cpuMs, peakRssMiB } from './process-stats';

/**
 * Presence fan-out (issue #18): a `members`-person workspace, `online` users each on their own
 * user-doc socket watching `perWatcher` people, under a steady churn of presence changes; Confab
 * (two sync nodes on Redis, clients split between them; then one node alone) against a naive
 * server that broadcasts every change to every online user (`presence-naive-server.ts`), same
 * clients, same churn, one after the other.
 * README "Presence benchmark" explains the load; each figure can be overridden from the env.
 */
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const plan = {
  members: env('BENCH_PRESENCE_MEMBERS', 10_000),
  pool: env('BENCH_PRESENCE_POOL', 600),
  perWatcher: env('BENCH_PRESENCE_WATCH', 50),
  popular: 100,
  teamSize: 50,
};
const churn: ChurnShape = {
  online: env('BENCH_PRESENCE_ONLINE', 500),
  meanChangeMs: env('BENCH_PRESENCE_CHANGE_MS', 30_000),
  reconnectShare: env('BENCH_PRESENCE_RECONNECT_SHARE', 0.1),
  offlineShare: env('BENCH_PRESENCE_OFFLINE_SHARE', 0.1),
  reconnectMs: [1_000, 3_000],
  warmupSeconds: env('BENCH_PRESENCE_WARMUP_SECONDS', 35),
  seconds: env('BENCH_PRESENCE_SECONDS', 60),
  // Long enough to see a copy that waited for a node's sweep (every third of the 30 s TTL).
  drainMs: 12_000,
  lateMs: 2_000,
};
const seed = env('BENCH_SEED', 18);

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');

interface Run {
  server: string;
  load: LoadResult;
  /** Server processes' CPU over the window (ms), per process and in total. */
  cpuMsPerNode: number[];
  cpuMs: number;
  /** Redis and Postgres CPU over the window (ms): shared services, so approximate. */
  redisCpuMs: number;
  postgresCpuMs: number;
  rssMiB: number[];
  peakRssMiB: number[];
}

interface Target {
  label: string;
  /** Server processes, the workspace's member ids, the URL for a pool member's socket. */
  start(): Promise<{
    processes: ServerProcess[];
    memberIds: readonly string[];
    url(index: number, userId: string): Promise<string>;
    cleanUp(): Promise<void>;
  }>;
}

async function measure(target: Target): Promise<Run> {
  const started = await target.start();
  const { memberIds } = started;
  const pids = started.processes.map(({ child }) => {
    if (!child.pid) throw new Error(`${target.label}: no pid`);
    return child.pid;
  });
  const redis = serviceCpu('redis-server');
  const postgres = serviceCpu('postgres');
  let before: number[] = [];
  let cpu: number[] = [];
  let rss: number[] = [];
  let redisCpuMs = 0;
  let postgresCpuMs = 0;
  try {
    const random = seededRandom(seed);
    const load = await runPresenceLoad(
      {
        memberIds,
        pool: plan.pool,
        watching: watchLists(plan, seededRandom(seed + 1)),
        connectUrl: (index) => started.url(index, memberIds[index] ?? ''),
        onWindow(edge) {
          if (edge === 'start') {
            before = pids.map(cpuMs);
            redis.start();
            postgres.start();
            return;
          }
          cpu = pids.map((pid, i) => cpuMs(pid) - (before[i] ?? 0));
          rss = pids.map((pid) => Number(rssMiB(pid).toFixed(1)));
          redisCpuMs = redis.stop();
          postgresCpuMs = postgres.stop();
        },
      },
      churn,
      random,
    );
    return {
      server: target.label,
      load,
      cpuMsPerNode: cpu.map(Math.round),
      cpuMs: Math.round(cpu.reduce((sum, ms) => sum + ms, 0)),
      redisCpuMs: Math.round(redisCpuMs),
      postgresCpuMs: Math.round(postgresCpuMs),
      rssMiB: rss,
      peakRssMiB: pids.map((pid) => Number(peakRssMiB(pid).toFixed(1))),
    };
  } finally {
    await Promise.all(started.processes.map((server) => server.stop()));
    await started.cleanUp();
  }
}

async function main() {
  const services = await startTestServices();
  // Each Confab set-up gets its own database and key prefix: nothing carries over between them.
  const confab = (nodes: number): Target => ({
    label: `confab (${nodes} node${nodes === 1 ? '' : 's'}, Redis)`,
    async start() {
      const database = await services.freshDatabase();
      const prefix = `bench:presence:${randomBytes(4).toString('hex')}:`;
      const seedStarted = performance.now();
      const world = await seedPresenceWorld(database.url, services.redis.url, prefix, plan.members);
      console.info(
        `seeded ${plan.members} members in ${Math.round(performance.now() - seedStarted)} ms`,
      );
      const processes: ServerProcess[] = [];
      for (let i = 0; i < nodes; i++)
        processes.push(
          await startProcess(
            tsEntry(join(here, 'servers', 'confab.ts')),
            { DATABASE_URL: database.url, REDIS_URL: services.redis.url, REDIS_KEY_PREFIX: prefix },
            repoRoot,
          ),
        );
      return {
        processes,
        memberIds: world.memberIds,
        async url(index, userId) {
          const port = processes[index % processes.length]?.port;
          const ticket = await world.ticket(userId);
          return `ws://127.0.0.1:${port}/sync/user:${userId}?ticket=${ticket}&acks=1`;
        },
        async cleanUp() {
          await world.close();
          await database.drop();
        },
      };
    },
  });
  const naive: Target = {
    label: 'naive broadcast (1 process)',
    async start() {
      const server = await startProcess(
        tsEntry(join(here, 'presence-naive-server.ts')),
        {},
        repoRoot,
      );
      return {
        processes: [server],
        // It keeps no directory: any ids will do.
        memberIds: Array.from({ length: plan.members }, () => randomUUID()),
        url: async (_index, userId) => `ws://127.0.0.1:${server.port}/sync/user:${userId}?acks=1`,
        cleanUp: async () => {},
      };
    },
  };
  const only = process.env.BENCH_ONLY?.toLowerCase();
  const runs: Run[] = [];
  try {
    for (const target of [confab(2), confab(1), naive]) {
      if (only && !target.label.toLowerCase().includes(only)) continue;
      runs.push(await measure(target));
      console.info(`done: ${target.label}`);
    }
  } finally {
    await services.stop();
  }
  report(runs);
  await writeBenchResults('presence', { plan, churn, seed, runs });
  process.exit(0);
}

function report(runs: readonly Run[]) {
  console.info(
    `\npresence benchmark: ${plan.members} members, ${churn.online} online (of a pool of ${plan.pool}), ` +
      `each watching ${plan.perWatcher}; each online user changes every ${churn.meanChangeMs / 1000} s on average ` +
      `(${Math.round(churn.reconnectShare * 100)}% reconnects, ${Math.round(churn.offlineShare * 100)}% go offline ` +
      `while someone else comes online, the rest active/away), ${churn.seconds} s measured after ${churn.warmupSeconds} s\n`,
  );
  console.table(
    runs.map(
      ({ server, load, cpuMs, cpuMsPerNode, redisCpuMs, postgresCpuMs, rssMiB, peakRssMiB }) => ({
        server,
        'frames/s': load.framesPerSecond,
        'users named/s': Math.round(load.entries / churn.seconds),
        'bytes/s': load.bytesPerSecond,
        'CPU ms/s': Math.round(cpuMs / churn.seconds),
        'CPU per node ms': cpuMsPerNode.join(' + '),
        'redis / pg CPU ms': `${redisCpuMs} / ${postgresCpuMs}`,
        'RSS (peak) MiB': rssMiB.map((rss, i) => `${rss} (${peakRssMiB[i]})`).join(', '),
        'p50 / p95 ms': `${load.latencyP50Ms} / ${load.latencyP95Ms}`,
        'online p50 / p95 ms': `${load.onlineP50Ms} / ${load.onlineP95Ms}`,
        'copies got/due (late, excused, missed)': `${load.deliveredCopies}/${load.expectedCopies} (${load.lateCopies}, ${load.excusedCopies}, ${load.missedCopies})`,
      }),
    ),
  );
  for (const { server, load } of runs) {
    console.info(
      `${server}: ${load.toggles} active/away changes, ${load.reconnects} reconnects, ${load.wentOffline} offline + online; ` +
        `${load.frames} frames (${load.snapshotFrames} watch snapshots); unexpected closes ${JSON.stringify(load.unexpectedCloses)}`,
    );
  }
  const naive = runs.find((run) => run.server.startsWith('naive'));
  for (const ours of runs) {
    if (!naive || ours === naive || ours.load.frames === 0) continue;
    const fewer = naive.load.frames / ours.load.frames;
    const fewerNamed = naive.load.entries / Math.max(1, ours.load.entries);
    console.info(
      `${ours.server} vs naive: messages/s ${ours.load.framesPerSecond} vs ${naive.load.framesPerSecond}, ${fewer.toFixed(1)}x fewer ` +
        `(target >= 10x${fewer >= 10 ? ', met' : ', MISSED'}), users named in them ${fewerNamed.toFixed(1)}x fewer; ` +
        `server CPU ${Math.round(ours.cpuMs / churn.seconds)} vs ${Math.round(naive.cpuMs / churn.seconds)} ms/s ` +
        `(${(ours.cpuMs / naive.cpuMs).toFixed(2)}x; Redis ${Math.round(ours.redisCpuMs / churn.seconds)} ms/s more)`,
    );
  }
}

await main();
