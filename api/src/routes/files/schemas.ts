import { z } from 'zod';
import { idSchema, timestampSchema } from '../../http/response-schemas';

/** The blobs one may ask of a file: its bytes, or a WebP made from them by the processing job. */
export const FILE_VARIANTS = ['original', 'thumb-small', 'thumb-large', 'preview'] as const;
export type FileVariant = (typeof FILE_VARIANTS)[number];
export const fileVariantSchema = z.enum(FILE_VARIANTS);

/** `name` is the display name as the client has it (percent-encoded in the URL); it is cleaned. */
export const uploadQuerySchema = z.object({
  name: z.string().min(1, 'name the file').max(2048, 'name is too long'),
});

export const fileIdsQuerySchema = z.object({
  ids: z
    .string()
    .transform((value) => value.split(',').filter(Boolean))
    .pipe(z.array(z.uuid()).min(1, 'name at least one file id').max(100, 'at most 100 ids')),
});

export const channelFilesQuerySchema = z.object({
  /** `next` of the previous page. */
  before: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const contentQuerySchema = z.object({
  u: z.uuid(),
  exp: z.coerce.number().int().positive(),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a signature'),
});

// Responses.

/** Signed, relative `/api/...` URLs of a file's blobs; null when that variant does not exist. */
const fileUrlsSchema = z.strictObject({
  /** Empty for a deleted file. */
  original: z.string(),
  thumbSmall: z.string().nullable(),
  thumbLarge: z.string().nullable(),
  preview: z.string().nullable(),
});

export const fileInfoSchema = z.strictObject({
  id: idSchema,
  channelId: idSchema,
  uploaderId: idSchema.nullable(),
  name: z.string(),
  /** The type detected from the bytes (what the original is served as). */
  contentType: z.string(),
  kind: z.enum(['image', 'pdf', 'text', 'audio', 'video', 'other']),
  /** Whether the original is shown in the page (allowlisted raster images only). */
  inline: z.boolean(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  status: z.enum(['quarantined', 'ready']),
  processing: z.enum(['pending', 'done', 'failed', 'skipped']),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  pages: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  placeholder: z.string().nullable(),
  textPreview: z.string().nullable(),
  createdAt: timestampSchema,
  deleted: z.boolean(),
  urls: fileUrlsSchema,
  /** When the signed URLs stop working; ask for the file again for fresh ones. */
  urlsExpireAt: timestampSchema,
});

export const fileResponseSchema = z.strictObject({ file: fileInfoSchema });
export const filesResponseSchema = z.strictObject({ files: z.array(fileInfoSchema) });
export const channelFilesResponseSchema = z.strictObject({
  files: z.array(fileInfoSchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: z.string().nullable(),
});
