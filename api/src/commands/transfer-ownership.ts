import { activeMembership, schema } from '@confab/db';
import { and, eq, sql } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';

/**
 * Moves ownership to another full member; the old owner stays as an admin. Both rows change in
 * one transaction with the owner's row locked, so two transfers cannot leave two owners.
 */
export async function transferOwnership(
  { db, bus }: CommandDeps,
  {
    workspaceId,
    ownerId,
    newOwnerId,
    ip,
  }: { workspaceId: string; ownerId: string; newOwnerId: string; ip: string },
): Promise<'done' | 'not_owner' | 'invalid_target'> {
  const result = await db.transaction(async (tx) => {
    const [owner] = await tx
      .select({ role: schema.workspaceMembers.role })
      .from(schema.workspaceMembers)
      .where(activeMembership(workspaceId, ownerId))
      .for('update');
    if (owner?.role !== 'owner') return 'not_owner' as const;
    if (newOwnerId === ownerId) return 'invalid_target' as const;
    const promoted = await tx
      .update(schema.workspaceMembers)
      .set({ role: 'owner' })
      .where(
        and(
          activeMembership(workspaceId, newOwnerId),
          sql`${schema.workspaceMembers.role} IN ('admin', 'member')`,
        ),
      )
      .returning({ userId: schema.workspaceMembers.userId });
    if (promoted.length === 0) return 'invalid_target' as const;
    await tx
      .update(schema.workspaceMembers)
      .set({ role: 'admin' })
      .where(
        and(
          eq(schema.workspaceMembers.workspaceId, workspaceId),
          eq(schema.workspaceMembers.userId, ownerId),
        ),
      );
    await recordAudit(tx, {
      workspaceId,
      actorId: ownerId,
      action: 'workspace.transfer_ownership',
      targetType: 'workspace',
      targetId: workspaceId,
      before: { ownerId },
      after: { ownerId: newOwnerId },
      ip,
    });
    return 'done' as const;
  });
  if (result === 'done') {
    await publishMembershipChange(bus, {
      workspaceId,
      userIds: [ownerId, newOwnerId],
      change: 'role_changed',
    });
  }
  return result;
}
