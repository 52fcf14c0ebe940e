import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import type { Searcher } from '../engine';

/**
 * The people of the searcher's workspace that the searcher may see, as rows `(user_id, role,
 * joined_at, removed_at)`: nobody for someone who is not an active member; every member for owners, admins
 * and members; for guests, as in Slack, only themselves and the people who share a channel with
 * them. `includeRemoved` keeps removed members (their messages stay searchable by author); people
 * search and suggestions leave them out.
 */
export function visiblePeople(
  searcher: Searcher,
  { includeRemoved }: { includeRemoved: boolean },
): SQL {
  return sql`SELECT wm.user_id, wm.role, wm.joined_at, wm.removed_at FROM workspace_members wm
    JOIN workspace_members me ON me.workspace_id = wm.workspace_id
      AND me.user_id = ${searcher.userId} AND me.removed_at IS NULL
    WHERE wm.workspace_id = ${searcher.workspaceId}
      ${includeRemoved ? sql`` : sql`AND wm.removed_at IS NULL`}
      AND (me.role <> 'guest' OR wm.user_id = me.user_id OR EXISTS (
        SELECT 1 FROM channel_members mine
        JOIN channels shared ON shared.id = mine.channel_id AND shared.workspace_id = wm.workspace_id
        JOIN channel_members theirs ON theirs.channel_id = mine.channel_id
          AND theirs.user_id = wm.user_id
        WHERE mine.user_id = me.user_id))`;
}

/** Runs a statement and returns its rows: node-postgres and PGlite both answer with `rows`. */
export async function selectRows<Row>(db: Db, statement: SQL): Promise<Row[]> {
  const result = (await db.execute(statement)) as unknown as { rows: Row[] };
  return result.rows;
}

/**
 * A list of strings as a Postgres `text[]`, sent as one JSON parameter: the drivers disagree on
 * how a JS array parameter is sent, but not on a string.
 */
export function textArray(values: readonly string[]): SQL {
  return sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
}
