import { activeMembership, type Channel, type Db, schema } from '@confab/db';
import { and, eq, sql } from 'drizzle-orm';
import { publishMembershipChange } from '../audit/audit';
import type { CommandDeps } from './command-deps';
import { seatFirstMembers } from './create-channel';

const { channels, channelColumns, workspaceMembers } = schema;

export type OpenConversationResult =
  | { status: 'created' | 'existing'; channel: Channel }
  | { status: 'not_members' };

/**
 * Opens the DM (2 people) or group DM (3 to 9) of exactly these people, creating it the first
 * time. The sorted member ids are the channel's key, unique per workspace, so the same people always
 * get the same conversation, even when two of them open it at the same instant. A new one is
 * announced to its members' sync connections after it commits.
 */
export async function openConversation(
  { db, bus }: CommandDeps,
  {
    workspaceId,
    actorId,
    otherIds,
    ip,
  }: { workspaceId: string; actorId: string; otherIds: string[]; ip: string },
): Promise<OpenConversationResult> {
  const memberIds = [...new Set([actorId, ...otherIds])].sort();
  const active = await db
    .select({ userId: workspaceMembers.userId })
    .from(workspaceMembers)
    .where(activeMembership(workspaceId, memberIds));
  if (memberIds.length < 2 || active.length !== memberIds.length) return { status: 'not_members' };
  const dmKey = memberIds.join(',');
  const existing = await findConversation(db, workspaceId, dmKey);
  if (existing) return { status: 'existing', channel: existing };
  const result = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(channels)
      .values({
        workspaceId,
        kind: memberIds.length === 2 ? 'dm' : 'group_dm',
        dmKey,
        createdBy: actorId,
      })
      .onConflictDoNothing({
        target: [channels.workspaceId, channels.dmKey],
        where: sql`${channels.kind} IN ('dm', 'group_dm')`,
      })
      .returning(channelColumns);
    if (!created) {
      // Someone opened it between our look-up and insert: theirs is the one.
      const raced = await findConversation(tx, workspaceId, dmKey);
      if (!raced) throw new Error('conversation vanished after a conflicting insert');
      return { status: 'existing' as const, channel: raced };
    }
    await seatFirstMembers(tx, {
      channel: created,
      actorId,
      members: memberIds.map((userId) => ({ userId })),
      after: { kind: created.kind, memberIds },
      ip,
    });
    return { status: 'created' as const, channel: created };
  });
  if (result.status === 'created') {
    await publishMembershipChange(bus, {
      workspaceId,
      channelId: result.channel.id,
      userIds: memberIds,
      change: 'joined',
    });
  }
  return result;
}

async function findConversation(db: Pick<Db, 'select'>, workspaceId: string, dmKey: string) {
  const [row] = await db
    .select(channelColumns)
    .from(channels)
    .where(
      and(
        eq(channels.workspaceId, workspaceId),
        eq(channels.dmKey, dmKey),
        sql`${channels.kind} IN ('dm', 'group_dm')`,
      ),
    );
  return row;
}
