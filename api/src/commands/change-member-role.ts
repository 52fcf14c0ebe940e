import { schema, type WorkspaceRole } from '@confab/db';
import { and, eq } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';
import { lockedMemberRole } from './locked-member-role';

const { workspaceMembers } = schema;

/** `role_changed`: the member's role is no longer `from`, the role the change was authorized for. */
export type MemberChangeResult = 'done' | 'not_member' | 'role_changed';

/** Gives a workspace member another role (never owner: ownership moves only by transfer). */
export async function changeMemberRole(
  { db, bus }: CommandDeps,
  {
    workspaceId,
    actorId,
    userId,
    from,
    to,
    ip,
  }: {
    workspaceId: string;
    actorId: string;
    userId: string;
    from: WorkspaceRole;
    to: Exclude<WorkspaceRole, 'owner'>;
    ip: string;
  },
): Promise<MemberChangeResult> {
  const result = await db.transaction(async (tx) => {
    const current = await lockedMemberRole(tx, workspaceId, userId);
    if (!current) return 'not_member' as const;
    if (current !== from) return 'role_changed' as const;
    await tx
      .update(workspaceMembers)
      .set({ role: to })
      .where(
        and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)),
      );
    await recordAudit(tx, {
      workspaceId,
      actorId,
      action: 'workspace_member.role_change',
      targetType: 'workspace_member',
      targetId: userId,
      before: { role: from },
      after: { role: to },
      ip,
    });
    return 'done' as const;
  });
  if (result === 'done') {
    await publishMembershipChange(bus, { workspaceId, userIds: [userId], change: 'role_changed' });
  }
  return result;
}
