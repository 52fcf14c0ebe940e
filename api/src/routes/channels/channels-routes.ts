import {
  activeMembership,
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
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { publishMembershipChange, recordAudit } from '../../audit/audit';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { isUniqueViolation } from '../../commands/create-workspace';
import { ApiError, notFound } from '../../errors';
import { clientIp, parseJson } from '../../http/request';
import { forbidden, type OrgDeps } from '../org-deps';
import { uuidSchema } from '../workspaces/schemas';
import { registerMessageRoutes } from './messages-routes';
import { addMembersSchema, channelRoleSchema, updateChannelSchema } from './schemas';

const { channels, channelMembers, users, workspaceMembers } = schema;

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
  const { db, policy, bus, auth } = deps;
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
      const updated = await db.transaction(async (tx) => {
        const [after] = await tx
          .update(channels)
          .set({ ...changes, updatedAt: new Date() })
          .where(eq(channels.id, channel.id))
          .returning();
        const before = Object.fromEntries(
          Object.keys(changes).map((key) => [key, channel[key as keyof typeof changes]]),
        );
        await recordAudit(tx, {
          workspaceId: channel.workspaceId,
          actorId,
          action: 'channel.update',
          targetType: 'channel',
          targetId: channel.id,
          before,
          after: changes,
          ip: ipOf(c),
        });
        return after;
      });
      if ('postingPolicy' in changes || 'reactionPolicy' in changes) {
        // Open sync connections check posts and reactions by these policies: refresh them.
        const memberIds = await db
          .select({ userId: channelMembers.userId })
          .from(channelMembers)
          .where(eq(channelMembers.channelId, channel.id));
        await publishMembershipChange(bus, {
          workspaceId: channel.workspaceId,
          channelId: channel.id,
          userIds: memberIds.map((row) => row.userId),
          change: 'policy_changed',
        });
      }
      return c.json({ channel: updated });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ApiError(409, 'name_taken', 'A channel with this name exists');
      throw error;
    }
  });

  for (const archive of [true, false]) {
    app.post(`/:channelId/${archive ? 'archive' : 'unarchive'}`, async (c) => {
      const actorId = c.get('auth').userId;
      const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
      if (!canArchiveChannel(context))
        throw forbidden('Only channel admins may archive or unarchive');
      if ((channel.archivedAt !== null) === archive) return c.body(null, 204);
      await db.transaction(async (tx) => {
        await tx
          .update(channels)
          .set({ archivedAt: archive ? new Date() : null, updatedAt: new Date() })
          .where(eq(channels.id, channel.id));
        await recordAudit(tx, {
          workspaceId: channel.workspaceId,
          actorId,
          action: archive ? 'channel.archive' : 'channel.unarchive',
          targetType: 'channel',
          targetId: channel.id,
          ip: ipOf(c),
        });
      });
      const memberIds = (
        await db
          .select({ userId: channelMembers.userId })
          .from(channelMembers)
          .where(eq(channelMembers.channelId, channel.id))
      ).map((row) => row.userId);
      await publishMembershipChange(bus, {
        workspaceId: channel.workspaceId,
        channelId: channel.id,
        userIds: memberIds,
        change: archive ? 'archived' : 'unarchived',
      });
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
    await db.transaction(async (tx) => {
      await tx
        .insert(channelMembers)
        .values({ channelId: channel.id, userId: actorId })
        .onConflictDoNothing();
      await recordAudit(tx, {
        workspaceId: channel.workspaceId,
        actorId,
        action: 'channel_member.join',
        targetType: 'channel_member',
        targetId: `${channel.id}:${actorId}`,
        after: { role: 'member' },
        ip: ipOf(c),
      });
    });
    await publishMembershipChange(bus, {
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      userIds: [actorId],
      change: 'joined',
    });
    return c.body(null, 204);
  });

  app.post('/:channelId/leave', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
    if (!canLeave(context)) throw forbidden('You cannot leave this conversation');
    await removeMember(channel, actorId, actorId, 'channel_member.leave', ipOf(c));
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
    const wanted = [...new Set(userIds)];
    const eligible = await db
      .select({ userId: workspaceMembers.userId })
      .from(workspaceMembers)
      .where(activeMembership(channel.workspaceId, wanted));
    if (eligible.length !== wanted.length) {
      throw new ApiError(400, 'invalid_members', 'Only members of this workspace can be added');
    }
    const added = await db.transaction(async (tx) => {
      const rows = await tx
        .insert(channelMembers)
        .values(wanted.map((userId) => ({ channelId: channel.id, userId })))
        .onConflictDoNothing()
        .returning({ userId: channelMembers.userId });
      for (const { userId } of rows) {
        await recordAudit(tx, {
          workspaceId: channel.workspaceId,
          actorId,
          action: 'channel_member.add',
          targetType: 'channel_member',
          targetId: `${channel.id}:${userId}`,
          after: { role: 'member' },
          ip: ipOf(c),
        });
      }
      return rows.map((row) => row.userId);
    });
    if (added.length) {
      await publishMembershipChange(bus, {
        workspaceId: channel.workspaceId,
        channelId: channel.id,
        userIds: added,
        change: 'joined',
      });
    }
    return c.json({ added });
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
    if (
      !(await removeMember(
        channel,
        userId,
        actorId,
        userId === actorId ? 'channel_member.leave' : 'channel_member.remove',
        ipOf(c),
      ))
    ) {
      throw notFound('No such member');
    }
    return c.body(null, 204);
  });

  app.patch('/:channelId/members/:userId', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(policy, actorId, c.req.param('channelId'));
    if (!canManageChannel(context)) throw forbidden('Only channel admins may change roles');
    const { role } = await parseJson(c, channelRoleSchema);
    const userId = c.req.param('userId');
    const changed = await db.transaction(async (tx) => {
      if (!uuidSchema.safeParse(userId).success) return false;
      const where = and(
        eq(channelMembers.channelId, channel.id),
        eq(channelMembers.userId, userId),
      );
      // Locked so the audit's "before" is the role this change replaced, even under concurrency.
      const [current] = await tx
        .select({ role: channelMembers.role })
        .from(channelMembers)
        .where(where)
        .for('update');
      if (!current) return false;
      await tx.update(channelMembers).set({ role }).where(where);
      await recordAudit(tx, {
        workspaceId: channel.workspaceId,
        actorId,
        action: 'channel_member.role_change',
        targetType: 'channel_member',
        targetId: `${channel.id}:${userId}`,
        before: { role: current.role },
        after: { role },
        ip: ipOf(c),
      });
      return true;
    });
    if (!changed) throw notFound('No such member');
    await publishMembershipChange(bus, {
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      userIds: [userId],
      change: 'role_changed',
    });
    return c.json({ member: { userId, role } });
  });

  async function removeMember(
    channel: { id: string; workspaceId: string },
    userId: string,
    actorId: string,
    action: string,
    ip: string,
  ): Promise<boolean> {
    if (!uuidSchema.safeParse(userId).success) return false;
    const removed = await db.transaction(async (tx) => {
      const rows = await tx
        .delete(channelMembers)
        .where(and(eq(channelMembers.channelId, channel.id), eq(channelMembers.userId, userId)))
        .returning({ userId: channelMembers.userId, role: channelMembers.role });
      if (rows[0]) {
        await recordAudit(tx, {
          workspaceId: channel.workspaceId,
          actorId,
          action,
          targetType: 'channel_member',
          targetId: `${channel.id}:${userId}`,
          before: { role: rows[0].role },
          ip,
        });
      }
      return rows.length > 0;
    });
    if (removed) {
      await publishMembershipChange(bus, {
        workspaceId: channel.workspaceId,
        channelId: channel.id,
        userIds: [userId],
        change: userId === actorId ? 'left' : 'removed',
      });
    }
    return removed;
  }

  return app;
}
