import type { ReactNode } from 'react';

/** Backgrounds for initials, each at least 4.5:1 against the white letters. */
const COLORS = ['#1164a3', '#7b1fa2', '#2e7d32', '#b3261e', '#00695c', '#ad1457', '#5d4037'];

/** Up to two letters: the first of the first and last words ("Ada Lovelace" -> "AL"). */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0] ? [...words[0]][0] : undefined;
  const last = words.length > 1 ? [...(words.at(-1) ?? '')][0] : undefined;
  return `${first ?? '?'}${last ?? ''}`.toUpperCase();
}

/** A colour that stays the same for a person everywhere (from their id, not their name). */
function colorOf(userId: string): string {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return COLORS[hash % COLORS.length] ?? '#1164a3';
}

/**
 * A person's picture, or their initials on a colour of their own while no picture exists.
 * Decorative: the name is always written next to it. `mark` (a presence dot) sits on its corner.
 */
export function Avatar({
  userId,
  name,
  url,
  size = 'large',
  mark,
}: {
  userId: string;
  name: string;
  /** A picture's address, once profiles have one. */
  url?: string;
  size?: 'large' | 'small';
  mark?: ReactNode;
}) {
  return (
    <span className={`avatar ${size}`} aria-hidden={mark ? undefined : true}>
      {url ? (
        <img src={url} alt="" />
      ) : (
        <span className="initials" style={{ background: colorOf(userId) }} aria-hidden="true">
          {initialsOf(name)}
        </span>
      )}
      {mark && <span className="avatar-mark">{mark}</span>}
    </span>
  );
}
