import type { Readable } from 'node:stream';
import type { ProcessingResult } from './processing-result';
import { readBytes } from './read-bytes';
import { MAX_EXTRACTED_TEXT_BYTES, previewOf, sanitizeText } from './text-limits';

/**
 * Text and code: the first lines as a preview and the start of the text for search. Only the
 * first `MAX_EXTRACTED_TEXT_BYTES` are read, however large the file. Bytes that are not UTF-8
 * become U+FFFD.
 */
export async function processTextFile(input: Readable): Promise<ProcessingResult> {
  const { bytes } = await readBytes(input, MAX_EXTRACTED_TEXT_BYTES);
  // stream: true drops a character cut in half by the byte limit instead of making it U+FFFD.
  const text = sanitizeText(new TextDecoder('utf-8').decode(bytes, { stream: true }));
  return {
    outcome: 'done',
    textPreview: previewOf(text),
    extractedText: text,
    derived: {},
  };
}
