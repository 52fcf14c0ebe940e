import { randomUUID } from 'node:crypto';
import { docName } from '@confab/db';
import { openServiceBackends } from '@confab/db/testing/services';
import { sql } from 'drizzle-orm';
import { AccessTokens } from '../../api/src/auth/access-tokens';
// The benchmark signs users in the way the API would, without 300 password hashes and the
// sign-up rate limit: sessions in the API's store and access tokens from its key ring.
import { ACCESS_TOKEN_AUDIENCE } from '../../api/src/auth/auth';
import { KeyRing } from '../../api/src/auth/key-ring';
import { Sessions } from '../../api/src/auth/sessions';

/** The load: `users` people, each with `docsPerUser` docs open, `perDoc` people on each doc. */
export interface ConnectShape {
  users: number;
  docsPerUser: number;
}

export const docCount = ({ users, docsPerUser }: ConnectShape, perDoc: number) =>
  (users * docsPerUser) / perDoc;

/**
 * Which docs user `user` opens: `docsPerUser` docs spread evenly, so that every doc gets the same
 * number of people (user u opens docs u, u + stride, u + 2 stride, ... modulo the doc count).
 */
export function docsOf(shape: ConnectShape, perDoc: number, user: number): number[] {
  const docs = docCount(shape, perDoc);
  const stride = docs / shape.docsPerUser;
  return Array.from({ length: shape.docsPerUser }, (_, k) => (user + k * stride) % docs);
}

export interface ConfabWorld {
  docNames: string[];
  /** User `user`'s access token, for the API's `Authorization` header. */
  accessToken(user: number): string;
  close(): Promise<void>;
}

/**
 * A workspace of `shape.users` people in a fresh database, one public channel per doc whose
 * members are exactly the people who open it, a signed-in session and an access token each.
 */
export async function seedConnectWorld(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
  publicUrl: string,
  shape: ConnectShape,
  perDoc: number,
): Promise<ConfabWorld> {
  const backends = await openServiceBackends(databaseUrl, redisUrl, prefix, 'confab-connect');
  const db = backends.database.db;
  const tag = randomUUID().slice(0, 8);
  const workspaceId = randomUUID();
  const docs = docCount(shape, perDoc);
  const userIds = Array.from({ length: shape.users }, () => randomUUID());
  const channelIds = Array.from({ length: docs }, () => randomUUID());
  const pairs = userIds.flatMap((userId, user) =>
    docsOf(shape, perDoc, user).map((doc) => [channelIds[doc] as string, userId] as const),
  );
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO users (id, email, name)
      SELECT id, 'connect-' || ${tag}::text || '-' || n || '@example.com', 'Person ' || n
      FROM unnest(${sql.param(userIds)}::uuid[]) WITH ORDINALITY AS t(id, n)`);
    await tx.execute(sql`
      INSERT INTO workspaces (id, name, slug) VALUES (${workspaceId}, 'Connect bench', ${`connect-${tag}`})`);
    await tx.execute(sql`
      INSERT INTO workspace_members (workspace_id, user_id, role)
      SELECT ${workspaceId}::uuid, id, 'member' FROM unnest(${sql.param(userIds)}::uuid[]) AS t(id)`);
    await tx.execute(sql`
      INSERT INTO channels (id, workspace_id, kind, name)
      SELECT id, ${workspaceId}::uuid, 'public', 'connect-' || n
      FROM unnest(${sql.param(channelIds)}::uuid[]) WITH ORDINALITY AS t(id, n)`);
    await tx.execute(sql`
      INSERT INTO channel_members (channel_id, user_id)
      SELECT * FROM unnest(${sql.param(pairs.map(([c]) => c))}::uuid[], ${sql.param(pairs.map(([, u]) => u))}::uuid[])`);
  });
  const sessions = new Sessions(backends.kv, backends.bus);
  const tokens = new AccessTokens(await KeyRing.open(db), {
    issuer: new URL(publicUrl).origin,
    audience: ACCESS_TOKEN_AUDIENCE,
  });
  const accessTokens: string[] = [];
  for (const userId of userIds) {
    const { session } = await sessions.create(userId, { device: 'connect bench', ip: '127.0.0.1' });
    accessTokens.push((await tokens.issue({ userId, sessionId: session.id })).token);
  }
  return {
    docNames: channelIds.map((channelId) => docName({ kind: 'segment', channelId, index: 0 })),
    accessToken(user) {
      const token = accessTokens[user];
      if (!token) throw new Error(`no user ${user}`);
      return token;
    },
    close: () => backends.close(),
  };
}
