/** The token of an invitation link (`…/invite/<token>`) or of a bare code; null if neither. */
export function invitationToken(input: string): string | null {
  const text = input.trim();
  const match = /^(?:https?:\/\/[^/\s]+)?\/invite\/([a-z0-9]{32})\/?$/i.exec(text);
  const token = match?.[1] ?? (/^[a-z0-9]{32}$/i.test(text) ? text : null);
  return token ? token.toLowerCase() : null;
}
