import { type SQL, sql } from 'drizzle-orm';
import type { UnusedFilter } from '../engine';
import { describeQuery, type SearchQuery } from '../query';
import type { DirectoryKey } from './directory-cursor';

/** How close a name must be to a word for the fuzzy retry (pg_trgm word_similarity, 0..1). */
export const FUZZY_NAME_SIMILARITY = 0.4;

/** The query's filters, which the channel and people tabs do not use: reported, not applied. */
export function directoryUnused(query: SearchQuery): UnusedFilter[] {
  const filtersOnly: SearchQuery = { ...query, terms: [], sort: 'relevance' };
  const described = describeQuery(filtersOnly);
  return described === ''
    ? []
    : described.split(' ').map((text) => ({ text, reason: 'not_for_this_tab' as const }));
}

/** `%text%` for ILIKE, with `% _ \` escaped. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Rows after `after` in the order (key DESC, name, id). */
export function afterKey(key: SQL, name: SQL, id: SQL, after: DirectoryKey | null): SQL {
  if (!after) return sql`true`;
  return sql`(${key} < ${after.key}::float8 OR (${key} = ${after.key}::float8 AND (${name} > ${after.name}::text OR (${name} = ${after.name}::text AND ${id} > ${after.id}::uuid))))`;
}

export function allOf(conditions: SQL[]): SQL {
  return conditions.length === 0 ? sql`true` : sql`(${sql.join(conditions, sql` AND `)})`;
}

export function anyOf(conditions: SQL[]): SQL {
  return conditions.length === 0 ? sql`false` : sql`(${sql.join(conditions, sql` OR `)})`;
}
