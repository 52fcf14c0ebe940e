import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type ProcessResult, runProcess, type ServerProcess, startProcess } from './process';
import { type TestDatabase, type TestRedis, useTestDatabase, useTestRedis } from './test-backends';

export interface SpawnOptions {
  /** Working directory; the file's scratch folder by default. */
  cwd?: string;
  /** How long the process may take to listen (start) or to finish (run). */
  timeoutMs?: number;
}

export interface ServerProcesses {
  /** This test file's own database (`useTestDatabase`). */
  readonly database: TestDatabase;
  /** This test file's own Redis key prefix (`useTestRedis`). */
  readonly redis: TestRedis;
  /** A folder of this test file, removed after its tests; valid from `beforeAll` on. */
  readonly scratch: string;
  /**
   * The settings of a node on this file's database and Redis, listening on a free loopback port;
   * `overrides` add to them or replace them.
   */
  env(overrides?: Record<string, string>): Record<string, string>;
  /** Starts a server (see `startProcess`); it is stopped after the file's tests at the latest. */
  start(
    command: string[],
    env: Record<string, string>,
    options?: SpawnOptions,
  ): Promise<ServerProcess>;
  /** Runs a command to completion (see `runProcess`); killed after the file's tests if still running. */
  run(
    command: string[],
    env: Record<string, string>,
    options?: SpawnOptions,
  ): Promise<ProcessResult>;
  /** SIGKILLs the process group of every server started here and not stopped yet. */
  stopAll(): Promise<void>;
}

/**
 * The processes a test file spawns, on its own database, Redis prefix and scratch folder. After
 * the file's tests it kills every process group it started, even one still starting when a hook
 * timed out, so that no server outlives its test file. A test may still stop a server itself
 * (kill and restart tests); that one is left alone afterwards.
 */
export function useServerProcesses(): ServerProcesses {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let scratch: string | undefined;
  const running = new Set<ServerProcess>();
  const inFlight = new Set<Promise<unknown>>();
  const teardown = new AbortController();

  /** Follows a start or run until it settles, so teardown can wait for its process to be gone. */
  const follow = <T>(promise: Promise<T>): Promise<T> => {
    const settled: Promise<unknown> = promise.then(
      () => inFlight.delete(settled),
      () => inFlight.delete(settled),
    );
    inFlight.add(settled);
    return promise;
  };

  const stopAll = async () => {
    const servers = [...running];
    running.clear();
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'confab-processes-'));
  });
  afterAll(async () => {
    teardown.abort();
    await Promise.all(inFlight);
    await stopAll();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const processes: ServerProcesses = {
    database,
    redis,
    get scratch() {
      if (!scratch) throw new Error('useServerProcesses: read .scratch inside a test or hook');
      return scratch;
    },
    env: (overrides = {}) => ({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      ...overrides,
    }),
    async start(command, env, { cwd = processes.scratch, timeoutMs } = {}) {
      const server = await follow(startProcess(command, env, cwd, timeoutMs, teardown.signal));
      running.add(server);
      return {
        ...server,
        stop(signal) {
          running.delete(server);
          return server.stop(signal);
        },
      };
    },
    run: (command, env, { cwd = processes.scratch, timeoutMs } = {}) =>
      follow(runProcess(command, env, cwd, timeoutMs, teardown.signal)),
    stopAll,
  };
  return processes;
}
