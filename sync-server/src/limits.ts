/** Defaults of the sync endpoint's limits (README: "Limits"); tests and operators may lower them. */
export interface SyncLimits {
  /** Largest WebSocket frame; a larger one closes the connection (1009). */
  maxFrameBytes: number;
  /** Sustained frames per second per connection, and the burst allowed above it (4429). */
  messagesPerSecond: number;
  messageBurst: number;
  /** Open sync connections per user on one node; more are refused with 429 before the upgrade. */
  maxConnectionsPerUser: number;
  /** A ping every interval; a connection that answered none since the previous one is dropped. */
  pingIntervalMs: number;
}

export const SYNC_LIMITS: SyncLimits = {
  maxFrameBytes: 1024 * 1024,
  messagesPerSecond: 100,
  messageBurst: 200,
  maxConnectionsPerUser: 50,
  pingIntervalMs: 30_000,
};

/** A token bucket: `take` is false once the connection sends faster than it may. */
export function frameBudget(
  { messagesPerSecond, messageBurst }: SyncLimits,
  now = () => performance.now(),
) {
  let tokens = messageBurst;
  let last = now();
  return {
    take(): boolean {
      const at = now();
      tokens = Math.min(messageBurst, tokens + ((at - last) / 1000) * messagesPerSecond);
      last = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
