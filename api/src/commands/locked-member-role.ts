import { activeMembership, type Db, schema, type WorkspaceRole } from '@confab/db';

/**
 * A workspace member's current role with their row locked until the transaction ends, or null
 * when they are not an active member. Role changes and removals check it against the role they
 * were authorized for, so a concurrent transfer of ownership cannot be undone by them.
 */
export async function lockedMemberRole(
  tx: Pick<Db, 'select'>,
  workspaceId: string,
  userId: string,
): Promise<WorkspaceRole | null> {
  const [row] = await tx
    .select({ role: schema.workspaceMembers.role })
    .from(schema.workspaceMembers)
    .where(activeMembership(workspaceId, userId))
    .for('update');
  return row?.role ?? null;
}
