import type { schema } from '@confab/db';
import { fileTypeFromBuffer } from 'file-type';
import { nameExtension } from './names';

type FileKind = schema.FileKind;

/** What the bytes of an upload turned out to be, and how it may be served. */
export interface Classified {
  /** The type the original is served with. */
  contentType: string;
  kind: FileKind;
  /** An allowlisted raster image: shown inline once it also decodes (image-check.ts). */
  inlineCandidate: boolean;
}

export type Classification = { ok: true; file: Classified } | { ok: false; reason: string };

/** Served as themselves: browsers show them in an <img>, and a decode check confirms them. */
const INLINE_IMAGES = new Set([
  'image/png',
  'image/apng',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
]);

/** Detected types accepted, and their kind; everything file-type names that is not here is refused. */
const ALLOWED: Record<string, FileKind> = {
  ...Object.fromEntries([...INLINE_IMAGES].map((type) => [type, 'image'])),
  'image/heic': 'image',
  'image/heif': 'image',
  'image/tiff': 'image',
  'image/bmp': 'image',
  'image/jxl': 'image',
  'image/vnd.adobe.photoshop': 'image',
  'application/pdf': 'pdf',
  'audio/mpeg': 'audio',
  'audio/mp4': 'audio',
  'audio/x-m4a': 'audio',
  'audio/aac': 'audio',
  'audio/ogg': 'audio',
  'audio/ogg; codecs=opus': 'audio',
  'application/ogg': 'audio',
  'audio/wav': 'audio',
  'audio/flac': 'audio',
  'audio/aiff': 'audio',
  'video/mp4': 'video',
  'video/x-m4v': 'video',
  'video/webm': 'video',
  'video/quicktime': 'video',
  'video/ogg': 'video',
  'video/matroska': 'video',
  'video/mpeg': 'video',
  'video/3gpp': 'video',
  'video/vnd.avi': 'video',
  'application/zip': 'other',
  'application/gzip': 'other',
  'application/x-tar': 'other',
  'application/x-7z-compressed': 'other',
  'application/x-rar-compressed': 'other',
  'application/x-bzip2': 'other',
  'application/x-xz': 'other',
  'application/zstd': 'other',
  'application/epub+zip': 'other',
  'application/rtf': 'other',
  'application/x-cfb': 'other',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'other',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'other',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'other',
  'application/vnd.oasis.opendocument.text': 'other',
  'application/vnd.oasis.opendocument.spreadsheet': 'other',
  'application/vnd.oasis.opendocument.presentation': 'other',
  'application/vnd.apple.keynote': 'other',
  'application/vnd.apple.numbers': 'other',
  'application/vnd.apple.pages': 'other',
  'text/calendar': 'text',
  'text/vcard': 'text',
  'text/vtt': 'text',
};

/** Markup and active content: a download as application/octet-stream, whatever it claims to be. */
const ACTIVE_EXTENSIONS = new Set([
  'htm',
  'html',
  'xhtml',
  'shtml',
  'mht',
  'mhtml',
  'hta',
  'svg',
  'svgz',
  'xml',
  'xsl',
  'xslt',
]);
const ACTIVE_TYPES = new Set(['application/xml']);
const MARKUP = /<\s*(?:!doctype|\?xml|html|head|body|svg|script|iframe|object|embed|meta|style)\b/i;

/** Name extensions and Content-Types that claim a kind the bytes must then be of. */
const CLAIMED_BY_EXTENSION: Record<string, FileKind> = {
  png: 'image',
  apng: 'image',
  jpg: 'image',
  jpeg: 'image',
  jpe: 'image',
  jfif: 'image',
  gif: 'image',
  webp: 'image',
  avif: 'image',
  heic: 'image',
  heif: 'image',
  tif: 'image',
  tiff: 'image',
  bmp: 'image',
  pdf: 'pdf',
  mp3: 'audio',
  m4a: 'audio',
  aac: 'audio',
  ogg: 'audio',
  opus: 'audio',
  wav: 'audio',
  flac: 'audio',
  mp4: 'video',
  m4v: 'video',
  webm: 'video',
  mov: 'video',
  mkv: 'video',
};
const claimedByType = (type: string): FileKind | undefined => {
  if (type === 'application/pdf') return 'pdf';
  // SVG is markup that calls itself an image: sent honestly, it is kept as a download.
  if (type === 'image/svg+xml') return undefined;
  const major = type.split('/')[0];
  return major === 'image' || major === 'audio' || major === 'video' ? major : undefined;
};
/** Containers file-type may name either way (an .m4a is an MP4; an .ogg or .webm may hold video). */
const COMPATIBLE_KINDS: ReadonlyArray<readonly [FileKind, FileKind]> = [
  ['audio', 'video'],
  ['video', 'audio'],
];

export const TEXT_TYPE = 'text/plain; charset=utf-8';
export const DOWNLOAD_TYPE = 'application/octet-stream';

/**
 * Decides what an upload is from its first bytes (`head`), whether all of it is UTF-8 text
 * without NUL (`isText`), its display name and its declared Content-Type:
 * - a type file-type names must be on the allowlist (executables, fonts and the like are refused);
 * - a name or type claiming an image, PDF, audio or video must be borne out by the bytes, so HTML
 *   or SVG sent as `x.png` is refused rather than stored under a name that lies;
 * - markup (HTML, SVG, XML) and unknown binary data are kept as downloads only;
 * - other UTF-8 text (logs, CSV, JSON, Markdown, code) is text, served as text/plain.
 */
export async function classifyUpload({
  head,
  isText,
  name,
  declaredType,
}: {
  head: Uint8Array;
  isText: boolean;
  name: string;
  declaredType: string;
}): Promise<Classification> {
  const extension = nameExtension(name);
  const detected = await fileTypeFromBuffer(head);
  const classified = detected
    ? fromDetected(detected.mime)
    : fromUndetected(head, isText, extension);
  if (!classified.ok) return classified;
  const { kind } = classified.file;
  const what = detected ? `${detected.ext.toUpperCase()} data` : describe(classified.file);
  const byName = CLAIMED_BY_EXTENSION[extension];
  if (byName && !sameKind(byName, kind)) {
    return {
      ok: false,
      reason: `The file is ${what}, not the ${byName} its name (.${extension}) claims`,
    };
  }
  const byType = claimedByType(declaredType);
  if (byType && !sameKind(byType, kind)) {
    return { ok: false, reason: `The file is ${what}, not the ${declaredType} it was sent as` };
  }
  if (ACTIVE_EXTENSIONS.has(extension)) {
    return {
      ok: true,
      file: { contentType: DOWNLOAD_TYPE, kind: 'other', inlineCandidate: false },
    };
  }
  return classified;
}

function fromDetected(mime: string): Classification {
  if (ACTIVE_TYPES.has(mime)) {
    return {
      ok: true,
      file: { contentType: DOWNLOAD_TYPE, kind: 'other', inlineCandidate: false },
    };
  }
  const kind = ALLOWED[mime];
  if (!kind) return { ok: false, reason: `Files of type ${mime} are not accepted` };
  const contentType = kind === 'text' ? TEXT_TYPE : mime;
  return { ok: true, file: { contentType, kind, inlineCandidate: INLINE_IMAGES.has(mime) } };
}

function fromUndetected(head: Uint8Array, isText: boolean, extension: string): Classification {
  const textual = isText && !ACTIVE_EXTENSIONS.has(extension) && !looksLikeMarkup(head);
  return {
    ok: true,
    file: textual
      ? { contentType: TEXT_TYPE, kind: 'text', inlineCandidate: false }
      : { contentType: DOWNLOAD_TYPE, kind: 'other', inlineCandidate: false },
  };
}

/** Text that a browser would run or render as a document if it were ever served as such. */
function looksLikeMarkup(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  return text.trimStart().startsWith('<') || MARKUP.test(text);
}

function describe(file: Classified): string {
  if (file.kind === 'text') return 'text';
  return 'markup or data of no type we know';
}

function sameKind(claimed: FileKind, actual: FileKind): boolean {
  return (
    claimed === actual || COMPATIBLE_KINDS.some(([from, to]) => from === claimed && to === actual)
  );
}
