/** Derived images, all WebP made by us (so always safe to serve inline). */
export interface DerivedImages {
  thumbSmall?: Uint8Array;
  thumbLarge?: Uint8Array;
  preview?: Uint8Array;
}

export interface ProcessedFile {
  outcome: 'done';
  width?: number;
  height?: number;
  pages?: number;
  durationMs?: number;
  /** A tiny WebP as a data: URL, shown while the thumbnail loads. */
  placeholder?: string;
  textPreview?: string;
  extractedText?: string;
  derived: DerivedImages;
}

/**
 * What processing made of one file. `failed` means the bytes themselves were refused (too many
 * pixels, corrupt): permanent, never retried. `skipped` means nothing is made for this kind of
 * file, or it is too large to preview.
 */
export type ProcessingResult =
  | ProcessedFile
  | { outcome: 'failed'; reason: string }
  | { outcome: 'skipped'; reason: string };
