import { schema, type WorkspaceRole } from '@confab/db';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';
import { lockMemberWithRole, type MemberChangeResult, memberRow } from './lock-member-with-role';

const { workspaceMembers } = schema;

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
    const refused = await lockMemberWithRole(tx, workspaceId, userId, from);
    if (refused) return refused;
    await tx.update(workspaceMembers).set({ role: to }).where(memberRow(workspaceId, userId));
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
