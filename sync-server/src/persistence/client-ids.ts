import { type Db, schema } from '@confab/db';
import { and, eq, inArray, sql } from 'drizzle-orm';

export interface ClientIdOwner {
  userId: string;
  barred: boolean;
}

/** Ownership of Yjs client ids per doc [S3], shared by every node through Postgres. */
export interface ClientIdRegistry {
  /** Every owned client id of a doc (loaded with the doc, and again when an owner is unknown). */
  owners(docName: string): Promise<Map<number, ClientIdOwner>>;
  /** Claims unowned ids for `userId` (the first writer wins) and returns every id's owner. */
  claim(docName: string, clientIds: number[], userId: string): Promise<Map<number, ClientIdOwner>>;
  /** Bars client ids in a doc for good, after a rejected update. */
  bar(docName: string, clientIds: number[]): Promise<void>;
}

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
