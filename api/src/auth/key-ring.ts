import { randomUUID } from 'node:crypto';
import { type Db, schema } from '@confab/db';
import { and, desc, gt, lte, sql } from 'drizzle-orm';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { type Clock, systemClock } from './clock';

export const SIGNING_ALGORITHM = 'EdDSA';

export interface KeyRingOptions {
  /** How long a key signs before the next one takes over. */
  rotateAfterMs?: number;
  /** How long a key keeps verifying after it stopped signing; at least the access-token lifetime. */
  overlapMs?: number;
  clock?: Clock;
}

interface LoadedKey {
  kid: string;
  activatesAt: Date;
  retiresAt: Date;
  publicJwk: JWK;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const RELOAD_THROTTLE_MS = 5_000;
const ROTATION_LOCK_KEY = 0x6b657973; // "keys"

/**
 * The access-token signing keys, shared by every node through the database. The newest active key
 * signs; every key not yet retired verifies, so rotation never invalidates a token in flight.
 */
export class KeyRing {
  private keys: LoadedKey[] = [];
  private lastLoad = 0;
  private readonly rotateAfterMs: number;
  private readonly overlapMs: number;
  private readonly clock: Clock;

  private constructor(
    private readonly db: Db,
    {
      rotateAfterMs = 30 * 24 * 3600_000,
      overlapMs = 24 * 3600_000,
      clock = systemClock,
    }: KeyRingOptions,
  ) {
    this.rotateAfterMs = rotateAfterMs;
    this.overlapMs = overlapMs;
    this.clock = clock;
  }

  static async open(db: Db, options: KeyRingOptions = {}): Promise<KeyRing> {
    const ring = new KeyRing(db, options);
    await ring.rotateIfDue();
    return ring;
  }

  /**
   * Loads the keys and makes a new one when none signs or the signing one is due. Nodes starting or
   * rotating together serialise on an advisory lock and re-check inside it, so one key is made.
   */
  async rotateIfDue(): Promise<void> {
    await this.load();
    if (!this.isDue(this.currentSigningKey())) return;
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, {
      crv: 'Ed25519',
      extractable: true,
    });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${ROTATION_LOCK_KEY})`);
      const now = this.clock().getTime();
      const [newest] = await tx
        .select({
          activatesAt: schema.signingKeys.activatesAt,
          retiresAt: schema.signingKeys.retiresAt,
        })
        .from(schema.signingKeys)
        .where(
          and(
            lte(schema.signingKeys.activatesAt, new Date(now)),
            gt(schema.signingKeys.retiresAt, new Date(now)),
          ),
        )
        .orderBy(desc(schema.signingKeys.activatesAt))
        .limit(1);
      if (!this.isDue(newest)) return;
      await tx.insert(schema.signingKeys).values({
        kid,
        algorithm: SIGNING_ALGORITHM,
        publicJwk,
        privateJwk,
        activatesAt: new Date(now),
        retiresAt: new Date(now + this.rotateAfterMs + this.overlapMs),
      });
    });
    await this.load();
  }

  /** Runs `rotateIfDue` every `intervalMs` in the background; returns a function that stops it. */
  startRotation(intervalMs: number, onError: (error: unknown) => void): () => void {
    const timer = setInterval(() => {
      this.rotateIfDue().catch(onError);
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private isDue(signing: { activatesAt: Date } | undefined): boolean {
    return !signing || signing.activatesAt.getTime() + this.rotateAfterMs <= this.clock().getTime();
  }

  signingKey(): { kid: string; key: CryptoKey } {
    const key = this.currentSigningKey();
    if (!key) throw new Error('no active signing key; call rotateIfDue()');
    return { kid: key.kid, key: key.privateKey };
  }

  /** The key for `kid` while it may verify; reloads once when another node made a key we lack. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    let key = this.keys.find((candidate) => candidate.kid === kid);
    if (!key && Date.now() - this.lastLoad > RELOAD_THROTTLE_MS) {
      await this.load();
      key = this.keys.find((candidate) => candidate.kid === kid);
    }
    const now = this.clock().getTime();
    if (!key || key.retiresAt.getTime() <= now || key.activatesAt.getTime() > now) return undefined;
    return key.publicKey;
  }

  /** The public keys that may verify now, as a JWK Set. */
  jwks(): { keys: JWK[] } {
    const now = this.clock().getTime();
    return {
      keys: this.keys.filter((key) => key.retiresAt.getTime() > now).map((key) => key.publicJwk),
    };
  }

  private currentSigningKey(): LoadedKey | undefined {
    const now = this.clock().getTime();
    // Keys are sorted newest first.
    return this.keys.find(
      (key) => key.activatesAt.getTime() <= now && key.retiresAt.getTime() > now,
    );
  }

  private async load(): Promise<void> {
    const rows = await this.db
      .select()
      .from(schema.signingKeys)
      .orderBy(desc(schema.signingKeys.activatesAt));
    this.keys = await Promise.all(
      rows.map(async (row) => ({
        kid: row.kid,
        activatesAt: row.activatesAt,
        retiresAt: row.retiresAt,
        publicJwk: row.publicJwk as JWK,
        privateKey: (await importJWK(row.privateJwk as JWK, row.algorithm)) as CryptoKey,
        publicKey: (await importJWK(row.publicJwk as JWK, row.algorithm)) as CryptoKey,
      })),
    );
    this.lastLoad = Date.now();
  }
}
