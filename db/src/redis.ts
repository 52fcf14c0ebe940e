import { Redis } from 'ioredis';

export type { Redis };

/**
 * Connects to Redis and waits until it answers, so a wrong REDIS_URL stops the process at start
 * instead of surfacing as timeouts later. The connection name shows in `CLIENT LIST` for operators.
 */
export async function openRedis(
  url: string,
  { connectionName = 'confab', connectTimeoutMs = 10_000 } = {},
): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName,
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 3,
    // Commands issued within one event-loop turn (fan-out of many sockets' updates) go out in one
    // write instead of one syscall each; order and replies are unchanged.
    enableAutoPipelining: true,
    // Retry with backoff after a connection loss; the first connection fails fast below instead.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // ioredis emits 'error' on every failed reconnect; without a listener the process would crash.
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Cannot reach Redis at REDIS_URL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return redis;
}
