import { schema } from '@confab/db';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';

const { channelMembers } = schema;

/**
 * Joins a channel as a member. Only the request whose row is inserted records and announces the
 * join, so two joins at once leave one audit row.
 */
export async function joinChannel(
  { db, bus }: CommandDeps,
  {
    channel,
    actorId,
    ip,
  }: { channel: { id: string; workspaceId: string }; actorId: string; ip: string },
): Promise<void> {
  const joined = await db.transaction(async (tx) => {
    const rows = await tx
      .insert(channelMembers)
      .values({ channelId: channel.id, userId: actorId })
      .onConflictDoNothing()
      .returning({ userId: channelMembers.userId });
    if (rows.length === 0) return false;
    await recordAudit(tx, {
      workspaceId: channel.workspaceId,
      actorId,
      action: 'channel_member.join',
      targetType: 'channel_member',
      targetId: `${channel.id}:${actorId}`,
      after: { role: 'member' },
      ip,
    });
    return true;
  });
  if (!joined) return;
  await publishMembershipChange(bus, {
    workspaceId: channel.workspaceId,
    channelId: channel.id,
    userIds: [actorId],
    change: 'joined',
  });
}
