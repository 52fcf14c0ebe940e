import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { waitFor } from './wait';

export interface RedisService {
  url: string;
  origin: 'existing' | 'redis-server';
  stop(): Promise<void>;
}

export const INSTALL_REDIS_HINT =
  'Install Redis (Debian: `apt-get install -y redis-server`) so that `redis-server` is on the PATH, ' +
  'or point REDIS_URL at a server.';

export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export function findRedisServer(path = process.env.PATH ?? ''): string | null {
  const dir = path.split(':').find((entry) => entry && existsSync(join(entry, 'redis-server')));
  return dir ? join(dir, 'redis-server') : null;
}

/** Uses the Redis at `url` when it answers; otherwise starts a private, diskless `redis-server`. */
export async function ensureRedis(
  url: string,
  { binary = findRedisServer() } = {},
): Promise<RedisService> {
  if (await redisAnswers(url)) return { url, origin: 'existing', stop: async () => {} };
  if (!binary)
    throw new Error(
      `No Redis answers at ${url} and none can be started here. ${INSTALL_REDIS_HINT}`,
    );
  return startPrivateRedis(['--save', '', '--appendonly', 'no'], { binary });
}

/**
 * A private `redis-server` on a free loopback port with the given extra arguments (config
 * directives, `--maxmemory-policy allkeys-lru`), stopped by `stop`.
 */
export async function startPrivateRedis(
  args: readonly string[],
  { binary = findRedisServer() } = {},
): Promise<RedisService> {
  if (!binary) throw new Error(`No redis-server can be started here. ${INSTALL_REDIS_HINT}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', ...args],
    { stdio: 'ignore' },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  await waitFor(
    'private redis-server',
    async () => ((await redisAnswers(privateUrl)) ? true : undefined),
    {
      timeoutMs: 15_000,
    },
  );
  return {
    url: privateUrl,
    origin: 'redis-server',
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
