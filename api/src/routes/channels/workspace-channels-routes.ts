import { schema } from '@confab/db';
import { and, asc, desc, eq, ilike, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import type { AuthVariables } from '../../auth/require-auth';
import { ChannelNameTaken, createChannel } from '../../commands/create-channel';
import { openConversation } from '../../commands/open-conversation';
import { ApiError } from '../../errors';
import { unreadSummary } from '../../history/history';
import { clientIp, parseJson } from '../../http/request';
import { channelNameTaken, forbidden, type OrgDeps, workspaceRoleOr404 } from '../org-deps';
import { browseQuerySchema, createChannelSchema, openConversationSchema } from './schemas';

const { channels, channelMembers, users } = schema;

/** Escapes LIKE wildcards so a search for "50%" finds "50%", not everything. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * Channel routes that live under a workspace: create, my channels (the sidebar), browse public
 * channels (discovery), open a DM. Registered on the workspaces router, which authenticates.
 */
export function registerWorkspaceChannelRoutes(
  app: Hono<{ Variables: AuthVariables }>,
  deps: OrgDeps,
) {
  const { db, policy, auth } = deps;
  const ipOf = (c: Parameters<typeof clientIp>[0]) => clientIp(c, auth.config.trustProxy);

  app.post('/:workspaceId/channels', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const actorId = c.get('auth').userId;
    const role = await workspaceRoleOr404(policy, actorId, workspaceId);
    if (role === 'guest') throw forbidden('Guests cannot create channels');
    const fields = await parseJson(c, createChannelSchema);
    try {
      const channel = await createChannel(deps, { workspaceId, actorId, fields, ip: ipOf(c) });
      return c.json({ channel: { ...channel, myRole: 'admin' } }, 201);
    } catch (error) {
      if (error instanceof ChannelNameTaken) throw channelNameTaken();
      throw error;
    }
  });

  app.get('/:workspaceId/channels', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const actorId = c.get('auth').userId;
    await workspaceRoleOr404(policy, actorId, workspaceId);
    const mine = await db
      .select({
        id: channels.id,
        kind: channels.kind,
        name: channels.name,
        topic: channels.topic,
        archivedAt: channels.archivedAt,
        lastMessageAt: channels.lastMessageAt,
        myRole: channelMembers.role,
        lastReadMessageId: channelMembers.lastReadMessageId,
      })
      .from(channelMembers)
      .innerJoin(channels, eq(channels.id, channelMembers.channelId))
      .where(and(eq(channelMembers.userId, actorId), eq(channels.workspaceId, workspaceId)))
      .orderBy(asc(channels.kind), asc(channels.name));
    const conversationIds = mine
      .filter((channel) => channel.kind === 'dm' || channel.kind === 'group_dm')
      .map((channel) => channel.id);
    const people = conversationIds.length
      ? await db
          .select({ channelId: channelMembers.channelId, id: users.id, name: users.name })
          .from(channelMembers)
          .innerJoin(users, eq(users.id, channelMembers.userId))
          .where(inArray(channelMembers.channelId, conversationIds))
      : [];
    return c.json({
      channels: mine.map((channel) => ({
        ...channel,
        ...(conversationIds.includes(channel.id)
          ? {
              members: people
                .filter((person) => person.channelId === channel.id)
                .map(({ id, name }) => ({ id, name })),
            }
          : {}),
      })),
    });
  });

  app.get('/:workspaceId/unread', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const userId = c.get('auth').userId;
    await workspaceRoleOr404(policy, userId, workspaceId);
    return c.json({ channels: await unreadSummary(db, workspaceId, userId) });
  });

  app.get('/:workspaceId/channels/browse', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const actorId = c.get('auth').userId;
    const role = await workspaceRoleOr404(policy, actorId, workspaceId);
    if (role === 'guest') throw forbidden('Guests cannot browse channels');
    const query = browseQuerySchema.safeParse(c.req.query());
    if (!query.success)
      throw new ApiError(400, 'invalid_request', query.error.issues[0]?.message ?? 'invalid query');
    const { q, includeArchived, limit, offset } = query.data;
    const memberCount = sql<number>`(SELECT count(*)::int FROM ${channelMembers} WHERE ${channelMembers.channelId} = ${channels.id})`;
    const rows = await db
      .select({
        id: channels.id,
        name: channels.name,
        topic: channels.topic,
        purpose: channels.purpose,
        archivedAt: channels.archivedAt,
        lastMessageAt: channels.lastMessageAt,
        createdAt: channels.createdAt,
        memberCount,
        isMember: sql<boolean>`EXISTS (SELECT 1 FROM ${channelMembers} WHERE ${channelMembers.channelId} = ${channels.id} AND ${channelMembers.userId} = ${actorId})`,
      })
      .from(channels)
      .where(
        and(
          eq(channels.workspaceId, workspaceId),
          eq(channels.kind, 'public'),
          includeArchived === 'true' ? undefined : isNull(channels.archivedAt),
          q
            ? or(
                ilike(channels.name, likePattern(q)),
                ilike(channels.topic, likePattern(q)),
                ilike(channels.purpose, likePattern(q)),
              )
            : undefined,
        ),
      )
      .orderBy(
        sql`${channels.lastMessageAt} DESC NULLS LAST`,
        desc(memberCount),
        asc(channels.name),
      )
      .limit(limit)
      .offset(offset);
    return c.json({ channels: rows });
  });

  app.post('/:workspaceId/dms', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const actorId = c.get('auth').userId;
    await workspaceRoleOr404(policy, actorId, workspaceId);
    const { userIds } = await parseJson(c, openConversationSchema);
    const result = await openConversation(deps, {
      workspaceId,
      actorId,
      otherIds: userIds,
      ip: ipOf(c),
    });
    if (result.status === 'not_members') {
      throw new ApiError(
        400,
        'invalid_members',
        'Everyone in a conversation must be a member of this workspace',
      );
    }
    return c.json({ channel: result.channel }, result.status === 'created' ? 201 : 200);
  });
}
