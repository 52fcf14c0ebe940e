import { randomUUID } from 'node:crypto';
import type { ConnectionCounts, Logger } from '@confab/db';

/**
 * This node's side of the per-user connection cap over all nodes: it names its connections,
 * adds each to the shared counts before the upgrade, removes it when the socket closes, and keeps
 * the ones it holds alive every third of the counts' TTL, so that its connections stop counting
 * within that TTL if it dies.
 */
export class NodeConnections {
  private readonly nodeId = randomUUID();
  private next = 0;
  private readonly held = new Map<string, Set<string>>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly counts: ConnectionCounts,
    private readonly maxPerUser: number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => this.refresh(), counts.ttlMs / 3);
    this.timer.unref();
  }

  /**
   * Counts a new connection of `userId`, or answers null when the user holds the maximum over
   * all nodes already. The answer removes the connection again; calling it twice removes it once.
   */
  async acquire(userId: string): Promise<(() => void) | null> {
    const connectionId = `${this.nodeId}:${this.next++}`;
    if (!(await this.counts.add(userId, connectionId, this.maxPerUser))) return null;
    const ids = this.held.get(userId) ?? new Set<string>();
    ids.add(connectionId);
    this.held.set(userId, ids);
    return () => {
      if (!ids.delete(connectionId)) return;
      if (ids.size === 0 && this.held.get(userId) === ids) this.held.delete(userId);
      // Left counted if this fails: the entry expires within the TTL, as it is no longer refreshed.
      this.counts
        .remove(userId, connectionId)
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'closed connection not uncounted'),
        );
    };
  }

  /** Stops refreshing (shutdown); connections still open expire from the counts within the TTL. */
  stop(): void {
    clearInterval(this.timer);
  }

  private refresh(): void {
    if (this.held.size === 0) return;
    const snapshot = new Map([...this.held].map(([userId, ids]) => [userId, [...ids]]));
    this.counts
      .refresh(snapshot)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'connection counts not refreshed'),
      );
  }
}
