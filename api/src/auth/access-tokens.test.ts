import { type Database, openPostgres, schema } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { base64url, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens, InvalidAccessToken } from './access-tokens';
import { KeyRing } from './key-ring';

const testDb = useTestDatabase();
const ISSUER = 'https://chat.example.com';
const AUDIENCE = 'confab-api';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let database: Database;
let now: Date;
const clock = () => now;
let ring: KeyRing;
let tokens: AccessTokens;

beforeAll(async () => {
  database = await openPostgres(testDb.url, { poolSize: 4 });
  now = new Date('2026-01-01T00:00:00Z');
  ring = await KeyRing.open(database.db, { rotateAfterMs: 30 * DAY, overlapMs: DAY, clock });
  tokens = new AccessTokens(ring, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 600, clock });
});
afterAll(() => database.close());

const claims = { userId: 'u-1', sessionId: 's-1' };
const refused = (token: string) =>
  expect(tokens.verify(token)).rejects.toBeInstanceOf(InvalidAccessToken);

/** Signs arbitrary header and claims with the ring's real private key. */
async function signWithRealKey(header: Record<string, unknown>, payload: Record<string, unknown>) {
  const { kid, key } = ring.signingKey();
  return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid, ...header }).sign(key);
}

describe('access tokens', () => {
  it('issues EdDSA JWTs with iss, aud, typ and kid that verify back to user and session', async () => {
    const { token, expiresAt } = await tokens.issue(claims);
    const [header] = token.split('.');
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(header ?? '')))).toMatchObject({
      alg: 'EdDSA',
      typ: 'at+jwt',
      kid: expect.any(String),
    });
    expect(expiresAt.getTime() - now.getTime()).toBe(600_000);
    expect(await tokens.verify(token)).toEqual(claims);
  });

  it('refuses alg "none"', async () => {
    const token = new UnsecuredJWT({ sid: 's-1', jti: 'x' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    await refused(token);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const jwks = ring.jwks();
    const publicJwk = jwks.keys[0];
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT({ sid: 's-1' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: publicJwk?.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u-1')
      .setIssuedAt(now.getTime() / 1000)
      .setExpirationTime(now.getTime() / 1000 + 300)
      .setJti('x')
      .sign(secret);
    await refused(token);
  });

  it.each([
    ['wrong audience', { aud: 'someone-else' }, {}],
    ['wrong issuer', { iss: 'https://evil.example.net' }, {}],
    ['wrong type', {}, { typ: 'JWT' }],
    ['id-token type', {}, { typ: 'id+jwt' }],
    ['no type', {}, { typ: undefined }],
    ['expired', { exp: () => now.getTime() / 1000 - 1 }, {}],
    ['a 10-year lifetime', { exp: () => Math.floor(now.getTime() / 1000) + 10 * 365 * 86_400 }, {}],
    [
      'a lifetime a little past 10 minutes',
      { exp: () => Math.floor(now.getTime() / 1000) + 700 },
      {},
    ],
    [
      'an iat in the future',
      {
        iat: () => Math.floor(now.getTime() / 1000) + 3600,
        exp: () => Math.floor(now.getTime() / 1000) + 3900,
      },
      {},
    ],
    ['no session id', { sid: undefined }, {}],
    ['unknown kid', {}, { kid: 'not-a-key' }],
  ])('refuses a token with %s', async (_name, payloadChanges, headerChanges) => {
    const seconds = Math.floor(now.getTime() / 1000);
    const payload: Record<string, unknown> = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'u-1',
      sid: 's-1',
      jti: 'x',
      iat: seconds,
      exp: seconds + 300,
    };
    for (const [name, value] of Object.entries(payloadChanges)) {
      payload[name] = typeof value === 'function' ? value() : value;
    }
    const token = await signWithRealKey({ typ: 'at+jwt', ...headerChanges }, payload);
    await refused(token);
  });

  it('refuses a token signed by a key that is not ours, even with our kid', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', {
      crv: 'Ed25519',
      extractable: true,
    });
    const seconds = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ sid: 's-1' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: ring.signingKey().kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u-1')
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + 300)
      .setJti('x')
      .sign(privateKey);
    await refused(token);
    // An attacker-supplied key in the header is ignored, not trusted.
    const embedded = await new SignJWT({ sid: 's-1' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    await refused(embedded);
  });

  it('accepts tokens of the previous key during the overlap after rotation, and not after', async () => {
    const oldKid = ring.signingKey().kid;
    now = new Date(now.getTime() + 30 * DAY - 5 * MINUTE);
    const beforeRotation = await tokens.issue(claims);

    now = new Date(now.getTime() + 5 * MINUTE);
    await ring.rotateIfDue();
    expect(ring.signingKey().kid).not.toBe(oldKid);
    expect(ring.jwks().keys.map((key) => key.kid)).toContain(oldKid);
    expect(await tokens.verify(beforeRotation.token)).toEqual(claims);
    expect(await tokens.verify((await tokens.issue(claims)).token)).toEqual(claims);

    // A token of the old key that would otherwise still be valid (signed by a node whose clock
    // lags, just before the key retires a day from now) dies with the key.
    const signedAt = (now.getTime() + DAY - 5 * MINUTE) / 1000;
    const lastMinute = await new SignJWT({ sid: 's-1' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: oldKid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u-1')
      .setIssuedAt(signedAt)
      .setExpirationTime(signedAt + 600)
      .setJti('x')
      .sign(await oldPrivateKey(oldKid));
    now = new Date(signedAt * 1000 + MINUTE);
    expect(await tokens.verify(lastMinute)).toEqual(claims);
    now = new Date(now.getTime() + 5 * MINUTE);
    await refused(lastMinute);
    expect(ring.jwks().keys.map((key) => key.kid)).not.toContain(oldKid);
  });

  it('accepts a token of our lifetime from a node whose clock runs up to a minute ahead', async () => {
    const seconds = Math.floor(now.getTime() / 1000) + 50;
    const token = await signWithRealKey(
      { typ: 'at+jwt' },
      {
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'u-1',
        sid: 's-1',
        jti: 'x',
        iat: seconds,
        exp: seconds + 600,
      },
    );
    expect(await tokens.verify(token)).toEqual(claims);
  });

  it('never issues tokens that live longer than 15 minutes', () => {
    expect(
      () => new AccessTokens(ring, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 16 * 60 }),
    ).toThrow(RangeError);
  });
});

async function oldPrivateKey(kid: string) {
  const { importJWK } = await import('jose');
  const { schema } = await import('@confab/db');
  const { eq } = await import('drizzle-orm');
  const [row] = await database.db
    .select()
    .from(schema.signingKeys)
    .where(eq(schema.signingKeys.kid, kid));
  return importJWK(row?.privateJwk as Record<string, string>, 'EdDSA');
}

describe('key rotation across nodes', () => {
  it('makes one new key when several nodes find rotation due at once', async () => {
    const nodes = await Promise.all(
      Array.from({ length: 4 }, () =>
        KeyRing.open(database.db, { rotateAfterMs: 30 * DAY, overlapMs: DAY, clock }),
      ),
    );
    const keyCount = async () => (await database.db.select().from(schema.signingKeys)).length;
    const before = await keyCount();
    now = new Date(now.getTime() + 31 * DAY);
    await Promise.all(nodes.map((node) => node.rotateIfDue()));
    const kids = new Set(nodes.map((node) => node.signingKey().kid));
    expect(kids.size).toBe(1);
    await ring.rotateIfDue();
    expect(ring.signingKey().kid).toBe([...kids][0]);
    expect(await keyCount()).toBe(before + 1);
  });
});
