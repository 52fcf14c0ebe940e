import {
  type EventBus,
  type KeyValueStore,
  SESSIONS_REVOKED_TOPIC,
  type SessionsRevokedEvent,
  sessionKey,
} from '@confab/db';
import { type Clock, systemClock } from './clock';
import { hashSecret, randomSecret } from './secrets';

export interface Session {
  id: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  /** Absolute end, however often the session is refreshed. */
  expiresAt: string;
  device: string;
  ip: string;
  refresh: {
    /** SHA-256 of the one valid refresh secret. */
    current: string;
    /** Hashes of rotated-out secrets, newest first: presenting one is a replay. */
    previous: string[];
    rotatedAt: string;
  };
}

export type RefreshFailure = 'invalid' | 'reused' | 'conflict';

export class RefreshError extends Error {
  constructor(readonly reason: RefreshFailure) {
    super(`refresh token ${reason}`);
    this.name = 'RefreshError';
  }
}

export interface SessionOptions {
  /** A session not refreshed for this long ends. */
  idleTtlMs?: number;
  /** A session ends this long after sign-in, however active. */
  absoluteTtlMs?: number;
  /**
   * Two requests that refresh with the same token at once (two tabs) are not an attack: for this
   * long after a rotation, the token just rotated out gets a retryable conflict instead of
   * revoking the session. Replays after it revoke the whole session (RFC 9700, 4.14.2).
   */
  reuseGraceMs?: number;
  clock?: Clock;
}

const PREVIOUS_KEPT = 8;
const userIndexKey = (userId: string) => `user-sessions:${userId}`;

/**
 * Sessions in the key-value store (Redis, or the embedded table). A session is one refresh-token
 * family: its refresh token is `<sessionId>.<secret>`, rotated at every use, with reuse detection.
 */
export class Sessions {
  private readonly idleTtlMs: number;
  private readonly absoluteTtlMs: number;
  private readonly reuseGraceMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly bus: EventBus,
    {
      idleTtlMs = 30 * 24 * 3600_000,
      absoluteTtlMs = 90 * 24 * 3600_000,
      reuseGraceMs = 5_000,
      clock = systemClock,
    }: SessionOptions = {},
  ) {
    this.idleTtlMs = idleTtlMs;
    this.absoluteTtlMs = absoluteTtlMs;
    this.reuseGraceMs = reuseGraceMs;
    this.clock = clock;
  }

  async create(userId: string, { device, ip }: { device: string; ip: string }) {
    const now = this.clock();
    const secret = randomSecret();
    const session: Session = {
      id: randomSecret(),
      userId,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.absoluteTtlMs).toISOString(),
      device: device.slice(0, 200),
      ip,
      refresh: { current: hashSecret(secret), previous: [], rotatedAt: now.toISOString() },
    };
    await this.kv.set(sessionKey(session.id), JSON.stringify(session), this.ttlFor(session));
    await this.kv.setAdd(userIndexKey(userId), session.id);
    return { session, refreshToken: `${session.id}.${secret}` };
  }

  async get(sessionId: string): Promise<Session | null> {
    const raw = await this.kv.get(sessionKey(sessionId));
    return raw ? (JSON.parse(raw) as Session) : null;
  }

  /** Exchanges a refresh token for its successor; the presented one is spent. */
  async rotate(refreshToken: string, { ip }: { ip: string }) {
    const [sessionId, secret, extra] = refreshToken.split('.');
    if (
      !sessionId ||
      !secret ||
      extra !== undefined ||
      sessionId.length > 64 ||
      secret.length > 64
    ) {
      throw new RefreshError('invalid');
    }
    const presented = hashSecret(secret);
    // Two passes: when the compare-and-set loses, the winner's state decides (conflict or replay).
    for (let attempt = 0; attempt < 2; attempt++) {
      const raw = await this.kv.get(sessionKey(sessionId));
      if (!raw) throw new RefreshError('invalid');
      const session = JSON.parse(raw) as Session;
      if (session.refresh.current !== presented) {
        if (!session.refresh.previous.includes(presented)) throw new RefreshError('invalid');
        const sinceRotation = this.clock().getTime() - Date.parse(session.refresh.rotatedAt);
        if (session.refresh.previous[0] === presented && sinceRotation < this.reuseGraceMs) {
          throw new RefreshError('conflict');
        }
        await this.revokeSessions(session.userId, [session.id], 'refresh_token_reused');
        throw new RefreshError('reused');
      }
      const now = this.clock();
      const nextSecret = randomSecret();
      const next: Session = {
        ...session,
        lastSeenAt: now.toISOString(),
        ip,
        refresh: {
          current: hashSecret(nextSecret),
          previous: [presented, ...session.refresh.previous].slice(0, PREVIOUS_KEPT),
          rotatedAt: now.toISOString(),
        },
      };
      const ttl = this.ttlFor(next);
      if (ttl <= 0) throw new RefreshError('invalid');
      if (await this.kv.compareAndSet(sessionKey(sessionId), raw, JSON.stringify(next), ttl)) {
        return { session: next, refreshToken: `${sessionId}.${nextSecret}` };
      }
    }
    throw new RefreshError('conflict');
  }

  /** Sessions of a user, newest first; forgets index entries whose session expired. */
  async list(userId: string): Promise<Session[]> {
    const ids = await this.kv.setMembers(userIndexKey(userId));
    const sessions: Session[] = [];
    for (const id of ids) {
      const session = await this.get(id);
      if (session) sessions.push(session);
      else await this.kv.setRemove(userIndexKey(userId), id);
    }
    return sessions.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Ends the given sessions of `userId` (others' ids are ignored) and announces it. */
  async revokeSessions(
    userId: string,
    sessionIds: string[],
    reason: SessionsRevokedEvent['reason'],
  ) {
    const owned: string[] = [];
    for (const id of sessionIds) {
      const session = await this.get(id);
      if (session?.userId === userId) owned.push(id);
    }
    if (owned.length === 0) return 0;
    await this.kv.delete(...owned.map(sessionKey));
    for (const id of owned) await this.kv.setRemove(userIndexKey(userId), id);
    const event: SessionsRevokedEvent = { userId, sessionIds: owned, reason };
    await this.bus.publish(SESSIONS_REVOKED_TOPIC, new TextEncoder().encode(JSON.stringify(event)));
    return owned.length;
  }

  async revokeAll(userId: string, reason: SessionsRevokedEvent['reason']) {
    const ids = await this.kv.setMembers(userIndexKey(userId));
    return this.revokeSessions(userId, ids, reason);
  }

  private ttlFor(session: Session): number {
    const untilAbsolute = Date.parse(session.expiresAt) - this.clock().getTime();
    return Math.min(this.idleTtlMs, untilAbsolute);
  }
}
