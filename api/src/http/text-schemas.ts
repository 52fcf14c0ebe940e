import { isCleanLine, isCleanText } from '@confab/db/model';
import { z } from 'zod';

/**
 * Zod schemas for text people type into the API, on the text rules of the document model
 * (`@confab/db/model`, text.ts). Refused, not silently changed: a 400 says what to fix, and
 * NUL, which Postgres cannot store, never reaches a query (it used to answer 500).
 */

const CONTROL_MESSAGE = 'must not contain control characters (such as NUL) or broken Unicode';
const LINE_MESSAGE = 'must be one line without control characters (such as NUL) or broken Unicode';

/** A name or title: trimmed, one line, `min` to `max` characters. */
export function lineTextSchema({ max, min = 0 }: { max: number; min?: number }) {
  const trimmed = z.string().trim();
  return (min ? trimmed.min(min, 'is required') : trimmed)
    .max(max)
    .refine(isCleanLine, LINE_MESSAGE);
}

/** Longer text that may span lines (tab, LF, CR allowed): trimmed, at most `max` characters. */
export function plainTextSchema({ max }: { max: number }) {
  return z.string().trim().max(max).refine(isCleanText, CONTROL_MESSAGE);
}

/** Emails, passwords and tokens: taken as they are, but never with NUL (no query can hold it). */
export const withoutNul = (text: string) => !text.includes('\u0000');
export const NUL_MESSAGE = 'must not contain NUL';
