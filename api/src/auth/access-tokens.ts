import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { type Clock, systemClock } from './clock';
import { type KeyRing, SIGNING_ALGORITHM } from './key-ring';

/** RFC 9068 type of OAuth 2.0 access tokens in JWT form; refusing others stops token confusion. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/** How far the clocks of two of our nodes may disagree. */
const CLOCK_SKEW_SECONDS = 60;

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  ttlSeconds?: number;
  clock?: Clock;
}

export class InvalidAccessToken extends Error {
  override name = 'InvalidAccessToken';
}

/**
 * Short-lived JWTs (EdDSA) that name the user and the session. Verification pins the algorithm,
 * issuer, audience and type and accepts only keys of our own ring (no `jku`, no embedded keys),
 * and refuses lifetimes we never issue: a signature proves who signed, not that the `exp` is sane.
 */
export class AccessTokens {
  readonly ttlSeconds: number;
  private readonly clock: Clock;

  constructor(
    private readonly keys: KeyRing,
    private readonly options: AccessTokenOptions,
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 10 * 60;
    if (this.ttlSeconds > MAX_ACCESS_TOKEN_TTL_SECONDS)
      throw new RangeError('access tokens live at most 15 minutes');
    this.clock = options.clock ?? systemClock;
  }

  async issue({
    userId,
    sessionId,
  }: AccessTokenClaims): Promise<{ token: string; expiresAt: Date }> {
    const { kid, key } = this.keys.signingKey();
    const issuedAt = Math.floor(this.clock().getTime() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const key = header.kid ? await this.keys.verificationKey(header.kid) : undefined;
          if (!key) throw new InvalidAccessToken('unknown or retired signing key');
          return key;
        },
        {
          algorithms: [SIGNING_ALGORITHM],
          issuer: this.options.issuer,
          audience: this.options.audience,
          typ: ACCESS_TOKEN_TYPE,
          currentDate: this.clock(),
          requiredClaims: ['sub', 'sid', 'iat', 'exp', 'jti'],
        },
      );
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
        throw new InvalidAccessToken('malformed claims');
      }
      // jose checked that iat and exp are numbers; a leaked or mis-minted token must still die soon.
      const now = this.clock().getTime() / 1000;
      const { iat = 0, exp = 0 } = payload;
      if (iat > now + CLOCK_SKEW_SECONDS) throw new InvalidAccessToken('issued in the future');
      if (exp - iat > this.ttlSeconds + CLOCK_SKEW_SECONDS)
        throw new InvalidAccessToken('lives longer than access tokens do');
      return { userId: payload.sub, sessionId: payload.sid };
    } catch (error) {
      if (error instanceof InvalidAccessToken) throw error;
      if (error instanceof errors.JOSEError) throw new InvalidAccessToken(error.code);
      throw error;
    }
  }
}
