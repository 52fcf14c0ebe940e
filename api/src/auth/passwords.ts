import { createHmac } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt';

export type PasswordScheme = 'argon2id' | 'bcrypt';

/** `Algorithm.Argon2id` of @node-rs/argon2, a const enum that isolated modules cannot import. */
const ARGON2ID = 2;
/** OWASP's Argon2id minimum (m=19 MiB, t=2, p=1). */
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const BCRYPT_COST = 12;
/** bcrypt reads at most 72 bytes and silently ignores the rest. */
const BCRYPT_MAX_BYTES = 72;
/**
 * Our bcrypt hashes pre-hash the password (HMAC-SHA256, base64: 44 bytes, no NUL) so that every
 * byte counts, as OWASP describes; the prefix tells them from plain bcrypt hashes made elsewhere.
 */
const BCRYPT_SHA256_PREFIX = '$bcrypt-sha256$v=1$';
const PREHASH_KEY = 'confab-bcrypt-prehash-v1';

const prehash = (password: string) =>
  createHmac('sha256', PREHASH_KEY).update(password, 'utf8').digest('base64');

export async function hashPassword(
  password: string,
  scheme: PasswordScheme = 'argon2id',
): Promise<string> {
  if (scheme === 'bcrypt')
    return BCRYPT_SHA256_PREFIX + (await bcryptHash(prehash(password), BCRYPT_COST));
  return argon2Hash(password, ARGON2_OPTIONS);
}

export interface PasswordCheck {
  ok: boolean;
  /** True when the hash is not in the preferred scheme or parameters: hash again after login. */
  needsRehash: boolean;
}

/**
 * Verifies against Argon2id, our pre-hashed bcrypt, or plain bcrypt from an import. A plain
 * bcrypt hash cannot tell passwords apart past 72 bytes, so a longer password never matches one
 * (no silent truncation); its owner resets the password instead.
 */
export async function verifyPassword(
  stored: string,
  password: string,
  preferred: PasswordScheme = 'argon2id',
): Promise<PasswordCheck> {
  try {
    if (stored.startsWith('$argon2')) {
      const ok = await argon2Verify(stored, password);
      const current = stored.startsWith(
        `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},`,
      );
      return { ok, needsRehash: ok && (preferred !== 'argon2id' || !current) };
    }
    if (stored.startsWith(BCRYPT_SHA256_PREFIX)) {
      const ok = await bcryptVerify(prehash(password), stored.slice(BCRYPT_SHA256_PREFIX.length));
      return { ok, needsRehash: ok && preferred !== 'bcrypt' };
    }
    if (/^\$2[aby]\$/.test(stored)) {
      if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES)
        return { ok: false, needsRehash: false };
      const ok = await bcryptVerify(password, stored);
      return { ok, needsRehash: ok };
    }
  } catch {
    // A malformed stored hash verifies nothing.
  }
  return { ok: false, needsRehash: false };
}

/**
 * A real Argon2id hash of a random password: verifying against it when the account does not exist
 * spends the same time as a real check, so response time does not reveal which emails exist.
 */
export const timingDecoy: Promise<string> = hashPassword(Math.random().toString(36));
