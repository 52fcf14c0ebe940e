import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyValueStore } from '@confab/db';
import { errors, jwtVerify, SignJWT } from 'jose';
import { type Clock, systemClock } from './clock';

/** Its own type and audience, so an access token never passes for a device cookie or back. */
const DEVICE_TOKEN_TYPE = 'device+jwt';
const DEVICE_AUDIENCE = 'confab-device';
const ALGORITHM = 'HS256';
export const DEVICE_COOKIE_TTL_SECONDS = 180 * 24 * 3600;
/** A real cookie is about 300 characters; anything far longer is not worth parsing. */
const MAX_COOKIE_LENGTH = 1024;
const SECRET_KEY = 'device-cookie-secret';

/**
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
 * signed in to an account gets a signed note naming that account and a random device id. Its
 * later logins to that account are limited per device instead of per account, so strangers who
 * spend the account's failure budget do not lock its owner out.
 *
 * The HMAC secret lives in the key-value store, made by the first node that needs it, so every
 * node shares it. Losing it (Redis flushed) only turns known devices back into unknown ones [S9].
 */
export class DeviceCookies {
  private readonly clock: Clock;

  constructor(
    private readonly kv: KeyValueStore,
    { clock = systemClock }: { clock?: Clock } = {},
  ) {
    this.clock = clock;
  }

  /** A fresh device cookie value for `email` (trimmed, lower-cased). */
  async issue(email: string): Promise<{ value: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.clock().getTime() / 1000);
    const expiresAt = issuedAt + DEVICE_COOKIE_TTL_SECONDS;
    const value = await new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: DEVICE_TOKEN_TYPE })
      .setAudience(DEVICE_AUDIENCE)
      .setSubject(email)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(await this.secret());
    return { value, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The device id when `value` is a valid, unexpired device cookie naming `email`; else null. */
  async deviceFor(value: string | undefined, email: string): Promise<string | null> {
    if (!value || value.length > MAX_COOKIE_LENGTH) return null;
    try {
      const { payload } = await jwtVerify(value, await this.secret(), {
        algorithms: [ALGORITHM],
        audience: DEVICE_AUDIENCE,
        typ: DEVICE_TOKEN_TYPE,
        currentDate: this.clock(),
        requiredClaims: ['sub', 'jti', 'exp'],
      });
      return payload.sub === email && typeof payload.jti === 'string' ? payload.jti : null;
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }

  private async secret(): Promise<Uint8Array> {
    let stored = await this.kv.get(SECRET_KEY);
    if (!stored) {
      // Nodes starting together race here; setIfAbsent keeps the first secret for all of them.
      await this.kv.setIfAbsent(SECRET_KEY, randomBytes(32).toString('base64url'));
      stored = await this.kv.get(SECRET_KEY);
      if (!stored) throw new Error('device cookie secret vanished as it was stored');
    }
    return Buffer.from(stored, 'base64url');
  }
}
