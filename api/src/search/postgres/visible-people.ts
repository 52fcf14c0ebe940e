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
  // Two branches, each gated by an uncorrelated test of the searcher's own role (evaluated once),
  // rather than a per-row OR: the per-row form made the planner's estimate cross jit_above_cost,
  // and JIT compilation alone took ~0.4 s for 10,000 members.
  const searcherIs = (roles: SQL) => sql`EXISTS (SELECT 1 FROM workspace_members me
    WHERE me.workspace_id = ${searcher.workspaceId} AND me.user_id = ${searcher.userId}
      AND me.removed_at IS NULL AND me.role ${roles})`;
  const members = sql`SELECT wm.user_id, wm.role, wm.joined_at, wm.removed_at
    FROM workspace_members wm
    WHERE wm.workspace_id = ${searcher.workspaceId}
      ${includeRemoved ? sql`` : sql`AND wm.removed_at IS NULL`}`;
  return sql`${members} AND ${searcherIs(sql`<> 'guest'`)}
    UNION ALL
    ${members} AND ${searcherIs(sql`= 'guest'`)}
      AND (wm.user_id = ${searcher.userId} OR wm.user_id IN (
        SELECT theirs.user_id FROM channel_members mine
        JOIN channels shared ON shared.id = mine.channel_id
          AND shared.workspace_id = ${searcher.workspaceId}
        JOIN channel_members theirs ON theirs.channel_id = mine.channel_id
        WHERE mine.user_id = ${searcher.userId}))`;
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
