import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, openBackends } from './backends';
import { backendEnvSchema } from './config';
import {
  checkRedisDurability,
  DurabilityCheckError,
  enforceDurability,
  THROWAWAY_CLUSTER_SETTING,
} from './durability-checks';
import { useTestDatabase, useTestRedis } from './testing/index';
import {
  type PostgresService,
  startPrivatePostgres,
  THROWAWAY_TEST_SETTINGS,
} from './testing/postgres-service';
import { type RedisService, startPrivateRedis } from './testing/redis-service';

const testDb = useTestDatabase();
const testRedis = useTestRedis();

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'confab-durability-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Opens backends as a node would, collecting its warnings; closes them again at once. */
async function open(
  env: Record<string, string>,
): Promise<{ warnings: string[]; backends: Backends }> {
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
  const backends = await openBackends(
    backendEnvSchema.parse({ DATA_DIR: await mkdtemp(join(scratch, 'data-')), ...env }),
    { logger, connectionName: 'durability-test' },
  );
  await backends.close();
  return { warnings, backends };
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe('Postgres with fsync = off', () => {
  let postgres: PostgresService;
  beforeAll(async () => {
    postgres = await startPrivatePostgres({ fsync: 'off' });
  }, 90_000);
  afterAll(() => postgres?.stop());

  it('refuses to start, naming the setting, the reason and the fix [S1]', async () => {
    const attempt = open({ DATABASE_URL: postgres.adminUrl });
    await expect(attempt).rejects.toThrow(DurabilityCheckError);
    await expect(attempt).rejects.toThrow(
      /^Refusing to start: .*\n {2}Postgres fsync = off \(from command line\): .*\[S1\]\.\n {4}Fix: set fsync = on .*\nTo start anyway .*UNSAFE_SKIP_DURABILITY_CHECKS=true/,
    );
  });

  it('starts with UNSAFE_SKIP_DURABILITY_CHECKS=true and logs a warning', async () => {
    const { warnings } = await open({
      DATABASE_URL: postgres.adminUrl,
      UNSAFE_SKIP_DURABILITY_CHECKS: 'true',
    });
    expect(warnings.join('')).toContain('fsync = off');
    expect(warnings.join('')).toContain('"skipped":"UNSAFE_SKIP_DURABILITY_CHECKS"');
  }, 60_000);
});

describe("the test harness's private Postgres (fsync = off for speed)", () => {
  let postgres: PostgresService;
  beforeAll(async () => {
    postgres = await startPrivatePostgres(THROWAWAY_TEST_SETTINGS);
  }, 90_000);
  afterAll(() => postgres?.stop());

  it('starts, and warns, because the cluster declares itself throwaway', async () => {
    const { warnings } = await open({ DATABASE_URL: postgres.adminUrl });
    expect(warnings.join('')).toContain(`declares itself throwaway (${THROWAWAY_CLUSTER_SETTING})`);
  }, 60_000);
});

describe('Postgres with synchronous_commit = off', () => {
  const setForDatabase = (value: string) =>
    sql(testDb.url, `ALTER DATABASE "${testDb.name}" SET synchronous_commit = ${value}`);
  afterAll(() => sql(testDb.url, `ALTER DATABASE "${testDb.name}" RESET synchronous_commit`));

  it('refuses when the database sets it, and names the statement that undoes it [S1]', async () => {
    await setForDatabase('off');
    await expect(open({ DATABASE_URL: testDb.url })).rejects.toThrow(
      `synchronous_commit = off (from database): Postgres confirms a commit before it is on disk`,
    );
    await expect(open({ DATABASE_URL: testDb.url })).rejects.toThrow(
      `Fix: run ALTER DATABASE "${testDb.name}" RESET synchronous_commit;`,
    );
  });

  it('refuses when the connection options in DATABASE_URL set it [S1]', async () => {
    await setForDatabase('on');
    const url = new URL(testDb.url);
    url.searchParams.set('options', '-c synchronous_commit=off');
    await expect(open({ DATABASE_URL: url.toString() })).rejects.toThrow(
      /synchronous_commit = off \(from client\).*\n.*Fix: remove synchronous_commit from the options in DATABASE_URL/,
    );
  });

  it('starts with synchronous_commit = local, which waits for the local flush', async () => {
    await setForDatabase('local');
    const { warnings } = await open({ DATABASE_URL: testDb.url });
    expect(warnings.join('')).not.toContain('synchronous_commit');
  });
});

describe('Redis that evicts keys', () => {
  const started: RedisService[] = [];
  const redis = async (args: string[]) => {
    const service = await startPrivateRedis(['--save', '', '--appendonly', 'no', ...args]);
    started.push(service);
    return service;
  };
  afterAll(() => Promise.all(started.map((service) => service.stop())));

  it('refuses maxmemory-policy allkeys-lru: sessions and limits would vanish [S9]', async () => {
    const { url } = await redis(['--maxmemory-policy', 'allkeys-lru']);
    const attempt = open({ DATABASE_URL: testDb.url, REDIS_URL: url });
    await expect(attempt).rejects.toThrow(DurabilityCheckError);
    await expect(attempt).rejects.toThrow(
      /\n {2}Redis maxmemory-policy = allkeys-lru: .*sessions.*\[S9\]\.\n {4}Fix: set maxmemory-policy noeviction/,
    );
  });

  it('reads the policy from INFO where CONFIG is blocked (managed Redis) [S9]', async () => {
    const { url } = await redis([
      '--maxmemory-policy',
      'volatile-lru',
      '--rename-command',
      'CONFIG',
      '',
    ]);
    await expect(open({ DATABASE_URL: testDb.url, REDIS_URL: url })).rejects.toThrow(
      'Redis maxmemory-policy = volatile-lru',
    );
  });

  it('starts with UNSAFE_SKIP_DURABILITY_CHECKS=true and logs a warning', async () => {
    const { url } = await redis(['--maxmemory-policy', 'allkeys-lru']);
    const { warnings } = await open({
      DATABASE_URL: testDb.url,
      REDIS_URL: url,
      REDIS_KEY_PREFIX: testRedis.prefix,
      UNSAFE_SKIP_DURABILITY_CHECKS: 'true',
    });
    expect(warnings.join('')).toContain('maxmemory-policy = allkeys-lru');
  });

  it('warns, without refusing, when Redis answers neither CONFIG nor INFO', async () => {
    const refusing = {
      config: () => Promise.reject(new Error("ERR unknown command 'CONFIG'")),
      info: () => Promise.reject(new Error("ERR unknown command 'INFO'")),
    } as unknown as Redis;
    const findings = await checkRedisDurability(refusing);
    expect(findings.map((finding) => [finding.severity, finding.setting])).toEqual([
      ['warn', 'maxmemory-policy = (unreadable: CONFIG and INFO refused)'],
      ['warn', 'appendonly = (unreadable), save = (unreadable)'],
    ]);
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    expect(() => enforceDurability(findings, { skip: false, logger })).not.toThrow();
    expect(warnings).toHaveLength(2);
  });
});

describe('Redis without persistence', () => {
  it('starts and warns that a Redis restart signs everyone out (CI runs Redis so)', async () => {
    const service = await startPrivateRedis(['--save', '', '--appendonly', 'no']);
    try {
      const { warnings } = await open({ DATABASE_URL: testDb.url, REDIS_URL: service.url });
      expect(warnings.join('')).toContain('a Redis restart signs every user out');
    } finally {
      await service.stop();
    }
  });

  it('starts quietly on a Redis with an append-only file', async () => {
    const service = await startPrivateRedis(['--appendonly', 'yes', '--dir', scratch]);
    try {
      const { warnings } = await open({ DATABASE_URL: testDb.url, REDIS_URL: service.url });
      expect(warnings).toEqual([]);
    } finally {
      await service.stop();
    }
  });
});
