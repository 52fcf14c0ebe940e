import { type Db, schema } from '@confab/db';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { AttachableFiles } from '../engine/ports';

/** The engine's `AttachableFiles` question, asked of the files table. */
export function createAttachableFiles(db: Db): AttachableFiles {
  const { files } = schema;
  return async ({ channelId, userId, fileIds }) => {
    if (fileIds.length === 0) return new Set();
    const rows = await db
      .select({ id: files.id })
      .from(files)
      .where(
        and(
          inArray(files.id, [...fileIds]),
          eq(files.channelId, channelId),
          eq(files.uploaderId, userId),
          eq(files.status, 'ready'),
          isNull(files.deletedAt),
        ),
      );
    return new Set(rows.map((row) => row.id));
  };
}
