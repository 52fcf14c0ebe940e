import { randomBytes } from 'node:crypto';
import { type Db, schema } from '@confab/db';
import { eq } from 'drizzle-orm';

/**
 * A random key made once per installation and kept in `system_settings` under `setting`, so
 * every API process signs and checks with the same one. Concurrent first starts race on the
 * insert; the primary key lets exactly one secret win.
 */
export async function installationSecret(db: Db, setting: string): Promise<Buffer> {
  await db
    .insert(schema.systemSettings)
    .values({ key: setting, value: randomBytes(32).toString('base64url') })
    .onConflictDoNothing({ target: schema.systemSettings.key });
  const [row] = await db
    .select({ value: schema.systemSettings.value })
    .from(schema.systemSettings)
    .where(eq(schema.systemSettings.key, setting));
  if (typeof row?.value !== 'string') throw new Error(`${setting} missing after insert`);
  return Buffer.from(row.value, 'base64url');
}

/**
 * Opens something on first use and keeps it; a failed open is tried again next time. The app is
 * built synchronously, and a process that never needs the thing never opens it.
 */
export function openOnce<T>(open: () => Promise<T>): () => Promise<T> {
  let opened: Promise<T> | undefined;
  return () => {
    opened ??= open().catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
}
