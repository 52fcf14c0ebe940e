import { type Db, schema } from '@confab/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ClientIdRegistry } from '../engine/ports';

/** The client-id registry (the engine's port) in Postgres or PGlite: every node shares it. */
export function createClientIdRegistry(db: Db): ClientIdRegistry {
  const { docClientIds } = schema;
  const toOwners = (rows: Array<typeof docClientIds.$inferSelect>) =>
    new Map(
      rows.map((row) => [row.clientId, { userId: row.userId, barred: row.barredAt !== null }]),
    );
  return {
    async owners(docName) {
      return toOwners(
        await db.select().from(docClientIds).where(eq(docClientIds.docName, docName)),
      );
    },
    async claim(docName, clientIds, userId) {
      if (clientIds.length === 0) return new Map();
      // Two nodes may claim one id at the same instant: the primary key lets exactly one win,
      // and everyone reads the winner back.
      await db
        .insert(docClientIds)
        .values(clientIds.map((clientId) => ({ docName, clientId, userId })))
        .onConflictDoNothing();
      const rows = await db
        .select()
        .from(docClientIds)
        .where(and(eq(docClientIds.docName, docName), inArray(docClientIds.clientId, clientIds)));
      return toOwners(rows);
    },
    async bar(docName, clientIds) {
      if (clientIds.length === 0) return;
      await db
        .update(docClientIds)
        .set({ barredAt: sql`now()` })
        .where(and(eq(docClientIds.docName, docName), inArray(docClientIds.clientId, clientIds)));
    },
  };
}
