import { schema } from '@confab/db';
import { and, desc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { hashSecret } from '../../auth/secrets';
import { acceptInvitation, usable } from '../../commands/accept-invitation';
import { createInvitation } from '../../commands/create-invitation';
import { revokeInvitation } from '../../commands/revoke-invitation';
import { ApiError, notFound } from '../../errors';
import { clientIp, parseJson } from '../../http/request';
import { forbidden, type OrgDeps, workspaceAdminOr403 } from '../org-deps';
import { uuidSchema } from '../workspaces/schemas';
import { createInvitationSchema, invitationTokenSchema } from './schemas';

const { invitations, workspaces, users } = schema;

const invalidInvitation = () =>
  new ApiError(
    404,
    'invalid_invitation',
    'This invitation is invalid, expired, revoked or used up; ask for a new one',
  );

/** The stored invitation as admins see it: never the token hash. */
function view(invitation: typeof invitations.$inferSelect) {
  const { tokenHash: _hash, ...rest } = invitation;
  const now = Date.now();
  const status = invitation.revokedAt
    ? 'revoked'
    : invitation.expiresAt.getTime() <= now
      ? 'expired'
      : invitation.maxUses !== null && invitation.useCount >= invitation.maxUses
        ? 'used_up'
        : 'active';
  return { ...rest, status };
}

/** Admin routes under a workspace: invite by email or link, list, revoke. */
export function registerInvitationAdminRoutes(
  app: Hono<{ Variables: AuthVariables }>,
  deps: OrgDeps,
) {
  const { db, policy, auth } = deps;
  const ipOf = (c: Parameters<typeof clientIp>[0]) => clientIp(c, auth.config.trustProxy);

  app.post('/:workspaceId/invitations', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const actorId = c.get('auth').userId;
    const actorRole = await workspaceAdminOr403(policy, actorId, workspaceId);
    const body = await parseJson(c, createInvitationSchema);
    if (body.role === 'admin' && actorRole !== 'owner')
      throw forbidden('Only the owner may invite admins');
    const result = await createInvitation(deps, {
      workspaceId,
      actorId,
      terms: body,
      publicUrl: auth.config.publicUrl,
      ip: ipOf(c),
    });
    if (result.status === 'invalid_channels') {
      throw new ApiError(
        400,
        'invalid_channels',
        'Every channel must be a channel of this workspace',
      );
    }
    // The link is shown once, to the admin who made it; only its hash is kept.
    return c.json({ invitation: view(result.invitation), url: result.url }, 201);
  });

  app.get('/:workspaceId/invitations', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    await workspaceAdminOr403(policy, c.get('auth').userId, workspaceId);
    const rows = await db
      .select()
      .from(invitations)
      .where(eq(invitations.workspaceId, workspaceId))
      .orderBy(desc(invitations.createdAt))
      .limit(500);
    return c.json({ invitations: rows.map(view) });
  });

  app.delete('/:workspaceId/invitations/:invitationId', async (c) => {
    const { workspaceId, invitationId } = c.req.param();
    const actorId = c.get('auth').userId;
    await workspaceAdminOr403(policy, actorId, workspaceId);
    if (!uuidSchema.safeParse(invitationId).success) throw notFound('No such invitation');
    const revoked = await revokeInvitation(deps, {
      workspaceId,
      actorId,
      invitationId,
      ip: ipOf(c),
    });
    if (!revoked) throw notFound('No such invitation');
    return c.body(null, 204);
  });
}

/** `/api/invitations/:token`: what an invitation is for (no sign-in needed), and accepting it. */
export function invitationsRoutes(deps: OrgDeps) {
  const { db, auth } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/:token', async (c) => {
    const token = c.req.param('token');
    if (!invitationTokenSchema.safeParse(token).success) throw invalidInvitation();
    const [row] = await db
      .select({
        workspace: workspaces.name,
        role: invitations.role,
        email: invitations.email,
        expiresAt: invitations.expiresAt,
        invitedBy: users.name,
      })
      .from(invitations)
      .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
      .leftJoin(users, eq(users.id, invitations.invitedBy))
      .where(and(eq(invitations.tokenHash, hashSecret(token)), usable));
    if (!row) throw invalidInvitation();
    return c.json({ invitation: row });
  });

  app.post('/:token/accept', requireAuth(auth), async (c) => {
    const token = c.req.param('token');
    if (!invitationTokenSchema.safeParse(token).success) throw invalidInvitation();
    const result = await acceptInvitation(deps, {
      tokenHash: hashSecret(token),
      userId: c.get('auth').userId,
      ip: clientIp(c, auth.config.trustProxy),
    });
    if (result.status === 'invalid') throw invalidInvitation();
    if (result.status === 'wrong_email') {
      throw new ApiError(
        403,
        'invitation_for_another_email',
        'This invitation was sent to another email address',
      );
    }
    return c.json({
      workspaceId: result.workspaceId,
      role: result.role,
      channelIds: result.channelIds,
      alreadyMember: result.status === 'already_member',
    });
  });

  return app;
}
