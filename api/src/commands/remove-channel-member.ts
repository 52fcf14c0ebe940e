import { schema } from '@confab/db';
import { and, eq } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';

const { channelMembers } = schema;

/**
 * Takes someone out of a channel: themself (leaving) or another member (removal, by an admin).
 * Returns false when they were not in it; then nothing is recorded or announced.
 */
export async function removeChannelMember(
  { db, bus }: CommandDeps,
  {
    channel,
    actorId,
    userId,
    ip,
  }: { channel: { id: string; workspaceId: string }; actorId: string; userId: string; ip: string },
): Promise<boolean> {
  const leaving = userId === actorId;
  const removed = await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(channelMembers)
      .where(and(eq(channelMembers.channelId, channel.id), eq(channelMembers.userId, userId)))
      .returning({ role: channelMembers.role });
    if (!row) return false;
    await recordAudit(tx, {
      workspaceId: channel.workspaceId,
      actorId,
      action: leaving ? 'channel_member.leave' : 'channel_member.remove',
      targetType: 'channel_member',
      targetId: `${channel.id}:${userId}`,
      before: { role: row.role },
      ip,
    });
    return true;
  });
  if (removed) {
    await publishMembershipChange(bus, {
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      userIds: [userId],
      change: leaving ? 'left' : 'removed',
    });
  }
  return removed;
}
