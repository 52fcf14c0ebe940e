import { activeMembership, type Db, schema, type WorkspaceRole } from '@confab/db';
import { and, eq } from 'drizzle-orm';

const { workspaceMembers } = schema;

/** `role_changed`: the member's role is no longer `from`, the role the change was authorized for. */
export type MemberChangeResult = 'done' | 'not_member' | 'role_changed';

/**
 * Locks a workspace member's row until the transaction ends and checks they are still an active
 * member with the role the change was authorized for: null when the change may go ahead, else
 * why not. So a concurrent transfer of ownership cannot be undone by a role change or removal.
 */
export async function lockMemberWithRole(
  tx: Pick<Db, 'select'>,
  workspaceId: string,
  userId: string,
  from: WorkspaceRole,
): Promise<Exclude<MemberChangeResult, 'done'> | null> {
  const [row] = await tx
    .select({ role: workspaceMembers.role })
    .from(workspaceMembers)
    .where(activeMembership(workspaceId, userId))
    .for('update');
  if (!row) return 'not_member';
  return row.role === from ? null : 'role_changed';
}

/** The member's row, removed or not. */
export const memberRow = (workspaceId: string, userId: string) =>
  and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId));
