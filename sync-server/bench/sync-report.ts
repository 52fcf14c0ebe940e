import type { RelayResult, ThroughputResult } from './phases';
import { round } from './stats';
import type { PhaseShape } from './sync-world';

/** One relay phase on one server. */
export interface PhaseRun {
  shape: PhaseShape;
  relay: RelayResult;
  /** Every Postgres and Redis process over the same window, per message sent. */
  servicesCpuMsPerMessage: number;
  /** The server's process tree plus Postgres and Redis. */
  allInCpuMsPerMessage: number;
  /** Longest event-loop delay in the server over the window (bench/servers/loop-monitor.ts). */
  loopMaxMs: number;
}

/** Loading and compacting the big doc (Confab with group commit only). */
export interface BigDocRun {
  messages: number;
  mib: number;
  /** First connect until its client synced. */
  syncedMs: number;
  /** First connect until synced and the catch-up projection wrote every message's row. */
  loadMs: number;
  projectedRows: number;
  loadLoopMaxMs: number;
  compactMs: number;
  compactLoopMaxMs: number;
}

export interface ServerRun {
  server: string;
  role: 'confab' | 'confab-single' | 'floor' | 'relay' | 'embedded';
  /** Resident set once listening, before the first client connects. */
  rssBeforeClientsMiB: number;
  relay: PhaseRun;
  large: PhaseRun | null;
  throughput: ThroughputResult | null;
  bigDoc: BigDocRun | null;
  peakRssMiB: number;
  peakRssLargeMiB: number | null;
}

export interface ReportConfig {
  clients: number;
  docs: number;
  ratePerSecond: number;
  seconds: number;
  largeClients: number;
  largeDocs: number;
  largeRatePerSecond: number;
  largeSeconds: number;
  warmupSeconds: number;
  writers: number;
  throughputSeconds: number;
}

const ratio = (value: number | null | undefined, base: number | null | undefined) =>
  value === null || value === undefined || !base ? null : round(value / base, 2);

const times = (value: number | null) => (value === null ? '–' : `${value}x`);

function phaseTable(runs: readonly ServerRun[], pick: (run: ServerRun) => PhaseRun | null) {
  const floor = runs.find((run) => run.role === 'floor');
  const floorPhase = floor ? pick(floor) : null;
  const rows = runs.flatMap((run) => {
    const phase = pick(run);
    if (!phase) return [];
    const { relay } = phase;
    return [
      {
        server: run.server,
        'p50 ms': relay.latencyP50Ms,
        'p99 ms': relay.latencyP99Ms,
        'p99 / floor': times(ratio(relay.latencyP99Ms, floorPhase?.relay.latencyP99Ms)),
        'CPU ms/msg': relay.serverCpuMsPerMessage,
        'CPU / floor': times(
          ratio(relay.serverCpuMsPerMessage, floorPhase?.relay.serverCpuMsPerMessage),
        ),
        'PG+Redis ms/msg': phase.servicesCpuMsPerMessage,
        'all-in ms/msg': phase.allInCpuMsPerMessage,
        'all-in / floor': times(
          ratio(phase.allInCpuMsPerMessage, floorPhase?.allInCpuMsPerMessage),
        ),
        'loop max ms': phase.loopMaxMs,
        delivered: `${relay.delivered}/${relay.expectedDeliveries}`,
        'ack p50/p99 ms': relay.ackP50Ms === null ? null : `${relay.ackP50Ms} / ${relay.ackP99Ms}`,
        'projected p50/p99 ms':
          relay.projectedP50Ms === null
            ? null
            : `${relay.projectedP50Ms} / ${relay.projectedP99Ms}`,
      },
    ];
  });
  if (rows.length) console.table(rows);
}

interface TargetRow {
  target: string;
  measured: string;
  verdict: string;
}

const verdict = (value: number | null | undefined, limit: number, atLeast = false) => {
  if (value === null || value === undefined) return 'not measured';
  return (atLeast ? value >= limit : value <= limit) ? 'met' : 'NOT met';
};

const undelivered = (phase?: PhaseRun) =>
  phase ? phase.relay.expectedDeliveries - phase.relay.delivered : 0;

/**
 * A phase whose copies did not all arrive within the drain time measured a server that fell
 * behind: its latencies miss the tail and its CPU per message counts work not done yet.
 */
function qualify(
  row: TargetRow,
  subject: readonly [string, PhaseRun | undefined],
  base: readonly [string, PhaseRun | undefined],
) {
  const missing: string[] = [];
  for (const [name, phase] of [subject, base]) {
    const lost = undelivered(phase);
    if (lost > 0) missing.push(`${name} missed ${lost} copies`);
  }
  if (!missing.length) return;
  row.measured += ` (${missing.join(', ')})`;
  if (row.verdict === '–') return;
  if (undelivered(subject[1]) > 0) row.verdict = 'NOT met';
  else if (row.verdict === 'met') row.verdict = 'unreliable';
}

/** The targets of issue #19 this benchmark measures, each with its figure and verdict. */
function targetRows(config: ReportConfig, runs: readonly ServerRun[]): TargetRow[] {
  const confab = runs.find((run) => run.role === 'confab');
  const floor = runs.find((run) => run.role === 'floor');
  const embedded = runs.find((run) => run.role === 'embedded');
  const rows: TargetRow[] = [];
  const ratioRow = (
    target: string,
    unit: string,
    limit: number,
    value?: number | null,
    base?: number | null,
  ) => {
    const r = ratio(value, base);
    rows.push({
      target,
      measured: r === null ? '–' : `${value} / ${base} ${unit} = ${r}x`,
      verdict: verdict(r, limit),
    });
  };
  const limitRow = (
    target: string,
    unit: string,
    limit: number,
    value?: number | null,
    atLeast = false,
  ) =>
    rows.push({
      target,
      measured: value === null || value === undefined ? '–' : `${value} ${unit}`,
      verdict: verdict(value, limit, atLeast),
    });
  for (const [name, pick] of [
    [`${config.clients} clients/${config.docs} docs`, (run?: ServerRun) => run?.relay],
    [
      `${config.largeClients} clients/${config.largeDocs} docs`,
      (run?: ServerRun) => run?.large ?? undefined,
    ],
  ] as const) {
    const c = pick(confab);
    const f = pick(floor);
    const first = rows.length;
    ratioRow(
      `p99 send-to-seen <= 2x floor (${name})`,
      'ms',
      2,
      c?.relay.latencyP99Ms,
      f?.relay.latencyP99Ms,
    );
    limitRow(`persisted-ack p99 <= 25 ms (${name})`, 'ms', 25, c?.relay.ackP99Ms);
    ratioRow(
      `CPU/msg, Confab processes <= 1.5x floor (${name})`,
      'ms',
      1.5,
      c?.relay.serverCpuMsPerMessage,
      f?.relay.serverCpuMsPerMessage,
    );
    ratioRow(
      `CPU/msg with Postgres + Redis <= 1.5x floor (${name})`,
      'ms',
      1.5,
      c?.allInCpuMsPerMessage,
      f?.allInCpuMsPerMessage,
    );
    for (const row of rows.slice(first)) qualify(row, ['Confab', c], ['floor', f]);
  }
  limitRow(
    `event-loop delay <= 15 ms, ${config.largeClients} clients`,
    'ms',
    15,
    confab?.large?.loopMaxMs,
  );
  const big = confab?.bigDoc;
  const bigName = big ? `${big.mib} MiB doc (${big.messages} messages)` : 'big doc';
  limitRow(`event-loop delay <= 15 ms, loading a ${bigName}`, 'ms', 15, big?.loadLoopMaxMs);
  limitRow(`event-loop delay <= 15 ms, compacting it`, 'ms', 15, big?.compactLoopMaxMs);
  ratioRow(
    'embedded CPU/msg <= 1.5x Postgres mode (all-in)',
    'ms',
    1.5,
    embedded?.relay.relay.serverCpuMsPerMessage,
    confab?.relay.allInCpuMsPerMessage,
  );
  const embeddedCpuRow = rows.at(-1);
  if (embeddedCpuRow)
    qualify(embeddedCpuRow, ['embedded', embedded?.relay], ['Postgres mode', confab?.relay]);
  limitRow('embedded RSS before clients <= 250 MiB', 'MiB', 250, embedded?.rssBeforeClientsMiB);
  rows.push({
    target: 'embedded p99 send-to-seen at 400 msg/s (no limit set)',
    measured:
      embedded?.relay.relay.latencyP99Ms === undefined
        ? '–'
        : `${embedded.relay.relay.latencyP99Ms} ms (ack p99 ${embedded.relay.relay.ackP99Ms} ms)`,
    verdict: '–',
  });
  const embeddedP99Row = rows.at(-1);
  if (embeddedP99Row) qualify(embeddedP99Row, ['embedded', embedded?.relay], ['', undefined]);
  limitRow(
    'saturation >= 5,000 persisted acks/s',
    'acks/s',
    5_000,
    confab?.throughput?.ackedPerSecond,
    true,
  );
  return rows;
}

export function reportSyncBench(
  config: ReportConfig,
  runs: readonly ServerRun[],
  extra: { minutes: number; loadBefore: number; loadAfter: number },
) {
  console.info(
    `\nsync benchmark: warm-up ${config.warmupSeconds} s before every relay phase; ` +
      `${extra.minutes.toFixed(1)} min in all; machine load (1 min) ${extra.loadBefore.toFixed(2)} ` +
      `at start, ${extra.loadAfter.toFixed(2)} at end. Postgres and Redis CPU is every such ` +
      'process on the machine: other work on them counts too.',
  );
  console.info(
    `\nrelay phase: ${config.clients} clients over ${config.docs} docs, ${config.ratePerSecond} msg/s for ${config.seconds} s`,
  );
  phaseTable(runs, (run) => run.relay);
  console.info(
    `\nlarge relay phase: ${config.largeClients} clients over ${config.largeDocs} docs, ${config.largeRatePerSecond} msg/s for ${config.largeSeconds} s`,
  );
  phaseTable(runs, (run) => run.large);

  console.info(
    `\nthroughput phase: ${config.writers} writers, one message in flight each, ${config.throughputSeconds} s`,
  );
  const withThroughput = runs.filter((run) => run.throughput);
  if (withThroughput.length) {
    console.table(
      withThroughput.map(({ server, throughput }) => ({
        server,
        'persisted acks/s': throughput?.ackedPerSecond,
        'ack p50 ms': throughput?.ackP50Ms,
        'ack p99 ms': throughput?.ackP99Ms,
        'met (>= 5,000/s)': verdict(throughput?.ackedPerSecond, 5_000, true),
      })),
    );
  }
  const group = runs.find((run) => run.role === 'confab')?.throughput;
  const single = runs.find((run) => run.role === 'confab-single')?.throughput;
  if (group && single) {
    console.info(
      `group commit: ${ratio(group.ackedPerSecond, single.ackedPerSecond)}x the persisted acks/s of one commit per update`,
    );
  }

  const big = runs.find((run) => run.bigDoc)?.bigDoc;
  if (big) {
    console.info('\nbig doc (Confab, group commit): one segment written through postMessage');
    console.table([big]);
  }

  console.table(
    runs.map((run) => ({
      server: run.server,
      'RSS before clients MiB': run.rssBeforeClientsMiB,
      'peak RSS MiB (40 clients)': run.peakRssMiB,
      'peak RSS MiB (after large phase)': run.peakRssLargeMiB,
    })),
  );

  console.info('\nTargets of #19 (connect and idle-memory targets: bench/connect-bench.ts)');
  console.table(targetRows(config, runs));
}
