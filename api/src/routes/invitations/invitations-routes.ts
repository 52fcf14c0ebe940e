import { schema } from '@confab/db';
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { publishMembershipChange, recordAudit } from '../../audit/audit';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { hashSecret, randomSecret } from '../../auth/secrets';
import { acceptInvitation, usable } from '../../commands/accept-invitation';
import { ApiError, notFound } from '../../errors';
import { clientIp, parseJson } from '../../http/request';
import { forbidden, type OrgDeps, workspaceAdminOr403 } from '../org-deps';
import { uuidSchema } from '../workspaces/schemas';
import { createInvitationSchema, invitationTokenSchema } from './schemas';

const { invitations, workspaces, channels, users } = schema;

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
  const { db, policy, auth, mailer, tasks } = deps;

  app.post('/:workspaceId/invitations', async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const actorId = c.get('auth').userId;
    const actorRole = await workspaceAdminOr403(policy, actorId, workspaceId);
    const body = await parseJson(c, createInvitationSchema);
    if (body.role === 'admin' && actorRole !== 'owner')
      throw forbidden('Only the owner may invite admins');
    if (body.channelIds.length) {
      const found = await db
        .select({ id: channels.id })
        .from(channels)
        .where(
          and(
            eq(channels.workspaceId, workspaceId),
            inArray(channels.id, body.channelIds),
            sql`${channels.kind} IN ('public', 'private')`,
          ),
        );
      if (found.length !== new Set(body.channelIds).size) {
        throw new ApiError(
          400,
          'invalid_channels',
          'Every channel must be a channel of this workspace',
        );
      }
    }
    const token = randomSecret();
    const invitation = await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(invitations)
        .values({
          workspaceId,
          email: body.email ?? null,
          tokenHash: hashSecret(token),
          role: body.role,
          channelIds: body.channelIds,
          maxUses: body.email ? 1 : (body.maxUses ?? null),
          invitedBy: actorId,
          expiresAt: new Date(Date.now() + body.expiresInHours * 3_600_000),
        })
        .returning();
      if (!created) throw new Error('invitation insert returned no row');
      await recordAudit(tx, {
        workspaceId,
        actorId,
        action: 'invitation.create',
        targetType: 'invitation',
        targetId: created.id,
        after: {
          email: created.email,
          role: created.role,
          channelIds: created.channelIds,
          maxUses: created.maxUses,
          expiresAt: created.expiresAt,
        },
        ip: clientIp(c, auth.config.trustProxy),
      });
      return created;
    });
    const url = `${auth.config.publicUrl}/invite/${token}`;
    if (invitation.email) {
      const to = invitation.email;
      tasks.run('invitation-mail', async () => {
        const [context] = await db
          .select({ workspace: workspaces.name, inviter: users.name })
          .from(workspaces)
          .innerJoin(users, eq(users.id, actorId))
          .where(eq(workspaces.id, workspaceId));
        await mailer.send({
          to,
          subject: `${context?.inviter ?? 'Someone'} invited you to ${context?.workspace ?? 'a workspace'} on Confab`,
          text: `Join ${context?.workspace ?? 'the workspace'} on Confab: ${url}\n\nThe invitation works once and expires on ${invitation.expiresAt.toUTCString()}.`,
        });
      });
    }
    // The link is shown once, to the admin who made it; only its hash is kept.
    return c.json({ invitation: view(invitation), url }, 201);
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
    const revoked = await db.transaction(async (tx) => {
      const rows = await tx
        .update(invitations)
        .set({ revokedAt: new Date() })
        .where(
          and(
            eq(invitations.id, invitationId),
            eq(invitations.workspaceId, workspaceId),
            isNull(invitations.revokedAt),
          ),
        )
        .returning({ id: invitations.id });
      if (rows.length) {
        await recordAudit(tx, {
          workspaceId,
          actorId,
          action: 'invitation.revoke',
          targetType: 'invitation',
          targetId: invitationId,
          ip: clientIp(c, auth.config.trustProxy),
        });
      }
      return rows.length > 0;
    });
    if (!revoked) throw notFound('No such invitation');
    return c.body(null, 204);
  });
}

/** `/api/invitations/:token`: what an invitation is for (no sign-in needed), and accepting it. */
export function invitationsRoutes(deps: OrgDeps) {
  const { db, bus, auth } = deps;
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
    const userId = c.get('auth').userId;
    const result = await acceptInvitation(db, {
      tokenHash: hashSecret(token),
      userId,
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
    if (result.status === 'joined') {
      await publishMembershipChange(bus, {
        workspaceId: result.workspaceId,
        userIds: [userId],
        change: 'joined',
      });
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
