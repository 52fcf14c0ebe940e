/** Extracted text kept for search, per file: enough for the words of a long document. */
export const MAX_EXTRACTED_TEXT_BYTES = 100 * 1024;

/** The preview shown under a text file in a message. */
export const PREVIEW_MAX_LINES = 20;
export const PREVIEW_MAX_BYTES = 2 * 1024;

/**
 * Control characters out, tab and line breaks kept. Postgres refuses NUL in text outright, and
 * the others (escape sequences above all) have no business in a preview.
 */
export function sanitizeText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** The longest prefix of `text` whose UTF-8 encoding fits `maxBytes`, never half a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // A fatal-less decoder with stream: true drops an incomplete last sequence instead of making U+FFFD.
  return new TextDecoder('utf-8').decode(bytes.subarray(0, maxBytes), { stream: true });
}

/** The first lines of a text, within both limits. */
export function previewOf(text: string): string {
  return truncateUtf8(text.split('\n').slice(0, PREVIEW_MAX_LINES).join('\n'), PREVIEW_MAX_BYTES);
}
