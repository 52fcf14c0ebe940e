import { schema } from '@confab/db';
import { and, eq } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';

const { channelMembers } = schema;

/**
 * Makes a channel member a channel admin or a plain member again. Returns false when they are not
 * in the channel.
 */
export async function changeChannelRole(
  { db, bus }: CommandDeps,
  {
    channel,
    actorId,
    userId,
    role,
    ip,
  }: {
    channel: { id: string; workspaceId: string };
    actorId: string;
    userId: string;
    role: 'admin' | 'member';
    ip: string;
  },
): Promise<boolean> {
  const changed = await db.transaction(async (tx) => {
    const member = and(eq(channelMembers.channelId, channel.id), eq(channelMembers.userId, userId));
    // Locked so the audit's "before" is the role this change replaced, even under concurrency.
    const [current] = await tx
      .select({ role: channelMembers.role })
      .from(channelMembers)
      .where(member)
      .for('update');
    if (!current) return false;
    await tx.update(channelMembers).set({ role }).where(member);
    await recordAudit(tx, {
      workspaceId: channel.workspaceId,
      actorId,
      action: 'channel_member.role_change',
      targetType: 'channel_member',
      targetId: `${channel.id}:${userId}`,
      before: { role: current.role },
      after: { role },
      ip,
    });
    return true;
  });
  if (changed) {
    await publishMembershipChange(bus, {
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      userIds: [userId],
      change: 'role_changed',
    });
  }
  return changed;
}
