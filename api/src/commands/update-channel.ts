import { type Channel, schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import { type CommandDeps, isUniqueViolation } from './command-deps';
import { type ChannelFields, ChannelNameTaken } from './create-channel';

const { channels, channelColumns, channelMembers } = schema;

export type ChannelChanges = Partial<Omit<ChannelFields, 'kind'>>;

export type UpdateChannelResult = { status: 'updated'; channel: Channel } | { status: 'archived' };

/**
 * Changes a channel's settings. The row is locked first, so the audit's "before" is what this
 * change replaced and a channel archived meanwhile stays unchanged (archived channels are
 * read-only). A new posting or reaction policy is announced to the members after commit.
 */
export async function updateChannel(
  { db, bus }: CommandDeps,
  {
    channelId,
    actorId,
    changes,
    ip,
  }: { channelId: string; actorId: string; changes: ChannelChanges; ip: string },
): Promise<UpdateChannelResult> {
  let result: UpdateChannelResult;
  try {
    result = await db.transaction(async (tx) => {
      const [current] = await tx
        .select(channelColumns)
        .from(channels)
        .where(eq(channels.id, channelId))
        .for('update');
      if (!current) throw new Error('channel vanished while being updated');
      if (current.archivedAt) return { status: 'archived' as const };
      const [after] = await tx
        .update(channels)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(channels.id, channelId))
        .returning(channelColumns);
      if (!after) throw new Error('channel update returned no row');
      const before = Object.fromEntries(
        Object.keys(changes).map((key) => [key, current[key as keyof ChannelChanges]]),
      );
      await recordAudit(tx, {
        workspaceId: current.workspaceId,
        actorId,
        action: 'channel.update',
        targetType: 'channel',
        targetId: channelId,
        before,
        after: changes,
        ip,
      });
      return { status: 'updated' as const, channel: after };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ChannelNameTaken();
    throw error;
  }
  if (result.status === 'updated' && ('postingPolicy' in changes || 'reactionPolicy' in changes)) {
    // Open sync connections check posts and reactions by these policies: refresh them.
    const memberIds = await db
      .select({ userId: channelMembers.userId })
      .from(channelMembers)
      .where(eq(channelMembers.channelId, channelId));
    await publishMembershipChange(bus, {
      workspaceId: result.channel.workspaceId,
      channelId,
      userIds: memberIds.map((row) => row.userId),
      change: 'policy_changed',
    });
  }
  return result;
}
