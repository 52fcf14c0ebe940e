/** The longest display name kept, in characters (code points), extension included. */
export const MAX_NAME_LENGTH = 255;
/** An extension longer than this is not kept whole when a long name is shortened. */
const MAX_EXTENSION_LENGTH = 16;

/**
 * C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates (U+202A-202E,
 * U+2066-2069) with the marks U+200E/U+200F, which can make `gpj.exe` read as `exe.jpg`.
 */
const UNSAFE_CHARACTERS = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * The name a file is shown and downloaded as: NFC, the last segment of any path (`/` or `\`), no
 * control or bidi characters, trimmed, at most 255 characters with the extension kept. Null when
 * nothing usable is left (empty, `.` or `..`). Never used as a storage key.
 */
export function safeDisplayName(raw: string): string | null {
  const cleaned = raw.normalize('NFC').replace(UNSAFE_CHARACTERS, '');
  const lastSegment = cleaned.split(/[/\\]/).at(-1) ?? '';
  const name = lastSegment.trim();
  if (name === '' || name === '.' || name === '..') return null;
  return shorten(name);
}

/** The extension in lower case without its dot ("" when none): what the uploader claims the file is. */
export function nameExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function shorten(name: string): string {
  const characters = [...name];
  if (characters.length <= MAX_NAME_LENGTH) return name;
  const extensionLength = [...nameExtension(name)].length;
  // The dot and the extension, in their original case; an absurdly long one is cut like the rest.
  const kept = extensionLength && extensionLength <= MAX_EXTENSION_LENGTH ? extensionLength + 1 : 0;
  const stem = characters.slice(0, MAX_NAME_LENGTH - kept);
  return [...stem, ...characters.slice(characters.length - kept)].join('');
}
