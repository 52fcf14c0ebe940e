import type { Presence, ReportedPresence } from '../model/wire';

/** How long presence outlives a closed connection and a silent node (`PRESENCE_*` settings). */
export interface PresenceSettings {
  /** A node keeps a user this long after their last connection to it closed. */
  graceMs: number;
  /** A node's contributions live this long unless it refreshes them (every third of it). */
  ttlMs: number;
}

/**
 * Who is around, shared by every node of an installation: each sync node writes what it holds of
 * each user (the strongest of their connections to it), and a user's presence is the strongest
 * over the nodes still alive. A node's contributions live `ttlMs` unless it writes again, so a
 * node that dies takes its users offline by itself. Redis with TTLs, or in-process in embedded
 * mode; never the only copy of anything that matters [S9]: lost, it heals on the next refresh.
 */
export interface PresenceStore {
  readonly kind: 'redis' | 'in-process';
  readonly settings: PresenceSettings;
  /**
   * Records what node `nodeId` holds of these users (`offline`: nothing) and that the node is
   * alive for another `ttlMs`. A node calls it on every change and, every third of the TTL, with
   * everything it holds, which also rewrites whatever the store lost.
   */
  write(nodeId: string, entries: ReadonlyMap<string, NodePresence>): Promise<void>;
  /** Forgets a node and what it held of these users at once (a node shutting down). */
  removeNode(nodeId: string, userIds: readonly string[]): Promise<void>;
  /** The presence of each user over the live nodes; users nobody holds are `offline`. */
  read(userIds: readonly string[]): Promise<Map<string, Presence>>;
}

/** What one node holds of a user. */
export type NodePresence = ReportedPresence | 'offline';

/** How code outside the presence module reads presence: a plain function port. */
export type PresenceLookup = (userIds: readonly string[]) => Promise<Map<string, Presence>>;

const RANK: Record<Presence, number> = { offline: 0, away: 1, active: 2 };

/** active > away > offline. */
export const strongestPresence = (a: Presence, b: Presence): Presence =>
  RANK[a] >= RANK[b] ? a : b;

export const isReportedPresence = (value: unknown): value is ReportedPresence =>
  value === 'active' || value === 'away';
