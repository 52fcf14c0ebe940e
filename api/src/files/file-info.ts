import type { schema } from '@confab/db';
import type { z } from 'zod';
import type { FileVariant, fileInfoSchema } from '../routes/files/schemas';
import type { FileUrlSigner } from './url-signer';

export type FileRow = Omit<typeof schema.files.$inferSelect, 'searchVector'>;
export type FileInfo = z.output<typeof fileInfoSchema>;

const DERIVED_VARIANTS = {
  thumbSmall: 'thumb-small',
  thumbLarge: 'thumb-large',
  preview: 'preview',
} as const satisfies Record<string, FileVariant>;

/** The blob key of a variant of the file, or null when it has none (yet). */
export function variantKey(file: FileRow, variant: FileVariant): string | null {
  if (variant === 'original') return file.storageKey;
  const field = (Object.keys(DERIVED_VARIANTS) as (keyof typeof DERIVED_VARIANTS)[]).find(
    (name) => DERIVED_VARIANTS[name] === variant,
  );
  return (field && file.derived[field]) || null;
}

/**
 * A file as `viewerId` sees it, with URLs signed for them. A deleted file keeps its name (messages
 * show "removed") but has no URLs.
 */
export function fileInfo(
  file: FileRow,
  viewerId: string,
  signer: FileUrlSigner,
  now = Date.now(),
): FileInfo {
  const exp = signer.expiry(now);
  const deleted = file.deletedAt !== null;
  const url = (variant: FileVariant) =>
    !deleted && variantKey(file, variant)
      ? signer.url({ fileId: file.id, variant, userId: viewerId, exp })
      : null;
  return {
    id: file.id,
    channelId: file.channelId,
    uploaderId: file.uploaderId,
    name: file.name,
    contentType: file.contentType,
    kind: file.kind,
    inline: file.inline,
    size: file.byteSize,
    sha256: file.sha256,
    status: file.status,
    processing: file.processing,
    width: file.width,
    height: file.height,
    pages: file.pages,
    durationMs: file.durationMs,
    placeholder: deleted ? null : file.placeholder,
    textPreview: deleted ? null : file.textPreview,
    createdAt: file.createdAt.toISOString(),
    deleted,
    urls: {
      original: url('original') ?? '',
      thumbSmall: url('thumb-small'),
      thumbLarge: url('thumb-large'),
      preview: url('preview'),
    },
    urlsExpireAt: new Date(exp * 1000).toISOString(),
  };
}
