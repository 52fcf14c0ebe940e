import { getTableColumns, sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { channels } from './channels';
import { createdAt, timestampTz, tsvector, withoutSearchVector } from './columns';
import { workspaces } from './workspaces';

export const FILE_KINDS = ['image', 'pdf', 'text', 'audio', 'video', 'other'] as const;
export type FileKind = (typeof FILE_KINDS)[number];
export const FILE_STATUSES = ['quarantined', 'ready'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];
export const FILE_PROCESSING_STATES = ['pending', 'done', 'failed', 'skipped'] as const;
export type FileProcessing = (typeof FILE_PROCESSING_STATES)[number];

/** Keys of the blobs made from a file by its processing job (`derived/<fileId>/<variant>.webp`). */
export interface DerivedBlobs {
  thumbSmall?: string;
  thumbLarge?: string;
  preview?: string;
}

const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`"${column}" IN (${values.map((value) => `'${value}'`).join(', ')})`);

/**
 * An uploaded file. The bytes live in the blob store under `storage_key`, which the server makes
 * (`quarantine/<id>` while the upload is checked, `files/<id>` once promoted): a user's file name
 * is only ever displayed. A file may be attached to a message iff it is ready, not deleted, the
 * message's author uploaded it, and it was uploaded for the message's channel.
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** The channel or DM it was uploaded for; reading it follows read access to that channel. */
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    uploaderId: uuid('uploader_id').references(() => users.id, { onDelete: 'set null' }),
    storageKey: text('storage_key').notNull().unique(),
    /** Safe display name (files/names.ts): no path, no control or bidi characters. */
    name: text('name').notNull(),
    /** What the uploader claimed (Content-Type); kept for the audit, never served. */
    declaredType: text('declared_type').notNull(),
    /** What the bytes are, or application/octet-stream: the type the file is served with. */
    contentType: text('content_type').notNull(),
    kind: text('kind', { enum: FILE_KINDS }).notNull(),
    /** True only for allowlisted raster images that decode; everything else is a download. */
    inline: boolean('inline').notNull().default(false),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    status: text('status', { enum: FILE_STATUSES }).notNull().default('quarantined'),
    processing: text('processing', { enum: FILE_PROCESSING_STATES }).notNull().default('pending'),
    width: integer('width'),
    height: integer('height'),
    pages: integer('pages'),
    durationMs: integer('duration_ms'),
    /** A tiny `data:` URL shown while the thumbnail loads. */
    placeholder: text('placeholder'),
    textPreview: text('text_preview'),
    /** PDF or text content for search, capped at about 100 KB. */
    extractedText: text('extracted_text'),
    derived: jsonb('derived').$type<DerivedBlobs>().notNull().default({}),
    /** ULID of the message it is attached to, set by the projection. */
    messageId: text('message_id'),
    createdAt: createdAt(),
    deletedAt: timestampTz('deleted_at'),
    deletedBy: uuid('deleted_by').references(() => users.id, { onDelete: 'set null' }),
    /** When the purge sweep removes the bytes of a deleted file; null once they are gone. */
    purgeAfter: timestampTz('purge_after'),
    /**
     * Search over the name (weight A) and the extracted text (B, capped by the processing job).
     * The name's `.`, `_` and `-` become spaces first: the parser would otherwise read
     * `budget-report.pdf` as one file-name token, and "report" would not find it. One character
     * for one, so highlight offsets computed on the translated name fit the name itself.
     */
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('confab_search'::regconfig, translate("name", '._-', '   ')), 'A') || setweight(to_tsvector('confab_search'::regconfig, coalesce("extracted_text", '')), 'B')`,
      ),
  },
  (t) => [
    index('files_channel_idx').on(t.channelId, t.createdAt.desc(), t.id.desc()),
    index('files_workspace_idx').on(t.workspaceId),
    index('files_search_idx').using('gin', t.searchVector),
    index('files_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    index('files_purge_idx').on(t.purgeAfter).where(sql`${t.purgeAfter} IS NOT NULL`),
    index('files_unattached_idx')
      .on(t.createdAt)
      .where(sql`${t.messageId} IS NULL AND ${t.deletedAt} IS NULL`),
    check('files_kind_known', oneOf('kind', FILE_KINDS)),
    check('files_status_known', oneOf('status', FILE_STATUSES)),
    check('files_processing_known', oneOf('processing', FILE_PROCESSING_STATES)),
  ],
);

/** Every column of files except the search vector: what reads that serve rows select. */
export const fileColumns = withoutSearchVector(getTableColumns(files));
