/**
 * Short-lived shared state: sessions, one-time tickets and tokens, set indexes. Redis in
 * production; a database table in embedded mode, so a restart keeps everyone signed in. Never the
 * only copy of a message [S9]. Values are strings; callers serialise.
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'embedded';
  get(key: string): Promise<string | null>;
  /** Stores `value`; with `ttlMs` it disappears after that long. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Stores only when the key holds nothing; true when it stored. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /**
   * Replaces the value only while it is still `expected`, keeping its expiry unless `ttlMs` is
   * given; true when it replaced. Of two concurrent swaps from one value, exactly one wins.
   */
  compareAndSet(key: string, expected: string, next: string, ttlMs?: number): Promise<boolean>;
  /** Reads and deletes in one step: of two concurrent takes, one gets the value. */
  take(key: string): Promise<string | null>;
  /**
   * Adds one to the counter at `key` and answers the new count: concurrent increments each get a
   * count of their own. A key that is absent or expired starts from 0 and expires after `ttlMs`;
   * an existing counter keeps its expiry.
   */
  increment(key: string, ttlMs: number): Promise<number>;
  /**
   * Spends one use of the ticket at `key`, a JSON record `{ sessionId, uses? }` (one use when
   * absent), and answers it while a use was left and its session (`sessionKey`) still lives;
   * null otherwise. A single-use ticket is deleted; a ticket of more uses counts them at
   * `<key>:used`, expiring with the ticket. Of concurrent redemptions, no more succeed than the
   * ticket has uses. One Redis round trip (a script); stepwise on the database.
   */
  redeemTicket(key: string): Promise<string | null>;
  delete(...keys: string[]): Promise<void>;
  setAdd(key: string, member: string): Promise<void>;
  setRemove(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  /** Milliseconds until the key expires; null when it has no expiry or does not exist. */
  ttl(key: string): Promise<number | null>;
}

export function assertTtl(ttlMs: number | undefined): void {
  if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || ttlMs <= 0)) {
    throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  }
}
