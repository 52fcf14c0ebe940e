import { activeMembership, schema } from '@confab/db';
import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';

const { invitations, workspaceMembers, channels, channelMembers, users } = schema;

export type AcceptResult =
  | { status: 'joined' | 'already_member'; workspaceId: string; role: string; channelIds: string[] }
  | { status: 'invalid' }
  | { status: 'wrong_email' };

/** An invitation that can still be used: not revoked, not expired, uses left. */
export const usable = and(
  isNull(invitations.revokedAt),
  gt(invitations.expiresAt, sql`now()`),
  or(isNull(invitations.maxUses), sql`${invitations.useCount} < ${invitations.maxUses}`),
);

/**
 * Joins the workspace through an invitation. The use is counted by a conditional UPDATE in the
 * same transaction as the membership, so a single-use invitation admits exactly one person even
 * when several accept at once, and a failed join spends nothing. A join is announced on the bus
 * after it commits.
 */
export async function acceptInvitation(
  { db, bus }: CommandDeps,
  { tokenHash, userId, ip }: { tokenHash: string; userId: string; ip: string },
): Promise<AcceptResult> {
  const result: AcceptResult = await db.transaction(async (tx) => {
    const [invitation] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.tokenHash, tokenHash), usable));
    if (!invitation) return { status: 'invalid' as const };
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user) return { status: 'invalid' as const };
    if (invitation.email && invitation.email.toLowerCase() !== user.email.toLowerCase()) {
      return { status: 'wrong_email' as const };
    }
    const { workspaceId } = invitation;
    const [existing] = await tx
      .select({ role: workspaceMembers.role })
      .from(workspaceMembers)
      .where(activeMembership(workspaceId, userId));
    if (existing)
      return {
        status: 'already_member' as const,
        workspaceId,
        role: existing.role,
        channelIds: [],
      };

    const spent = await tx
      .update(invitations)
      .set({ useCount: sql`${invitations.useCount} + 1` })
      .where(and(eq(invitations.id, invitation.id), usable))
      .returning({ id: invitations.id });
    if (spent.length === 0) return { status: 'invalid' as const };

    // A removed member comes back through the same row, so their old messages keep their author.
    await tx
      .insert(workspaceMembers)
      .values({ workspaceId, userId, role: invitation.role })
      .onConflictDoUpdate({
        target: [workspaceMembers.workspaceId, workspaceMembers.userId],
        set: { role: invitation.role, removedAt: null, joinedAt: new Date() },
      });
    // The mail reached this address, so the address is the user's.
    if (invitation.email && !user.emailVerifiedAt) {
      await tx.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, userId));
    }
    // The invitation's channels, and #general for everyone but guests (who see only what they are given).
    const requested = invitation.channelIds.length
      ? inArray(channels.id, invitation.channelIds)
      : sql`false`;
    const general =
      invitation.role === 'guest'
        ? sql`false`
        : and(eq(channels.kind, 'public'), eq(channels.name, 'general'));
    const joinable = await tx
      .select({ id: channels.id })
      .from(channels)
      .where(
        and(
          eq(channels.workspaceId, workspaceId),
          isNull(channels.archivedAt),
          sql`${channels.kind} IN ('public', 'private')`,
          or(requested, general),
        ),
      );
    const channelIds = joinable.map((channel) => channel.id);
    if (channelIds.length) {
      await tx
        .insert(channelMembers)
        .values(channelIds.map((channelId) => ({ channelId, userId })))
        .onConflictDoNothing();
    }
    await recordAudit(tx, {
      workspaceId,
      actorId: userId,
      action: 'invitation.accept',
      targetType: 'invitation',
      targetId: invitation.id,
      after: { role: invitation.role, channelIds },
      ip,
    });
    return { status: 'joined' as const, workspaceId, role: invitation.role, channelIds };
  });
  if (result.status === 'joined') {
    await publishMembershipChange(bus, {
      workspaceId: result.workspaceId,
      userIds: [userId],
      change: 'joined',
    });
  }
  return result;
}
