import { randomUUID } from 'node:crypto';
import { sessionKey } from '@confab/db';
import { openServiceBackends } from '@confab/db/testing/services';
import { sql } from 'drizzle-orm';
import { issueSyncTicket } from '../src/tickets';

/** Channels of the benchmark's workspace; everyone is in the first, the rest split the pool. */
const CHANNELS = 5;

/**
 * A workspace of `members` people in a fresh database, written with a few set-based statements
 * (generate_series) rather than one row at a time, and a ticket source for them.
 */
export async function seedPresenceWorld(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
  members: number,
) {
  const backends = await openServiceBackends(
    databaseUrl,
    redisUrl,
    prefix,
    'confab-presence-bench',
  );
  const db = backends.database.db;
  const tag = randomUUID().slice(0, 8);
  const workspaceId = randomUUID();
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO users (email, name)
      SELECT 'presence-' || ${tag}::text || '-' || n || '@example.com', 'Person ' || n
      FROM generate_series(1, ${members}::int) AS n`);
    await tx.execute(sql`
      INSERT INTO workspaces (id, name, slug) VALUES (${workspaceId}, 'Presence bench', ${`presence-${tag}`})`);
    await tx.execute(sql`
      INSERT INTO workspace_members (workspace_id, user_id, role)
      SELECT ${workspaceId}::uuid, id, 'member' FROM users WHERE email LIKE ${`presence-${tag}-%`}`);
    await tx.execute(sql`
      INSERT INTO channels (workspace_id, kind, name)
      SELECT ${workspaceId}::uuid, 'public', 'presence-' || n FROM generate_series(1, ${CHANNELS}::int) AS n`);
    // Everyone in #presence-1, and each person in one more channel.
    await tx.execute(sql`
      INSERT INTO channel_members (channel_id, user_id)
      SELECT c.id, m.user_id
      FROM workspace_members m
      JOIN LATERAL (SELECT row_number() OVER (ORDER BY name) AS r, id FROM channels WHERE workspace_id = m.workspace_id) c ON true
      WHERE m.workspace_id = ${workspaceId}::uuid
        AND (c.r = 1 OR c.r = 2 + abs(hashtext(m.user_id::text)) % ${CHANNELS - 1}::int)`);
  });
  const rows = (await db.execute(sql`
    SELECT u.id FROM users u WHERE u.email LIKE ${`presence-${tag}-%`}
    ORDER BY split_part(split_part(u.email, '-', 3), '@', 1)::int`)) as unknown as {
    rows: Array<{ id: string }>;
  };
  const memberIds = rows.rows.map((row) => row.id);
  if (memberIds.length !== members) throw new Error(`seeded ${memberIds.length} of ${members}`);

  const sessions = new Map<string, string>();
  return {
    memberIds,
    /** A fresh single-use ticket for `userId`, on one session per user (as a signed-in device). */
    async ticket(userId: string): Promise<string> {
      let sessionId = sessions.get(userId);
      if (!sessionId) {
        sessionId = `presence-bench-${randomUUID()}`;
        // Tickets are honoured only while their session lives (the API would keep this one).
        await backends.kv.set(
          sessionKey(sessionId),
          JSON.stringify({ id: sessionId, userId }),
          3_600_000,
        );
        sessions.set(userId, sessionId);
      }
      return (await issueSyncTicket(backends.kv, { userId, sessionId })).ticket;
    },
    close: () => backends.close(),
  };
}
