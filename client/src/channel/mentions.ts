/** Someone the composer can mention. */
export interface Person {
  id: string;
  name: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What the user typed, as stored: `@Name` of a channel member becomes `<@id>` (longest names
 * first, so "@Ada Lovelace" wins over "@Ada"), `@channel` and `@here` become `<!channel>` and
 * `<!here>`. The stored form survives renames and is what the server reads: `<@id>` and
 * `<!channel>` count as mentions, `<!here>` notifies the members active at the time.
 */
export function toStored(text: string, people: readonly Person[]): string {
  let out = text.replace(/(^|\s)@(channel|here)(?![\p{L}\p{N}_-])/gu, '$1<!$2>');
  const byLength = [...people].sort((a, b) => b.name.length - a.name.length);
  for (const person of byLength) {
    const pattern = new RegExp(`(^|\\s)@${escapeRegExp(person.name)}(?![\\p{L}\\p{N}_-])`, 'gu');
    out = out.replace(pattern, `$1<@${person.id}>`);
  }
  return out;
}

/** The stored text as the user edits it: mentions back to `@Name`. */
export function toEditable(text: string, names: ReadonlyMap<string, string>): string {
  return text
    .replace(/<@([0-9a-f-]{36})>/g, (whole, id: string) => {
      const name = names.get(id);
      return name ? `@${name}` : whole;
    })
    .replace(/<!(channel|here)>/g, '@$1');
}

/** The `@…` or `:…` being typed just before the caret, if any. */
export function tokenBeforeCaret(
  text: string,
  caret: number,
): { kind: '@' | ':'; query: string; start: number } | null {
  const match = /(?:^|\s)([@:])([\p{L}\p{N}_+' -]{0,30})$/u.exec(text.slice(0, caret));
  if (!match) return null;
  const kind = match[1] as '@' | ':';
  const query = match[2] ?? '';
  // Names have spaces ("@Ada Lo"); shortcodes never do, and need two letters to be worth a list.
  if (kind === ':' && (/\s/.test(query) || query.length < 2)) return null;
  if (kind === '@' && /\s\s|^\s/.test(query)) return null;
  return { kind, query, start: caret - query.length - 1 };
}
