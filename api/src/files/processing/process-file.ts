import type { Readable } from 'node:stream';
import { processImage, THUMBNAILED_TYPES } from './images';
import { processPdf } from './pdf';
import type { ProcessingResult } from './processing-result';
import { processTextFile } from './text-files';

export interface FileToProcess {
  /** As the upload classified it from the bytes: 'image' | 'pdf' | 'text' | 'audio' | 'video' | 'other'. */
  kind: string;
  /** The type detected from the bytes. */
  contentType: string;
}

/**
 * Processes one file by its kind. Audio and video are skipped: the one well-kept reader of their
 * durations on npm (music-metadata) needs Node 22, and spawning ffprobe is not cheap.
 */
export async function processFile(file: FileToProcess, body: Readable): Promise<ProcessingResult> {
  if (file.kind === 'image' && THUMBNAILED_TYPES.has(file.contentType)) return processImage(body);
  if (file.kind === 'pdf') return processPdf(body);
  if (file.kind === 'text') return processTextFile(body);
  body.destroy();
  return { outcome: 'skipped', reason: `nothing to make for ${file.kind} (${file.contentType})` };
}
