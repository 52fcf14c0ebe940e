import { bigint, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { channels } from './channels';
import { createdAt, timestampTz } from './columns';
import { workspaces } from './workspaces';

export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** The channel it was shared in; access to the file follows access to that channel. */
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'set null' }),
    uploaderId: uuid('uploader_id').references(() => users.id, { onDelete: 'set null' }),
    /** Key in the blob store; never derived from the user's file name. */
    storageKey: text('storage_key').notNull().unique(),
    name: text('name').notNull(),
    /** Detected from the bytes, not taken from the upload's claim. */
    contentType: text('content_type').notNull(),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    width: integer('width'),
    height: integer('height'),
    thumbnailKey: text('thumbnail_key'),
    createdAt: createdAt(),
    deletedAt: timestampTz('deleted_at'),
  },
  (t) => [index('files_channel_idx').on(t.channelId, t.createdAt.desc())],
);
