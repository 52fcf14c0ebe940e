import { openPglite, openPostgres } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { searchEngineContract } from './engine-contract';
import { createPostgresSearchEngine } from './postgres-engine';

const testDatabase = useTestDatabase();

searchEngineContract('Postgres', async () => {
  const database = await openPostgres(testDatabase.url);
  return {
    engine: createPostgresSearchEngine(database.db),
    db: database.db,
    close: database.close,
  };
});

searchEngineContract('PGlite', async () => {
  const database = await openPglite('memory');
  await database.migrate();
  return {
    engine: createPostgresSearchEngine(database.db),
    db: database.db,
    close: database.close,
  };
});
