import { createLogger, type Database, openPglite, openPostgres } from '@confab/db';
import { useTestDatabase, waitFor } from '@confab/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Job, type JobQueue, type JobQueueOptions, openJobQueue } from './job-queue';

const logger = createLogger('silent');
/** Quick retries and polling, so the suite waits seconds, not minutes. */
const FAST: Omit<JobQueueOptions, 'logger'> = {
  retryLimit: 1,
  retryDelaySeconds: 1,
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 1,
  pollingIntervalSeconds: 0.5,
};

const testDatabase = useTestDatabase();

/** The same contract against both databases a node may run on. */
describe.each([
  ['postgres', () => openPostgres(testDatabase.url)],
  ['pglite', () => openPglite('memory')],
] as const)('JobQueue on %s', (kind, openDatabase) => {
  let database: Database;
  let queue: JobQueue;
  const open = () => openJobQueue(database, { logger, ...FAST });

  beforeAll(async () => {
    database = await openDatabase();
    queue = await open();
  }, 60_000);
  afterAll(async () => {
    await queue?.stop();
    await database?.close();
  });

  it('is the pg-boss queue for its database', () => {
    expect(queue.kind).toBe(kind);
  });

  it('runs a job once, with its data', async () => {
    const runs: Job<{ n: number }>[] = [];
    await queue.work<{ n: number }>('once', async (job) => {
      runs.push(job);
    });
    await queue.send('once', { n: 1 });
    await waitFor('job 1 to run', () => runs.length === 1 || undefined);
    await queue.send('once', { n: 2 });
    await waitFor('job 2 to run', () => runs.length >= 2 || undefined);
    expect(runs.map((job) => job.data.n)).toEqual([1, 2]);
    expect(runs[0]).toMatchObject({ retryCount: 0, lastAttempt: false });
  });

  it('retries a handler that throws, saying when the attempt is the last', async () => {
    const attempts: Array<{ retryCount: number; lastAttempt: boolean }> = [];
    await queue.work('flaky', async ({ retryCount, lastAttempt }) => {
      attempts.push({ retryCount, lastAttempt });
      throw new Error('store unavailable');
    });
    await queue.send('flaky', {});
    await waitFor('the retry', () => attempts.length === 2 || undefined, { timeoutMs: 20_000 });
    expect(attempts).toEqual([
      { retryCount: 0, lastAttempt: false },
      { retryCount: 1, lastAttempt: true },
    ]);
  });

  it('holds a job until its startAfter', async () => {
    let ranAt: number | undefined;
    await queue.work('later', async () => {
      ranAt = Date.now();
    });
    const sentAt = Date.now();
    await queue.send('later', {}, { startAfter: 2 });
    await waitFor('the delayed job', () => ranAt, { timeoutMs: 20_000 });
    expect((ranAt ?? 0) - sentAt).toBeGreaterThanOrEqual(1_500);
  });

  it('keeps one queued job per singletonKey, and keyless jobs apart', async () => {
    const inAMinute = new Date(Date.now() + 60_000);
    const first = await queue.send('keyed', {}, { singletonKey: 'file-1', startAfter: inAMinute });
    const second = await queue.send('keyed', {}, { singletonKey: 'file-1', startAfter: inAMinute });
    const other = await queue.send('keyed', {}, { singletonKey: 'file-2', startAfter: inAMinute });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(other).toEqual(expect.any(String));
    const keyless = await Promise.all(
      [1, 2].map(() => queue.send('keyed', {}, { startAfter: inAMinute })),
    );
    expect(keyless).toEqual([expect.any(String), expect.any(String)]);
  });

  it('keeps a queued job across a restart of the queue', async () => {
    await queue.send('durable', { kept: true });
    await queue.stop();
    queue = await open();
    const seen: unknown[] = [];
    await queue.work('durable', async (job) => {
      seen.push(job.data);
    });
    await waitFor('the job sent before the restart', () => seen.length === 1 || undefined);
    expect(seen).toEqual([{ kept: true }]);
  });
});
