import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from './database';
import { systemSettings } from './schema/index';

export interface Installation {
  id: string;
  createdAt: string;
}

/**
 * The id of this Confab installation, made once at first start and kept in the database, so it
 * identifies the data (not the process) across restarts and nodes.
 */
export async function ensureInstallation(db: Db): Promise<Installation> {
  const fresh: Installation = { id: randomUUID(), createdAt: new Date().toISOString() };
  // Concurrent first starts race on the insert; the primary key lets exactly one win.
  await db
    .insert(systemSettings)
    .values({ key: 'installation', value: fresh })
    .onConflictDoNothing({ target: systemSettings.key });
  const [row] = await db
    .select({ value: systemSettings.value })
    .from(systemSettings)
    .where(eq(systemSettings.key, 'installation'));
  if (!row) throw new Error('installation row missing right after insert');
  return row.value as Installation;
}
