/**
 * Doc names travel in the URL path (`/sync/<docName>`). The grammar is deliberately narrow so a
 * name is safe as a log field, a Redis channel suffix and a database key without escaping.
 */
const DOC_NAME_PATTERN = /^[a-z][a-z0-9-]*(?::[A-Za-z0-9_-]+){1,4}$/;

export function parseDocName(raw: string): string | null {
  if (raw.length > 160) return null;
  return DOC_NAME_PATTERN.test(raw) ? raw : null;
}
