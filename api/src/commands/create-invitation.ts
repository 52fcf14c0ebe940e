import { type Db, schema } from '@confab/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit';
import { hashSecret, randomSecret } from '../auth/secrets';
import type { BackgroundTasks } from '../background-tasks';
import type { Mailer } from '../mail/mailer';

const { invitations, workspaces, channels, users } = schema;

export interface InvitationTerms {
  /** Set: an invitation for this address, mailed to it, single use. Unset: a shareable link. */
  email?: string;
  role: 'admin' | 'member' | 'guest';
  channelIds: string[];
  expiresInHours: number;
  maxUses?: number;
}

export type CreateInvitationResult =
  | { status: 'created'; invitation: typeof invitations.$inferSelect; url: string }
  | { status: 'invalid_channels' };

/**
 * Makes an invitation with its audit row, and mails it when it names an address (after commit,
 * in the background). The link's token is returned once; only its hash is stored.
 */
export async function createInvitation(
  { db, mailer, tasks }: { db: Db; mailer: Mailer; tasks: BackgroundTasks },
  {
    workspaceId,
    actorId,
    terms,
    publicUrl,
    ip,
  }: {
    workspaceId: string;
    actorId: string;
    terms: InvitationTerms;
    publicUrl: string;
    ip: string;
  },
): Promise<CreateInvitationResult> {
  if (terms.channelIds.length) {
    const found = await db
      .select({ id: channels.id })
      .from(channels)
      .where(
        and(
          eq(channels.workspaceId, workspaceId),
          inArray(channels.id, terms.channelIds),
          sql`${channels.kind} IN ('public', 'private')`,
        ),
      );
    if (found.length !== new Set(terms.channelIds).size) return { status: 'invalid_channels' };
  }
  const token = randomSecret();
  const invitation = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(invitations)
      .values({
        workspaceId,
        email: terms.email ?? null,
        tokenHash: hashSecret(token),
        role: terms.role,
        channelIds: terms.channelIds,
        maxUses: terms.email ? 1 : (terms.maxUses ?? null),
        invitedBy: actorId,
        expiresAt: new Date(Date.now() + terms.expiresInHours * 3_600_000),
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
      ip,
    });
    return created;
  });
  const url = `${publicUrl}/invite/${token}`;
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
  return { status: 'created', invitation, url };
}
