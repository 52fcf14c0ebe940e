import { type Database, openPglite, openPostgres, schema } from '@confab/db';
import { useTestDatabase } from '@confab/db/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { createClientIdRegistry } from './client-ids';
import { clientIdsContract } from './client-ids-contract';
import { createMemoryClientIdRegistry, type MemoryClientIdStore } from './memory-client-ids';

const testDb = useTestDatabase();

const memory: MemoryClientIdStore = new Map();
clientIdsContract(
  'memory',
  () => ({ registry: () => createMemoryClientIdRegistry(memory), users: ['ada', 'bob'] }),
  'mem',
);

for (const [name, open] of [
  ['postgres', () => openPostgres(testDb.url, { poolSize: 2 })],
  ['pglite', () => openPglite('memory')],
] as const) {
  describe(`client ids on ${name}`, () => {
    let database: Database | undefined;
    let users: [string, string] = ['', ''];
    beforeAll(async () => {
      database = await open();
      await database.migrate();
      const rows = await database.db
        .insert(schema.users)
        .values(
          ['ada', 'bob'].map((who) => ({ email: `${who}-ids-${name}@example.com`, name: who })),
        )
        .returning();
      users = [rows[0]?.id ?? '', rows[1]?.id ?? ''];
    });
    afterAll(() => database?.close());
    clientIdsContract(
      name,
      () => {
        const db = database?.db;
        if (!db) throw new Error('read inside a test');
        return { registry: () => createClientIdRegistry(db), users };
      },
      name,
    );
  });
}
