/**
 * A person's handle: what `from:@…` and `in:@…` take for them. Users have no handle column, so it
 * is derived from the display name, the same way everywhere (resolver, people search, suggestions).
 *
 * NFC, lower-case, then every run of characters that are not letters, digits, marks, `-` or `_`
 * becomes one `.`, trimmed of `.`: "Ada Lovelace" -> `ada.lovelace`, "José María" -> `josé.maría`,
 * "J. R. R. Tolkien" -> `j.r.r.tolkien`. Apostrophes separate too ("O'Brien" -> `o.brien`): the
 * query language accepts only letters, digits, marks and `. - _` in a name, and a handle must be
 * something one can type. A name without letters or digits (only emoji) has the empty handle,
 * which nothing matches.
 */
export function personHandle(name: string): string {
  const lower = name
    .normalize('NFC')
    .toLowerCase()
    // "İ" lower-cases to "i" + combining dot above; people type (and Postgres folds it to) "i".
    .replaceAll('i\u0307', 'i')
    .normalize('NFC');
  let handle = '';
  let pendingDot = false;
  for (const char of lower) {
    if (HANDLE_CHAR.test(char)) {
      if (pendingDot && handle !== '') handle += '.';
      handle += char;
      pendingDot = false;
    } else {
      pendingDot = true;
    }
  }
  return handle;
}

/** Tested one character at a time: no quantifier ever runs over user text. */
const HANDLE_CHAR = /^[\p{L}\p{N}\p{M}_-]$/u;

/**
 * Whether `handle` is what `from:@query` / `in:@query` names: the same handle, or a handle whose
 * first part is `query` (`ada` names `ada.lovelace`, not `adam.smith` nor `ada-marie.x`).
 */
export function handleMatches(handle: string, query: string): boolean {
  if (query === '' || handle === '') return false;
  return handle === query || handle.startsWith(`${query}.`);
}

/**
 * A Postgres regular expression (for `~*` against the display name, NFC or NFD) that every name whose
 * handle `handleMatches(…, query)` matches: separators in the name are whatever is not a letter or
 * digit, case is folded by the database. It may match more (marks, `-`, `_`, a database that folds
 * only ASCII); callers check `handleMatches` on what it returns. `prefix` drops the end condition
 * for completion (`ada.lo` -> "Ada Lovelace"); `anyWord` lets it start at any word of the name
 * (`brien` -> "Pat O'Brien"). Null when no handle can match (an empty part).
 */
export function handleRegex(
  query: string,
  { prefix = false, anyWord = false } = {},
): string | null {
  const parts = query.split('.');
  if (parts.some((part) => part === '')) return null;
  const escaped = parts.map((part) => {
    let out = '';
    for (const char of part) {
      // Handles hold only letters, digits, marks, '-' and '_'; anything else cannot match.
      if (char === '-' || char === '_') out += `\\${char}`;
      else if (HANDLE_CHAR.test(char)) out += bothForms(char);
      else return null;
    }
    return out;
  });
  if (escaped.some((part) => part === null)) return null;
  const body = escaped.join(SEPARATOR_RUN);
  const start = anyWord ? `(^|${SEPARATOR})` : `^${SEPARATOR}*`;
  return `${start}${body}${prefix ? '' : `(${SEPARATOR}|$)`}`;
}

/** `é` or `e` + combining acute: names are stored as typed, not normalized. */
function bothForms(char: string): string {
  const decomposed = char.normalize('NFD');
  return decomposed === char ? char : `(?:${char}|${decomposed})`;
}

const SEPARATOR = '[^[:alnum:]]';
const SEPARATOR_RUN = `${SEPARATOR}+`;
