import { type Database, type Db, openPglite, openPostgres } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { type DirectoryWorld, seedDirectoryWorld } from './directory-world';

/** The database a suite runs on, with the directory world seeded; read inside tests and hooks. */
export interface SeededDatabase {
  readonly db: Db;
  readonly world: DirectoryWorld;
}

/**
 * Test support: runs `body` twice, on this test file's Postgres database and on an in-memory
 * PGlite, each migrated and seeded with the directory world (directory-world.ts).
 */
export function describeOnBothDatabases(
  title: string,
  body: (seeded: SeededDatabase) => void,
): void {
  const testDatabase = useTestDatabase();
  describe.each([
    ['postgres', () => openPostgres(testDatabase.url)],
    ['pglite', () => openPglite('memory')],
  ] as const)(`${title} on %s`, (kind, openDatabase) => {
    let database: Database | undefined;
    let world: DirectoryWorld | undefined;
    beforeAll(async () => {
      database = await openDatabase();
      if (kind === 'pglite') await database.migrate();
      world = await seedDirectoryWorld(database.db);
    }, 60_000);
    afterAll(() => database?.close());
    const ready = <T>(value: T | undefined): T => {
      if (value === undefined)
        throw new Error('describeOnBothDatabases: read inside a test or hook');
      return value;
    };
    body({
      get db() {
        return ready(database).db;
      },
      get world() {
        return ready(world);
      },
    });
  });
}
