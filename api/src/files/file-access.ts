import { canReadChannel, type Db, type Policy, schema } from '@confab/db';
import { and, eq, inArray } from 'drizzle-orm';
import type { FileRow } from './file-info';

const { files, fileColumns } = schema;

/**
 * Whether the user may read a file: it is promoted and they may read the channel it was uploaded
 * for, asked afresh each time, so leaving the channel (or the workspace) ends access at once.
 * Deleted files stay readable as a name, without bytes (file-info.ts).
 */
export async function readableFile(
  db: Db,
  policy: Policy,
  userId: string,
  fileId: string,
): Promise<FileRow | null> {
  const [file] = await db
    .select(fileColumns)
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.status, 'ready')));
  if (!file) return null;
  const loaded = await policy.channelContext(userId, file.channelId);
  return loaded && canReadChannel(loaded.context) ? file : null;
}

/** Those of the files the user may read, in the order asked; the others are left out. */
export async function readableFiles(
  db: Db,
  policy: Policy,
  userId: string,
  fileIds: readonly string[],
): Promise<FileRow[]> {
  const rows = await db
    .select(fileColumns)
    .from(files)
    .where(and(inArray(files.id, [...new Set(fileIds)]), eq(files.status, 'ready')));
  const channelIds = [...new Set(rows.map((row) => row.channelId))];
  const readable = new Set<string>();
  for (const channelId of channelIds) {
    const loaded = await policy.channelContext(userId, channelId);
    if (loaded && canReadChannel(loaded.context)) readable.add(channelId);
  }
  const byId = new Map(rows.map((row) => [row.id, row]));
  return [...new Set(fileIds)].flatMap((id) => {
    const row = byId.get(id);
    return row && readable.has(row.channelId) ? [row] : [];
  });
}
