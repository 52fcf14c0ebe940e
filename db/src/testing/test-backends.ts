import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDatabaseFromTemplate, databaseUrl, dropDatabase } from './template-database';

/** What the global setup (global-setup.ts) hands every test file. */
declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresTemplate: string;
    redisUrl: string;
  }
}

export interface TestDatabase {
  /** URL of this test file's own database; valid from `beforeAll` on. */
  readonly url: string;
  readonly name: string;
}

/**
 * Gives the calling test file its own migrated Postgres database, cloned from the template made by
 * the global setup, and drops it after the file's tests.
 */
export function useTestDatabase(): TestDatabase {
  let name: string | undefined;
  const adminUrl = () => inject('postgresAdminUrl');
  beforeAll(async () => {
    name = await createDatabaseFromTemplate(adminUrl(), inject('postgresTemplate'));
  });
  afterAll(async () => {
    if (name) await dropDatabase(adminUrl(), name);
  });
  return {
    get name() {
      if (!name) throw new Error('useTestDatabase: read .name inside a test or hook');
      return name;
    },
    get url() {
      return databaseUrl(adminUrl(), this.name);
    },
  };
}

export interface TestRedis {
  readonly url: string;
  /** Key and channel prefix owned by this test file; its keys are deleted afterwards. */
  readonly prefix: string;
}

export function useTestRedis(): TestRedis {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  afterAll(async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });
  return {
    get url() {
      return inject('redisUrl');
    },
    prefix,
  };
}
