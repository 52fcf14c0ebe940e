import { schema, type WorkspaceRole } from '@confab/db';
import { and, eq, sql } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';
import { lockMemberWithRole, type MemberChangeResult, memberRow } from './lock-member-with-role';

const { workspaceMembers, channelMembers, channels } = schema;

/**
 * Takes someone out of a workspace: themself (leaving) or another member (removal, by an admin).
 * They leave its channels too; their row stays, marked removed, so their messages keep an author.
 */
export async function removeWorkspaceMember(
  { db, bus }: CommandDeps,
  {
    workspaceId,
    actorId,
    userId,
    from,
    ip,
  }: { workspaceId: string; actorId: string; userId: string; from: WorkspaceRole; ip: string },
): Promise<MemberChangeResult> {
  const leaving = userId === actorId;
  const result = await db.transaction(async (tx) => {
    const refused = await lockMemberWithRole(tx, workspaceId, userId, from);
    if (refused) return refused;
    await tx
      .update(workspaceMembers)
      .set({ removedAt: new Date() })
      .where(memberRow(workspaceId, userId));
    // Leaving a workspace leaves its channels; DMs keep their rows so history keeps its members.
    await tx
      .delete(channelMembers)
      .where(
        and(
          eq(channelMembers.userId, userId),
          sql`${channelMembers.channelId} IN (SELECT ${channels.id} FROM ${channels} WHERE ${channels.workspaceId} = ${workspaceId} AND ${channels.kind} IN ('public', 'private'))`,
        ),
      );
    await recordAudit(tx, {
      workspaceId,
      actorId,
      action: leaving ? 'workspace_member.leave' : 'workspace_member.remove',
      targetType: 'workspace_member',
      targetId: userId,
      before: { role: from },
      ip,
    });
    return 'done' as const;
  });
  if (result === 'done') {
    await publishMembershipChange(bus, {
      workspaceId,
      userIds: [userId],
      change: leaving ? 'left' : 'removed',
    });
  }
  return result;
}
