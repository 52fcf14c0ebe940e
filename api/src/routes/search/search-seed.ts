import { randomUUID } from 'node:crypto';
import { type Db, docName, schema } from '@confab/db';
import { newMessageId } from '@confab/db/model';

/**
 * Search tests' rows, written straight into the projection's tables (what the sync server's
 * projection writes), so a test seeds in milliseconds. The freshness test goes the real way.
 */

export interface SeedMessage {
  channelId: string;
  authorId: string;
  text: string;
  /** Server time of arrival: what date filters look at. Default: now. */
  receivedAt?: Date;
  parentId?: string;
  fileIds?: string[];
}

export async function seedMessage(db: Db, message: SeedMessage): Promise<string> {
  const receivedAt = message.receivedAt ?? new Date();
  const id = newMessageId(receivedAt.getTime());
  await db.insert(schema.messages).values({
    id,
    channelId: message.channelId,
    docName: docName({ kind: 'segment', channelId: message.channelId, index: 0 }),
    authorId: message.authorId,
    text: message.text,
    createdAt: receivedAt,
    receivedAt,
    docSeq: 1,
    ...(message.parentId ? { parentId: message.parentId } : {}),
    ...(message.fileIds ? { fileIds: message.fileIds } : {}),
  });
  return id;
}

/** A ready file attached to `messageId` (the projection sets `message_id` on attachment). */
export async function seedFile(
  db: Db,
  file: {
    /** Known beforehand when the message names it in its `file_ids`. */
    id?: string;
    workspaceId: string;
    channelId: string;
    uploaderId: string;
    name: string;
    messageId: string;
    extractedText?: string;
  },
): Promise<string> {
  const id = file.id ?? randomUUID();
  await db.insert(schema.files).values({
    id,
    workspaceId: file.workspaceId,
    channelId: file.channelId,
    uploaderId: file.uploaderId,
    storageKey: `files/${id}`,
    name: file.name,
    declaredType: 'application/pdf',
    contentType: 'application/pdf',
    kind: 'pdf',
    byteSize: 1234,
    sha256: '0'.repeat(64),
    status: 'ready',
    messageId: file.messageId,
    extractedText: file.extractedText ?? null,
  });
  return id;
}
