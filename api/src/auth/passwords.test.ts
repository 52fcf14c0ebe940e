import { hash as bcryptHash } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords';

describe('passwords', () => {
  it('hashes new passwords with Argon2id and verifies them', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toEqual({
      ok: true,
      needsRehash: false,
    });
    expect((await verifyPassword(hash, 'correct horse battery stapl')).ok).toBe(false);
  });

  it('makes bcrypt hashes of cost 12 that tell apart passwords differing only after byte 72', async () => {
    const base = 'x'.repeat(72);
    const hash = await hashPassword(`${base}-one`, 'bcrypt');
    expect(hash).toMatch(/^\$bcrypt-sha256\$v=1\$\$2[aby]\$12\$/);
    expect(await verifyPassword(hash, `${base}-one`, 'bcrypt')).toEqual({
      ok: true,
      needsRehash: false,
    });
    expect((await verifyPassword(hash, `${base}-two`, 'bcrypt')).ok).toBe(false);
  });

  it('asks to upgrade a bcrypt hash to Argon2id after a successful login', async () => {
    const ours = await hashPassword('upgrade me please', 'bcrypt');
    expect(await verifyPassword(ours, 'upgrade me please')).toEqual({
      ok: true,
      needsRehash: true,
    });
    const imported = await bcryptHash('imported secret', 12);
    expect(await verifyPassword(imported, 'imported secret')).toEqual({
      ok: true,
      needsRehash: true,
    });
  });

  it('never matches a plain bcrypt hash with a password longer than 72 bytes (no truncation)', async () => {
    const long = 'y'.repeat(72);
    const imported = await bcryptHash(long, 12);
    expect((await verifyPassword(imported, long)).ok).toBe(true);
    expect((await verifyPassword(imported, `${long}anything`)).ok).toBe(false);
  });

  it('verifies nothing against a malformed or foreign hash', async () => {
    for (const stored of [
      '',
      'plain',
      '$argon2id$garbage',
      '$2b$12$short',
      '$bcrypt-sha256$v=1$nope',
      '$1$md5$x',
    ]) {
      expect(await verifyPassword(stored, 'anything')).toEqual({ ok: false, needsRehash: false });
    }
  });
});
