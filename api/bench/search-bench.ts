import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database, type Db, openPglite, openPostgres } from '@confab/db';
import { writeBenchResults } from '@confab/db/testing/bench-results';
import { startTestServices } from '@confab/db/testing/services';
import type { Searcher } from '../src/search/engine';
import { readableChannelIds } from '../src/search/postgres/readable-channels';
import { createPostgresSearchEngine } from '../src/search/postgres-engine';
import {
  type CaseResult,
  NAIVE_INDEX,
  NAIVE_INDEX_DEFINITION,
  runCases,
  searchCases,
} from './search/cases';
import { explainCases } from './search/explain';
import { measureFreshness } from './search/freshness';
import { type DataSet, type DataSetOptions, generateDataSet } from './search/generate';
import {
  type BuiltIndex,
  buildIndexes,
  dropIndexes,
  relationBytes,
  searchIndexes,
  tableBytes,
} from './search/indexes';
import { execute, executeLong } from './search/sql';

/**
 * Search [#17]: message search over a generated workspace (Zipf vocabulary, 1,000 channels, the
 * searching user in 50 of them) on real Postgres, next to the naive query in the same run; index
 * build time and size; freshness under a 200 messages/s writer; the same cases on PGlite.
 * SEARCH_BENCH_MESSAGES (default 1,000,000) and SEARCH_BENCH_PGLITE_MESSAGES (default 100,000,
 * 0 skips PGlite) scale it; SEARCH_BENCH_RUNS (default 60) and SEARCH_BENCH_PGLITE_RUNS
 * (default 30) are the measured runs per case;
 * SEARCH_BENCH_EXPLAIN=1 also writes the engine's query plans (EXPLAIN ANALYZE) on Postgres;
 * SEARCH_BENCH_KEEP=1 keeps the Postgres database (its URL is printed) to try index changes on.
 */
const MESSAGES = Number(process.env.SEARCH_BENCH_MESSAGES ?? 1_000_000);
const PGLITE_MESSAGES = Number(
  process.env.SEARCH_BENCH_PGLITE_MESSAGES ?? Math.min(100_000, MESSAGES),
);
const RUNS = Number(process.env.SEARCH_BENCH_RUNS ?? 60);
/** PGlite answers one query at a time in this process: fewer runs keep the whole bench short. */
const PGLITE_RUNS = Number(process.env.SEARCH_BENCH_PGLITE_RUNS ?? 30);
const EXPLAIN = process.env.SEARCH_BENCH_EXPLAIN === '1';
const KEEP_DATABASE = process.env.SEARCH_BENCH_KEEP === '1';
const WARMUP = 5;
const TARGET_P95_MS = 25;
const TARGET_RATIO = 2;
const FRESHNESS_MARKERS = 60;
const WRITES_PER_SECOND = 200;
const resultsDir = fileURLToPath(new URL('../../bench-results/', import.meta.url));

const dataSetOptions = (messages: number, concurrency: number): DataSetOptions => ({
  messages,
  channels: 1000,
  publicEvery: 10,
  memberOf: 50,
  users: 500,
  vocabularySize: 50_000,
  zipfExponent: 1.1,
  batchSize: 5000,
  concurrency,
  seed: 17,
  end: new Date(),
});

const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
const round = (value: number) => Math.round(value * 10) / 10;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

async function readableChannels(db: Db, searcher: Searcher): Promise<string[]> {
  const rows = (await db.execute(readableChannelIds(searcher))) as unknown as {
    rows: Array<{ id: string }>;
  };
  return rows.rows.map((row) => row.id);
}

interface EngineRun {
  messages: number;
  loadMs: number;
  vacuumMs: number;
  indexes: BuiltIndex[];
  naiveIndex: BuiltIndex;
  tables: Record<string, { heap: number; indexes: number }>;
  readableChannels: number;
  counts: DataSet['counts'];
  cases: CaseResult[];
}

/** Loads the data set with the search indexes dropped, rebuilds them, then runs the cases. */
async function loadAndRun(
  label: string,
  database: Database,
  admin: Database,
  messages: number,
  concurrency: number,
  maintenanceWorkMem: string,
  runs: number,
): Promise<{ run: EngineRun; data: DataSet }> {
  const { db } = database;
  const indexes = await searchIndexes(db);
  await dropIndexes(db, indexes);
  console.info(`[${label}] dropped ${indexes.map((index) => index.name).join(', ')}`);
  const data = await generateDataSet(db, dataSetOptions(messages, concurrency), (message) =>
    console.info(`[${label}] loaded ${message}`),
  );
  console.info(
    `[${label}] load: ${data.counts.messages} messages (${data.counts.replies} replies, ${data.counts.files} files, ${data.counts.reactions} reactions) in ${seconds(data.loadMs)} (${Math.round(data.counts.messages / (data.loadMs / 1000))} messages/s)`,
  );
  const built = await buildIndexes(admin.db, indexes, maintenanceWorkMem);
  for (const index of built) {
    console.info(
      `[${label}] index ${index.name}: built in ${seconds(index.buildMs)}, ${mib(index.bytes)} (maintenance_work_mem ${maintenanceWorkMem})`,
    );
  }
  let started = performance.now();
  for (const table of ['messages', 'files', 'reactions', 'thread_stats', 'channels']) {
    await executeLong(admin.db, `VACUUM (ANALYZE) ${table}`, maintenanceWorkMem);
  }
  const vacuumMs = performance.now() - started;
  console.info(`[${label}] VACUUM (ANALYZE) after the load: ${seconds(vacuumMs)}`);
  // Before the naive index exists: the sizes are what the search schema costs.
  const tables: EngineRun['tables'] = {};
  for (const table of ['messages', 'files']) tables[table] = await tableBytes(db, table);
  for (const [table, bytes] of Object.entries(tables)) {
    console.info(
      `[${label}] ${table}: table ${mib(bytes.heap)}, all its indexes ${mib(bytes.indexes)}`,
    );
  }
  started = performance.now();
  await executeLong(admin.db, NAIVE_INDEX_DEFINITION, maintenanceWorkMem);
  const naiveIndex: BuiltIndex = {
    name: NAIVE_INDEX,
    table: 'messages',
    buildMs: performance.now() - started,
    bytes: await relationBytes(db, NAIVE_INDEX),
  };
  await executeLong(admin.db, 'ANALYZE messages', maintenanceWorkMem);
  console.info(
    `[${label}] naive expression index: built in ${seconds(naiveIndex.buildMs)}, ${mib(naiveIndex.bytes)}`,
  );
  const searcher = { userId: data.searcherId, workspaceId: data.workspaceId };
  const readable = await readableChannels(db, searcher);
  const end = new Date();
  const engine = createPostgresSearchEngine(db);
  const cases = await runCases({
    db,
    engine,
    data,
    cases: searchCases(data, end),
    readableChannelIds: readable,
    end,
    runs,
    warmup: WARMUP,
  });
  if (EXPLAIN && database.kind === 'postgres') {
    const plans = await explainCases(db, searcher, searchCases(data, end), end);
    await mkdir(resultsDir, { recursive: true });
    const file = join(resultsDir, `search-explain-${end.toISOString().replace(/[:.]/g, '-')}.txt`);
    await writeFile(file, plans);
    console.info(`[${label}] query plans written to ${file}`);
  }
  // The naive index served its query; the freshness writer should not pay for it.
  await execute(db, `DROP INDEX ${NAIVE_INDEX}`);
  printCases(label, cases);
  return {
    data,
    run: {
      messages,
      loadMs: round(data.loadMs),
      vacuumMs: round(vacuumMs),
      indexes: built.map((index) => ({ ...index, buildMs: round(index.buildMs) })),
      naiveIndex: { ...naiveIndex, buildMs: round(naiveIndex.buildMs) },
      tables,
      readableChannels: readable.length,
      counts: data.counts,
      cases,
    },
  };
}

function printCases(label: string, cases: CaseResult[]): void {
  const rows = cases.map((result) => {
    const naive = result.naive;
    const ratio = (p95: number) => (naive ? `${(naive.p95 / p95).toFixed(1)}x` : '-');
    const worst = Math.max(result.relevance.p95, result.date.p95);
    return {
      case: `${result.name}${result.extra ? ' (extra)' : ''}`,
      query: result.query,
      total: `${result.total}${result.totalCapped ? '+' : ''}`,
      'ours relevance p50/p95': `${ms(result.relevance.p50)} / ${ms(result.relevance.p95)}`,
      'ours date p50/p95': `${ms(result.date.p50)} / ${ms(result.date.p95)}`,
      'naive p50/p95': naive ? `${ms(naive.p50)} / ${ms(naive.p95)}` : '-',
      'naive/ours p95 (rel, date)': `${ratio(result.relevance.p95)}, ${ratio(result.date.p95)}`,
      'same page': naive ? `${naive.sameFirstPage}/${naive.hits}` : '-',
      [`p95<=${TARGET_P95_MS}`]: verdict(worst <= TARGET_P95_MS),
      [`>=${TARGET_RATIO}x`]: naive ? verdict(naive.p95 / worst >= TARGET_RATIO) : '-',
    };
  });
  console.info(`[${label}] ${cases[0]?.relevance.runs ?? 0} runs per case, milliseconds`);
  console.table(rows);
}

async function postgresFigures() {
  const services = await startTestServices();
  const database = await services.freshDatabase();
  const main = await openPostgres(database.url, { poolSize: 4, applicationName: 'search-bench' });
  // A pool of one, so a SET reaches the statement after it (index builds, VACUUM).
  const admin = await openPostgres(database.url, { poolSize: 1, applicationName: 'search-admin' });
  const writer = await openPostgres(database.url, {
    poolSize: 2,
    applicationName: 'search-writer',
  });
  try {
    const { run, data } = await loadAndRun('postgres', main, admin, MESSAGES, 2, '512MB', RUNS);
    const searcher = { userId: data.searcherId, workspaceId: data.workspaceId };
    const freshness = await measureFreshness({
      writer: writer.db,
      engine: createPostgresSearchEngine(main.db),
      searcher,
      channelId: data.memberChannelIds[0] as string,
      vocabulary: data.vocabulary,
      markers: FRESHNESS_MARKERS,
      writesPerSecond: WRITES_PER_SECOND,
    });
    console.info(
      `[postgres] freshness (insert commit to found by search) with ${freshness.writesPerSecond.toFixed(0)} inserts/s: p50 ${ms(freshness.p50)} ms, p95 ${ms(freshness.p95)} ms, max ${ms(freshness.max)} ms over ${freshness.runs} markers, ${freshness.missed} missed; target p95 <= 1000 ms: ${verdict(freshness.p95 <= 1000 && freshness.missed === 0)}`,
    );
    return { ...run, freshness };
  } finally {
    await writer.close();
    await admin.close();
    await main.close();
    if (KEEP_DATABASE) console.info(`[postgres] kept the database: ${database.url}`);
    else await database.drop();
    await services.stop();
  }
}

async function pgliteFigures() {
  const database = await openPglite('memory');
  try {
    await database.migrate();
    const { run } = await loadAndRun(
      'pglite',
      database,
      database,
      PGLITE_MESSAGES,
      1,
      '128MB',
      PGLITE_RUNS,
    );
    return run;
  } finally {
    await database.close();
  }
}

async function main() {
  const started = performance.now();
  const postgres = await postgresFigures();
  const pglite = PGLITE_MESSAGES > 0 ? await pgliteFigures() : null;
  console.info(`search benchmark done in ${seconds(performance.now() - started)}`);
  await writeBenchResults('search', {
    postgres,
    pglite,
    targets: {
      p95Ms: `<= ${TARGET_P95_MS}`,
      naiveOverOursP95: `>= ${TARGET_RATIO}`,
      freshnessP95Ms: '<= 1000',
    },
  });
}

await main();
