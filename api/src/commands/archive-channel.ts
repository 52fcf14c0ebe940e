import { schema } from '@confab/db';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';

const { channels, channelMembers } = schema;

/**
 * Archives a channel (`archive: true`) or brings it back. The update is conditional on the current
 * state, so of two requests at once only one changes it, records it and tells the members; asking
 * for the state the channel is already in changes nothing. Returns whether it changed.
 */
export async function archiveChannel(
  { db, bus }: CommandDeps,
  {
    channelId,
    actorId,
    archive,
    ip,
  }: { channelId: string; actorId: string; archive: boolean; ip: string },
): Promise<boolean> {
  const changed = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(channels)
      .set({ archivedAt: archive ? new Date() : null, updatedAt: new Date() })
      .where(
        and(
          eq(channels.id, channelId),
          archive ? isNull(channels.archivedAt) : isNotNull(channels.archivedAt),
        ),
      )
      .returning({ workspaceId: channels.workspaceId });
    if (!row) return null;
    await recordAudit(tx, {
      workspaceId: row.workspaceId,
      actorId,
      action: archive ? 'channel.archive' : 'channel.unarchive',
      targetType: 'channel',
      targetId: channelId,
      ip,
    });
    return row;
  });
  if (!changed) return false;
  const memberIds = await db
    .select({ userId: channelMembers.userId })
    .from(channelMembers)
    .where(eq(channelMembers.channelId, channelId));
  await publishMembershipChange(bus, {
    workspaceId: changed.workspaceId,
    channelId,
    userIds: memberIds.map((member) => member.userId),
    change: archive ? 'archived' : 'unarchived',
  });
  return true;
}
