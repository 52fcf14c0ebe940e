import { activeMembership, schema } from '@confab/db';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';

const { channelMembers, workspaceMembers } = schema;

export type AddChannelMembersResult =
  | { status: 'added'; userIds: string[] }
  | { status: 'not_workspace_members' };

/**
 * Adds workspace members to a channel, with one audit row each for those not already in it, and
 * tells the newcomers' sync connections after commit.
 */
export async function addChannelMembers(
  { db, bus }: CommandDeps,
  {
    channel,
    actorId,
    userIds,
    ip,
  }: {
    channel: { id: string; workspaceId: string };
    actorId: string;
    userIds: string[];
    ip: string;
  },
): Promise<AddChannelMembersResult> {
  const wanted = [...new Set(userIds)];
  const eligible = await db
    .select({ userId: workspaceMembers.userId })
    .from(workspaceMembers)
    .where(activeMembership(channel.workspaceId, wanted));
  if (eligible.length !== wanted.length) return { status: 'not_workspace_members' };
  const added = await db.transaction(async (tx) => {
    const rows = await tx
      .insert(channelMembers)
      .values(wanted.map((userId) => ({ channelId: channel.id, userId })))
      .onConflictDoNothing()
      .returning({ userId: channelMembers.userId });
    for (const { userId } of rows) {
      await recordAudit(tx, {
        workspaceId: channel.workspaceId,
        actorId,
        action: 'channel_member.add',
        targetType: 'channel_member',
        targetId: `${channel.id}:${userId}`,
        after: { role: 'member' },
        ip,
      });
    }
    return rows.map((row) => row.userId);
  });
  if (added.length) {
    await publishMembershipChange(bus, {
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      userIds: added,
      change: 'joined',
    });
  }
  return { status: 'added', userIds: added };
}
