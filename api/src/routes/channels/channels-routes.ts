import {
  canAddMembers,
  canArchiveChannel,
  canJoin,
  canLeave,
  canManageChannel,
  canModerate,
  canPost,
  canReact,
  canRemoveMembers,
  canSeeChannel,
  canSetTopic,
  type Policy,
  schema,
} from '@confab/db';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { addChannelMembers } from '../../commands/add-channel-members';
import { archiveChannel } from '../../commands/archive-channel';
import { changeChannelRole } from '../../commands/change-channel-role';
import { ChannelNameTaken } from '../../commands/create-channel';
import { joinChannel } from '../../commands/join-channel';
import { removeChannelMember } from '../../commands/remove-channel-member';
import { updateChannel } from '../../commands/update-channel';
import { ApiError, notFound } from '../../errors';
import { clientIp, parseJson } from '../../http/request';
import { channelNameTaken, forbidden, type OrgDeps } from '../org-deps';
import { uuidSchema } from '../workspaces/schemas';
import { registerMessageRoutes } from './messages-routes';
import { addMembersSchema, channelRoleSchema, updateChannelSchema } from './schemas';

const { channelMembers, users } = schema;

/**
 * The channel and the actor's standing, or 404 when the actor may not know it exists: a private
 * channel one is not in answers exactly like a random id.
 */
async function visibleChannel(policy: Policy, userId: string, channelId: string) {
  const loaded = uuidSchema.safeParse(channelId).success
    ? await policy.channelContext(userId, channelId)
    : null;
  if (!loaded || !canSeeChannel(loaded.context)) throw notFound('No such channel');
  return loaded;
}

/** `/api/channels/:channelId`: settings, archive, join and leave, members and channel admins. */
export function channelsRoutes(deps: OrgDeps) {
  const { db, policy, auth } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('*', requireAuth(auth));
  const ipOf = (c: Parameters<typeof clientIp>[0]) => clientIp(c, auth.config.trustProxy);

  registerMessageRoutes(app, deps, visibleChannel);

  app.get('/:channelId', async (c) => {
    const { channel, context } = await visibleChannel(
      policy,
      c.get('auth').userId,
      c.req.param('channelId'),
    );
    const members = await db.$count(channelMembers, eq(channelMembers.channelId, channel.id));
    return c.json({
      channel: {
        ...channel,
        memberCount: members,
        myRole: context.channelRole,
        // What the sync server will let me do in its docs: the client checks its own changes
        // against the same rules before sending them [S5].
        may: { post: canPost(context), react: canReact(context), moderate: canModerate(context) },
      },
    });
  });

  app.patch('/:channelId', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
    const changes = await parseJson(c, updateChannelSchema);
    const onlyTopic = Object.keys(changes).every((key) => key === 'topic');
    if (onlyTopic ? !canSetTopic(context) : !canManageChannel(context)) {
      throw forbidden(
        channel.archivedAt ? 'This channel is archived' : 'Only channel admins may change this',
      );
    }
    try {
      const result = await updateChannel(deps, {
        channelId: channel.id,
        actorId,
        changes,
        ip: ipOf(c),
      });
      if (result.status === 'archived') throw forbidden('This channel is archived');
      return c.json({ channel: result.channel });
    } catch (error) {
      if (error instanceof ChannelNameTaken) throw channelNameTaken();
      throw error;
    }
  });

  for (const archive of [true, false]) {
    app.post(`/:channelId/${archive ? 'archive' : 'unarchive'}`, async (c) => {
      const actorId = c.get('auth').userId;
      const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
      if (!canArchiveChannel(context))
        throw forbidden('Only channel admins may archive or unarchive');
      await archiveChannel(deps, { channelId: channel.id, actorId, archive, ip: ipOf(c) });
      return c.body(null, 204);
    });
  }

  app.post('/:channelId/join', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
    if (context.channelRole) return c.body(null, 204);
    if (!canJoin(context))
      throw forbidden(
        channel.archivedAt ? 'This channel is archived' : 'You cannot join this channel',
      );
    await joinChannel(deps, { channel, actorId, ip: ipOf(c) });
    return c.body(null, 204);
  });

  app.post('/:channelId/leave', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
    if (!canLeave(context)) throw forbidden('You cannot leave this conversation');
    await removeChannelMember(deps, { channel, actorId, userId: actorId, ip: ipOf(c) });
    return c.body(null, 204);
  });

  app.get('/:channelId/members', async (c) => {
    const { channel } = await visibleChannel(
      policy,
      c.get('auth').userId,
      c.req.param('channelId'),
    );
    const members = await db
      .select({
        userId: users.id,
        name: users.name,
        role: channelMembers.role,
        joinedAt: channelMembers.joinedAt,
      })
      .from(channelMembers)
      .innerJoin(users, eq(users.id, channelMembers.userId))
      .where(eq(channelMembers.channelId, channel.id))
      .orderBy(users.name);
    return c.json({ members });
  });

  app.post('/:channelId/members', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
    if (!canAddMembers(context)) throw forbidden('You cannot add people to this channel');
    const { userIds } = await parseJson(c, addMembersSchema);
    const result = await addChannelMembers(deps, { channel, actorId, userIds, ip: ipOf(c) });
    if (result.status === 'not_workspace_members') {
      throw new ApiError(400, 'invalid_members', 'Only members of this workspace can be added');
    }
    return c.json({ added: result.userIds });
  });

  app.delete('/:channelId/members/:userId', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
    const userId = c.req.param('userId');
    if (userId === actorId) {
      if (!canLeave(context)) throw forbidden('You cannot leave this conversation');
    } else if (!canRemoveMembers(context)) {
      throw forbidden('Only channel admins may remove people');
    }
    const removed =
      uuidSchema.safeParse(userId).success &&
      (await removeChannelMember(deps, { channel, actorId, userId, ip: ipOf(c) }));
    if (!removed) throw notFound('No such member');
    return c.body(null, 204);
  });

  app.patch('/:channelId/members/:userId', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
    if (!canManageChannel(context)) throw forbidden('Only channel admins may change roles');
    const { role } = await parseJson(c, channelRoleSchema);
    const userId = c.req.param('userId');
    const changed =
      uuidSchema.safeParse(userId).success &&
      (await changeChannelRole(deps, { channel, actorId, userId, role, ip: ipOf(c) }));
    if (!changed) throw notFound('No such member');
    return c.json({ member: { userId, role } });
  });

  return app;
}
