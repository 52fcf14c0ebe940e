import { schema, type WorkspaceRole } from '@confab/db';
import { and, eq, sql } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { MemberChangeResult } from './change-member-role';
import type { CommandDeps } from './command-deps';
import { lockedMemberRole } from './locked-member-role';

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
    const current = await lockedMemberRole(tx, workspaceId, userId);
    if (!current) return 'not_member' as const;
    if (current !== from) return 'role_changed' as const;
    await tx
      .update(workspaceMembers)
      .set({ removedAt: new Date() })
      .where(
        and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)),
      );
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
