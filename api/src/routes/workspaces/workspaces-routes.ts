import { schema } from '@confab/db';
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { Hono } from 'hono';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { changeMemberRole } from '../../commands/change-member-role';
import { createWorkspace, SlugTaken } from '../../commands/create-workspace';
import type { MemberChangeResult } from '../../commands/lock-member-with-role';
import { removeWorkspaceMember } from '../../commands/remove-workspace-member';
import { renameWorkspace } from '../../commands/rename-workspace';
import { transferOwnership } from '../../commands/transfer-ownership';
import { ApiError, notFound } from '../../errors';
import { clientIp, parseJson } from '../../http/request';
import { registerWorkspaceChannelRoutes } from '../channels/workspace-channels-routes';
import { registerInvitationAdminRoutes } from '../invitations/invitations-routes';
import { forbidden, type OrgDeps, workspaceAdminOr403, workspaceRoleOr404 } from '../org-deps';
import {
  auditQuerySchema,
  createWorkspaceSchema,
  memberRoleSchema,
  renameWorkspaceSchema,
  transferOwnershipSchema,
  uuidSchema,
} from './schemas';

const { workspaces, workspaceMembers, users, auditLog } = schema;

/**
 * A role change or removal is written only while the member still has the role it was
 * authorized for; otherwise (a transfer of ownership meanwhile) nothing changed and they retry.
 */
function answerMemberChange(result: MemberChangeResult) {
  if (result === 'not_member') throw notFound('No such member');
  if (result === 'role_changed')
    throw new ApiError(409, 'member_changed', 'This member’s role changed meanwhile; try again');
}

/** `/api/workspaces`: create, list mine, rename, members and roles, ownership, audit log. */
export function workspacesRoutes(deps: OrgDeps) {
  const { db, policy, auth } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('*', requireAuth(auth));
  const ipOf = (c: Parameters<typeof clientIp>[0]) => clientIp(c, auth.config.trustProxy);

  app.post('/', async (c) => {
    const { name, slug } = await parseJson(c, createWorkspaceSchema);
    const actorId = c.get('auth').userId;
    try {
      const workspace = await createWorkspace(deps, { actorId, name, slug, ip: ipOf(c) });
      return c.json({ workspace: { ...workspace, role: 'owner' } }, 201);
    } catch (error) {
      if (error instanceof SlugTaken)
        throw new ApiError(409, 'slug_taken', 'This workspace URL is taken');
      throw error;
    }
  });

  app.get('/', async (c) => {
    const rows = await db
      .select({
        id: workspaces.id,
        name: workspaces.name,
        slug: workspaces.slug,
        role: workspaceMembers.role,
      })
      .from(workspaceMembers)
      .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
      .where(
        and(eq(workspaceMembers.userId, c.get('auth').userId), isNull(workspaceMembers.removedAt)),
      )
      .orderBy(workspaces.name);
    return c.json({ workspaces: rows });
  });

  app.get('/:workspaceId', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const role = await workspaceRoleOr404(policy, c.get('auth').userId, workspaceId);
    const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    return c.json({ workspace: { ...workspace, role } });
  });

  app.patch('/:workspaceId', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const actorId = c.get('auth').userId;
    await workspaceAdminOr403(policy, actorId, workspaceId);
    const { name } = await parseJson(c, renameWorkspaceSchema);
    const workspace = await renameWorkspace(deps, { workspaceId, actorId, name, ip: ipOf(c) });
    return c.json({ workspace });
  });

  app.get('/:workspaceId/members', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const role = await workspaceRoleOr404(policy, c.get('auth').userId, workspaceId);
    if (role === 'guest') throw forbidden('Guests cannot list the workspace’s members');
    const members = await db
      .select({
        userId: users.id,
        name: users.name,
        email: users.email,
        role: workspaceMembers.role,
        joinedAt: workspaceMembers.joinedAt,
      })
      .from(workspaceMembers)
      .innerJoin(users, eq(users.id, workspaceMembers.userId))
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), isNull(workspaceMembers.removedAt)))
      .orderBy(users.name);
    return c.json({ members });
  });

  app.patch('/:workspaceId/members/:userId', async (c) => {
    const { workspaceId, userId } = c.req.param();
    const actorId = c.get('auth').userId;
    const actorRole = await workspaceAdminOr403(policy, actorId, workspaceId);
    const { role } = await parseJson(c, memberRoleSchema);
    const targetRole = uuidSchema.safeParse(userId).success
      ? await policy.workspaceRole(userId, workspaceId)
      : null;
    if (!targetRole) throw notFound('No such member');
    if (userId === actorId) throw forbidden('You cannot change your own role');
    if (targetRole === 'owner')
      throw forbidden('The owner’s role changes only by transferring ownership');
    // Admins manage members and guests; only the owner makes or unmakes admins.
    if (actorRole !== 'owner' && (targetRole === 'admin' || role === 'admin')) {
      throw forbidden('Only the owner may grant or remove admin rights');
    }
    const result = await changeMemberRole(deps, {
      workspaceId,
      actorId,
      userId,
      from: targetRole,
      to: role,
      ip: ipOf(c),
    });
    answerMemberChange(result);
    return c.json({ member: { userId, role } });
  });

  app.delete('/:workspaceId/members/:userId', async (c) => {
    const { workspaceId, userId } = c.req.param();
    const actorId = c.get('auth').userId;
    const actorRole = await workspaceRoleOr404(policy, actorId, workspaceId);
    const targetRole = uuidSchema.safeParse(userId).success
      ? await policy.workspaceRole(userId, workspaceId)
      : null;
    if (!targetRole) throw notFound('No such member');
    if (targetRole === 'owner')
      throw forbidden('The owner cannot leave or be removed; transfer ownership first');
    const leaving = userId === actorId;
    if (!leaving) {
      if (actorRole !== 'owner' && actorRole !== 'admin')
        throw forbidden('Only workspace admins may remove members');
      if (targetRole === 'admin' && actorRole !== 'owner')
        throw forbidden('Only the owner may remove an admin');
    }
    const result = await removeWorkspaceMember(deps, {
      workspaceId,
      actorId,
      userId,
      from: targetRole,
      ip: ipOf(c),
    });
    answerMemberChange(result);
    return c.body(null, 204);
  });

  app.post('/:workspaceId/transfer-ownership', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const actorId = c.get('auth').userId;
    await workspaceRoleOr404(policy, actorId, workspaceId);
    const { userId } = await parseJson(c, transferOwnershipSchema);
    const result = await transferOwnership(deps, {
      workspaceId,
      ownerId: actorId,
      newOwnerId: userId,
      ip: ipOf(c),
    });
    if (result === 'not_owner') throw forbidden('Only the owner may transfer ownership');
    if (result === 'invalid_target') {
      throw new ApiError(
        400,
        'invalid_new_owner',
        'The new owner must be another admin or member of this workspace',
      );
    }
    return c.body(null, 204);
  });

  registerWorkspaceChannelRoutes(app, deps);
  registerInvitationAdminRoutes(app, deps);

  app.get('/:workspaceId/audit', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    await workspaceAdminOr403(policy, c.get('auth').userId, workspaceId);
    const query = auditQuerySchema.safeParse(c.req.query());
    if (!query.success)
      throw new ApiError(
        400,
        'invalid_request',
        'before and limit must be positive integers (limit at most 200)',
      );
    const { before, limit } = query.data;
    const entries = await db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.workspaceId, workspaceId), before ? lt(auditLog.id, before) : undefined),
      )
      .orderBy(desc(auditLog.id))
      .limit(limit);
    return c.json({ entries, nextBefore: entries.length === limit ? entries.at(-1)?.id : null });
  });

  return app;
}
