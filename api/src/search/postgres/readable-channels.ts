import { type SQL, sql } from 'drizzle-orm';
import type { Searcher } from '../engine';

/**
 * The ids of the channels of the searcher's workspace that they may read now: `canReadChannel`
 * (db/src/policy/decisions.ts) as SQL, so that every search applies permissions inside its own
 * query. Members read their channels (archived ones too); full members also read every public
 * channel; guests only their own; removed members nothing.
 */
export function readableChannelIds(searcher: Searcher): SQL {
  return sql`SELECT c.id FROM channels c
    JOIN workspace_members wm ON wm.workspace_id = c.workspace_id
      AND wm.user_id = ${searcher.userId} AND wm.removed_at IS NULL
    LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = ${searcher.userId}
    WHERE c.workspace_id = ${searcher.workspaceId}
      AND (cm.user_id IS NOT NULL OR (c.kind = 'public' AND wm.role <> 'guest'))`;
}
