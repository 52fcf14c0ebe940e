import { type Db, schema } from '@confab/db';
import { and, eq, inArray, isNull } from 'drizzle-orm';

export interface AttachmentQuery {
  channelId: string;
  userId: string;
  fileIds: readonly string[];
}

/**
 * Which of `fileIds` the user may attach to a message in the channel: files they uploaded for
 * it, promoted (`ready`) and not deleted. Asked afresh for each update that references new files,
 * never cached, so a file deleted a moment ago is refused at once.
 */
export type AttachableFiles = (query: AttachmentQuery) => Promise<Set<string>>;

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
