import { type SQL, sql } from 'drizzle-orm';

// Who may see whom is one rule for search, statuses and presence: it lives in `@confab/db`.
export { selectRows, visiblePeople } from '@confab/db';

/**
 * A list of strings as a Postgres `text[]`, sent as one JSON parameter: the drivers disagree on
 * how a JS array parameter is sent, but not on a string.
 */
export function textArray(values: readonly string[]): SQL {
  return sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
}
