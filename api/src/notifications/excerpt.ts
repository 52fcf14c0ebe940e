/** Longest excerpt of a message in the inbox and in mail. */
export const EXCERPT_LENGTH = 200;

const MENTION = /<@([0-9a-fA-F-]{36})>/g;

/** User ids a stored text mentions (`<@id>`), to look their names up once for many texts. */
export const mentionedIds = (text: string): string[] =>
  [...text.matchAll(MENTION)].map((match) => (match[1] ?? '').toLowerCase());

/**
 * A message's stored text as one plain line for the inbox and mail: mentions as `@Name`
 * (`@someone` when the name is unknown), `@channel` and `@here`; line breaks and control
 * characters as spaces; at most `EXCERPT_LENGTH` UTF-16 units (what `length` and the answer's
 * schema count), cut between code points, never inside a surrogate pair, and ended with `…`.
 */
export function excerptOf(text: string, names: ReadonlyMap<string, string>): string {
  const plain = text
    .replace(MENTION, (_whole, id: string) => `@${names.get(id.toLowerCase()) ?? 'someone'}`)
    .replaceAll('<!channel>', '@channel')
    .replaceAll('<!here>', '@here')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
    .replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ')
    .trim();
  if (plain.length <= EXCERPT_LENGTH) return plain;
  let cut = '';
  for (const point of plain) {
    if (cut.length + point.length > EXCERPT_LENGTH - 1) break;
    cut += point;
  }
  return `${cut}…`;
}
